using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Grantha.Engine;

/// <summary>
/// The task table: every statement that changes a task goes through here (insert, claim with a
/// lease, heartbeat, complete in bulk, fail, snooze, cancel, rescue), with its events. The
/// statements that differ per store (claim, bulk complete, bulk insert, rescue) are the
/// <see cref="Dialect"/>'s; the portable ones are here. Every state change is guarded by
/// <see cref="StateMachine.Task"/>. One per store: <see cref="Db.Queue"/>.
/// </summary>
public sealed class TaskQueue(Dialect dialect)
{
    /// <summary>
    /// Tasks one claim statement takes at most (never more than the free slots). 500 matches the
    /// completer's flush: at 100 the claim round trips held a no-op engine to ~30 % of the bare loop.
    /// </summary>
    public const int ClaimBatchMax = 500;

    public const string TaskColumns =
        "id, batch_id, job_id, stage, state, priority, attempt, max_attempts, idem_key, subject, host, payload, result, lease_owner, lease_expires_at, due_at, " +
        "error_code, error_kind, error_message, error_http_status, error_attempt, error_at, created_at, updated_at, finished_at";

    /// <summary>
    /// Inserts tasks for one batch; a task whose idempotency key exists is skipped. Returns the
    /// number inserted. Wakes workers (NOTIFY on PostgreSQL, at commit).
    /// </summary>
    public async Task<int> InsertAsync(DbConnection c, DbTransaction tx, long batchId, IReadOnlyList<NewTask> tasks, Func<string, int> maxAttempts, long now)
    {
        if (tasks.Count == 0) return 0;
        var inserted = await dialect.InsertTasksAsync(c, tx, batchId, tasks, maxAttempts, now);
        if (inserted > 0) await OpenJobsAsync(c, tx, batchId, tasks.Select(t => t.Stage), now);
        return inserted;
    }

    /// <summary>Claims up to <paramref name="limit"/> due tasks of one stage, ordered by priority and due time.</summary>
    public Task<IReadOnlyList<StageTask>> ClaimAsync(DbConnection c, DbTransaction? tx, string stage, string owner, int limit, long leaseMs, long now) =>
        dialect.ClaimAsync(c, tx, stage, owner, limit, leaseMs, now);

    /// <summary>Marks tasks succeeded (appending their events) if this worker still holds their lease; returns those it did.</summary>
    public Task<IReadOnlyList<Completed>> SucceedAsync(DbConnection c, DbTransaction tx, string owner, IReadOnlyList<(long Id, string? Result)> done, long now) =>
        done.Count == 0 ? Task.FromResult<IReadOnlyList<Completed>>([]) : dialect.SucceedAsync(c, tx, owner, done, now);

    /// <summary>Wakes the workers of these stages in other processes (at commit).</summary>
    public Task NotifyAsync(DbConnection c, DbTransaction tx, IEnumerable<string> stages) => dialect.NotifyAsync(c, tx, stages);

    public sealed record Completed { public long Id { get; init; } public long BatchId { get; init; } public long JobId { get; init; } public int Attempt { get; init; } }

    /// <summary>Extends the leases this worker holds; returns the ids it still holds and whether their batch was cancelled.</summary>
    public async Task<IReadOnlyList<(long Id, bool Cancelled)>> HeartbeatAsync(DbConnection c, DbTransaction tx, string owner, IReadOnlyCollection<long> ids, long leaseMs, long now)
    {
        if (ids.Count == 0) return [];
        var held = new List<(long, bool)>();
        foreach (var chunk in ids.Chunk(500))
        {
            var inList = string.Join(",", chunk);
            await c.ExecuteAsync($"UPDATE stage_task SET lease_expires_at = @exp WHERE state = 'RUNNING' AND lease_owner = @owner AND id IN ({inList})",
                new { exp = now + leaseMs, owner }, tx);
            var rows = await c.QueryAsync<(long Id, string Status)>(
                $"SELECT t.id, b.status FROM stage_task t JOIN batch b ON b.id = t.batch_id WHERE t.state = 'RUNNING' AND t.lease_owner = @owner AND t.id IN ({inList})",
                new { owner }, tx);
            held.AddRange(rows.Select(r => (r.Id, r.Status == BatchStatus.Cancelled)));
        }
        return held;
    }

