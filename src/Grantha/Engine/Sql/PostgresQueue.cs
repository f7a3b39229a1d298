using System.Data.Common;
using Dapper;

namespace Grantha.Engine;

/// <summary>The queue statements for PostgreSQL: one statement per claim with SKIP LOCKED, bulk arrays with unnest.</summary>
public sealed class PostgresQueue : TaskQueue
{
    /// <summary>Channel workers LISTEN on; the payload is the stage that got new work.</summary>
    public const string NotifyChannel = "grantha_task";

    public override async Task<int> InsertAsync(DbConnection c, DbTransaction tx, long batchId, IReadOnlyList<NewTask> tasks, Func<string, int> maxAttempts, long now)
    {
        if (tasks.Count == 0) return 0;
        var inserted = 0;
        foreach (var group in tasks.GroupBy(t => t.Stage))
        {
            var list = group.ToList();
            inserted += await c.ExecuteScalarAsync<int>("""
                WITH ins AS (
                  INSERT INTO stage_task (batch_id, job_id, stage, state, priority, due_at, attempt, max_attempts, idem_key, subject, host, payload, created_at, updated_at)
                  SELECT @batchId, (SELECT id FROM job WHERE batch_id = @batchId AND stage = @stage), @stage, 'PENDING', u.priority, @now, 0, @max, u.key, u.subject, u.host, u.payload, @now, @now
                  FROM unnest(@keys, @subjects, @hosts, @payloads, @priorities) AS u(key, subject, host, payload, priority)
                  ON CONFLICT (idem_key) DO NOTHING
                  RETURNING 1)
                SELECT COUNT(*) FROM ins
                """, new
            {
                batchId, stage = group.Key, now, max = maxAttempts(group.Key),
                keys = list.Select(t => t.IdemKey).ToArray(),
                subjects = list.Select(t => t.Subject).ToArray(),
                hosts = list.Select(t => t.Host).ToArray(),
                payloads = list.Select(t => t.Payload).ToArray(),
                priorities = list.Select(t => t.Priority).ToArray(),
            }, tx);
            await c.ExecuteAsync("SELECT pg_notify(@ch, @stage)", new { ch = NotifyChannel, stage = group.Key }, tx);
        }
        if (inserted > 0) await OpenJobsAsync(c, tx, batchId, tasks.Select(t => t.Stage), now);
        return inserted;
    }

    public override async Task<IReadOnlyList<StageTask>> ClaimAsync(DbConnection c, DbTransaction? tx, string stage, string owner, int limit, long leaseMs, long now) =>
        (await c.QueryAsync<StageTask>($"""
            WITH picked AS (
              SELECT id FROM stage_task
              WHERE state IN ('PENDING', 'RETRY_WAIT') AND stage = @stage AND due_at <= @now
              ORDER BY priority DESC, due_at, id
              LIMIT @limit
              FOR UPDATE SKIP LOCKED)
            UPDATE stage_task t
            SET state = 'RUNNING', attempt = t.attempt + 1, lease_owner = @owner, lease_expires_at = @exp, updated_at = @now
            FROM picked WHERE t.id = picked.id
            RETURNING {Prefixed("t.")}
            """, new { stage, now, limit, owner, exp = now + leaseMs }, tx)).AsList();

    public override async Task<IReadOnlyList<Completed>> SucceedAsync(DbConnection c, DbTransaction tx, string owner, IReadOnlyList<(long Id, string? Result)> done, long now)
    {
        if (done.Count == 0) return [];
        // One round trip: mark done and append the events of exactly the rows this worker still held.
        return (await c.QueryAsync<Completed>("""
            WITH done AS (
              UPDATE stage_task t
              SET state = 'SUCCEEDED', result = u.result, lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now,
                  error_code = NULL, error_kind = NULL, error_message = NULL, error_http_status = NULL
              FROM unnest(@ids, @results) AS u(id, result)
              WHERE t.id = u.id AND t.state = 'RUNNING' AND t.lease_owner = @owner
              RETURNING t.id, t.batch_id, t.job_id, t.attempt),
            ev AS (
              INSERT INTO event (batch_id, job_id, task_id, kind, actor, at, data)
              SELECT batch_id, job_id, id, 'task_succeeded', @actor, @now, '{"attempt":' || attempt || '}' FROM done)
            SELECT id, batch_id, job_id, attempt FROM done
            """, new { ids = done.Select(d => d.Id).ToArray(), results = done.Select(d => d.Result).ToArray(), owner, actor = "worker:" + owner, now }, tx)).AsList();
    }

    public override async Task<IReadOnlyList<Rescued>> RescueAsync(DbConnection c, DbTransaction tx, long now, int limit)
    {
        var rescued = (await c.QueryAsync<Rescued>("""
            WITH expired AS (
              SELECT id, lease_owner, lease_expires_at FROM stage_task
              WHERE state = 'RUNNING' AND lease_expires_at < @now
              ORDER BY lease_expires_at LIMIT @limit
              FOR UPDATE SKIP LOCKED)
            UPDATE stage_task t
            SET state = CASE WHEN t.attempt >= t.max_attempts THEN 'FAILED' ELSE 'RETRY_WAIT' END,
                due_at = @now, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now,
                error_code = 'lease_expired', error_kind = 'transient', error_message = 'the worker holding this task stopped renewing its lease',
                error_attempt = t.attempt, error_at = @now,
                finished_at = CASE WHEN t.attempt >= t.max_attempts THEN @now ELSE NULL END
            FROM expired WHERE t.id = expired.id
            RETURNING t.id, t.batch_id, t.job_id, t.state, t.attempt, expired.lease_owner, expired.lease_expires_at
            """, new { now, limit }, tx)).AsList();
        await AppendRescueEventsAsync(c, tx, rescued, now);
        return rescued;
    }

    static string Prefixed(string prefix) => string.Join(", ", TaskColumns.Split(", ").Select(col => prefix + col));
}
