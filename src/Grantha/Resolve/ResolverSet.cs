namespace Grantha.Resolve;

/// <summary>
/// The resolvers of every entity kind the RESOLVE stage names: raga, tala, composer, deity, kshetra.
/// Built from the reference catalogs; curator synonyms and aliases are added on top (see Catalog.CatalogStore).
/// </summary>
public sealed class ResolverSet(RagaResolver ragas, Resolver talas, Resolver composers, Resolver deities, Resolver kshetras)
{
    public const string Raga = RagaResolver.Kind, Tala = TalaCatalog.Kind, Composer = ComposerCatalog.Kind,
        Deity = DeityCatalog.Kind, Kshetra = KshetraCatalog.Kind;

    public static readonly IReadOnlyList<string> Kinds = [Raga, Tala, Composer, Deity, Kshetra];

    public RagaResolver Ragas { get; } = ragas;
    public Resolver Talas { get; } = talas;
    public Resolver Composers { get; } = composers;
    public Resolver Deities { get; } = deities;
    public Resolver Kshetras { get; } = kshetras;

    /// <summary>Everything from ../shared/reference/ragas.csv, the shipped synonym table and the catalogs in code.</summary>
    public static ResolverSet CreateDefault() => new(RagaResolver.CreateDefault(), TalaCatalog.CreateResolver(),
        ComposerCatalog.CreateResolver(), DeityCatalog.CreateResolver(), KshetraCatalog.CreateResolver());

    public static bool IsKind(string kind) => Kinds.Contains(kind);

    /// <summary>The generic resolver of a kind (for ragas: the one inside <see cref="RagaResolver"/>).</summary>
    public Resolver For(string kind) => kind switch
    {
        Raga => Ragas.Inner,
        Tala => Talas,
        Composer => Composers,
        Deity => Deities,
        Kshetra => Kshetras,
        _ => throw new ArgumentException($"Unknown kind '{kind}': use one of {string.Join(", ", Kinds)}.", nameof(kind)),
    };

    /// <summary>Resolves one name of a kind (ragas: ragamalika is recognised).</summary>
    public Resolution Resolve(string kind, string name) => kind == Raga ? Ragas.Resolve(name) : For(kind).Resolve(name);

    public void AddAlias(string kind, string input, string id) => For(kind).AddAlias(input, id);

    public bool AddSynonym(string kind, string name, string id) => For(kind).AddSynonym(name, id);
}
