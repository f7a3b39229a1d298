using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Grantha.Engine;

/// <summary>
/// What the on-call engineer needs that no single task knows (docs/operations.md), read from the store every
/// <see cref="Interval"/> by every worker process, so /metrics never queries the database per scrape:
/// <list type="bullet">
/// <item>per stage, the tasks waiting and the age of the oldest one that is due and not claimed;</item>
/// <item>how long the longest-expired lease of a running task has gone unrescued;</item>
/// <item>the running batches, the oldest one's age, and the stuck ones: due work (waiting and due, or running)
/// and no task outcome for <see cref="StuckAfter"/>. A stuck batch gets one <c>batch_stuck</c> event per stuck
/// period and <c>batch_unstuck</c> when an outcome is recorded again or it stops running;</item>
/// <item>each stage's own gauges (<see cref="StageHandler.ObserveAsync"/>: FETCH's per-host politeness).</item>
/// </list>
/// Several processes may watch one store: the markers are written under the batch row's lock after reading the
/// last one, so each stuck period has one <c>batch_stuck</c> whoever saw it first.
/// </summary>
public sealed class Watchdog(Db db, IReadOnlyCollection<StageHandler> stages, ILogger log)
{
    public static readonly TimeSpan IntervalDefault = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan StuckAfterDefault = TimeSpan.FromMinutes(10);
    public const string Stuck = "batch_stuck";
    public const string Unstuck = "batch_unstuck";

    public TimeSpan Interval { get; init; } = IntervalDefault;
    public TimeSpan StuckAfter { get; init; } = StuckAfterDefault;

    /// <summary>One pass: the gauges as read, and the batches marked stuck after it.</summary>
    public sealed record Pass(IReadOnlyDictionary<string, EngineMetrics.QueueGauge> Queue, EngineMetrics.BatchGauge Batches, long LeaseOverdueMs, IReadOnlyList<long> StuckBatches);

