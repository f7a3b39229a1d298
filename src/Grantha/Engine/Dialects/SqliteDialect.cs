using System.Data.Common;
using Dapper;

namespace Grantha.Engine;

/// <summary>
/// SQLite's statements. There is one writer at a time (BEGIN IMMEDIATE in
/// <see cref="Db.WriteAsync{T}"/>), so a claim is a plain UPDATE of the first due rows, and locks
/// between writers are implied. In-process, rows cost no round trip: one prepared statement per row.
/// </summary>
public sealed partial class SqliteDialect : Dialect
{
    public override DbKind Kind => DbKind.Sqlite;
    public override bool OneWriter => true;

    public override async Task<int> InsertTasksAsync(DbConnection c, DbTransaction tx, long batchId, IReadOnlyList<NewTask> tasks, Func<string, int> maxAttempts, long now)
    {
        var jobs = (await c.QueryAsync<(long Id, string Stage)>("SELECT id, stage FROM job WHERE batch_id = @batchId", new { batchId }, tx))
            .ToDictionary(j => j.Stage, j => j.Id);
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO stage_task (batch_id, job_id, stage, state, priority, due_at, attempt, max_attempts, idem_key, subject, host, payload, created_at, updated_at)
            VALUES ($batch, $job, $stage, 'PENDING', $priority, $now, 0, $max, $key, $subject, $host, $payload, $now, $now)
            ON CONFLICT (idem_key) DO NOTHING
            """;
        var p = new Dictionary<string, DbParameter>();
        foreach (var name in new[] { "$batch", "$job", "$stage", "$priority", "$now", "$max", "$key", "$subject", "$host", "$payload" })
        {
            var prm = cmd.CreateParameter(); prm.ParameterName = name; cmd.Parameters.Add(prm); p[name] = prm;
        }
        p["$batch"].Value = batchId; p["$now"].Value = now;
        var inserted = 0;
        foreach (var t in tasks)
        {
            if (!jobs.TryGetValue(t.Stage, out var jobId)) throw new InvalidOperationException($"Batch {batchId} has no {t.Stage} job.");
            p["$job"].Value = jobId; p["$stage"].Value = t.Stage; p["$priority"].Value = t.Priority; p["$max"].Value = maxAttempts(t.Stage);
            p["$key"].Value = t.IdemKey; p["$subject"].Value = t.Subject; p["$host"].Value = (object?)t.Host ?? DBNull.Value; p["$payload"].Value = (object?)t.Payload ?? DBNull.Value;
            inserted += await cmd.ExecuteNonQueryAsync();
        }
        return inserted;
    }

    public override async Task<IReadOnlyList<StageTask>> ClaimAsync(DbConnection c, DbTransaction? tx, string stage, string owner, int limit, long leaseMs, long now) =>
        (await c.QueryAsync<StageTask>($"""
            UPDATE stage_task
            SET state = 'RUNNING', attempt = attempt + 1, lease_owner = @owner, lease_expires_at = @exp, updated_at = @now
            WHERE id IN (
              SELECT id FROM stage_task
              WHERE state IN ('PENDING', 'RETRY_WAIT') AND stage = @stage AND due_at <= @now
              ORDER BY priority DESC, due_at, id
              LIMIT @limit)
            RETURNING {TaskQueue.TaskColumns}
            """, new { stage, now, limit, owner, exp = now + leaseMs }, tx)).AsList();

    public override async Task<IReadOnlyList<TaskQueue.Completed>> SucceedAsync(DbConnection c, DbTransaction tx, string owner, IReadOnlyList<(long Id, string? Result)> done, long now)
    {
        var completed = new List<TaskQueue.Completed>(done.Count);
        foreach (var (id, result) in done)
        {
            var row = await c.QuerySingleOrDefaultAsync<TaskQueue.Completed>("""
                UPDATE stage_task
                SET state = 'SUCCEEDED', result = @result, lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now,
                    error_code = NULL, error_kind = NULL, error_message = NULL, error_http_status = NULL
                WHERE id = @id AND state = 'RUNNING' AND lease_owner = @owner
                RETURNING id, batch_id, job_id, attempt
                """, new { id, result, owner, now }, tx);
            if (row is null) continue;
            completed.Add(row);
            await Events.AppendAsync(c, tx, new Event(row.BatchId, row.JobId, row.Id, "task_succeeded", "worker:" + owner, now, "{\"attempt\":" + row.Attempt + "}"));
        }
        return completed;
    }

    // CROSS JOIN: SQLite keeps the written order, jobs outside (see Dialect.RunningTasks).
    public override string RunningTasks(string columns, string where = "1 = 1", string jobWhere = "1 = 1") => $"""
        SELECT {columns} FROM job j CROSS JOIN stage_task t
        WHERE j.status <> 'COMPLETED' AND ({jobWhere})
          AND t.batch_id = j.batch_id AND t.stage = j.stage AND t.state = 'RUNNING' AND ({where})
        """;

    public override async Task<IReadOnlyList<TaskQueue.Rescued>> RescueAsync(DbConnection c, DbTransaction tx, long now, int limit)
    {
        var expired = (await c.QueryAsync<(long Id, string? Owner, long Expired)>(
            $"{RunningTasks("t.id, t.lease_owner, t.lease_expires_at", "t.lease_expires_at < @now")} ORDER BY t.lease_expires_at LIMIT @limit",
            new { now, limit }, tx)).ToList();
        var rescued = new List<TaskQueue.Rescued>(expired.Count);
        foreach (var (id, owner, expiredAt) in expired)
        {
            var r = await c.QuerySingleAsync<TaskQueue.Rescued>("""
                UPDATE stage_task
                SET state = CASE WHEN attempt >= max_attempts THEN 'FAILED' ELSE 'RETRY_WAIT' END,
                    due_at = @now, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now,
                    error_code = 'lease_expired', error_kind = 'transient', error_message = 'the worker holding this task stopped renewing its lease',
                    error_attempt = attempt, error_at = @now,
                    finished_at = CASE WHEN attempt >= max_attempts THEN @now ELSE NULL END
                WHERE id = @id
                RETURNING id, batch_id, job_id, state, attempt, @owner AS lease_owner, @expiredAt AS lease_expires_at
                """, new { now, id, owner, expiredAt }, tx);
            rescued.Add(r);
        }
        return rescued;
    }

    public override Task<IReadOnlyList<string>> WorkersWithoutLivenessAsync(DbConnection c, DbTransaction tx, string self) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public override Task NotifyAsync(DbConnection c, DbTransaction tx, IEnumerable<string> stages) => Task.CompletedTask;

    public override Task<int> InsertRowsAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string? suffix = null) =>
        MultiRow.InsertEachAsync((Microsoft.Data.Sqlite.SqliteConnection)c, tx, table, columns, rows, suffix);

    public override string InArray(string parameter) => $"IN @{parameter}";
    public override string RowLock => "";
    public override string BatchRowLock => "";
    public override string LockInStatement(string keyParameter) => "";
    public override string InsertedNotUpdated => "0";
    public override bool DataModifyingCtes => false;
    public override async Task<IReadOnlyDictionary<long, string>> LockBatchesAsync(DbConnection c, DbTransaction tx, IEnumerable<long> batchIds)
    {
        var ids = batchIds.Distinct().ToArray();
        if (ids.Length == 0) return new Dictionary<long, string>();
        return (await c.QueryAsync<(long Id, string Status)>("SELECT id, status FROM batch WHERE id IN @ids", new { ids }, tx)).ToDictionary(x => x.Id, x => x.Status);
    }
    public override Task TransactionLockAsync(DbConnection c, DbTransaction tx, long key) => Task.CompletedTask;

    public override async Task<(long Upto, ulong[] Running)> EventMarkAsync(DbConnection c) =>
        (await c.ExecuteScalarAsync<long?>("SELECT MAX(id) FROM event") ?? 0, []);

    public override Task<ulong> OldestRunningAsync(DbConnection c) => Task.FromResult(ulong.MaxValue);
}
