using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Extract;

/// <summary>
/// Reading a batch's extractions (summary, pages of rows) and re-extraction: the current extractor
/// over the stored pages, updating rows in place (same ids, new version). Shared by CLI and API.
/// </summary>
public static class ExtractQueries
{
    /// <summary>Which extractions a re-extraction or a listing touches. Empty filter = all of the batch.</summary>
    public sealed record Filter
    {
        /// <summary>Substring of the manifest URL.</summary>
        public string? UrlContains { get; init; }
        /// <summary>Only extractions that carry this warning code (e.g. <c>tala_missing</c>).</summary>
        public string? Warning { get; init; }
        /// <summary>Only pages that failed with this error code (e.g. <c>not_html</c>).</summary>
        public string? ErrorCode { get; init; }
        /// <summary>Only extractions made by an extractor older than <see cref="Extractor.Version"/>.</summary>
        public bool OlderVersion { get; init; }

        public bool IsEmpty => UrlContains is null && Warning is null && ErrorCode is null && !OlderVersion;
    }

    public sealed record ReextractResult(long BatchId, string ExtractorVersion, int Matched, int Updated, int Failed, int Changed, long ElapsedMs);

    public sealed record Coverage(long Title, long Raga, long Tala, long Composer, long Form, long Deity, long Kshetra, long Published,
        long Gist, long Meaning, long SixScripts, IReadOnlyDictionary<string, long> Scripts);

    public sealed record Summary(long BatchId, long Pages, long Extracted, long Failed, double? MeanConfidence, string CurrentVersion,
        IReadOnlyDictionary<string, long> Versions, Coverage Coverage, IReadOnlyDictionary<string, long> Warnings, IReadOnlyDictionary<string, long> Errors);

    public sealed record Row(long Id, string Url, string ExtractorVersion, double Confidence, IReadOnlyList<string> Warnings, string? ErrorCode,
        string? Title, string? Raga, string? Tala, string? Composer, IReadOnlyList<string> Scripts, int Sections, long UpdatedAt);

