using Dapper;
using Microsoft.Extensions.Logging;

namespace Grantha.Engine;

/// <summary>
/// Returns tasks whose lease expired (their worker died or hung) to the queue, counting the lost
/// attempt. Every worker process runs one; on PostgreSQL SKIP LOCKED keeps them out of each
/// other's way. Checks every few seconds, so a task is back within seconds of its lease expiry
/// (not the 30-60 minutes of common job queues).
/// </summary>
public sealed class Rescuer(Db db, TaskQueue queue, EngineSignals signals, ILogger log)
{
    public static readonly TimeSpan IntervalDefault = TimeSpan.FromSeconds(2);
    public const int BatchSize = 500;

    public TimeSpan Interval { get; init; } = IntervalDefault;

    public async Task<int> RescueOnceAsync(CancellationToken ct = default)
    {
        var rescued = await db.WriteAsync(async (c, tx) =>
        {
            var now = Db.NowMs();
            var r = await queue.RescueAsync(c, tx, now, BatchSize);
            await db.Dialect.LockBatchesAsync(c, tx, r.Select(x => x.BatchId));
            await Settler.SettleAsync(c, tx, r.Select(x => x.BatchId), now);
            return r;
        }, ct);
        if (rescued.Count > 0)
        {
            log.LogInformation("Rescued {Count} tasks whose lease expired", rescued.Count);
            EngineMetrics.Rescued(rescued.Count);
            signals.WakeAll();
        }
        return rescued.Count;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var depthEvery = 0;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await RescueOnceAsync(ct);
                if (depthEvery++ % 3 == 0)
                    EngineMetrics.QueueDepth(await db.ReadAsync(async c => (await c.QueryAsync<(string, long)>(
                        "SELECT stage, COUNT(*) FROM stage_task WHERE state IN ('PENDING', 'RETRY_WAIT') GROUP BY stage")).ToList(), ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Rescuer pass failed; will retry");
            }
        }
    }
}
