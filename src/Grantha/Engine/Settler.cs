using System.Data.Common;
using Dapper;

namespace Grantha.Engine;

/// <summary>
/// Closes jobs and batches when their work is done. A stage's job completes when none of its
/// tasks is open and every earlier stage's job has completed (no more work can arrive); the
/// batch completes with its last job. Counts are never stored: they are read from the task rows.
/// </summary>
public static class Settler
{
    /// <summary>
    /// Takes the batches' rows for this transaction (PostgreSQL; SQLite has one writer anyway), before
    /// its task changes, so transactions of several worker processes that touch one batch run one
    /// after the other. Otherwise two that record the last two open tasks at the same moment each
    /// see the other's task still running, neither settles, and the batch stays RUNNING with
    /// nothing left to do. The order (batch row, then tasks) is the one the controls use.
    /// NO KEY UPDATE, not UPDATE: every insert that references the batch (extractions, pages,
    /// staged imports) takes KEY SHARE on its row for the foreign key, and must not wait for this.
    /// </summary>
    public static async Task LockBatchesAsync(DbConnection c, DbTransaction tx, IEnumerable<long> batchIds)
    {
        if (c is not Npgsql.NpgsqlConnection) return;
        var ids = batchIds.Distinct().Order().ToArray();
        if (ids.Length > 0) await c.ExecuteAsync("SELECT id FROM batch WHERE id = ANY(@ids) ORDER BY id FOR NO KEY UPDATE", new { ids }, tx);
    }

    public static async Task SettleAsync(DbConnection c, DbTransaction tx, IEnumerable<long> batchIds, long now)
    {
        foreach (var batchId in batchIds.Distinct())
        {
            var status = await c.ExecuteScalarAsync<string?>("SELECT status FROM batch WHERE id = @batchId", new { batchId }, tx);
            if (status is null or BatchStatus.Cancelled) continue;
            var jobs = (await c.QueryAsync<(long Id, string Stage, string Status)>("SELECT id, stage, status FROM job WHERE batch_id = @batchId", new { batchId }, tx))
                .OrderBy(j => Stage.All.ToList().IndexOf(j.Stage)).ToList();
            var upstreamDone = true;
            foreach (var job in jobs)
            {
                // A stage whose upstream is still at work cannot be done: no need to look at its tasks.
                if (!upstreamDone) break;
                var open = await c.ExecuteScalarAsync<long?>(
                    $"SELECT 1 FROM stage_task WHERE batch_id = @batchId AND stage = @stage AND state IN ({Sql.InList(TaskState.Open)}) LIMIT 1",
                    new { batchId, stage = job.Stage }, tx) is not null;
                var done = !open;
                if (done && job.Status != JobStatus.Completed && StateMachine.Job.Allows(job.Status, JobStatus.Completed))
                {
                    await c.ExecuteAsync("UPDATE job SET status = 'COMPLETED', finished_at = @now WHERE id = @id", new { now, id = job.Id }, tx);
                    await Events.AppendAsync(c, tx, new Event(batchId, job.Id, null, "job_completed", "system", now, $"{{\"stage\":\"{job.Stage}\"}}"));
                }
                upstreamDone = done;
            }
            if (upstreamDone && status == BatchStatus.Running)
            {
                StateMachine.Batch.Check(status, BatchStatus.Completed, "complete the batch");
                await c.ExecuteAsync("UPDATE batch SET status = 'COMPLETED', settled_at = @now, updated_at = @now WHERE id = @batchId", new { now, batchId }, tx);
                await Events.AppendAsync(c, tx, new Event(batchId, null, null, "batch_completed", "system", now));
            }
        }
    }
}
