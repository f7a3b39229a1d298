using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>
/// The resolvers of every entity kind the RESOLVE stage names (<see cref="ReferenceKinds"/>): raga, tala,
/// composer, deity, kshetra. Built from the reference catalogs; curator synonyms and aliases are added on
/// top (see <see cref="ResolverStore"/>).
/// </summary>
public sealed class ResolverSet(RagaResolver ragas, Resolver talas, Resolver composers, Resolver deities, Resolver kshetras)
{
    public RagaResolver Ragas { get; } = ragas;
    public Resolver Talas { get; } = talas;
    public Resolver Composers { get; } = composers;
    public Resolver Deities { get; } = deities;
    public Resolver Kshetras { get; } = kshetras;

    /// <summary>Everything from ../shared/reference/ragas.csv, the shipped synonym table and the catalogs in code.</summary>
    public static ResolverSet CreateDefault() => Create(RagaCatalog.LoadShared(), RagaSynonyms.LoadDefault(), CuratedCatalog.None);

    /// <summary>The shipped catalogs with what curators added and merged (Reference/Curation, read from the database).</summary>
    public static ResolverSet Create(RagaCatalog ragas, RagaSynonyms synonyms, CuratedCatalog curated) =>
        new(new RagaResolver(ragas, synonyms, curated: curated), CreateResolver(ReferenceKinds.Tala, curated: curated),
            CreateResolver(ReferenceKinds.Composer, curated: curated), CreateResolver(ReferenceKinds.Deity, curated: curated),
            CreateResolver(ReferenceKinds.Kshetra, curated: curated));

    /// <summary>A resolver over a catalog written in code (tala, composer, deity, kshetra), reading names as the catalog does,
    /// with the entities curators added (a shipped id wins over a curator's) and their merges.</summary>
    public static Resolver CreateResolver(string kind, ResolverThresholds? thresholds = null, CuratedCatalog? curated = null)
    {
        IEnumerable<ResolverEntry> shipped = kind switch
        {
            ReferenceKinds.Tala => TalaCatalog.All.Select(t => new ResolverEntry(t.Id, t.Name, t.Names)),
            ReferenceKinds.Composer => ComposerCatalog.All.Select(c => new ResolverEntry(c.Id, c.Name, c.Names)),
            ReferenceKinds.Deity => DeityCatalog.All.Select(d => new ResolverEntry(d.Id, d.Name, d.Names)),
            ReferenceKinds.Kshetra => KshetraCatalog.All.Select(k => new ResolverEntry(k.Id, k.Name, k.Names)),
            _ => throw new ArgumentException($"No catalog in code for kind '{kind}'.", nameof(kind)),
        };
        curated ??= CuratedCatalog.None;
        var entries = shipped.ToList();
        var ids = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        entries.AddRange(curated.AddedOf(kind).Where(e => !ids.Contains(e.Id)).Select(e => new ResolverEntry(e.Id, e.Name, e.Names, e.Qualifier)));
        return new Resolver(kind, entries, ReferenceKinds.GenericWords(kind), thresholds, ReferenceKinds.LeadingWords(kind), MergesAmong(curated, kind, entries));
    }

    /// <summary>The merges of a kind whose two ends are both among the entries (a row the code no longer ships is left out, not an error).</summary>
    internal static IReadOnlyDictionary<string, string> MergesAmong(CuratedCatalog curated, string kind, IReadOnlyList<ResolverEntry> entries)
    {
        var ids = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        return curated.MergesOf(kind).Where(m => ids.Contains(m.Key) && ids.Contains(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
    }

    /// <summary>The generic resolver of a kind (for ragas: the one inside <see cref="RagaResolver"/>).</summary>
    public Resolver For(string kind) => kind switch
    {
        ReferenceKinds.Raga => Ragas.Inner,
        ReferenceKinds.Tala => Talas,
        ReferenceKinds.Composer => Composers,
        ReferenceKinds.Deity => Deities,
        ReferenceKinds.Kshetra => Kshetras,
        _ => throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind), nameof(kind)),
    };

    /// <summary>Resolves one name of a kind (ragas: ragamalika is recognised).</summary>
    public Resolution Resolve(string kind, string name) => kind == ReferenceKinds.Raga ? Ragas.Resolve(name) : For(kind).Resolve(name);

    public void AddAlias(string kind, string input, string id) => For(kind).AddAlias(input, id);

    public bool AddSynonym(string kind, string name, string id) => For(kind).AddSynonym(name, id);
}
