using System.Collections.Concurrent;

namespace Grantha.Engine;

/// <summary>
/// Wakes the claim loop of a stage when work may have arrived: a local insert, a NOTIFY from
/// another process, a freed slot. Waiting is bounded by the poll interval, the fallback when a
/// signal is missed (a dropped LISTEN connection, another SQLite process).
/// </summary>
public sealed class EngineSignals
{
    readonly ConcurrentDictionary<string, SemaphoreSlim> _stages = new();

    SemaphoreSlim For(string stage) => _stages.GetOrAdd(stage, _ => new SemaphoreSlim(0, 1));

    public void WorkArrived(string stage)
    {
        var s = For(stage);
        // At most one pending wake-up: a burst of signals wakes the loop once.
        if (s.CurrentCount == 0) { try { s.Release(); } catch (SemaphoreFullException) { } }
    }

    /// <summary>
    /// Wakes the stage's claim loop when a task this process snoozed comes due again, so it is claimed then and not
    /// at the next poll (a host's next polite start is often closer than the poll interval).
    /// </summary>
    public void WakeAfter(string stage, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) { WorkArrived(stage); return; }
        _ = Task.Delay(delay).ContinueWith(_ => WorkArrived(stage), TaskScheduler.Default);
    }

    public void WakeAll()
    {
        foreach (var stage in _stages.Keys) WorkArrived(stage);
    }

    public Task WaitAsync(string stage, TimeSpan max, CancellationToken ct) => For(stage).WaitAsync(max, ct);
}