    /// <summary>
    /// Records a failure of a running task held by <paramref name="owner"/>: retry later
    /// (transient, attempts left), fail now, or block for a person. Returns the new state, or null
    /// when the lease was lost (the task was rescued; its outcome no longer counts).
    /// </summary>
    public async Task<string?> FailAsync(DbConnection c, DbTransaction tx, StageTask task, string owner, StageException error, RetryPolicy retry, long now)
    {
        var next = error.Kind switch
        {
            ErrorKind.Permanent => TaskState.Failed,
            ErrorKind.Blocked => TaskState.Blocked,
            _ when task.Attempt >= task.MaxAttempts => TaskState.Failed,
            _ => TaskState.RetryWait,
        };
        StateMachine.Task.Check(TaskState.Running, next, "record the failure");
        var due = next == TaskState.RetryWait ? now + (long)retry.NextDelay(task.Attempt, error.RetryAfter).TotalMilliseconds : task.DueAt;
        var n = await c.ExecuteAsync("""
            UPDATE stage_task SET state = @next, due_at = @due, lease_owner = NULL, lease_expires_at = NULL,
              error_code = @code, error_kind = @kind, error_message = @msg, error_http_status = @status, error_attempt = attempt, error_at = @now,
              updated_at = @now, finished_at = CASE WHEN @next = 'RETRY_WAIT' THEN NULL ELSE @now END
            WHERE id = @id AND state = 'RUNNING' AND lease_owner = @owner
            """, new { next, due, code = error.Code, kind = error.Kind.ToString().ToLowerInvariant(), msg = Truncate(error.Message, 2000), status = error.HttpStatus, now, id = task.Id, owner }, tx);
        if (n == 0) return null;
        var kind = next switch { TaskState.RetryWait => "task_retry_scheduled", TaskState.Blocked => "task_blocked", _ => "task_failed" };
        await Events.AppendAsync(c, tx, new Event(task.BatchId, task.JobId, task.Id, kind, "worker:" + owner, now, Json(new
        {
            attempt = task.Attempt, code = error.Code, errorKind = error.Kind.ToString().ToLowerInvariant(), message = Truncate(error.Message, 500),
            httpStatus = error.HttpStatus, retryAt = next == TaskState.RetryWait ? due : (long?)null,
        })));
        return next;
    }

    /// <summary>Puts a running task back as pending until later, not counting the attempt.</summary>
    public async Task<bool> SnoozeAsync(DbConnection c, DbTransaction tx, StageTask task, string owner, TimeSpan delay, string reason, long now, bool wholeHost = false)
    {
        StateMachine.Task.Check(TaskState.Running, TaskState.Pending, "snooze");
        var n = await c.ExecuteAsync("""
            UPDATE stage_task SET state = 'PENDING', attempt = attempt - 1, due_at = @due, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
            WHERE id = @id AND state = 'RUNNING' AND lease_owner = @owner
            """, new { due = now + (long)delay.TotalMilliseconds, now, id = task.Id, owner }, tx);
        if (n > 0 && wholeHost && task.Host is not null)
            // The host is the bottleneck, not this task: its waiting siblings step aside too, so the
            // claim loops pick up other hosts' work instead of filling every slot with this host.
            await c.ExecuteAsync("""
                UPDATE stage_task SET due_at = @due
                WHERE stage = @stage AND host = @host AND state = 'PENDING' AND due_at < @due
                """, new { due = now + (long)delay.TotalMilliseconds, stage = task.Stage, host = task.Host }, tx);
        return n > 0;
    }

    /// <summary>Stops a running task of a cancelled batch; false when this worker no longer holds it.</summary>
    public async Task<bool> CancelRunningAsync(DbConnection c, DbTransaction tx, StageTask task, string owner, long now)
    {
        StateMachine.Task.Check(TaskState.Running, TaskState.Cancelled, "cancel a running task");
        var n = await c.ExecuteAsync(
            "UPDATE stage_task SET state = 'CANCELLED', lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now WHERE id = @id AND state = 'RUNNING' AND lease_owner = @owner",
            new { now, id = task.Id, owner }, tx);
        if (n > 0) await Events.AppendAsync(c, tx, new Event(task.BatchId, task.JobId, task.Id, "task_cancelled", "worker:" + owner, now, "{\"reason\":\"batch cancelled while running\"}"));
        return n > 0;
    }

