using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Grantha.Engine;

/// <summary>Raised for a batch that does not exist (HTTP 404, CLI exit code 3).</summary>
public sealed class BatchNotFoundException(long id) : Exception($"Batch {id} does not exist.")
{
    public long BatchId { get; } = id;
}

/// <summary>
/// Pause, resume, cancel, retry, requeue and delete. Each checks the batch state machine, moves
/// the tasks its edge allows (SQL guards built from <see cref="StateMachine.Task"/>), and writes
/// an event naming the actor, in one transaction.
/// </summary>
public static class Controls
{
    public sealed record Result(long BatchId, string Status, long Tasks);

    public static Task<Result> PauseAsync(Db db, long batchId, string actor, CancellationToken ct = default) =>
        ChangeAsync(db, batchId, BatchStatus.Paused, "pause the batch", actor, "batch_paused", async (c, tx, now) =>
            await MoveTasksAsync(c, tx, batchId, [TaskState.Pending, TaskState.RetryWait], TaskState.Paused, now), ct);

    public static Task<Result> ResumeAsync(Db db, long batchId, string actor, CancellationToken ct = default) =>
        // Only the PAUSED -> RUNNING edge: a finished batch runs again through retry or requeue,
        // which say which tasks; "resume" on it changed nothing and looked like success.
        ChangeAsync(db, batchId, BatchStatus.Running, "resume the batch (only a PAUSED batch resumes; retry or requeue runs finished work again)", actor, "batch_resumed", async (c, tx, now) =>
        {
            var n = await MoveTasksAsync(c, tx, batchId, [TaskState.Paused], TaskState.Pending, now);
            await db.Queue.NotifyAsync(c, tx, await c.QueryAsync<string>("SELECT stage FROM job WHERE batch_id = @batchId", new { batchId }, tx));
            return n;
        }, ct, settle: true, from: BatchStatus.Paused);

    public static Task<Result> CancelAsync(Db db, long batchId, string actor, CancellationToken ct = default) =>
        ChangeAsync(db, batchId, BatchStatus.Cancelled, "cancel the batch", actor, "batch_cancelled", async (c, tx, now) =>
        {
            var n = await MoveTasksAsync(c, tx, batchId, [TaskState.Pending, TaskState.RetryWait, TaskState.Paused], TaskState.Cancelled, now);
            await c.ExecuteAsync($"UPDATE job SET status = 'CANCELLED', finished_at = @now WHERE batch_id = @batchId AND status IN ({Sql.InList(StateMachine.Job.From(JobStatus.Cancelled))})",
                new { now, batchId }, tx);
            return n;
        }, ct);

    /// <summary>Failed and blocked tasks matching the filter go back to the queue with fresh attempts.</summary>
    public static Task<Result> RetryAsync(Db db, long batchId, TaskFilter filter, string actor, CancellationToken ct = default) =>
        RequeueAsync(db, batchId, filter, actor, [TaskState.Failed, TaskState.Blocked], "retry tasks", "tasks_retried", ct);

    /// <summary>Like retry, and also succeeded tasks (e.g. fetch a page again).</summary>
    public static Task<Result> RequeueAsync(Db db, long batchId, TaskFilter filter, string actor, CancellationToken ct = default) =>
        RequeueAsync(db, batchId, filter, actor, [TaskState.Succeeded, TaskState.Failed, TaskState.Blocked], "requeue tasks", "tasks_requeued", ct);

    static async Task<Result> RequeueAsync(Db db, long batchId, TaskFilter filter, string actor, string[] fromStates, string action, string eventKind, CancellationToken ct)
    {
        foreach (var s in fromStates) StateMachine.Task.Check(s, TaskState.Pending, action);
        return await db.WriteAsync(async (c, tx) =>
        {
            var now = Db.NowMs();
            var status = await LockBatchAsync(db, c, tx, batchId);
            // Requeued work needs a running batch: reopen a completed one; a paused one must be
            // resumed first (its tasks would otherwise run while it is paused).
            if (status != BatchStatus.Running) StateMachine.Batch.Check(status, BatchStatus.Running, action);
            var (where, args) = Batches.Where(batchId, filter, fromStates);
            args.Add("now", now);
            var stages = (await c.QueryAsync<string>($"SELECT DISTINCT stage FROM stage_task WHERE {where}", args, tx)).ToList();
            var n = await c.ExecuteAsync($"""
                UPDATE stage_task SET state = 'PENDING', attempt = 0, due_at = @now, updated_at = @now, finished_at = NULL,
                  error_code = NULL, error_kind = NULL, error_message = NULL, error_http_status = NULL, error_attempt = NULL, error_at = NULL
                WHERE {where}
                """, args, tx);
            if (n > 0)
            {
                if (status != BatchStatus.Running)
                    await c.ExecuteAsync("UPDATE batch SET status = 'RUNNING', settled_at = NULL, updated_at = @now WHERE id = @batchId", new { now, batchId }, tx);
                foreach (var stage in stages)
                    await c.ExecuteAsync($"UPDATE job SET status = 'RUNNING', finished_at = NULL WHERE batch_id = @batchId AND stage = @stage AND status IN ({Sql.InList(StateMachine.Job.From(JobStatus.Running))})",
                        new { batchId, stage, now }, tx);
                // Later stages (later jobs: they were created in pipeline order) cannot be complete
                // while an earlier one has work again.
                await c.ExecuteAsync($"""
                    UPDATE job SET status = 'RUNNING', finished_at = NULL
                    WHERE batch_id = @batchId AND status = 'COMPLETED'
                      AND id > (SELECT MIN(id) FROM job WHERE batch_id = @batchId AND stage IN ({Sql.InList(stages)}))
                    """, new { batchId }, tx);
                await db.Queue.NotifyAsync(c, tx, stages);
            }
            await Events.AppendAsync(c, tx, new Event(batchId, null, null, eventKind, actor, now, JsonSerializer.Serialize(new { tasks = n, filter }, EngineJson.Options)));
            return new Result(batchId, n > 0 ? BatchStatus.Running : status, n);
        }, ct);
    }

