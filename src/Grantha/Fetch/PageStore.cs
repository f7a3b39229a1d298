using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>A fetched page as the evidence records it: which URL, which body (by SHA-256), which validators.</summary>
public sealed record StoredPage
{
    public long EvidenceId { get; init; }
    public long? BatchId { get; init; }
    public long? TaskId { get; init; }
    public string Url { get; init; } = "";
    public string FinalUrl { get; init; } = "";
    /// <summary>scheme://host:port the answer came from, after host mapping (V0017); null for older rows.</summary>
    public string? Origin { get; init; }
    public int Status { get; init; }
    public string Sha256 { get; init; } = "";
    public long Size { get; init; }
    public string? ContentType { get; init; }
    public string? ETag { get; init; }
    public string? LastModified { get; init; }
    public bool NotModified { get; init; }
    public long ElapsedMs { get; init; }
    public long FetchedAt { get; init; }
}

/// <summary>One fetch attempt that got an HTTP answer, to be recorded.</summary>
public sealed record FetchEvidence
{
    public long? BatchId { get; init; }
    public long? TaskId { get; init; }
    public required string Url { get; init; }
    public required string FinalUrl { get; init; }
    /// <summary>scheme://host:port connected to (after host mapping): validators go back only there.</summary>
    public string? Origin { get; init; }
    public int Status { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string? Sha256 { get; init; }
    public string? ETag { get; init; }
    public string? LastModified { get; init; }
    public bool NotModified { get; init; }
    public string? ErrorCode { get; init; }
    public int Attempt { get; init; }
    public long ElapsedMs { get; init; }
}

/// <summary>
/// Page bodies stored once per distinct content (page_blob, keyed by SHA-256) and the evidence of
/// every fetch attempt that got an answer (fetch_evidence). The EXTRACT stage reads pages here.
/// </summary>
public sealed class PageStore(Db db)
{
    const string PageColumns = """
        e.id AS EvidenceId, e.batch_id AS BatchId, e.task_id AS TaskId, e.url AS Url, e.final_url AS FinalUrl, e.origin AS Origin,
        e.status AS Status, e.sha256 AS Sha256, b.size AS Size, b.content_type AS ContentType, e.etag AS ETag,
        e.last_modified AS LastModified, e.not_modified AS NotModifiedFlag, e.elapsed_ms AS ElapsedMs, e.fetched_at AS FetchedAt
        """;
    const string PageFrom = "FROM fetch_evidence e JOIN page_blob b ON b.sha256 = e.sha256";
    const string LatestForUrl = "WHERE e.url = @url AND e.error_code IS NULL ORDER BY e.id DESC LIMIT 1";
    const string ForEvidence = "WHERE e.id = @evidenceId";
    const string ForTask = "WHERE e.task_id = @taskId AND e.error_code IS NULL ORDER BY e.id DESC LIMIT 1";

    public static string Sha256Hex(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>The newest page fetched (200) or confirmed unchanged (304) for a manifest URL.</summary>
    public Task<StoredPage?> GetLatestAsync(string url, CancellationToken ct = default) =>
        QueryPageAsync($"SELECT {PageColumns} {PageFrom} {LatestForUrl}", new { url }, ct);

    /// <summary>The page a task already got, if an earlier attempt of it stored one.</summary>
    public Task<StoredPage?> GetForTaskAsync(long taskId, CancellationToken ct = default) =>
        QueryPageAsync($"SELECT {PageColumns} {PageFrom} {ForTask}", new { taskId }, ct);

    /// <summary>
    /// What a fetch starts from, in one round trip: the page this task already stored (an earlier
    /// attempt whose completion was lost) and the newest page for its URL (the validators of a
    /// conditional request).
    /// </summary>
    public async Task<(StoredPage? ForTask, StoredPage? Latest)> GetStartAsync(long taskId, string url, CancellationToken ct = default)
    {
        if (taskId <= 0) return (null, await GetLatestAsync(url, ct));
        var rows = await db.ReadAsync(async c => (await c.QueryAsync<StartRow>($"""
            SELECT * FROM (SELECT 'task' AS Kind, {PageColumns} {PageFrom} {ForTask}) AS for_task
            UNION ALL
            SELECT * FROM (SELECT 'latest' AS Kind, {PageColumns} {PageFrom} {LatestForUrl}) AS latest
            """, new { taskId, url })).ToList(), ct);
        return (rows.FirstOrDefault(r => r.Kind == "task")?.ToPage(), rows.FirstOrDefault(r => r.Kind == "latest")?.ToPage());
    }

    public Task<StoredPage?> GetEvidenceAsync(long evidenceId, CancellationToken ct = default) =>
        QueryPageAsync($"SELECT {PageColumns} {PageFrom} {ForEvidence}", new { evidenceId }, ct);

    /// <summary>The stored body with this SHA-256 (lower-case hex), or null.</summary>
    public Task<byte[]?> LoadBodyAsync(string sha256, CancellationToken ct = default) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<byte[]?>("SELECT body FROM page_blob WHERE sha256 = @sha256", new { sha256 }), ct);

