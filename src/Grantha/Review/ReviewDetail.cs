using System.Text.Json;
using Dapper;
using Grantha.Catalog;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Resolve;

namespace Grantha.Review;

/// <summary>One field of a staged import beside the same field of a krithi already in the catalog.</summary>
public sealed record FieldDifference(string Field, object? Staged, object? Krithi, bool Same);

/// <summary>A krithi that may be the same work, with every field compared.</summary>
public sealed record CatalogCandidate(long KrithiId, long Version, string Title, string Why, IReadOnlyList<FieldDifference> Fields);

/// <summary>
/// Everything a curator needs to decide on one import, in one answer: the queue row, the manifest rows it
/// came from, the extraction (sections in every script, warnings), each name's decision with candidates,
/// what approval would write, krithis that may be the same work (field by field), duplicate flags, the
/// last decision and its history, and where to read the stored page (served inert).
/// </summary>
public sealed record ReviewDetail(
    ReviewItem Import, string ResolveStatus, IReadOnlyList<ManifestSource> ManifestRows, JsonElement Decisions, IReadOnlyList<MissingName> Missing,
    JsonElement DuplicateFlags, JsonElement QualityReasons, ExtractedPage? Extraction, IReadOnlyList<ExtractWarning> Warnings,
    KrithiDraft Draft, IReadOnlyList<CatalogCandidate> CatalogCandidates, JsonElement? Outcome, IReadOnlyList<Event> History, string PageUrl, string? PageSha256);

public static class ReviewDetails
{
    /// <summary>The route that serves an import's stored page inert (see ReviewApi).</summary>
    public static string PagePath(long id) => $"/v1/admin/review/{id}/page";

    public static Task<ReviewDetail?> GetAsync(Db db, long id, CancellationToken ct = default) => db.ReadAsync(async c =>
    {
        // The queue's row and what only the detail shows, in one read.
        var row = await c.QuerySingleOrDefaultAsync<DetailRow>($"""
            SELECT {ReviewQueue.ItemColumns}, s.status AS ResolveStatus, s.decisions AS AllDecisions, s.duplicate_flags AS DuplicateFlags,
                   s.quality_reasons AS QualityReasons, s.review_outcome AS Outcome
              FROM staged_import s WHERE s.id = @id
            """, new { id });
        if (row is null) return null;
        var rows = StagedImports.Sources(await c.QueryAsync<StagedImports.ManifestRowRead>("""
            SELECT r.id AS Id, f.name AS FileName, r.row_number AS RowNumber, r.krithi AS Krithi, r.raga AS Raga
              FROM staged_import_row sr JOIN manifest_row r ON r.id = sr.manifest_row_id JOIN manifest_file f ON f.id = r.manifest_file_id
             WHERE sr.staged_import_id = @id ORDER BY r.id
            """, new { id }));
        var staged = await KrithiDrafts.FromStagedImportAsync(c, null, id);
        var extraction = staged?.Extraction;
        var draft = staged?.Draft ?? new KrithiDraft();
        var names = await KrithiStore.NamesAsync(db.Dialect, c, null, [draft, new KrithiDraft { ComposerId = row.ComposerId, TalaId = row.TalaId,
            Ragas = row.RagaIds.Select(r => new KrithiRaga(r)).ToList() }]);

        var candidates = new List<CatalogCandidate>();
        // Krithis that may be this work: the same work key (composer, title, ragas), or the same title key.
        var found = (await c.QueryAsync<(long Id, string WorkKey, string TitleKey)>("""
            SELECT id, COALESCE(work_key, ''), title_key FROM krithi
             WHERE status = 'active' AND ((@workKey IS NOT NULL AND work_key = @workKey) OR title_key = @titleKey)
             ORDER BY id LIMIT 10
            """, new { workKey = draft.WorkKey, titleKey = draft.TitleKey })).ToList();
        foreach (var k in found)
            if (await KrithiStore.LoadAsync(c, null, k.Id) is { } krithi)
                candidates.Add(new CatalogCandidate(k.Id, krithi.Version, krithi.Title,
                    k.WorkKey == draft.WorkKey ? "same composer, title and ragas" : "same title", Compare(draft, krithi.ToDraft())));

        var history = (await c.QueryAsync<Event>("""
            SELECT id, batch_id, job_id, task_id, kind, actor, at, data FROM event
             WHERE batch_id = @batchId AND kind LIKE 'review\_%' ESCAPE '\' AND data LIKE @needle ORDER BY id
            """, new { batchId = row.BatchId, needle = $"%\"stagedImportId\":{id},%" })).ToList();

        return new ReviewDetail(row.ToItem(names), row.ResolveStatus, rows, Parse(row.AllDecisions).GetProperty("names"), Reviews.MissingNames(row.AllDecisions),
            Parse(row.DuplicateFlags), Parse(row.QualityReasons), extraction?.Page, extraction?.Page?.Warnings ?? [],
            draft, candidates, row.Outcome is null ? null : Parse(row.Outcome), history, PagePath(id), staged?.Source.ContentSha256);
    }, ct);

    /// <summary>Field by field: what approving would write against what the krithi holds.</summary>
    public static IReadOnlyList<FieldDifference> Compare(KrithiDraft staged, KrithiDraft krithi)
    {
        FieldDifference F(string field, object? a, object? b) => new(field, a, b, Equals(a, b));
        string Ragas(KrithiDraft d) => string.Join(" + ", d.Ragas.Select(r => r.RagaId));
        string Scripts(KrithiDraft d) => string.Join(", ", d.Lyrics.Select(l => l.Script));
        return
        [
            F("title", staged.Title, krithi.Title), F("composer", staged.ComposerId, krithi.ComposerId), F("ragas", Ragas(staged), Ragas(krithi)),
            F("tala", staged.TalaId, krithi.TalaId), F("deity", staged.DeityId, krithi.DeityId), F("kshetra", staged.KshetraId, krithi.KshetraId),
            F("form", staged.Form, krithi.Form), F("scripts", Scripts(staged), Scripts(krithi)),
            F("sections", staged.Lyrics.FirstOrDefault()?.Sections.Count ?? 0, krithi.Lyrics.FirstOrDefault()?.Sections.Count ?? 0),
        ];
    }

    static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    sealed class DetailRow : ReviewQueue.Row
    {
        public string ResolveStatus { get; set; } = "";
        public string AllDecisions { get; set; } = "{}";
        public string DuplicateFlags { get; set; } = "[]";
        public string QualityReasons { get; set; } = "[]";
        public string? Outcome { get; set; }
    }
}
