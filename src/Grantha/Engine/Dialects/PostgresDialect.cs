using System.Data.Common;
using Dapper;

namespace Grantha.Engine;

/// <summary>
/// PostgreSQL's statements: one statement per claim with SKIP LOCKED, bulk arrays with unnest,
/// many rows per INSERT, row and advisory locks, NOTIFY.
/// </summary>
public sealed partial class PostgresDialect : Dialect
{
    public override DbKind Kind => DbKind.Postgres;
    public override bool OneWriter => false;

    /// <summary>Channel workers LISTEN on; the payload is the stage that got new work.</summary>
    public const string NotifyChannel = "grantha_task";

    public override async Task<int> InsertTasksAsync(DbConnection c, DbTransaction tx, long batchId, IReadOnlyList<NewTask> tasks, Func<string, int> maxAttempts, long now)
    {
        var inserted = 0;
        // A key twice in one call is one task (the first), as ON CONFLICT DO NOTHING would have it within a statement;
        // the join below would otherwise give both rows the key's one id.
        foreach (var group in tasks.DistinctBy(t => t.IdemKey).GroupBy(t => t.Stage))
        {
            var list = group.ToList();
            // The key first (V0025: stage_task_key, not an index of the task row); a task only for a key taken now.
            inserted += await c.ExecuteScalarAsync<int>("""
                WITH k AS (
                  INSERT INTO stage_task_key (batch_id, idem_key, task_id)
                  SELECT @batchId, u.key, nextval('stage_task_id_seq') FROM unnest(@keys) AS u(key)
                  ON CONFLICT DO NOTHING
                  RETURNING idem_key, task_id),
                ins AS (
                  INSERT INTO stage_task (id, batch_id, job_id, stage, state, priority, due_at, attempt, max_attempts, idem_key, subject, host, payload, created_at, updated_at)
                  SELECT k.task_id, @batchId, (SELECT id FROM job WHERE batch_id = @batchId AND stage = @stage), @stage, 'PENDING', u.priority, @now, 0, @max, u.key, u.subject, u.host, u.payload, @now, @now
                  FROM unnest(@keys, @subjects, @hosts, @payloads, @priorities) AS u(key, subject, host, payload, priority)
                  JOIN k ON k.idem_key = u.key
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
            await NotifyAsync(c, tx, [group.Key]);
        }
        return inserted;
    }

    public override async Task<IReadOnlyList<StageTask>> ClaimAsync(DbConnection c, DbTransaction? tx, string stage, string owner, int limit, long leaseMs, long now) =>
        // The picked ids as an array, not a join: joined, the planner (which cannot know that the LIMIT's rows are
        // few of many) chose a hash join over a sequential scan of the whole table once its statistics were fresh
        // (17 ms against 6 ms for 500 tasks of 25,000, growing with the table); an array is one key probe a task.
        (await c.QueryAsync<StageTask>($"""
            UPDATE stage_task t
            SET state = 'RUNNING', attempt = t.attempt + 1, lease_owner = @owner, lease_expires_at = @exp, updated_at = @now
            WHERE t.id = ANY(ARRAY(
              SELECT id FROM stage_task
              WHERE state IN ('PENDING', 'RETRY_WAIT') AND stage = @stage AND due_at <= @now
              ORDER BY priority DESC, due_at, id
              LIMIT @limit
              FOR UPDATE SKIP LOCKED))
            RETURNING {Prefixed("t.")}
            """, new { stage, now, limit, owner, exp = now + leaseMs }, tx)).AsList();

    public override async Task<IReadOnlyList<TaskQueue.Completed>> SucceedAsync(DbConnection c, DbTransaction tx, string owner, IReadOnlyList<(long Id, string? Result)> done, long now)
    {
        if (done.Count == 0) return [];
        // One round trip: mark done and append the events of exactly the rows this worker still held.
        // No join with the ids: prepared, the statement gets a generic plan that thinks every array holds ten
        // elements, and joined it became a nested loop comparing every task with every other (a quadratic flush,
        // 20-45 ms for a few hundred tasks in the engine bench). The rows come by their primary key (the array's size
        // hidden from the planner, which otherwise preferred the partial lease index with its dead entries or a scan
        // of the table) and each finds its result in one map built once.
        return (await c.QueryAsync<TaskQueue.Completed>($$"""
            WITH done AS (
              UPDATE stage_task t
              SET state = 'SUCCEEDED', result = (SELECT jsonb_object_agg(u.id, u.result) FROM unnest(@ids, @results) AS u(id, result) WHERE u.result IS NOT NULL) ->> t.id::text,
                  lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now,
                  error_code = NULL, error_kind = NULL, error_message = NULL, error_http_status = NULL
              WHERE t.id = ANY(ARRAY(SELECT unnest(@ids))) AND t.state = 'RUNNING' AND t.lease_owner = @owner
              RETURNING t.id, t.batch_id, t.job_id, t.attempt),
            ev AS (
              {{Events.Insert}} SELECT batch_id, job_id, id, 'task_succeeded', @actor, @now, '{"attempt":' || attempt || '}' FROM done)
            SELECT id, batch_id, job_id, attempt FROM done
            """, new { ids = done.Select(d => d.Id).ToArray(), results = done.Select(d => d.Result).ToArray(), owner, actor = "worker:" + owner, now }, tx)).AsList();
    }

    // LATERAL with OFFSET 0, which the planner does not flatten into a join: the plan stays a probe of
    // stage_task_batch per job. A plain join leaves it free to hash the jobs against a scan of the whole table, as it
    // did with the claim's join once the statistics were fresh (see ClaimAsync).
    public override string RunningTasks(string columns, string where = "1 = 1", string jobWhere = "1 = 1") => $"""
        SELECT {columns} FROM job j CROSS JOIN LATERAL (
          SELECT * FROM stage_task t
          WHERE t.batch_id = j.batch_id AND t.stage = j.stage AND t.state = 'RUNNING' AND ({where})
          OFFSET 0) t
        WHERE j.status <> 'COMPLETED' AND ({jobWhere})
        """;

    public override async Task<IReadOnlyList<TaskQueue.Rescued>> RescueAsync(DbConnection c, DbTransaction tx, long now, int limit) =>
        // The oldest expired leases are picked job by job (RunningTasks), then taken by their primary key; SKIP
        // LOCKED leaves a task another rescuer (or its late worker) holds, and the lock re-checks the row.
        (await c.QueryAsync<TaskQueue.Rescued>($"""
            WITH expired AS (
              SELECT id, lease_owner, lease_expires_at FROM stage_task
              WHERE id = ANY(ARRAY({RunningTasks("t.id", "t.lease_expires_at < @now")} ORDER BY t.lease_expires_at LIMIT @limit))
                AND state = 'RUNNING' AND lease_expires_at < @now
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

    public override async Task<IReadOnlyList<string>> WorkersWithoutLivenessAsync(DbConnection c, DbTransaction tx, string self) =>
        // pg_try_advisory_xact_lock is strict: rows without a key try nothing. Our own key is held by our own
        // liveness session, so even tried it could not be taken.
        (await c.QueryAsync<string>(
            "SELECT id FROM worker WHERE lock_key IS NOT NULL AND id <> @self AND pg_try_advisory_xact_lock(@cls, lock_key)",
            new { self, cls = Liveness.LockClass }, tx)).AsList();

    public override async Task NotifyAsync(DbConnection c, DbTransaction tx, IEnumerable<string> stages)
    {
        foreach (var stage in stages.Distinct())
            await c.ExecuteAsync("SELECT pg_notify(@ch, @stage)", new { ch = NotifyChannel, stage }, tx);
    }

    public override Task<int> InsertRowsAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string? suffix = null) =>
        MultiRow.InsertChunkedAsync(c, tx, table, columns, rows, suffix);

    /// <summary>NO KEY UPDATE, not UPDATE: every insert that references the batch (extractions, pages,
    /// staged imports) takes KEY SHARE on its row for the foreign key, and must not wait for this.</summary>
    public override string InArray(string parameter) => $"= ANY(@{parameter})";
    public override string RowLock => " FOR UPDATE";
    public override string BatchRowLock => " FOR NO KEY UPDATE";

    public override async Task<IReadOnlyDictionary<long, string>> LockBatchesAsync(DbConnection c, DbTransaction tx, IEnumerable<long> batchIds)
    {
        var ids = batchIds.Distinct().Order().ToArray();
        if (ids.Length == 0) return new Dictionary<long, string>();
        return (await c.QueryAsync<(long Id, string Status)>($"SELECT id, status FROM batch WHERE id = ANY(@ids) ORDER BY id{BatchRowLock}", new { ids }, tx))
            .ToDictionary(x => x.Id, x => x.Status);
    }

    public override string LockInStatement(string keyParameter) => $"FROM (SELECT pg_advisory_xact_lock(@{keyParameter})) AS statement_lock";
    public override string InsertedNotUpdated => "xmax = 0";
    public override bool DataModifyingCtes => true;

    public override Task TransactionLockAsync(DbConnection c, DbTransaction tx, long key) =>
        c.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key }, tx);

    public override string? EventChannel => "grantha_event";

    public override async Task<(long Upto, ulong[] Running)> EventMarkAsync(DbConnection c)
    {
        // The sequence first, then (a new statement, so a later snapshot) the running transactions: a transaction
        // takes its xid before any event id (V0021), so one holding an id up to Upto is running in this snapshot or done.
        var upto = await c.ExecuteScalarAsync<long?>("SELECT pg_sequence_last_value(pg_get_serial_sequence('event', 'id')::regclass)") ?? 0;
        var snapshot = await c.ExecuteScalarAsync<string>("SELECT pg_current_snapshot()::text") ?? "";
        // xmin:xmax:xip1,xip2,...
        var parts = snapshot.Split(':');
        var running = parts.Length == 3 && parts[2].Length > 0 ? parts[2].Split(',').Select(ulong.Parse).ToArray() : [];
        return (upto, running);
    }

    public override async Task<ulong> OldestRunningAsync(DbConnection c) =>
        ulong.Parse(await c.ExecuteScalarAsync<string>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text") ?? "0");

    static string Prefixed(string prefix) => string.Join(", ", TaskQueue.TaskColumns.Split(", ").Select(col => prefix + col));
}
