using System.Text.Json.Serialization;
using Grantha.Extract;
using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>A manifest row a page came from (a URL listed twice has two).</summary>
public sealed record ManifestSource(long Id, string FileName, int RowNumber, string? Krithi, string? Raga);

/// <summary>Where a name was read: the manifest's raga cell or the page.</summary>
public static class NameSource
{
    public const string Manifest = "manifest";
    public const string Page = "page";
}

/// <summary>The outcome of one name on one page, as stored and shown to reviewers.</summary>
public static class NameStatus
{
    public const string Matched = "matched";
    public const string NeedsReview = "needs_review";
    public const string Unknown = "unknown";
    /// <summary>The manifest cell says ragamalika; the page's raga list is resolved instead.</summary>
    public const string Ragamalika = "ragamalika";
    /// <summary>Not resolved, but the other source named the raga and resolved: not blocking, lowers quality.</summary>
    public const string Superseded = "superseded";
}

/// <param name="Rows">How many of the page's manifest rows carry this name.</param>
/// <param name="Blocking">True when this name keeps the page from being resolved: a curator must choose.</param>
public sealed record NameDecision(string Kind, string Source, string Input, string InputKey, string Status, Resolution Resolution, int Rows, bool Blocking);

/// <summary>One thing that lowered the quality score and by how much.</summary>
public sealed record QualityReason(string Code, string Message, double Penalty);

/// <summary>What the RESOLVE stage concluded about one page.</summary>
public sealed record PageResolution
{
    public string? Title { get; init; }
    public string TitleKey { get; init; } = "";
    public string? ComposerId { get; init; }
    /// <summary>The work's ragas in page order (for a ragamalika, section order).</summary>
    public IReadOnlyList<EntityRef> Ragas { get; init; } = [];
    public string? TalaId { get; init; }
    public string? DeityId { get; init; }
    public string? KshetraId { get; init; }
    public IReadOnlyList<NameDecision> Decisions { get; init; } = [];
    public double Quality { get; init; }
    public IReadOnlyList<QualityReason> QualityReasons { get; init; } = [];

    [JsonIgnore] public bool NeedsReview => Decisions.Any(d => d.Blocking);

    /// <summary>The raga set as stored: sorted ids joined with '+' (order-free, so a reordered ragamalika is the same set).</summary>
    public string RagaSet => string.Join('+', Ragas.Select(r => r.Id).Distinct().Order(StringComparer.Ordinal));

    /// <summary>The de-duplication key: (composer, title key, raga set); null when a part is unknown.</summary>
    public string? WorkKey => ComposerId is null || TitleKey.Length == 0 || Ragas.Count == 0 || NeedsReview ? null : $"{ComposerId}|{TitleKey}|{RagaSet}";
}

/// <summary>
/// Resolves every name a page carries — composer, raga(s), tala, deity, kshetra — with the manifest's raga
/// cell beside the page's: agreement is the normal case, disagreement a warning, and a name that resolves
/// nowhere blocks the page for review. Pure: no database; the quality score says what lowered it.
/// </summary>
public static class PageResolver
{
    /// <summary>Penalties of the quality score: 1 minus the extraction's shortfall (reason "extraction") minus these.</summary>
    public static class Penalty
    {
        public const double NeedsReview = 0.20;
        public const double RagaDisagreement = 0.10;
        public const double ManifestRagaUnresolved = 0.05;
        public const double NoComposer = 0.15;
        public const double NoTala = 0.05;
        public const double Fuzzy = 0.02;
        public const double NoTitle = 0.10;
    }