    /// <summary>Coverage per field and warnings by kind for one batch.</summary>
    public static async Task<Summary> SummaryAsync(Db db, long batchId, CancellationToken ct = default)
    {
        var counts = await db.ReadAsync(c => c.QuerySingleAsync<CountRow>("""
            SELECT COUNT(*) AS Pages, COUNT(record) AS Extracted, COUNT(error_code) AS Failed,
                   AVG(CASE WHEN record IS NOT NULL THEN confidence END) AS MeanConfidence,
                   COUNT(title) AS Title, COUNT(raga) AS Raga, COUNT(tala) AS Tala, COUNT(composer) AS Composer, COUNT(form) AS Form,
                   COUNT(deity) AS Deity, COUNT(kshetra) AS Kshetra, COUNT(published) AS Published,
                   COALESCE(SUM(has_gist), 0) AS Gist, COALESCE(SUM(has_meaning), 0) AS Meaning,
                   COALESCE(SUM(CASE WHEN script_count >= 6 THEN 1 ELSE 0 END), 0) AS SixScripts
              FROM extraction WHERE batch_id = @batchId
            """, new { batchId }), ct);
        // Grouped in the store: a batch of 100,000 pages has a few dozen combinations, and the batch screen reads this often.
        var rows = await db.ReadAsync(async c => (await c.QueryAsync<(string Version, string Scripts, string Codes, string? Error, long N)>(
            """
            SELECT extractor_version, scripts, warning_codes, error_code, COUNT(*) FROM extraction WHERE batch_id = @batchId
             GROUP BY extractor_version, scripts, warning_codes, error_code
            """, new { batchId })).AsList(), ct);

        var scripts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var warnings = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var versions = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            versions[r.Version] = versions.GetValueOrDefault(r.Version) + r.N;
            foreach (var s in r.Scripts.Split(',', StringSplitOptions.RemoveEmptyEntries)) scripts[s] = scripts.GetValueOrDefault(s) + r.N;
            foreach (var w in r.Codes.Split(',', StringSplitOptions.RemoveEmptyEntries)) warnings[w] = warnings.GetValueOrDefault(w) + r.N;
            if (r.Error is { } e) errors[e] = errors.GetValueOrDefault(e) + r.N;
        }
        return new Summary(batchId, counts.Pages, counts.Extracted, counts.Failed,
            counts.MeanConfidence is { } m ? Math.Round(m, 3) : null, Extractor.Version, versions,
            new Coverage(counts.Title, counts.Raga, counts.Tala, counts.Composer, counts.Form, counts.Deity, counts.Kshetra, counts.Published,
                counts.Gist, counts.Meaning, counts.SixScripts, scripts),
            warnings, errors);
    }

    /// <summary>Extractions of a batch by id, keyset-paged (after <paramref name="afterId"/>).</summary>
    public static async Task<IReadOnlyList<Row>> ListAsync(Db db, long batchId, Filter filter, long afterId, int limit, CancellationToken ct = default)
    {
        var (where, args) = Where(batchId, filter);
        args.Add("afterId", afterId);
        args.Add("limit", limit);
        var rows = await db.ReadAsync(async c => (await c.QueryAsync<ListRow>($"""
            SELECT id AS Id, url AS Url, extractor_version AS ExtractorVersion, confidence AS Confidence, warning_codes AS WarningCodes,
                   error_code AS ErrorCode, title AS Title, raga AS Raga, tala AS Tala, composer AS Composer, scripts AS Scripts,
                   section_count AS Sections, updated_at AS UpdatedAt
              FROM extraction WHERE {where} AND id > @afterId ORDER BY id LIMIT @limit
            """, args)).AsList(), ct);
        return rows.Where(r => !filter.OlderVersion || IsOlder(r.ExtractorVersion)).Select(r => r.ToRow()).ToList();
    }

    /// <summary>
    /// Runs the current extractor again over the stored page of every extraction that matches the
    /// filter, updating each row in place. Pages are never fetched again.
    /// </summary>
    public static async Task<ReextractResult> ReextractAsync(Db db, long batchId, Filter filter, string actor, CancellationToken ct = default)
    {
        _ = await Batches.GetAsync(db, batchId, ct) ?? throw new BatchNotFoundException(batchId);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (where, args) = Where(batchId, filter);
        var targets = (await db.ReadAsync(async c => (await c.QueryAsync<(long Id, string Url, long EvidenceId, string Version, string? Record)>(
                $"SELECT id, url, evidence_id, extractor_version, record FROM extraction WHERE {where} ORDER BY id", args)).AsList(), ct))
            .Where(t => !filter.OlderVersion || IsOlder(t.Version)).ToList();

        int updated = 0, failed = 0, changed = 0;
        // SQLite has one writer; PostgreSQL takes a few at once.
        var parallel = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = db.Dialect.OneWriter ? 2 : Math.Max(2, Environment.ProcessorCount) };
        await Parallel.ForEachAsync(targets, parallel, async (t, token) =>
        {
            try
            {
                var input = await PageInput.LoadAsync(db, batchId, t.Url, t.EvidenceId, token);
                var (_, page) = await ExtractHandler.ExtractAndSaveAsync(db, batchId, t.Url, input, token);
                Interlocked.Increment(ref updated);
                if (t.Record is null || !SameContent(ExtractionStore.Deserialize(t.Record), page)) Interlocked.Increment(ref changed);
            }
            catch (StageException)
            {
                // The row now holds the error (ExtractAndSaveAsync saved it); the count tells the caller.
                Interlocked.Increment(ref failed);
            }
        });
        var result = new ReextractResult(batchId, Extractor.Version, targets.Count, updated, failed, changed, started.ElapsedMilliseconds);
        await db.WriteAsync((c, tx) => Events.AppendAsync(c, tx, new Event(batchId, null, null, "reextracted", actor, Db.NowMs(),
            JsonSerializer.Serialize(new { result, filter }, EngineJson.Options))), ct);
        return result;
    }

    /// <summary>True when <paramref name="version"/> is older than <see cref="Extractor.Version"/> (unreadable counts as older).</summary>
    public static bool IsOlder(string version) =>
        !Version.TryParse(version, out var v) || v < Version.Parse(Extractor.Version);

    /// <summary>Same record apart from the version that made it.</summary>
    static bool SameContent(ExtractedPage before, ExtractedPage after) =>
        ExtractionStore.Serialize(before with { ExtractorVersion = "" }) == ExtractionStore.Serialize(after with { ExtractorVersion = "" });

    static (string Where, DynamicParameters Args) Where(long batchId, Filter f)
    {
        var sql = new StringBuilder("batch_id = @batchId");
        var args = new DynamicParameters();
        args.Add("batchId", batchId);
        if (!string.IsNullOrEmpty(f.UrlContains))
        {
            sql.Append(" AND url LIKE @url ESCAPE '\\'");
            args.Add("url", "%" + EscapeLike(f.UrlContains) + "%");
        }
        if (!string.IsNullOrEmpty(f.Warning))
        {
            sql.Append(" AND warning_codes LIKE @warning ESCAPE '\\'");
            args.Add("warning", "%," + EscapeLike(f.Warning.Trim()) + ",%");
        }
        if (!string.IsNullOrEmpty(f.ErrorCode))
        {
            sql.Append(" AND error_code = @errorCode");
            args.Add("errorCode", f.ErrorCode.Trim());
        }
        return (sql.ToString(), args);
    }

    static string EscapeLike(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    sealed class CountRow
    {
        public long Pages { get; set; }
        public long Extracted { get; set; }
        public long Failed { get; set; }
        public double? MeanConfidence { get; set; }
        public long Title { get; set; }
        public long Raga { get; set; }
        public long Tala { get; set; }
        public long Composer { get; set; }
        public long Form { get; set; }
        public long Deity { get; set; }
        public long Kshetra { get; set; }
        public long Published { get; set; }
        public long Gist { get; set; }
        public long Meaning { get; set; }
        public long SixScripts { get; set; }
    }

    sealed class ListRow
    {
        public long Id { get; set; }
        public string Url { get; set; } = "";
        public string ExtractorVersion { get; set; } = "";
        public double Confidence { get; set; }
        public string WarningCodes { get; set; } = ",";
        public string? ErrorCode { get; set; }
        public string? Title { get; set; }
        public string? Raga { get; set; }
        public string? Tala { get; set; }
        public string? Composer { get; set; }
        public string Scripts { get; set; } = "";
        public int Sections { get; set; }
        public long UpdatedAt { get; set; }

        public Row ToRow() => new(Id, Url, ExtractorVersion, Confidence, WarningCodes.Split(',', StringSplitOptions.RemoveEmptyEntries), ErrorCode,
            Title, Raga, Tala, Composer, Scripts.Split(',', StringSplitOptions.RemoveEmptyEntries), Sections, UpdatedAt);
    }
}
