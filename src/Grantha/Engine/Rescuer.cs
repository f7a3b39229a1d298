using Dapper;
using Microsoft.Extensions.Logging;

namespace Grantha.Engine;

/// <summary>
/// Returns tasks to the queue whose worker stopped: every worker process runs one. Two ways to know:
/// <list type="bullet">
/// <item>the lease expired (the worker died, hung or lost the database): both stores, within
/// <see cref="IntervalDefault"/> of the expiry, counting the lost attempt;</item>
/// <item>PostgreSQL: the worker's liveness lock (<see cref="Liveness"/>) is free, i.e. its session ended, and
/// stayed free for <see cref="GoneAfterDefault"/>: its tasks go back at once, leases or not (a kill -9 is
/// seen in about 3 s instead of the 30 s lease). A worker that holds its lock is never rescued this way.</item>
/// </list>
/// On PostgreSQL SKIP LOCKED keeps rescuers on many machines out of each other's way, and only one at a time can
/// take a gone worker's lock.
/// </summary>
public sealed class Rescuer(Db db, TaskQueue queue, EngineSignals signals, ILogger log, string? self = null)
{
    /// <summary>Between passes on SQLite (leases only).</summary>
    public static readonly TimeSpan IntervalDefault = TimeSpan.FromSeconds(2);
    /// <summary>Between passes on PostgreSQL: a free lock is seen within this, and confirmed <see cref="GoneAfterDefault"/> later.</summary>
    public static readonly TimeSpan LivenessIntervalDefault = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How long a worker's lock must stay free before its tasks go back: longer than a live worker needs to take it
    /// again after a dropped connection or a restarted server (<see cref="Liveness.CheckInterval"/> plus a reconnect).
    /// </summary>
    public static readonly TimeSpan GoneAfterDefault = TimeSpan.FromSeconds(2);
    public const int BatchSize = 500;

    public TimeSpan Interval { get; init; } = db.Kind == DbKind.Postgres ? LivenessIntervalDefault : IntervalDefault;
    public TimeSpan GoneAfter { get; init; } = GoneAfterDefault;

    /// <summary>Workers whose lock this rescuer found free, and when it first did.</summary>
    readonly Dictionary<string, long> _freeSince = [];

    public async Task<int> RescueOnceAsync(CancellationToken ct = default)
    {
        var rescued = await db.WriteAsync(async (c, tx) =>
        {
            var now = Db.NowMs();
            var r = (await queue.RescueAsync(c, tx, now, BatchSize)).ToList();
            var expired = r.Count;
            // The locks taken here (transaction-scoped) are held until commit: a gone worker cannot come back
            // between this check and the rescue of its tasks.
            var free = await db.Dialect.WorkersWithoutLivenessAsync(c, tx, self ?? "");
            foreach (var id in _freeSince.Keys.Except(free).ToList()) _freeSince.Remove(id);
            var gone = new List<string>();
            foreach (var id in free)
                if (!_freeSince.TryAdd(id, now) && now - _freeSince[id] >= GoneAfter.TotalMilliseconds) gone.Add(id);
            if (gone.Count > 0)
            {
                r.AddRange(await queue.RescueGoneAsync(c, tx, gone, now));
                await c.ExecuteAsync($"DELETE FROM worker WHERE id {db.Dialect.InArray("gone")}", new { gone = gone.ToArray() }, tx);
                log.LogWarning("Workers {Workers} are gone (their liveness lock was free for {Seconds} s): their tasks go back to the queue", string.Join(", ", gone), GoneAfter.TotalSeconds);
            }
            var statuses = await db.Dialect.LockBatchesAsync(c, tx, r.Select(x => x.BatchId));
            // A rescued task of a paused or cancelled batch waits paused, or is cancelled, instead of running again.
            if (statuses.Values.Any(s => s is BatchStatus.Paused or BatchStatus.Cancelled))
                await Controls.KeepStoppedAsync(c, tx, statuses, "rescuer", now);
            await Settler.SettleAsync(c, tx, r.Select(x => x.BatchId), now);
            foreach (var id in gone) _freeSince.Remove(id);
            return (r, expired);
        }, ct);
        var (all, leaseExpired) = rescued;
        if (all.Count > 0)
        {
            log.LogInformation("Rescued {Count} tasks whose worker stopped", all.Count);
            EngineMetrics.Rescued("lease_expired", leaseExpired);
            EngineMetrics.Rescued("worker_gone", all.Count - leaseExpired);
            signals.WakeAll();
        }
        return all.Count;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await RescueOnceAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Rescuer pass failed; will retry");
            }
        }
    }
}
