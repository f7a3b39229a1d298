using System.Globalization;

namespace Grantha.OfflineSite;

/// <summary>The fault a URL is given (at most one per URL).</summary>
public enum FaultKind { None, NotFound, ServerError, TooManyRequests, Timeout, Slow, Truncate, Redirect, Charset }

/// <summary>
/// The fault decided for one URL: its kind, how many first requests it hits (transient kinds),
/// and its parameters. Decided from (seed, url) only, so it is the same on every run.
/// </summary>
public sealed record FaultPlan(FaultKind Kind, int FailingRequests, int StatusCode, int SlowMs, double CutFraction)
{
    public static readonly FaultPlan None = new(FaultKind.None, 0, 200, 0, 1);

    /// <summary>Transient faults hit a URL's first 1-2 requests; later requests succeed.</summary>
    public bool IsTransient => Kind is FaultKind.ServerError or FaultKind.TooManyRequests or FaultKind.Timeout or FaultKind.Truncate;

    /// <summary>The name used in the request log and the CLI string.</summary>
    public string? LogName => SiteFaults.Name(Kind);
}

/// <summary>
/// Fault switches for the offline site: per-URL probabilities of each fault, and its parameters.
/// CLI form: <c>5xx=0.10,429=0.05,retry-after=2,timeout=0.02,404=0.01,slow=0.05,truncate=0.02,redirect=0.03,charset=0.02</c>.
/// </summary>
public sealed record SiteFaults
{
    public const int DefaultRetryAfterSeconds = 2;
    public const int DefaultSlowMinMs = 200, DefaultSlowMaxMs = 800;
    public static readonly TimeSpan DefaultTimeoutHold = TimeSpan.FromSeconds(60);

    public static readonly SiteFaults None = new();

    public double NotFound { get; init; }
    public double ServerError { get; init; }
    public double TooManyRequests { get; init; }
    public double Timeout { get; init; }
    public double Slow { get; init; }
    public double Truncate { get; init; }
    public double Redirect { get; init; }
    public double Charset { get; init; }

    /// <summary>Seconds in the Retry-After header of a 429 (and of a 503).</summary>
    public int RetryAfterSeconds { get; init; } = DefaultRetryAfterSeconds;

    /// <summary>How long a time-out fault holds the request (unless the client gives up first).</summary>
    public TimeSpan TimeoutHold { get; init; } = DefaultTimeoutHold;

    public int SlowMinMs { get; init; } = DefaultSlowMinMs;
    public int SlowMaxMs { get; init; } = DefaultSlowMaxMs;

    public bool Any => Total > 0;

    double Total => NotFound + ServerError + TooManyRequests + Timeout + Slow + Truncate + Redirect + Charset;

    static readonly (string Key, FaultKind Kind)[] Keys =
    [
        ("404", FaultKind.NotFound), ("5xx", FaultKind.ServerError), ("429", FaultKind.TooManyRequests),
        ("timeout", FaultKind.Timeout), ("slow", FaultKind.Slow), ("truncate", FaultKind.Truncate),
        ("redirect", FaultKind.Redirect), ("charset", FaultKind.Charset),
    ];

    public static string? Name(FaultKind kind) => kind == FaultKind.None ? null : Keys.First(k => k.Kind == kind).Key;

    double Probability(FaultKind kind) => kind switch
    {
        FaultKind.NotFound => NotFound,
        FaultKind.ServerError => ServerError,
        FaultKind.TooManyRequests => TooManyRequests,
        FaultKind.Timeout => Timeout,
        FaultKind.Slow => Slow,
        FaultKind.Truncate => Truncate,
        FaultKind.Redirect => Redirect,
        FaultKind.Charset => Charset,
        _ => 0,
    };