    /// <summary>
    /// Records one answered attempt; with a body, first stores the body unless that content is
    /// already there. Returns the evidence id.
    /// </summary>
    public async Task<long> RecordAsync(FetchEvidence e, byte[]? body = null, string? contentType = null, CancellationToken ct = default) =>
        (await WriteAsync(e, body, contentType, ct)).Id;

    /// <summary>
    /// Records an attempt that got a page (a body, or a 304 for the stored one <see cref="FetchEvidence.Sha256"/>
    /// names) and returns the page as <see cref="GetEvidenceAsync"/> would read it, without reading it back.
    /// </summary>
    public async Task<StoredPage> StorePageAsync(FetchEvidence e, byte[]? body = null, string? contentType = null, CancellationToken ct = default)
    {
        var w = await WriteAsync(e, body, contentType, ct);
        return new StoredPage
        {
            EvidenceId = w.Id, BatchId = e.BatchId, TaskId = e.TaskId, Url = e.Url, FinalUrl = e.FinalUrl, Origin = e.Origin, Status = e.Status,
            Sha256 = w.Sha256 ?? "", Size = w.Size ?? 0, ContentType = w.ContentType, ETag = e.ETag, LastModified = e.LastModified,
            NotModified = e.NotModified, ElapsedMs = e.ElapsedMs, FetchedAt = w.FetchedAt,
        };
    }

    sealed record Written(long Id, string? Sha256, long? Size, string? ContentType, long FetchedAt);

    Task<Written> WriteAsync(FetchEvidence e, byte[]? body, string? contentType, CancellationToken ct)
    {
        var sha = body is null ? e.Sha256 : Sha256Hex(body);
        if (body is not null && e.Sha256 is not null && e.Sha256 != sha)
            throw new ArgumentException("The evidence's sha256 does not match the body.", nameof(e));
        var now = Db.NowMs();
        var args = new
        {
            e.BatchId, e.TaskId, e.Url, e.FinalUrl, e.Origin, e.Status, headers = JsonSerializer.Serialize(e.Headers), sha,
            e.ETag, e.LastModified, notModified = e.NotModified ? 1 : 0, e.ErrorCode, e.Attempt, e.ElapsedMs, now,
            body, size = (long)(body?.Length ?? 0), contentType,
        };
        if (db.Dialect.DataModifyingCtes && body is not null)
            // Body and evidence in one statement, committed by itself (two round trips less per page).
            // The blob the CTE inserts is not visible to the statement's own subqueries, hence the COALESCE.
            return db.WriteOutputStatementAsync(async (c, tx) =>
            {
                var row = await c.QuerySingleAsync<(long Id, long? Size, string? ContentType)>($"""
                    WITH blob AS (
                      {BlobInsert} RETURNING size, content_type),
                    evidence AS ({EvidenceInsert} RETURNING id)
                    SELECT evidence.id, COALESCE((SELECT size FROM blob), {StoredSize}), COALESCE((SELECT content_type FROM blob), {StoredType})
                      FROM evidence
                    """, args, tx);
                return new Written(row.Id, sha, row.Size, row.ContentType, now);
            }, ct);
        return db.WriteOutputAsync(async (c, t) =>
        {
            if (body is not null) await c.ExecuteAsync(BlobInsert, args, t);
            var id = await c.ExecuteScalarAsync<long>($"{EvidenceInsert} RETURNING id", args, t);
            if (sha is null) return new Written(id, null, null, null, now);
            // What a later read gives: the first copy of this content may have been served with another type.
            var blob = await c.QuerySingleOrDefaultAsync<(long? Size, string? ContentType)>($"SELECT {StoredSize}, {StoredType}", args, t);
            return new Written(id, sha, blob.Size, blob.ContentType, now);
        }, ct);
    }

    /// <summary>A body is stored once per content: a second copy of the same bytes adds nothing.</summary>
    const string BlobInsert = """
        INSERT INTO page_blob (sha256, body, size, content_type, stored_at) VALUES (@sha, @body, @size, @contentType, @now)
        ON CONFLICT (sha256) DO NOTHING
        """;