    public static PageResolution Resolve(ResolverSet set, ExtractedPage page, IReadOnlyList<ManifestSource> rows)
    {
        var decisions = new List<NameDecision>();
        var reasons = new List<QualityReason>();
        var allRows = Math.Max(rows.Count, 1);

        NameDecision Decide(string kind, string source, string input, Resolution r, int rowCount)
        {
            var status = r.Decision switch
            {
                Decision.Matched => NameStatus.Matched,
                Decision.Ragamalika => NameStatus.Ragamalika,
                Decision.NeedsReview => NameStatus.NeedsReview,
                _ => NameStatus.Unknown,
            };
            var blocking = status is NameStatus.NeedsReview or NameStatus.Unknown;
            return new NameDecision(kind, source, input, set.For(kind).Parse(input).FullKey, status, r, rowCount, blocking);
        }

        EntityRef? Single(string kind, string? name)
        {
            if (string.IsNullOrWhiteSpace(name)) return null;
            var d = Decide(kind, NameSource.Page, name.Trim(), set.Resolve(kind, name.Trim()), allRows);
            decisions.Add(d);
            if (d.Resolution.Candidates.FirstOrDefault() is { Reason: MatchReason.Fuzzy } && d.Status == NameStatus.Matched)
                reasons.Add(new QualityReason("fuzzy_" + kind, $"{kind} '{name}' matched {d.Resolution.Match!.Name} by spelling distance", Penalty.Fuzzy));
            return d.Status == NameStatus.Matched ? d.Resolution.Match : null;
        }

        // Composer, tala, deity, kshetra: from the page only.
        var composer = Single(ComposerCatalog.Kind, page.Composer);
        if (page.Composer is null) reasons.Add(new QualityReason("no_composer", "the page names no composer", Penalty.NoComposer));
        var tala = Single(TalaCatalog.Kind, page.Tala);
        if (page.Tala is null) reasons.Add(new QualityReason("no_tala", "the page names no tala", Penalty.NoTala));
        var deity = Single(DeityCatalog.Kind, page.Deity);
        var kshetra = Single(KshetraCatalog.Kind, page.Kshetra);

        var ragas = ResolveRagas(set, page, rows, decisions, reasons, Decide);

        var title = string.IsNullOrWhiteSpace(page.Title) ? rows.Select(r => r.Krithi).FirstOrDefault(k => !string.IsNullOrWhiteSpace(k)) : page.Title;
        if (string.IsNullOrWhiteSpace(page.Title)) reasons.Add(new QualityReason("no_title", "the page gives no title; the manifest's is used", Penalty.NoTitle));
        // One penalty per blocking name, even when the manifest and the page both carry it.
        foreach (var d in decisions.Where(d => d.Blocking).GroupBy(d => (d.Kind, d.InputKey)).Select(g => g.First()))
            reasons.Add(new QualityReason("needs_review",
                $"{d.Kind} '{d.Input}' {(d.Status == NameStatus.Unknown ? "is not in the catalog" : "needs review")}", Penalty.NeedsReview));
        // The extraction's own doubts come first: its warnings are what its confidence paid for.
        if (page.Confidence < 1)
            reasons.Insert(0, new QualityReason("extraction",
                page.Warnings.Count == 0 ? "the extraction was not fully confident" : $"extraction warnings: {string.Join(", ", page.Warnings.Select(w => w.Code).Distinct())}",
                Math.Round(1 - page.Confidence, 4)));

        var quality = Math.Clamp(1 - reasons.Sum(r => r.Penalty), 0, 1);
        return new PageResolution
        {
            Title = title,
            TitleKey = title is null ? "" : NameKey.Parse(title).Key,
            ComposerId = composer?.Id,
            Ragas = ragas,
            TalaId = tala?.Id,
            DeityId = deity?.Id,
            KshetraId = kshetra?.Id,
            Decisions = decisions,
            Quality = Math.Round(quality, 4),
            QualityReasons = reasons,
        };
    }

