using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Manifest;

/// <summary>
/// The MANIFEST stage: files are stored with the batch (one task per distinct file); the task
/// streams the file through <see cref="ManifestReader"/>, records every row (accepted or with
/// its error), and creates one FETCH task per distinct normalized URL. Rows that share a URL
/// (within a file or across files) point at the same fetch task.
/// </summary>
public sealed class ManifestHandler : IStageHandler
{
    /// <summary>Rows written per transaction: big enough to be fast, small enough to keep memory flat.</summary>
    public const int ChunkRows = 2000;

    public string Stage => Engine.Stage.Manifest;
    public StageSettings Settings { get; } = new() { MaxAttempts = 3, Concurrency = 2, Lease = TimeSpan.FromSeconds(30) };
    public ManifestLimits Limits { get; init; } = ManifestLimits.Default;

    /// <summary>Stores a manifest file with the batch and queues its MANIFEST task (same file twice: once).</summary>
    public static async Task AddFileAsync(DbConnection c, DbTransaction tx, long batchId, string name, byte[] content, long now)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var fileId = await c.ExecuteScalarAsync<long?>(
            "INSERT INTO manifest_file (batch_id, name, sha256, size, content, created_at) VALUES (@batchId, @name, @sha, @size, @content, @now) ON CONFLICT (batch_id, sha256) DO NOTHING RETURNING id",
            new { batchId, name, sha, size = (long)content.Length, content, now }, tx);
        if (fileId is null) return;
        await TaskQueue.For(c is Npgsql.NpgsqlConnection ? DbKind.Postgres : DbKind.Sqlite).InsertAsync(c, tx, batchId,
            [new NewTask(Engine.Stage.Manifest, $"{batchId}:{Engine.Stage.Manifest}:{sha}", name, null, JsonSerializer.Serialize(new { manifestFileId = fileId }))],
            _ => 3, now);
        await Events.AppendAsync(c, tx, new Event(batchId, null, null, "manifest_added", "system", now, JsonSerializer.Serialize(new { name, sha256 = sha, bytes = content.Length, fileId })));
    }

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken ct)
    {
        var db = context.Db;
        var task = context.Task;
        var fileId = JsonDocument.Parse(task.Payload ?? "{}").RootElement.GetProperty("manifestFileId").GetInt64();
        var content = await db.ReadAsync(c => c.ExecuteScalarAsync<byte[]?>("SELECT content FROM manifest_file WHERE id = @fileId", new { fileId }), ct)
                      ?? throw StageException.Permanent("manifest_missing", $"Manifest file {fileId} is no longer stored.");
        var queue = TaskQueue.For(db);
        int accepted = 0, errors = 0;
        var chunk = new List<ManifestLine>(ChunkRows);
        var fetch = await Extract.BatchStages.IncludesAsync(context, Engine.Stage.Fetch, ct);
        try
        {
            // A file-level error can surface late (an unclosed quote, a bad byte near the end):
            // read the whole file once before writing anything, so such a file leaves no rows.
            await using (var check = new MemoryStream(content, writable: false))
                await foreach (var _ in ManifestReader.ReadAsync(check, task.Subject, Limits, ct)) { }
            await using var stream = new MemoryStream(content, writable: false);
            await foreach (var line in ManifestReader.ReadAsync(stream, task.Subject, Limits, ct))
            {
                chunk.Add(line);
                if (line is ManifestRow) accepted++; else errors++;
                if (chunk.Count == ChunkRows) { await WriteChunkAsync(db, queue, task.BatchId, fileId, chunk, context.MaxAttemptsOf, fetch, ct); chunk.Clear(); }
            }
            await WriteChunkAsync(db, queue, task.BatchId, fileId, chunk, context.MaxAttemptsOf, fetch, ct);
        }
        catch (ManifestException e)
        {
            throw StageException.Permanent(e.Code, $"{task.Subject}: {e.Message}", inner: e);
        }
        return new TaskResult(JsonSerializer.Serialize(new { rows = accepted + errors, accepted, errors }));
    }

    static Task WriteChunkAsync(Db db, TaskQueue queue, long batchId, long fileId, List<ManifestLine> lines, Func<string, int> maxAttempts, bool fetch, CancellationToken ct)
    {
        if (lines.Count == 0) return Task.CompletedTask;
        return db.WriteAsync(async (c, tx) =>
        {
            var now = Db.NowMs();
            var rows = lines.OfType<ManifestRow>().ToList();
            // A batch created with --stages MANIFEST keeps its rows and starts no fetch.
            var tasks = fetch ? rows.GroupBy(r => r.NormalizedUrl)
                .Select(g => new NewTask(Engine.Stage.Fetch, FetchKey(batchId, g.Key), g.Key, g.First().Host)).ToList() : [];
            await queue.InsertAsync(c, tx, batchId, tasks, maxAttempts, now);
            var taskIds = new Dictionary<string, long>();
            foreach (var keys in tasks.Select(f => f.IdemKey).Chunk(500))
                foreach (var (id, key) in await c.QueryAsync<(long, string)>(
                             $"SELECT id, idem_key FROM stage_task WHERE idem_key IN ({string.Join(",", keys.Select((_, i) => "@k" + i))})",
                             ToParams(keys), tx))
                    taskIds[key] = id;
            await InsertRowsAsync(c, tx, batchId, fileId, lines, l => l is ManifestRow r && fetch ? taskIds[FetchKey(batchId, r.NormalizedUrl)] : null);
        }, ct);
    }

    /// <summary>The idempotency key of a fetch task: one per (batch, stage, normalized URL).</summary>
    public static string FetchKey(long batchId, string normalizedUrl) => $"{batchId}:{Engine.Stage.Fetch}:{normalizedUrl}";

    static DynamicParameters ToParams(string[] keys)
    {
        var p = new DynamicParameters();
        for (var i = 0; i < keys.Length; i++) p.Add("k" + i, keys[i]);
        return p;
    }

    static readonly string[] RowColumns =
        ["batch_id", "manifest_file_id", "row_number", "status", "krithi", "raga", "url", "normalized_url", "host", "error_code", "error_message", "task_id"];

    static Task InsertRowsAsync(DbConnection c, DbTransaction tx, long batchId, long fileId, List<ManifestLine> lines, Func<ManifestLine, long?> taskId) =>
        MultiRow.InsertAsync(c, tx, "manifest_row", RowColumns, lines.Select(l => l switch
        {
            ManifestRow r => new object?[] { batchId, fileId, (long)r.RowNumber, "accepted", r.Krithi, r.Raga, r.Url, r.NormalizedUrl, r.Host, null, null, taskId(l) },
            RowError e => new object?[] { batchId, fileId, (long)e.RowNumber, "error", e.Krithi, e.Raga, e.RawUrl, null, null, e.Code, e.Message, null },
            _ => throw new InvalidOperationException(),
        }), "ON CONFLICT (manifest_file_id, row_number) DO NOTHING");
}

