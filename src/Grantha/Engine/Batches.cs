using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Grantha.Engine;

public sealed record BatchRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Status { get; init; } = "";
    public string Options { get; init; } = "{}";
    public string CreatedBy { get; init; } = "";
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public long? SettledAt { get; init; }
}

public sealed record JobRow
{
    public long Id { get; init; }
    public long BatchId { get; init; }
    public string Stage { get; init; } = "";
    public string Status { get; init; } = "";
    public long CreatedAt { get; init; }
    public long? StartedAt { get; init; }
    public long? FinishedAt { get; init; }
}

/// <summary>Which tasks a retry or requeue touches. Empty filter = all tasks in the states the control takes.</summary>
public sealed record TaskFilter
{
    public string? Stage { get; init; }
    public string? State { get; init; }
    public string? ErrorCode { get; init; }
    public string? Host { get; init; }
    public IReadOnlyList<long>? TaskIds { get; init; }
    /// <summary>Substring of the subject (URL or file name).</summary>
    public string? Text { get; init; }
}

/// <summary>Tasks of a batch that hold an error, counted by stage, state, error code and host (the dashboard's error groups).</summary>
public sealed record ErrorGroup(string Stage, string State, string Code, string? Host, long Count);

/// <summary>Creating batches and reading them. Controls are in <see cref="Controls"/>.</summary>
public static class Batches
{
    /// <summary>
    /// Creates a RUNNING batch with one PENDING job per stage, in the order given (the pipeline's:
    /// job ids are the stage order from then on); <paramref name="addInputs"/> adds
    /// the stage-one tasks (manifest files) in the same transaction, so a batch never exists
    /// without its work.
    /// </summary>
    public static Task<long> CreateAsync(Db db, string name, BatchOptions options, string actor, IReadOnlyList<string> stages,
        Func<DbConnection, DbTransaction, long, Task> addInputs, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var now = Db.NowMs();
            var id = await c.ExecuteScalarAsync<long>(
                "INSERT INTO batch (name, status, options, created_by, created_at, updated_at) VALUES (@name, 'RUNNING', @options, @actor, @now, @now) RETURNING id",
                new { name, options = options.ToJson(), actor, now }, tx);
            foreach (var stage in stages)
                await c.ExecuteAsync("INSERT INTO job (batch_id, stage, status, created_at) VALUES (@id, @stage, 'PENDING', @now)", new { id, stage, now }, tx);
            await Events.AppendAsync(c, tx, new Event(id, null, null, "batch_created", actor, now, JsonSerializer.Serialize(new { name, stages }, EngineJson.Options)));
            await addInputs(c, tx, id);
            return id;
        }, ct);

    public static Task<BatchRow?> GetAsync(Db db, long id, CancellationToken ct = default) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<BatchRow>("SELECT * FROM batch WHERE id = @id", new { id }), ct);

    /// <summary>Newest first, keyset-paged by id.</summary>
    public static async Task<IReadOnlyList<BatchRow>> ListAsync(Db db, long? beforeId, int limit, CancellationToken ct = default) =>
        await db.ReadAsync(async c => (await c.QueryAsync<BatchRow>(
            "SELECT * FROM batch WHERE (@beforeId IS NULL OR id < @beforeId) ORDER BY id DESC LIMIT @limit", new { beforeId, limit })).AsList(), ct);

    public static async Task<IReadOnlyList<JobRow>> JobsAsync(Db db, long batchId, CancellationToken ct = default) =>
        await db.ReadAsync(async c => (await c.QueryAsync<JobRow>("SELECT * FROM job WHERE batch_id = @batchId ORDER BY id", new { batchId })).AsList(), ct);

    /// <summary>Task counts per stage and state, read from the task rows themselves (so they cannot drift).</summary>
    public static async Task<Dictionary<string, Dictionary<string, long>>> CountsAsync(Db db, long batchId, CancellationToken ct = default)
    {
        var rows = await db.ReadAsync(async c => (await c.QueryAsync<(string Stage, string State, long N)>(
            "SELECT stage, state, COUNT(*) FROM stage_task WHERE batch_id = @batchId GROUP BY stage, state", new { batchId })).AsList(), ct);
        return rows.GroupBy(r => r.Stage).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.State, r => r.N));
    }

    /// <summary>
    /// Failed, blocked and retry-waiting tasks with an error, grouped by stage, state, code and host, largest group first:
    /// each group is a task filter (stage, state, code, host) for the task list, and code/host a retry's filter.
    /// </summary>
    public static async Task<IReadOnlyList<ErrorGroup>> ErrorGroupsAsync(Db db, long batchId, CancellationToken ct = default) =>
        // As tuples: SQLite types an empty result's COUNT(*) as a blob, which a record's constructor would refuse.
        await db.ReadAsync(async c => (await c.QueryAsync<(string Stage, string State, string Code, string? Host, long Count)>(
            $"""
            SELECT stage, state, error_code, host, COUNT(*) FROM stage_task
            WHERE batch_id = @batchId AND error_code IS NOT NULL AND state IN ({Sql.InList([TaskState.Failed, TaskState.Blocked, TaskState.RetryWait])})
            GROUP BY stage, state, error_code, host ORDER BY COUNT(*) DESC, stage, error_code, host
            """, new { batchId })).Select(g => new ErrorGroup(g.Stage, g.State, g.Code, g.Host, g.Count)).ToList(), ct);

    /// <summary>Tasks of a batch that finished (succeeded, failed or blocked) in one time bucket, by stage or by host.</summary>
    public sealed record ThroughputPoint(long At, string Key, long Count);

    /// <summary>
    /// Finished tasks per <paramref name="bucketMs"/> bucket of their finish time, by stage, or by host for FETCH
    /// (<paramref name="byHost"/>): the batch screen's throughput chart. A retried task counts where it last finished.
    /// </summary>
    public static async Task<IReadOnlyList<ThroughputPoint>> ThroughputAsync(Db db, long batchId, long bucketMs, bool byHost, CancellationToken ct = default)
    {
        var key = byHost ? "COALESCE(host, '')" : "stage";
        var stage = byHost ? "AND stage = 'FETCH'" : "";
        return await db.ReadAsync(async c => (await c.QueryAsync<(long At, string Key, long N)>(
            $"""
            SELECT (finished_at / @bucketMs) * @bucketMs, {key}, COUNT(*) FROM stage_task
            WHERE batch_id = @batchId AND finished_at IS NOT NULL AND state IN ('SUCCEEDED', 'FAILED', 'BLOCKED') {stage}
            GROUP BY 1, 2 ORDER BY 1, 2
            """, new { batchId, bucketMs })).Select(r => new ThroughputPoint(r.At, r.Key, r.N)).ToList(), ct);
    }

    /// <summary>Task counts per batch, stage and state for a page of batches, in one statement (the batch list's progress).</summary>
    public static async Task<Dictionary<long, Dictionary<string, Dictionary<string, long>>>> CountsAsync(Db db, IReadOnlyCollection<long> batchIds, CancellationToken ct = default)
    {
        if (batchIds.Count == 0) return [];
        var ids = string.Join(",", batchIds.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var rows = await db.ReadAsync(async c => (await c.QueryAsync<(long Batch, string Stage, string State, long N)>(
            $"SELECT batch_id, stage, state, COUNT(*) FROM stage_task WHERE batch_id IN ({ids}) GROUP BY batch_id, stage, state")).AsList(), ct);
        return rows.GroupBy(r => r.Batch).ToDictionary(b => b.Key, b => b.GroupBy(r => r.Stage).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.State, r => r.N)));
    }

    /// <summary>Keyset-paged tasks of a batch, oldest id first.</summary>
    public static async Task<IReadOnlyList<StageTask>> TasksAsync(Db db, long batchId, TaskFilter filter, long afterId, int limit, CancellationToken ct = default)
    {
        var (where, args) = Where(batchId, filter);
        args.Add("afterId", afterId);
        args.Add("limit", limit);
        return await db.ReadAsync(async c => (await c.QueryAsync<StageTask>(
            $"SELECT {TaskQueue.TaskColumns} FROM stage_task WHERE {where} AND id > @afterId ORDER BY id LIMIT @limit", args)).AsList(), ct);
    }

    public static Task<StageTask?> TaskAsync(Db db, long taskId, CancellationToken ct = default) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<StageTask>($"SELECT {TaskQueue.TaskColumns} FROM stage_task WHERE id = @taskId", new { taskId }), ct);

    /// <summary>The WHERE clause of a task filter (parameters only; no user text in SQL).</summary>
    internal static (string Sql, DynamicParameters Args) Where(long batchId, TaskFilter f, IEnumerable<string>? states = null)
    {
        var args = new DynamicParameters();
        var parts = new List<string> { "batch_id = @batchId" };
        args.Add("batchId", batchId);
        if (states is not null) parts.Add($"state IN ({Sql.InList(states)})");
        if (f.Stage is { Length: > 0 }) { parts.Add("stage = @stage"); args.Add("stage", f.Stage.ToUpperInvariant()); }
        if (f.State is { Length: > 0 })
        {
            // RUNNING (no index of its own since V0026: its plan reads the batch's stage_task_batch entries) gets a
            // statement of its own. Behind the shared parameter PostgreSQL weighed its costly custom plans with the
            // other states' cheap ones and moved them all to the generic plan, a walk of the batch's tasks by id
            // (nothing cancelled: 21 ms instead of 0.4). Every state as a literal was tried: it slowed text + host +
            // failed from 14 to 28 ms (a merge join with the text search), so the others keep the parameter.
            var state = f.State.ToUpperInvariant();
            if (state == TaskState.Running) parts.Add($"state = '{TaskState.Running}'");
            else { parts.Add("state = @state"); args.Add("state", state); }
        }
        if (f.ErrorCode is { Length: > 0 }) { parts.Add("error_code = @code"); args.Add("code", f.ErrorCode); }
        // Host and text read stage_task_search (V0015), a write-once copy of each task's host and subject
        // indexed for these filters, so that they never read every task of the batch.
        var search = new List<string>();
        if (f.Host is { Length: > 0 }) { search.Add("host = @host"); args.Add("host", f.Host.ToLowerInvariant()); }
        if (f.Text is { Length: > 0 } && f.Text.Replace("%", "").Replace("_", "").Trim() is { Length: > 0 } text)
        {
            search.Add("subject_key LIKE @text");
            args.Add("text", "%" + text.ToLowerInvariant() + "%");
        }
        if (search.Count > 0) parts.Add($"id IN (SELECT task_id FROM stage_task_search WHERE batch_id = @batchId AND {string.Join(" AND ", search)})");
        if (f.TaskIds is { Count: > 0 } ids) parts.Add($"id IN ({string.Join(",", ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})");
        return (string.Join(" AND ", parts), args);
    }
}