    static IReadOnlyList<EntityRef> ResolveRagas(ResolverSet set, ExtractedPage page, IReadOnlyList<ManifestSource> rows,
        List<NameDecision> decisions, List<QualityReason> reasons, Func<string, string, string, Resolution, int, NameDecision> decide)
    {
        const string kind = RagaResolver.Kind;
        var allRows = Math.Max(rows.Count, 1);

        // The manifest's cells (usually one distinct cell per page), each possibly composite.
        var manifest = new List<NameDecision>();
        foreach (var cell in rows.Where(r => !string.IsNullOrWhiteSpace(r.Raga)).GroupBy(r => r.Raga!.Trim(), StringComparer.Ordinal))
            foreach (var r in set.Ragas.ResolveCell(cell.Key))
                manifest.Add(decide(kind, NameSource.Manifest, r.Input, r, cell.Count()));
        var ragamalika = manifest.Any(d => d.Status == NameStatus.Ragamalika);

        var pageNames = page.Ragas.Where(r => !string.IsNullOrWhiteSpace(r.Name)).OrderBy(r => r.SectionOrder ?? 0).ToList();
        var fromPage = new List<NameDecision>();
        foreach (var r in pageNames)
            foreach (var res in set.Ragas.ResolveCell(r.Name))
                if (res.Decision != Decision.Ragamalika) fromPage.Add(decide(kind, NameSource.Page, res.Input, res, allRows));

        static bool AllMatched(List<NameDecision> ds) => ds.Count > 0 && ds.All(d => d.Status == NameStatus.Matched);
        var manifestNamed = manifest.Where(d => d.Status != NameStatus.Ragamalika).ToList();
        IReadOnlyList<EntityRef> chosen;

        if (ragamalika)
        {
            // A ragamalika's ragas are the page's list, section by section; without it a person must say.
            decisions.AddRange(manifest);
            decisions.AddRange(fromPage);
            if (fromPage.Count == 0)
            {
                var cell = manifest.First(d => d.Status == NameStatus.Ragamalika);
                decisions.Remove(cell);
                decisions.Add(cell with { Status = NameStatus.NeedsReview, Blocking = true });
                return [];
            }
            return AllMatched(fromPage) ? Distinct(fromPage) : [];
        }

        if (AllMatched(manifestNamed))
        {
            chosen = Distinct(manifestNamed);
            decisions.AddRange(manifestNamed);
            // The page's raga only confirms or warns: it never blocks a page whose manifest raga resolved.
            foreach (var p in fromPage) decisions.Add(p.Blocking ? p with { Status = NameStatus.Superseded, Blocking = false } : p);
            if (AllMatched(fromPage) && !SameSet(set, chosen, Distinct(fromPage)))
                reasons.Add(new QualityReason("raga_disagreement",
                    $"the manifest says {string.Join(" + ", chosen.Select(c => c.Name))}, the page {string.Join(" + ", Distinct(fromPage).Select(c => c.Name))}", Penalty.RagaDisagreement));
            return chosen;
        }

        if (AllMatched(fromPage))
        {
            chosen = Distinct(fromPage);
            decisions.AddRange(fromPage);
            foreach (var m in manifestNamed) decisions.Add(m.Blocking ? m with { Status = NameStatus.Superseded, Blocking = false } : m);
            if (manifestNamed.Count > 0)
                reasons.Add(new QualityReason("manifest_raga_unresolved",
                    $"the manifest's raga '{string.Join(", ", manifestNamed.Where(m => m.Status != NameStatus.Matched).Select(m => m.Input))}' did not resolve; the page's {string.Join(" + ", chosen.Select(c => c.Name))} is used",
                    Penalty.ManifestRagaUnresolved));
            return chosen;
        }

        // Neither source resolved completely: every unresolved name goes to review.
        decisions.AddRange(manifestNamed);
        decisions.AddRange(fromPage);
        if (manifestNamed.Count == 0 && fromPage.Count == 0)
            decisions.Add(new NameDecision(kind, NameSource.Manifest, "", "", NameStatus.Unknown,
                new Resolution("", kind, Decision.Unknown, null, []), allRows, true));
        return [];
    }

    static IReadOnlyList<EntityRef> Distinct(IEnumerable<NameDecision> ds) =>
        ds.Where(d => d.Resolution.Match is not null).Select(d => d.Resolution.Match!).DistinctBy(m => m.Id).ToList();

    static bool SameSet(ResolverSet set, IReadOnlyList<EntityRef> a, IReadOnlyList<EntityRef> b) =>
        a.Count == b.Count && a.All(x => b.Any(y => set.Ragas.Catalog.SameRaga(x.Id, y.Id)));
}