    // The stored blob of @sha: its size and content type (the first copy's, if it came again).
    const string StoredSize = "(SELECT size FROM page_blob WHERE sha256 = @sha)";
    const string StoredType = "(SELECT content_type FROM page_blob WHERE sha256 = @sha)";

    const string EvidenceInsert = """
        INSERT INTO fetch_evidence (batch_id, task_id, url, final_url, origin, status, headers, sha256, etag, last_modified,
                                    not_modified, error_code, attempt, elapsed_ms, fetched_at)
        VALUES (@BatchId, @TaskId, @Url, @FinalUrl, @Origin, @Status, @headers, @sha, @ETag, @LastModified,
                @notModified, @ErrorCode, @Attempt, @ElapsedMs, @now)
        """;

    /// <summary>Every evidence row for a URL, oldest first (answers without a body included).</summary>
    public Task<IReadOnlyList<EvidenceRow>> EvidenceForUrlAsync(string url, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<EvidenceRow>>(async c => (await c.QueryAsync<EvidenceRow>("""
            SELECT id AS Id, batch_id AS BatchId, task_id AS TaskId, url AS Url, final_url AS FinalUrl, origin AS Origin, status AS Status,
                   headers AS Headers, sha256 AS Sha256, etag AS ETag, last_modified AS LastModified,
                   not_modified AS NotModifiedFlag, error_code AS ErrorCode, attempt AS Attempt, elapsed_ms AS ElapsedMs,
                   fetched_at AS FetchedAt
              FROM fetch_evidence WHERE url = @url ORDER BY id
            """, new { url })).ToList(), ct);

    async Task<StoredPage?> QueryPageAsync(string sql, object args, CancellationToken ct)
    {
        var row = await db.ReadAsync(c => c.QuerySingleOrDefaultAsync<PageRow>(sql, args), ct);
        return row?.ToPage();
    }

    /// <summary>
    /// A page with its body and its response headers (JSON) in one query: of the evidence row
    /// (<c>@evidenceId</c>), or without one the newest stored page for <c>@url</c>. Read as a
    /// <see cref="PageBodyRow"/> and mapped with <see cref="WithBody"/>; callers add it to their own round trip.
    /// </summary>
    internal static string WithBodySql(bool byEvidence) =>
        $"SELECT {PageColumns}, e.headers AS Headers, b.body AS Body {PageFrom} {(byEvidence ? ForEvidence : LatestForUrl)}";

    internal static (StoredPage Page, byte[] Body, string? Headers)? WithBody(PageBodyRow? row) =>
        row?.Body is { } body ? (row.ToPage(), body, row.Headers) : null;

    sealed class StartRow : PageRow
    {
        public string Kind { get; set; } = "";
    }

    internal sealed class PageBodyRow : PageRow
    {
        public string? Headers { get; set; }
        public byte[]? Body { get; set; }
    }

    internal class PageRow
    {
        public long EvidenceId { get; set; }
        public long? BatchId { get; set; }
        public long? TaskId { get; set; }
        public string Url { get; set; } = "";
        public string FinalUrl { get; set; } = "";
        public string? Origin { get; set; }
        public int Status { get; set; }
        public string Sha256 { get; set; } = "";
        public long Size { get; set; }
        public string? ContentType { get; set; }
        public string? ETag { get; set; }
        public string? LastModified { get; set; }
        public long NotModifiedFlag { get; set; }
        public long ElapsedMs { get; set; }
        public long FetchedAt { get; set; }

        public StoredPage ToPage() => new()
        {
            EvidenceId = EvidenceId, BatchId = BatchId, TaskId = TaskId, Url = Url, FinalUrl = FinalUrl, Origin = Origin, Status = Status,
            Sha256 = Sha256, Size = Size, ContentType = ContentType, ETag = ETag, LastModified = LastModified,
            NotModified = NotModifiedFlag != 0, ElapsedMs = ElapsedMs, FetchedAt = FetchedAt,
        };
    }
}

/// <summary>A fetch_evidence row as stored (headers as JSON).</summary>
public sealed class EvidenceRow
{
    public long Id { get; set; }
    public long? BatchId { get; set; }
    public long? TaskId { get; set; }
    public string Url { get; set; } = "";
    public string FinalUrl { get; set; } = "";
    public string? Origin { get; set; }
    public int Status { get; set; }
    public string Headers { get; set; } = "{}";
    public string? Sha256 { get; set; }
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public long NotModifiedFlag { get; set; }
    public bool NotModified => NotModifiedFlag != 0;
    public string? ErrorCode { get; set; }
    public int Attempt { get; set; }
    public long ElapsedMs { get; set; }
    public long FetchedAt { get; set; }
}
