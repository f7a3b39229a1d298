using System.Data.Common;
using System.Text.Json;
using Dapper;
using Grantha.Extract;

namespace Grantha.Catalog;

/// <summary>
/// What approving a staged import would write: the draft, the source it records, and the import's
/// status and work key (the review decides what may be approved; this only reads).
/// </summary>
public sealed record StagedKrithiDraft(long StagedImportId, long BatchId, string Status, string? WorkKey, KrithiDraft Draft, KrithiSource Source)
{
    /// <summary>The extraction the draft was read from (null when it is gone), for a caller that shows it too.</summary>
    public StoredExtraction? Extraction { get; init; }
}

/// <summary>Builds krithi drafts from staged imports: the resolved ids of RESOLVE, the rest from the extraction.</summary>
public static class KrithiDrafts
{
    /// <summary>
    /// The draft of staged import <paramref name="stagedImportId"/> (null when there is none): title, ids and
    /// ragas in order as RESOLVE decided them (a ragamalika's with the section each is sung in), the display
    /// title, form, lyrics per script and gist, meaning and notes from its extraction. Lyrics in scripts the
    /// catalog does not keep (<see cref="KrithiScripts"/>) are left out.
    /// </summary>
    public static async Task<StagedKrithiDraft?> FromStagedImportAsync(DbConnection c, DbTransaction? tx, long stagedImportId)
    {
        var s = await c.QuerySingleOrDefaultAsync<StagedRow>("""
            SELECT id AS Id, batch_id AS BatchId, url AS Url, extraction_id AS ExtractionId, status AS Status, title AS Title, composer_id AS ComposerId,
                   tala_id AS TalaId, deity_id AS DeityId, kshetra_id AS KshetraId, work_key AS WorkKey, decisions AS Decisions
              FROM staged_import WHERE id = @stagedImportId
            """, new { stagedImportId }, tx);
        if (s is null) return null;
        var extraction = (await c.QuerySingleOrDefaultAsync<ExtractionStore.ReadRow>(ExtractionStore.ByIdSql, new { extractionId = s.ExtractionId }, tx))?.ToStored();
        var page = extraction?.Page;
        using var decisions = JsonDocument.Parse(s.Decisions);
        var draft = new KrithiDraft
        {
            Title = s.Title ?? "",
            DisplayTitle = page?.DisplayTitle,
            ComposerId = s.ComposerId,
            Form = page?.Form,
            TalaId = s.TalaId,
            DeityId = s.DeityId,
            KshetraId = s.KshetraId,
            Ragas = Ragas(decisions.RootElement, page),
            Lyrics = page is null ? [] : Lyrics(page),
            Gist = page?.Gist,
            Meaning = page?.Meaning,
            Notes = page?.Notes,
        };
        var source = new KrithiSource(s.Url, s.BatchId, s.Id, s.ExtractionId, extraction is { Sha256.Length: > 0 } e ? e.Sha256 : null);
        return new StagedKrithiDraft(s.Id, s.BatchId, s.Status, s.WorkKey, draft, source) { Extraction = extraction };
    }

    /// <summary>
    /// The import's ragas in RESOLVE's order. For a ragamalika the page names a raga per section: that
    /// sequence is kept with its sections when each name resolved to one of the import's ragas.
    /// </summary>
    static IReadOnlyList<KrithiRaga> Ragas(JsonElement decisions, ExtractedPage? page)
    {
        var ordered = decisions.TryGetProperty("ragas", out var ragas)
            ? ragas.EnumerateArray().Select(r => r.GetProperty("id").GetString()).OfType<string>().ToList()
            : [];
        var sectioned = page?.Ragas.Where(r => r.SectionOrder is not null).OrderBy(r => r.SectionOrder).ToList() ?? [];
        if (sectioned.Count > 0 && decisions.TryGetProperty("names", out var names))
        {
            var matched = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var n in names.EnumerateArray())
                if (n.GetProperty("kind").GetString() == "raga" && n.GetProperty("source").GetString() == Resolve.NameSource.Page
                    && n.GetProperty("match") is { ValueKind: JsonValueKind.Object } m)
                    matched.TryAdd(n.GetProperty("input").GetString() ?? "", m.GetProperty("id").GetString()!);
            var bySection = sectioned.Select(r => matched.TryGetValue(r.Name.Trim(), out var id) ? new KrithiRaga(id, r.SectionOrder) : null).ToList();
            if (bySection.All(r => r is not null) && bySection.Select(r => r!.RagaId).ToHashSet().SetEquals(ordered))
                return bySection!;
        }
        return ordered.Select(id => new KrithiRaga(id)).ToList();
    }

    /// <summary>The extraction's aligned lyric per script: section n of every script is the page's section n.</summary>
    static IReadOnlyList<KrithiLyric> Lyrics(ExtractedPage page) =>
        page.Lyrics.Where(l => KrithiScripts.IsKnown(l.Script) && l.Sections.Any(t => t.Length > 0)).DistinctBy(l => l.Script)
            .Select(l => new KrithiLyric(l.Script, page.Sections.Select((s, i) => new KrithiSection(
                s.Order, s.Type.Code().ToLowerInvariant(), s.Number, i < l.Sections.Count ? l.Sections[i] : "", s.MadhyamaKalaLine)).ToList()))
            .ToList();

    sealed class StagedRow
    {
        public long Id { get; set; }
        public long BatchId { get; set; }
        public string Url { get; set; } = "";
        public long ExtractionId { get; set; }
        public string Status { get; set; } = "";
        public string? Title { get; set; }
        public string? ComposerId { get; set; }
        public string? TalaId { get; set; }
        public string? DeityId { get; set; }
        public string? KshetraId { get; set; }
        public string? WorkKey { get; set; }
        public string Decisions { get; set; } = "{}";
    }
}