    // Classes, not positional records: SQLite types an expression column of an empty result as a blob, and
    // Dapper picks a constructor by the column types, but converts a property's value when it reads one.
    sealed class RunningBatch { public long Id { get; init; } public long CreatedAt { get; init; } public long MovedAt { get; init; } }
    sealed class Marker { public long BatchId { get; init; } public string Kind { get; init; } = ""; public long At { get; init; } }
    sealed class BatchState { public string Status { get; init; } = ""; public long MovedAt { get; init; } }

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try { await PassAsync(ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Watchdog pass failed; will retry");
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    public async Task<Pass> PassAsync(CancellationToken ct = default)
    {
        var now = Db.NowMs();
        var (queue, leaseExpiry, running, markers) = await db.ReadAsync(async c =>
        {
            // Tasks waiting: the claim index (stage_task_claim) holds exactly these rows. Running leases: read job by
            // job (Dialect.RunningTasks).
            using var grid = await c.QueryMultipleAsync($"""
                SELECT stage, COUNT(*) AS depth, MIN(CASE WHEN due_at <= @now THEN due_at END) AS oldest FROM stage_task
                WHERE state IN ('PENDING', 'RETRY_WAIT') GROUP BY stage;
                {db.Dialect.RunningTasks("MIN(t.lease_expires_at)")};
                SELECT id AS Id, created_at AS CreatedAt, CASE WHEN moved_at > updated_at THEN moved_at ELSE updated_at END AS MovedAt FROM batch WHERE status = 'RUNNING';
                SELECT e.batch_id AS BatchId, e.kind AS Kind, e.at AS At FROM event e
                WHERE e.kind IN ('{Stuck}', '{Unstuck}')
                  AND e.id = (SELECT MAX(x.id) FROM event x WHERE x.batch_id = e.batch_id AND x.kind IN ('{Stuck}', '{Unstuck}'));
                """, new { now });
            return ((await grid.ReadAsync<(string Stage, long Depth, long? Oldest)>()).AsList(), await grid.ReadSingleAsync<long?>(),
                (await grid.ReadAsync<RunningBatch>()).AsList(), (await grid.ReadAsync<Marker>()).AsList());
        }, ct);

        // Every stage of this process is shown, also with nothing waiting: an alert compares a value, not a missing series.
        var byStage = stages.ToDictionary(s => s.Stage, _ => new EngineMetrics.QueueGauge(0, 0));
        foreach (var (stage, depth, oldest) in queue)
            byStage[stage] = new EngineMetrics.QueueGauge(depth, oldest is { } o ? Math.Max(0, now - o) : 0);
        var overdue = leaseExpiry is { } e && e < now ? now - e : 0;

        var stuckNow = markers.Where(m => m.Kind == Stuck).ToDictionary(m => m.BatchId, m => m.At);
        var runningIds = running.Select(b => b.Id).ToHashSet();
        // Marked stuck but moved since (an outcome or a control after the marker), or no longer running: unstuck.
        foreach (var (batchId, at) in stuckNow.ToList())
        {
            var b = running.FirstOrDefault(r => r.Id == batchId);
            if (b is not null && b.MovedAt <= at) continue;
            if (await MarkAsync(batchId, Unstuck, now, ct)) stuckNow.Remove(batchId);
        }
        var stuckAfterMs = (long)StuckAfter.TotalMilliseconds;
        foreach (var b in running.Where(b => now - b.MovedAt >= stuckAfterMs && !stuckNow.ContainsKey(b.Id)))
        {
            // Read first: a batch that only waits (tasks blocked for a curator, snoozed for a host) takes no write.
            if ((await db.ReadAsync(c => DueAsync(c, null, b.Id, now), ct)).Count == 0) continue;
            if (await MarkAsync(b.Id, Stuck, now, ct)) stuckNow[b.Id] = now;
        }

        var stuck = stuckNow.Keys.Where(runningIds.Contains).Order().ToList();
        var batches = new EngineMetrics.BatchGauge(running.Count, running.Count == 0 ? 0 : now - running.Min(b => b.CreatedAt), stuck.Count);
        EngineMetrics.Observed(db.Description, byStage, batches, overdue);

        foreach (var stage in stages)
        {
            try { await stage.ObserveAsync(db, ct); }
            catch (Exception x) when (x is not OperationCanceledException) { log.LogWarning(x, "Gauges of stage {Stage} not read", stage.Stage); }
        }
        return new Pass(byStage, batches, overdue, stuck);
    }

    /// <summary>
    /// Appends a marker when the batch's state under its lock still calls for it: stuck when it is running with
    /// due work and has not moved for <see cref="StuckAfter"/> and is not marked yet; unstuck when it is marked
    /// and has moved since or stopped running. Returns whether the batch now carries that marker.
    /// </summary>
    async Task<bool> MarkAsync(long batchId, string kind, long now, CancellationToken ct) =>
        await db.WriteAsync(async (c, tx) =>
        {
            await db.Dialect.LockBatchesAsync(c, tx, [batchId]);
            var batch = await c.QuerySingleOrDefaultAsync<BatchState>(
                "SELECT status AS Status, CASE WHEN moved_at > updated_at THEN moved_at ELSE updated_at END AS MovedAt FROM batch WHERE id = @batchId", new { batchId }, tx);
            var last = await c.QuerySingleOrDefaultAsync<Marker>(
                $"SELECT batch_id AS BatchId, kind AS Kind, at AS At FROM event WHERE batch_id = @batchId AND kind IN ('{Stuck}', '{Unstuck}') ORDER BY id DESC LIMIT 1", new { batchId }, tx);
            var marked = last is { Kind: Stuck };
            string? data;
            if (kind == Stuck)
            {
                if (marked) return true;
                if (batch is not { Status: BatchStatus.Running } b || now - b.MovedAt < StuckAfter.TotalMilliseconds) return false;
                var due = await DueAsync(c, tx, batchId, now);
                if (due.Count == 0) return false;
                data = JsonSerializer.Serialize(new
                {
                    movedAt = b.MovedAt, stuckForSeconds = (now - b.MovedAt) / 1000,
                    due = due.Select(d => new { stage = d.Stage, state = d.State, tasks = d.Count }),
                }, EngineJson.Options);
                log.LogWarning("Batch {BatchId} is stuck: due work and no task outcome for {Minutes:0} min", batchId, (now - b.MovedAt) / 60000.0);
            }
            else
            {
                if (!marked) return true;
                var moved = batch is not null && batch.MovedAt > last!.At;
                if (batch is { Status: BatchStatus.Running } && !moved) return false;
                data = JsonSerializer.Serialize(new
                {
                    reason = batch is null ? "deleted" : moved ? "moved" : "status", status = batch?.Status,
                    markedAt = last!.At,
                }, EngineJson.Options);
                log.LogInformation("Batch {BatchId} moves again", batchId);
            }
            if (batch is null) return kind == Unstuck;
            await Events.AppendAsync(c, tx, new Event(batchId, null, null, kind, "watchdog", now, data));
            return true;
        }, ct);

    /// <summary>A batch's due work: its running tasks, and its waiting ones whose time has come, by stage and state.</summary>
    static async Task<List<(string Stage, string State, long Count)>> DueAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long batchId, long now) =>
        (await c.QueryAsync<(string Stage, string State, long Count)>("""
            SELECT stage, state, COUNT(*) FROM stage_task
            WHERE batch_id = @batchId AND (state = 'RUNNING' OR (state IN ('PENDING', 'RETRY_WAIT') AND due_at <= @now))
            GROUP BY stage, state
            """, new { batchId, now }, tx)).AsList();
}