    /// <summary>
    /// Deletes a batch that is not running, with its jobs, tasks and stage rows. The deletion is
    /// first written to the audit table; the database then lets the batch row go, and its events
    /// after it (V0016: events go only with their batch, and a deletion row commits only with it).
    /// </summary>
    public static Task<Result> DeleteAsync(Db db, long batchId, string actor, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var status = await LockBatchAsync(db, c, tx, batchId);
            if (status is BatchStatus.Running)
                throw new IllegalTransitionException("batch", status, "DELETED", "delete the batch (pause or cancel it first)");
            var now = Db.NowMs();
            var name = await c.ExecuteScalarAsync<string>("SELECT name FROM batch WHERE id = @batchId", new { batchId }, tx);
            var tasks = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_task WHERE batch_id = @batchId", new { batchId }, tx);
            var events = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event WHERE batch_id = @batchId", new { batchId }, tx);
            await c.ExecuteAsync("INSERT INTO batch_deletion (batch_id, name, actor, at, tasks, events) VALUES (@batchId, @name, @actor, @now, @tasks, @events)",
                new { batchId, name, actor, now, tasks, events }, tx);
            await c.ExecuteAsync("DELETE FROM batch WHERE id = @batchId", new { batchId }, tx);
            await c.ExecuteAsync("DELETE FROM event WHERE batch_id = @batchId", new { batchId }, tx);
            return new Result(batchId, "DELETED", tasks);
        }, ct);

    static Task<Result> ChangeAsync(Db db, long batchId, string to, string action, string actor, string eventKind,
        Func<DbConnection, DbTransaction, long, Task<int>> moveTasks, CancellationToken ct, bool settle = false, string? from = null) =>
        db.WriteAsync(async (c, tx) =>
        {
            var status = await LockBatchAsync(db, c, tx, batchId);
            if (from is not null && status != from) throw new IllegalTransitionException("batch", status, to, action);
            StateMachine.Batch.Check(status, to, action);
            var now = Db.NowMs();
            await c.ExecuteAsync("UPDATE batch SET status = @to, updated_at = @now, settled_at = CASE WHEN @to = 'CANCELLED' THEN @now ELSE settled_at END WHERE id = @batchId",
                new { to, now, batchId }, tx);
            var n = await moveTasks(c, tx, now);
            await Events.AppendAsync(c, tx, new Event(batchId, null, null, eventKind, actor, now, $"{{\"tasks\":{n}}}"));
            if (settle) await Settler.SettleAsync(c, tx, [batchId], now);
            var after = await c.ExecuteScalarAsync<string>("SELECT status FROM batch WHERE id = @batchId", new { batchId }, tx);
            return new Result(batchId, after!, n);
        }, ct);

    /// <summary>
    /// Work of a batch that was paused or cancelled while some of its tasks ran: what those tasks put back in the
    /// queue when they ended (a retry, a snooze, a rescue, a follow-up) follows the batch, PAUSED or CANCELLED, so
    /// nothing of a stopped batch is claimed again. Called under the batches' locks (<paramref name="statuses"/>, from
    /// <see cref="Dialect.LockBatchesAsync"/>) by whoever records such outcomes (the completer, the rescuer), so a
    /// control and an outcome take turns. One event per batch that had any (<c>tasks_paused</c>, <c>tasks_cancelled</c>).
    /// </summary>
    internal static async Task KeepStoppedAsync(DbConnection c, DbTransaction tx, IReadOnlyDictionary<long, string> statuses, string actor, long now)
    {
        foreach (var (batchId, status) in statuses)
        {
            var (from, to, kind) = status switch
            {
                BatchStatus.Paused => (new[] { TaskState.Pending, TaskState.RetryWait }, TaskState.Paused, "tasks_paused"),
                BatchStatus.Cancelled => (new[] { TaskState.Pending, TaskState.RetryWait, TaskState.Paused }, TaskState.Cancelled, "tasks_cancelled"),
                _ => (null, "", ""),
            };
            if (from is null) continue;
            var n = await MoveTasksAsync(c, tx, batchId, from, to, now);
            if (n > 0)
                await Events.AppendAsync(c, tx, new Event(batchId, null, null, kind, actor, now,
                    $"{{\"tasks\":{n},\"reason\":\"running when the batch was {status.ToLowerInvariant()}\"}}"));
        }
    }

    static async Task<int> MoveTasksAsync(DbConnection c, DbTransaction tx, long batchId, string[] from, string to, long now)
    {
        foreach (var s in from) StateMachine.Task.Check(s, to, "move tasks");
        return await c.ExecuteAsync(
            $"UPDATE stage_task SET state = @to, updated_at = @now, finished_at = CASE WHEN @to = 'CANCELLED' THEN @now ELSE finished_at END WHERE batch_id = @batchId AND state IN ({Sql.InList(from)})",
            new { to, now, batchId }, tx);
    }

    /// <summary>The batch's status, row-locked so two controls serialise (see <see cref="Dialect.LockBatchesAsync"/>).</summary>
    static async Task<string> LockBatchAsync(Db db, DbConnection c, DbTransaction tx, long batchId)
    {
        return await c.ExecuteScalarAsync<string?>($"SELECT status FROM batch WHERE id = @batchId{db.Dialect.BatchRowLock}", new { batchId }, tx)
               ?? throw new BatchNotFoundException(batchId);
    }

}
