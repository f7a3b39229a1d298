namespace Grantha.Engine;

/// <summary>Exponential backoff with full jitter, capped; a source's Retry-After wins when it asks for longer.</summary>
public sealed record RetryPolicy
{
    public static readonly TimeSpan BaseDelayDefault = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxDelayDefault = TimeSpan.FromMinutes(5);

    public TimeSpan BaseDelay { get; init; } = BaseDelayDefault;
    public TimeSpan MaxDelay { get; init; } = MaxDelayDefault;

    /// <summary>Delay before the attempt after <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan NextDelay(int attempt, TimeSpan? retryAfter = null)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)));
        // Half fixed, half random: spreads retries without ever retrying at once.
        var ms = ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2;
        if (retryAfter is { } ra && ra.TotalMilliseconds > ms) ms = Math.Min(ra.TotalMilliseconds, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}
