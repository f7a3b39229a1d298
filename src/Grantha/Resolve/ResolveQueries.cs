using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Resolve;

/// <summary>Read side of the RESOLVE stage: the batch summary and the staged imports.</summary>
public static class ResolveQueries
{
    /// <summary>One name that keeps pages from resolving, with the manifest rows and pages it affects.</summary>
    public sealed record ReviewName(string Kind, string Name, string Key, long Rows, long Pages, JsonElement Candidates);

    /// <summary>Pages with the same work key in this batch (one import is kept as the original, the others point at it).</summary>
    public sealed record DuplicateGroup(string WorkKey, string? Title, IReadOnlyList<long> Imports);

    public sealed record Summary(long BatchId, long Pages, long Resolved, long NeedsReview, long RowsResolved, long RowsNeedReview,
        long Duplicates, long NearDuplicates, long InCatalog, double AverageQuality,
        IReadOnlyDictionary<string, long> NeedsReviewByKind, IReadOnlyList<ReviewName> Review, IReadOnlyList<DuplicateGroup> DuplicateGroups);

    public sealed record StagedImportView(long Id, long BatchId, long? TaskId, string Url, long ExtractionId, string Status, string? Title,
        string? ComposerId, string? RagaSet, string? TalaId, string? DeityId, string? KshetraId, long? DuplicateOf, double Quality,
        JsonElement Decisions, JsonElement DuplicateFlags, JsonElement QualityReasons, IReadOnlyList<long> ManifestRows);

