using Dapper;
using Grantha.Engine;

namespace Grantha.Manifest;

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

    sealed class FileRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Sha256 { get; set; } = "";
        public long Size { get; set; }
        public long Rows { get; set; }
        public long Accepted { get; set; }
        public long Errors { get; set; }
        public string? TaskState { get; set; }
        public string? ErrorCode { get; set; }
        public string? ErrorMessage { get; set; }
    }

    public static Task<RowSummary> SummaryAsync(Db db, long batchId, CancellationToken ct = default) => db.ReadAsync(async c =>
    {
        // Read into a settable class: with no rows (a batch without manifests, e.g. a bulk approval) SQLite reports
        // the subqueries' columns as BLOB and Dapper refuses to build a positional record for them.
        var files = (await c.QueryAsync<FileRow>("""
            SELECT f.id AS Id, f.name AS Name, f.sha256 AS Sha256, f.size AS Size,
              (SELECT COUNT(*) FROM manifest_row r WHERE r.manifest_file_id = f.id) AS Rows,
              (SELECT COUNT(*) FROM manifest_row r WHERE r.manifest_file_id = f.id AND r.status = 'accepted') AS Accepted,
              (SELECT COUNT(*) FROM manifest_row r WHERE r.manifest_file_id = f.id AND r.status = 'error') AS Errors,
              t.state AS TaskState, t.error_code AS ErrorCode, t.error_message AS ErrorMessage
            FROM manifest_file f LEFT JOIN stage_task t ON t.batch_id = f.batch_id AND t.stage = @stage AND t.idem_key = @keyPrefix || f.sha256
            WHERE f.batch_id = @batchId ORDER BY f.id
            """, new { batchId, stage = ManifestHandler.Name, keyPrefix = TaskKey.Prefix(batchId, ManifestHandler.Name) }))
            .Select(f => new FileSummary(f.Id, f.Name, f.Sha256, f.Size, f.Rows, f.Accepted, f.Errors, f.TaskState, f.ErrorCode, f.ErrorMessage)).ToList();
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
