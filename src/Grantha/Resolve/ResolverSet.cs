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
    public static ResolverSet CreateDefault() => new(RagaResolver.CreateDefault(), CreateResolver(ReferenceKinds.Tala),
        CreateResolver(ReferenceKinds.Composer), CreateResolver(ReferenceKinds.Deity), CreateResolver(ReferenceKinds.Kshetra));

    /// <summary>A resolver over a catalog written in code (tala, composer, deity, kshetra), reading names as the catalog does.</summary>
    public static Resolver CreateResolver(string kind, ResolverThresholds? thresholds = null)
    {
        IEnumerable<ResolverEntry> entries = kind switch
        {
            ReferenceKinds.Tala => TalaCatalog.All.Select(t => new ResolverEntry(t.Id, t.Name, t.Names)),
            ReferenceKinds.Composer => ComposerCatalog.All.Select(c => new ResolverEntry(c.Id, c.Name, c.Names)),
            ReferenceKinds.Deity => DeityCatalog.All.Select(d => new ResolverEntry(d.Id, d.Name, d.Names)),
            ReferenceKinds.Kshetra => KshetraCatalog.All.Select(k => new ResolverEntry(k.Id, k.Name, k.Names)),
            _ => throw new ArgumentException($"No catalog in code for kind '{kind}'.", nameof(kind)),
        };
        return new Resolver(kind, entries, ReferenceKinds.GenericWords(kind), thresholds, ReferenceKinds.LeadingWords(kind));
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
