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
    public static async Task SettleAsync(DbConnection c, DbTransaction tx, IEnumerable<long> batchIds, long now)
    {
        foreach (var batchId in batchIds.Distinct())
        {
            var status = await c.ExecuteScalarAsync<string?>("SELECT status FROM batch WHERE id = @batchId", new { batchId }, tx);
            if (status is null or BatchStatus.Cancelled) continue;
            // Jobs are created in pipeline order, so their ids are that order.
            var jobs = (await c.QueryAsync<(long Id, string Stage, string Status)>("SELECT id, stage, status FROM job WHERE batch_id = @batchId ORDER BY id", new { batchId }, tx)).AsList();
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
