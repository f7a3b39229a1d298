using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Manifest;

/// <summary>
/// The MANIFEST stage: files are stored with the batch (one task per distinct file); the task
/// streams the file through <see cref="ManifestReader"/>, records every row (accepted or with
/// its error), and creates one task of the next stage (FETCH) per distinct normalized URL. Rows
/// that share a URL (within a file or across files) point at the same task.
/// </summary>
public sealed class ManifestHandler : StageHandler<ManifestHandler.File, NoPayload>
{
    public const string Name = "MANIFEST";

    /// <summary>Rows written per transaction: big enough to be fast, small enough to keep memory flat.</summary>
    public const int ChunkRows = 2000;

    /// <summary>The payload of a MANIFEST task: which stored file it reads.</summary>
    public sealed record File(long ManifestFileId);

    public static readonly StageSettings SettingsDefault = new() { MaxAttempts = 3, Concurrency = 2, Lease = TimeSpan.FromSeconds(30) };

    public override string Stage => Name;
    public override StageSettings Settings { get; } = SettingsDefault;
    public ManifestLimits Limits { get; init; } = ManifestLimits.Default;

    /// <summary>Stores a manifest file with the batch and queues its MANIFEST task (same file twice: once).</summary>
    public static async Task AddFileAsync(Db db, DbConnection c, DbTransaction tx, long batchId, string name, byte[] content, long now)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var fileId = await c.ExecuteScalarAsync<long?>(
            "INSERT INTO manifest_file (batch_id, name, sha256, size, content, created_at) VALUES (@batchId, @name, @sha, @size, @content, @now) ON CONFLICT (batch_id, sha256) DO NOTHING RETURNING id",
            new { batchId, name, sha, size = (long)content.Length, content, now }, tx);
        if (fileId is null) return;
        // Keyed by content, not name: the same file uploaded twice is one task.
        await db.Queue.InsertAsync(c, tx, batchId,
            [new NewTask(Name, TaskKey.Of(batchId, Name, sha), name, null, EngineJson.Serialize(new File(fileId.Value)))],
            _ => SettingsDefault.MaxAttempts, now);
        await Events.AppendAsync(c, tx, new Event(batchId, null, null, "manifest_added", "system", now, JsonSerializer.Serialize(new { name, sha256 = sha, bytes = content.Length, fileId })));
    }

    protected override async Task<TaskResult> HandleAsync(TaskContext context, File payload, CancellationToken ct)
    {
        var db = context.Db;
        var task = context.Task;
        var fileId = payload.ManifestFileId;
        var content = await db.ReadAsync(c => c.ExecuteScalarAsync<byte[]?>("SELECT content FROM manifest_file WHERE id = @fileId", new { fileId }), ct)
                      ?? throw StageException.Permanent("manifest_missing", $"Manifest file {fileId} is no longer stored.");
        int accepted = 0, errors = 0;
        var chunk = new List<ManifestLine>(ChunkRows);
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
                if (chunk.Count == ChunkRows) { await WriteChunkAsync(context, fileId, chunk, ct); chunk.Clear(); }
            }
            await WriteChunkAsync(context, fileId, chunk, ct);
        }
        catch (ManifestException e)
        {
            // The reader's message already starts with the file's name.
            throw StageException.Permanent(e.Code, e.Message, inner: e);
        }
        return new TaskResult(JsonSerializer.Serialize(new { rows = accepted + errors, accepted, errors }));
    }

    static Task WriteChunkAsync(TaskContext context, long fileId, List<ManifestLine> lines, CancellationToken ct)
    {
        if (lines.Count == 0) return Task.CompletedTask;
        var batchId = context.Task.BatchId;
        return context.Db.WriteAsync(async (c, tx) =>
        {
            var rows = lines.OfType<ManifestRow>().ToList();
            // A batch created with --stages MANIFEST keeps its rows and starts no fetch.
            var tasks = rows.GroupBy(r => r.NormalizedUrl)
                .Select(g => FollowUp(context, g.Key, new NoPayload(), g.First().Host)).OfType<NewTask>().ToList();
            await context.InsertNowAsync(c, tx, tasks);
            var taskIds = new Dictionary<string, long>();
            foreach (var keys in tasks.Select(f => f.IdemKey).Chunk(500))
                foreach (var (id, key) in await c.QueryAsync<(long, string)>(
                             $"SELECT task_id, idem_key FROM stage_task_key WHERE batch_id = @batchId AND idem_key IN ({string.Join(",", keys.Select((_, i) => "@k" + i))})",
                             ToParams(batchId, keys), tx))
                    taskIds[key] = id;
            var keyPrefix = context.Next is { } next ? TaskKey.Prefix(batchId, next.Stage) : null;
            await InsertRowsAsync(context.Db, c, tx, batchId, fileId, lines, l => l is ManifestRow r && keyPrefix is not null ? taskIds[keyPrefix + r.NormalizedUrl] : null);
        }, ct);
    }

    static DynamicParameters ToParams(long batchId, string[] keys)
    {
        var p = new DynamicParameters();
        p.Add("batchId", batchId);
        for (var i = 0; i < keys.Length; i++) p.Add("k" + i, keys[i]);
        return p;
    }

    static readonly string[] RowColumns =
        ["batch_id", "manifest_file_id", "row_number", "status", "krithi", "raga", "url", "normalized_url", "host", "error_code", "error_message", "task_id"];

    static Task InsertRowsAsync(Db db, DbConnection c, DbTransaction tx, long batchId, long fileId, List<ManifestLine> lines, Func<ManifestLine, long?> taskId) =>
        db.Dialect.InsertRowsAsync(c, tx, "manifest_row", RowColumns, lines.Select(l => l switch
        {
            ManifestRow r => new object?[] { batchId, fileId, (long)r.RowNumber, "accepted", r.Krithi, r.Raga, r.Url, r.NormalizedUrl, r.Host, null, null, taskId(l) },
            RowError e => new object?[] { batchId, fileId, (long)e.RowNumber, "error", e.Krithi, e.Raga, e.RawUrl, null, null, e.Code, e.Message, null },
            _ => throw new InvalidOperationException(),
        }), "ON CONFLICT (manifest_file_id, row_number) DO NOTHING");
}
