namespace Grantha.Reference;

/// <summary>
/// The kinds of entity in the reference catalog, and how names of each kind are read: trailing words that
/// only say what kind of name it is ("rAgaM", "tALaM") and honorifics before a deity's name. The seed's name
/// keys and the resolvers read names through this one rule, so a stored key is the key a resolver computes.
/// </summary>
public static class ReferenceKinds
{
    public const string Raga = RagaCatalog.Kind, Tala = TalaCatalog.Kind, Composer = ComposerCatalog.Kind,
        Deity = DeityCatalog.Kind, Kshetra = KshetraCatalog.Kind;

    public static readonly IReadOnlyList<string> All = [Raga, Tala, Composer, Deity, Kshetra];

    public static bool IsKind(string kind) => All.Contains(kind);

    public static string UnknownKindMessage(string kind) => $"Unknown kind '{kind}': use one of {string.Join(", ", All)}.";

    /// <summary>Trailing words dropped from a name of this kind when another word remains.</summary>
    public static IReadOnlyCollection<string>? GenericWords(string kind) => kind switch
    {
        Raga => NameKey.RagaGenericWords,
        Tala => NameKey.TalaGenericWords,
        _ => null,
    };

    /// <summary>Words dropped before a name of this kind when a name follows them.</summary>
    public static IReadOnlyCollection<string>? LeadingWords(string kind) => kind == Deity ? DeityCatalog.Honorifics : null;

    /// <summary>The key parts of a name of this kind.</summary>
    public static NameKeyParts Parse(string kind, string name) => NameKey.Parse(name, GenericWords(kind), LeadingWords(kind));
}
