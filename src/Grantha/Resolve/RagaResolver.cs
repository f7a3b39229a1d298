using System.Text.RegularExpressions;
using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>
/// Resolves the raga cells of manifests and pages against the reference catalog: one
/// <see cref="Resolver"/> over the catalog's names and the synonym table, plus the two things only
/// raga cells have: ragamalika and composite cells.
/// </summary>
public sealed partial class RagaResolver
{
    public const string Kind = RagaCatalog.Kind;

    /// <summary>Keys that mean "garland of ragas": rAga mAlikA, Ragamalika, rAgamAlikai.</summary>
    static readonly HashSet<string> RagamalikaKeys = ["ragamalika"];

    readonly Resolver _resolver;
    readonly List<RagaSynonym> _skipped = [];

    /// <param name="curated">Ragas curators added (a shipped id wins over a curator's) and merges, from the database.</param>
    public RagaResolver(RagaCatalog catalog, RagaSynonyms? synonyms = null, ResolverThresholds? thresholds = null, CuratedCatalog? curated = null)
    {
        Catalog = catalog;
        curated ??= CuratedCatalog.None;
        var entries = catalog.All
            // The row's name as written is an own name too ("Malkosh /Malkauns" typed whole).
            .Select(r => new ResolverEntry(r.Id, r.Name, r.Names.Contains(r.Name) ? r.Names : [.. r.Names, r.Name], r.Qualifier, r.ListingGroup))
            .Concat(curated.AddedOf(Kind).Where(e => catalog.Find(e.Id) is null).Select(e => new ResolverEntry(e.Id, e.Name, e.Names, e.Qualifier)))
            .ToList();
        _resolver = new Resolver(Kind, entries, NameKey.RagaGenericWords, thresholds, mergedInto: ResolverSet.MergesAmong(curated, Kind, entries));
        var pairs = (synonyms?.All ?? []).Select(s => (Synonym: s, catalog.RagaOf(s).Id)).ToList();
        var refused = _resolver.AddSynonyms(pairs.Select(p => (p.Synonym.Name, p.Id))).ToHashSet();
        _skipped.AddRange(pairs.Where(p => refused.Contains((p.Synonym.Name, p.Id))).Select(p => p.Synonym));
    }

    /// <summary>The catalog from ../shared/reference/ragas.csv and the shipped synonym table.</summary>
    public static RagaResolver CreateDefault() => new(RagaCatalog.LoadShared(), RagaSynonyms.LoadDefault());

    public RagaCatalog Catalog { get; }

    /// <summary>The generic resolver over the catalog's names (no ragamalika or composite-cell rules).</summary>
    public Resolver Inner => _resolver;

    public ResolverThresholds Thresholds => _resolver.Thresholds;

    /// <summary>Synonyms not added because the catalog lists that name as a different raga (the catalog wins).</summary>
    public IReadOnlyList<RagaSynonym> SkippedSynonyms => _skipped;

    /// <summary>Resolves one raga name. "rAga mAlikA" gives <see cref="Decision.Ragamalika"/>.</summary>
    public Resolution Resolve(string input)
    {
        var parts = NameKey.Parse(input, NameKey.RagaGenericWords);
        if (RagamalikaKeys.Contains(parts.Key) || RagamalikaKeys.Contains(parts.FullKey))
            return new Resolution(input, Kind, Decision.Ragamalika, null, []);
        return _resolver.Resolve(input);
    }

    /// <summary>
    /// Resolves a manifest or page cell that may name several ragas. Separators: a spaced dash
    /// ("bhUpALaM - bhauLi"), comma, semicolon, slash, ampersand, "or". A bare hyphen joins words of one
    /// name unless the whole does not resolve and every part does ("rasALi-vanALi-vanAvaLi" is three names,
    /// "mAyA-mALava-gauLa" is one). Parts come back in order; an empty cell gives none.
    /// </summary>
    public IReadOnlyList<Resolution> ResolveCell(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var result = new List<Resolution>();
        foreach (var part in SeparatorRegex().Split(cell).Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (!part.Contains('-')) { result.Add(Resolve(part)); continue; }
            var whole = Resolve(part.Replace('-', ' '));
            if (whole.Decision is Decision.Matched or Decision.Ragamalika) { result.Add(whole); continue; }
            var pieces = part.Split('-', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Resolve).ToList();
            var split = pieces.Count > 1 && pieces.All(p => p.Decision != Decision.Unknown) && pieces.Any(p => p.Decision == Decision.Matched);
            if (split) result.AddRange(pieces); else result.Add(whole);
        }
        return result;
    }

    /// <summary>A curator's choice: this input (and anything with its key) now resolves to the raga, reason alias.</summary>
    public void AddAlias(string input, string ragaId) => _resolver.AddAlias(input, ragaId);

    /// <summary>Adds a synonym to this live resolver; false when the catalog lists the name as another raga.</summary>
    public bool AddSynonym(string name, string ragaId) => _resolver.AddSynonym(name, ragaId);

    [GeneratedRegex(@"\s+[-–—]+\s+|\s[-–—]+|[-–—]+\s|[,;/|&+]|\s+or\s+", RegexOptions.IgnoreCase)]
    private static partial Regex SeparatorRegex();
}