/// <summary>What the API and CLI show about a batch's manifests.</summary>
public static class ManifestQueries
{
    public sealed record FileSummary(long Id, string Name, string Sha256, long Size, long Rows, long Accepted, long Errors, string? TaskState, string? ErrorCode, string? ErrorMessage);
    public sealed record RowSummary(long Rows, long Accepted, long Errors, long DistinctUrls, IReadOnlyList<FileSummary> Files);

    public sealed record RowRecord
    {
        public long Id { get; init; }
        public long ManifestFileId { get; init; }
        public string FileName { get; init; } = "";
        public int RowNumber { get; init; }
        public string Status { get; init; } = "";
        public string? Krithi { get; init; }
        public string? Raga { get; init; }
        public string? Url { get; init; }
        public string? ErrorCode { get; init; }
        public string? ErrorMessage { get; init; }
        public long? TaskId { get; init; }
    }

    public static Task<RowSummary> SummaryAsync(Db db, long batchId, CancellationToken ct = default) => db.ReadAsync(async c =>
    {
        var files = (await c.QueryAsync<FileSummary>("""
            SELECT f.id, f.name, f.sha256, f.size,
              (SELECT COUNT(*) FROM manifest_row r WHERE r.manifest_file_id = f.id) AS rows,
              (SELECT COUNT(*) FROM manifest_row r WHERE r.manifest_file_id = f.id AND r.status = 'accepted') AS accepted,
              (SELECT COUNT(*) FROM manifest_row r WHERE r.manifest_file_id = f.id AND r.status = 'error') AS errors,
              t.state AS task_state, t.error_code, t.error_message
            FROM manifest_file f LEFT JOIN stage_task t ON t.batch_id = f.batch_id AND t.stage = 'MANIFEST' AND t.idem_key = f.batch_id || ':MANIFEST:' || f.sha256
            WHERE f.batch_id = @batchId ORDER BY f.id
            """, new { batchId })).AsList();
        var distinct = await c.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT task_id) FROM manifest_row WHERE batch_id = @batchId AND task_id IS NOT NULL", new { batchId });
        return new RowSummary(files.Sum(f => f.Rows), files.Sum(f => f.Accepted), files.Sum(f => f.Errors), distinct, files);
    }, ct);

    /// <summary>Rows of a batch (all, or only errors), keyset-paged.</summary>
    public static async Task<IReadOnlyList<RowRecord>> RowsAsync(Db db, long batchId, bool errorsOnly, long afterId, int limit, CancellationToken ct = default) =>
        await db.ReadAsync(async c => (await c.QueryAsync<RowRecord>("""
            SELECT r.id, r.manifest_file_id, f.name AS file_name, r.row_number, r.status, r.krithi, r.raga, r.url, r.error_code, r.error_message, r.task_id
            FROM manifest_row r JOIN manifest_file f ON f.id = r.manifest_file_id
            WHERE r.batch_id = @batchId AND (@errorsOnly = FALSE OR r.status = 'error') AND r.id > @afterId
            ORDER BY r.id LIMIT @limit
            """, new { batchId, errorsOnly, afterId, limit })).AsList(), ct);
}
