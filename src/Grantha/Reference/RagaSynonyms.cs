using System.Text.Json;

namespace Grantha.Reference;

/// <summary>One musicological synonym: <paramref name="Name"/> is another name of the catalog raga <paramref name="Raga"/>.</summary>
/// <param name="Raga">The catalog name exactly as in ragas.csv (or its display name).</param>
public sealed record RagaSynonym(string Raga, string Name, string? Note);

/// <summary>
/// The curated synonym table, Reference/raga-synonyms.json (copied beside the binaries). Each entry says
/// that some names denote the same raga as a catalog raga: only real synonyms belong here, never a
/// misspelling seen in one manifest (that is an alias, a curator's choice at run time).
/// </summary>
public sealed class RagaSynonyms
{
    public const string FileName = "raga-synonyms.json";
    static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    readonly List<RagaSynonym> _all;

    public RagaSynonyms(IEnumerable<RagaSynonym> synonyms) => _all = synonyms.ToList();

    public IReadOnlyList<RagaSynonym> All => _all;

    /// <summary>Adds one to the table (it takes effect for resolvers built from the table afterwards;
    /// a live resolver is given the synonym by its own AddSynonym).</summary>
    public void Add(string raga, string name, string? note = null) => _all.Add(new RagaSynonym(raga, name, note));

    /// <summary>The default path: Reference/raga-synonyms.json beside the application.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Reference", FileName);

    public static RagaSynonyms LoadDefault() => Load(DefaultPath);

    public static RagaSynonyms Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The raga synonym table was not found at {path}.", path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    public static RagaSynonyms Load(Stream json, string source = FileName)
    {
        List<Entry>? entries;
        try { entries = JsonSerializer.Deserialize<List<Entry>>(json, Json); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not a valid synonym table ({e.Message}).", e); }
        var list = new List<RagaSynonym>();
        foreach (var (e, i) in (entries ?? []).Select((e, i) => (e, i + 1)))
        {
            if (string.IsNullOrWhiteSpace(e.Raga) || e.Names is null || e.Names.Count == 0)
                throw new InvalidDataException($"{source}: entry {i} needs \"raga\" and at least one of \"names\".");
            list.AddRange(e.Names.Select(n => new RagaSynonym(e.Raga.Trim(), n.Trim(), e.Note)));
        }
        return new RagaSynonyms(list);
    }

    sealed record Entry(string? Raga, List<string>? Names, string? Note);
}