    public static async Task<Summary> SummaryAsync(Db db, long batchId, CancellationToken ct = default)
    {
        _ = await Batches.GetAsync(db, batchId, ct) ?? throw new BatchNotFoundException(batchId);
        return await db.ReadAsync(async c =>
        {
            var counts = await c.QuerySingleAsync<(long Pages, long Resolved, long Review, long Dups, double? Quality)>("""
                SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'resolved' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = 'needs_review' THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN duplicate_of IS NOT NULL THEN 1 ELSE 0 END), 0), AVG(quality)
                  FROM staged_import WHERE batch_id = @batchId
                """, new { batchId });
            var rows = (await c.QueryAsync<(string Status, long Rows)>("""
                SELECT s.status, COUNT(*) FROM staged_import s JOIN staged_import_row r ON r.staged_import_id = s.id
                 WHERE s.batch_id = @batchId GROUP BY s.status
                """, new { batchId })).ToDictionary(x => x.Status, x => x.Rows);
            var flags = (await c.QueryAsync<string>("SELECT duplicate_flags FROM staged_import WHERE batch_id = @batchId AND duplicate_flags <> '[]'", new { batchId }))
                .SelectMany(j => JsonSerializer.Deserialize<List<DuplicateFlag>>(j, EngineJson.Options) ?? []).ToList();

            var review = (await c.QueryAsync<(long Id, string Kind, string Input, string InputKey, long Rows, long ImportId, string Candidates)>("""
                SELECT d.id, d.kind, d.input, d.input_key, CAST(d.rows AS BIGINT), d.staged_import_id, d.candidates FROM resolution_decision d
                  JOIN staged_import s ON s.id = d.staged_import_id
                 WHERE d.batch_id = @batchId AND d.decision IN ('needs_review', 'unknown') AND s.status = 'needs_review'
                 ORDER BY d.id
                """, new { batchId }))
                .GroupBy(x => (x.Kind, x.InputKey))
                .Select(g => new ReviewName(g.Key.Kind, g.First().Input.Length == 0 ? "(none given)" : g.First().Input, g.Key.InputKey,
                    // A name on the page and in the manifest cell of one import counts that import's rows once.
                    g.GroupBy(x => x.ImportId).Sum(i => i.Max(x => x.Rows)), g.Select(x => x.ImportId).Distinct().LongCount(), JsonDocument.Parse(g.Last().Candidates).RootElement.Clone()))
                .OrderByDescending(r => r.Rows).ThenBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
                .ToList();

            var groups = (await c.QueryAsync<(long Id, string WorkKey, string? Title)>("""
                SELECT id, work_key, title FROM staged_import
                 WHERE batch_id = @batchId AND work_key IN (SELECT work_key FROM staged_import WHERE batch_id = @batchId AND duplicate_of IS NOT NULL)
                 ORDER BY id
                """, new { batchId }))
                .GroupBy(x => x.WorkKey).Select(g => new DuplicateGroup(g.Key, g.First().Title, g.Select(x => x.Id).ToList())).ToList();

            return new Summary(batchId, counts.Pages, counts.Resolved, counts.Review,
                rows.GetValueOrDefault(StagedImports.Resolved), rows.GetValueOrDefault(StagedImports.NeedsReview),
                counts.Dups, flags.Count(f => f.Kind == "near_duplicate"), flags.Count(f => f.Kind == "in_catalog"),
                Math.Round(counts.Quality ?? 0, 4),
                review.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.LongCount()),
                review, groups);
        }, ct);
    }

    /// <summary>Staged imports of a batch, keyset-paged by id; optionally only one status.</summary>
    public static async Task<IReadOnlyList<StagedImportView>> StagedAsync(Db db, long batchId, string? status, long afterId, int limit, CancellationToken ct = default) =>
        await db.ReadAsync(async c =>
        {
            var list = (await c.QueryAsync<StagedRow>("""
                SELECT id AS Id, batch_id AS BatchId, task_id AS TaskId, url AS Url, extraction_id AS ExtractionId, status AS Status, title AS Title,
                       composer_id AS ComposerId, raga_set AS RagaSet, tala_id AS TalaId, deity_id AS DeityId, kshetra_id AS KshetraId,
                       duplicate_of AS DuplicateOf, quality AS Quality, decisions AS Decisions, duplicate_flags AS DuplicateFlags, quality_reasons AS QualityReasons
                  FROM staged_import WHERE batch_id = @batchId AND (@status IS NULL OR status = @status) AND id > @afterId ORDER BY id LIMIT @limit
                """, new { batchId, status, afterId, limit })).ToList();
            var ids = list.Select(x => x.Id).ToArray();
            var rowMap = ids.Length == 0 ? [] : (await c.QueryAsync<(long ImportId, long RowId)>(
                $"SELECT staged_import_id, manifest_row_id FROM staged_import_row WHERE staged_import_id IN ({string.Join(',', ids)}) ORDER BY manifest_row_id"))
                .GroupBy(x => x.ImportId).ToDictionary(g => g.Key, g => (IReadOnlyList<long>)g.Select(x => x.RowId).ToList());
            return (IReadOnlyList<StagedImportView>)list.Select(x => new StagedImportView(x.Id, x.BatchId, x.TaskId, x.Url, x.ExtractionId, x.Status, x.Title,
                x.ComposerId, x.RagaSet, x.TalaId, x.DeityId, x.KshetraId, x.DuplicateOf, x.Quality,
                Parse(x.Decisions), Parse(x.DuplicateFlags), Parse(x.QualityReasons), rowMap.GetValueOrDefault(x.Id) ?? [])).ToList();
        }, ct);

    static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    sealed class StagedRow
    {
        public long Id { get; set; }
        public long BatchId { get; set; }
        public long? TaskId { get; set; }
        public string Url { get; set; } = "";
        public long ExtractionId { get; set; }
        public string Status { get; set; } = "";
        public string? Title { get; set; }
        public string? ComposerId { get; set; }
        public string? RagaSet { get; set; }
        public string? TalaId { get; set; }
        public string? DeityId { get; set; }
        public string? KshetraId { get; set; }
        public long? DuplicateOf { get; set; }
        public double Quality { get; set; }
        public string Decisions { get; set; } = "[]";
        public string DuplicateFlags { get; set; } = "[]";
        public string QualityReasons { get; set; } = "[]";
    }
}