    /// <summary>
    /// Returns running tasks whose lease expired to the queue (or fails them when out of
    /// attempts), counting the attempt that was lost. Records one event per rescued task.
    /// </summary>
    public async Task<IReadOnlyList<Rescued>> RescueAsync(DbConnection c, DbTransaction tx, long now, int limit)
    {
        var rescued = await dialect.RescueAsync(c, tx, now, limit);
        foreach (var r in rescued)
            await Events.AppendAsync(c, tx, new Event(r.BatchId, r.JobId, r.Id, "task_rescued", "rescuer", now,
                Json(new { attempt = r.Attempt, lostOwner = r.LeaseOwner, state = r.State, reason = "lease_expired", leaseExpiredAt = r.LeaseExpiresAt })));
        return rescued;
    }

    /// <summary>
    /// Returns the running tasks of workers found gone (<see cref="Rescuer"/>: their liveness lock was free) to the
    /// queue, or fails those out of attempts, counting the attempt, whatever their leases say. One event per task.
    /// </summary>
    public async Task<IReadOnlyList<Rescued>> RescueGoneAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<string> owners, long now)
    {
        StateMachine.Task.Check(TaskState.Running, TaskState.RetryWait, "rescue");
        StateMachine.Task.Check(TaskState.Running, TaskState.Failed, "rescue");
        var rescued = new List<Rescued>();
        foreach (var owner in owners)
        {
            // The gone worker cannot renew a lease (the rescuer holds its liveness lock), so the expiries read here
            // stay true; the update takes only the tasks it still holds.
            var leases = (await c.QueryAsync<(long Id, long Expires)>(
                dialect.RunningTasks("t.id, t.lease_expires_at", "t.lease_owner = @owner"), new { owner }, tx))
                .ToDictionary(x => x.Id, x => x.Expires);
            if (leases.Count == 0) continue;
            var rows = await c.QueryAsync<Rescued>($"""
                UPDATE stage_task
                SET state = CASE WHEN attempt >= max_attempts THEN 'FAILED' ELSE 'RETRY_WAIT' END,
                    due_at = @now, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now,
                    error_code = 'worker_gone', error_kind = 'transient', error_message = 'the worker holding this task is gone (its database session ended)',
                    error_attempt = attempt, error_at = @now,
                    finished_at = CASE WHEN attempt >= max_attempts THEN @now ELSE NULL END
                WHERE id {dialect.InArray("ids")} AND state = 'RUNNING' AND lease_owner = @owner
                RETURNING id, batch_id, job_id, state, attempt
                """, new { now, owner, ids = leases.Keys.ToArray() }, tx);
            foreach (var r in rows)
            {
                var expires = leases.GetValueOrDefault(r.Id);
                rescued.Add(r with { LeaseOwner = owner, LeaseExpiresAt = expires });
                await Events.AppendAsync(c, tx, new Event(r.BatchId, r.JobId, r.Id, "task_rescued", "rescuer", now,
                    Json(new { attempt = r.Attempt, lostOwner = owner, state = r.State, reason = "worker_gone", leaseExpiresAt = expires })));
            }
        }
        return rescued;
    }

    public sealed record Rescued { public long Id { get; init; } public long BatchId { get; init; } public long JobId { get; init; } public string State { get; init; } = ""; public int Attempt { get; init; } public string? LeaseOwner { get; init; } public long? LeaseExpiresAt { get; init; } }

    static string Json(object o) => JsonSerializer.Serialize(o, EngineJson.Options);
    static string Truncate(string s, int n) => s.Length <= n ? s : s[..n];

    /// <summary>Sets the batch's jobs for the stages of new tasks to RUNNING (a job reopens when work arrives).</summary>
    static async Task OpenJobsAsync(DbConnection c, DbTransaction tx, long batchId, IEnumerable<string> stages, long now)
    {
        foreach (var stage in stages.Distinct())
            await c.ExecuteAsync($"UPDATE job SET status = 'RUNNING', started_at = COALESCE(started_at, @now), finished_at = NULL WHERE batch_id = @batchId AND stage = @stage AND status IN ({Sql.InList(StateMachine.Job.From(JobStatus.Running))})",
                new { now, batchId, stage }, tx);
    }
}