    /// <summary>Parses the CLI form; empty or "none" means no faults. Errors name the bad part.</summary>
    public static SiteFaults Parse(string? text)
    {
        var faults = new SiteFaults();
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return faults;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                throw new FormatException($"Fault '{part}' is not key=value (e.g. 5xx=0.10).");
            var key = part[..eq].Trim().ToLowerInvariant();
            var value = part[(eq + 1)..].Trim();
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0)
                throw new FormatException($"Fault '{part}': '{value}' is not a non-negative number.");
            faults = key switch
            {
                "retry-after" => faults with { RetryAfterSeconds = (int)number },
                "timeout-hold" => faults with { TimeoutHold = TimeSpan.FromSeconds(number) },
                "slow-ms" => faults with { SlowMinMs = (int)number, SlowMaxMs = (int)number },
                _ => Keys.Any(k => k.Key == key) ? faults.With(Keys.First(k => k.Key == key).Kind, number)
                    : throw new FormatException(
                        $"Unknown fault '{key}'. Known: {string.Join(", ", Keys.Select(k => k.Key))}, retry-after, timeout-hold, slow-ms."),
            };
        }
        faults.Validate();
        return faults;
    }

    SiteFaults With(FaultKind kind, double p)
    {
        if (p > 1) throw new FormatException($"Fault '{Name(kind)}={p}': a probability is at most 1.");
        return kind switch
        {
            FaultKind.NotFound => this with { NotFound = p },
            FaultKind.ServerError => this with { ServerError = p },
            FaultKind.TooManyRequests => this with { TooManyRequests = p },
            FaultKind.Timeout => this with { Timeout = p },
            FaultKind.Slow => this with { Slow = p },
            FaultKind.Truncate => this with { Truncate = p },
            FaultKind.Redirect => this with { Redirect = p },
            FaultKind.Charset => this with { Charset = p },
            _ => this,
        };
    }

    public void Validate()
    {
        foreach (var (key, kind) in Keys)
            if (Probability(kind) is < 0 or > 1)
                throw new ArgumentException($"Fault '{key}' probability {Probability(kind)} is outside 0..1.");
        if (Total > 1 + 1e-9)
            throw new ArgumentException($"Fault probabilities add up to {Total:0.###}; a URL gets at most one fault, so they must add up to at most 1.");
        if (RetryAfterSeconds < 0) throw new ArgumentException("retry-after must be zero or more seconds.");
        if (SlowMinMs < 0 || SlowMaxMs < SlowMinMs) throw new ArgumentException("slow delay range is invalid.");
    }

    /// <summary>The CLI form of these switches (round-trips through <see cref="Parse"/>).</summary>
    public override string ToString()
    {
        var parts = Keys.Where(k => Probability(k.Kind) > 0)
            .Select(k => $"{k.Key}={Probability(k.Kind).ToString(CultureInfo.InvariantCulture)}").ToList();
        if (parts.Count == 0) return "none";
        if (TooManyRequests > 0 || ServerError > 0) parts.Add($"retry-after={RetryAfterSeconds}");
        return string.Join(",", parts);
    }

    /// <summary>The fault of a URL: one uniform draw per (seed, url) walks the cumulative probabilities.</summary>
    public FaultPlan Decide(long seed, string url)
    {
        if (!Any) return FaultPlan.None;
        var rng = new SiteRandom(seed, "fault|" + url);
        var u = rng.NextDouble();
        var failing = rng.Next(1, 3);
        var acc = 0.0;
        foreach (var (_, kind) in Keys)
        {
            acc += Probability(kind);
            if (u >= acc) continue;
            return kind switch
            {
                FaultKind.ServerError => new FaultPlan(kind, failing, rng.Pick(new[] { 500, 502, 503 }), 0, 1),
                FaultKind.TooManyRequests => new FaultPlan(kind, failing, 429, 0, 1),
                FaultKind.Timeout => new FaultPlan(kind, failing, 200, 0, 1),
                FaultKind.Truncate => new FaultPlan(kind, failing, 200, 0, 0.3 + 0.4 * rng.NextDouble()),
                FaultKind.Slow => new FaultPlan(kind, 0, 200, rng.Next(SlowMinMs, SlowMaxMs + 1), 1),
                FaultKind.NotFound => new FaultPlan(kind, 0, 404, 0, 1),
                FaultKind.Redirect => new FaultPlan(kind, 0, 301, 0, 1),
                _ => new FaultPlan(kind, 0, 200, 0, 1),
            };
        }
        return FaultPlan.None;
    }
}
