using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using nietras.SeparatedValues;

namespace Grantha.Reference;

/// <summary>One row of the reference list, as written.</summary>
public sealed record RagaRow(string Name, int? Melakarta, string? Parent, string Arohanam, string Avarohanam);

/// <summary>
/// A raga of the reference catalog.
/// </summary>
/// <param name="Id">Stable: a slug of the name (plus its note, if any), e.g. "kedaragowla", "shankara-hindustani".</param>
/// <param name="Name">Exactly as in ragas.csv (notes included): the name labels and reviewers use.</param>
/// <param name="DisplayName">The first name without notes: "Yamuna Kalyāni" for "Yamuna Kalyāni/Yaman Kalyan{Hindustani}".</param>
/// <param name="Names">Every name the row gives ("Malkosh /Malkauns" gives two).</param>
/// <param name="Qualifier">The note in braces, or after "cf.": "Hindustani", "cf. Mela 28&amp;43".</param>
/// <param name="ListingGroup">Set when the catalog lists the same raga more than once (same key and note, and the
/// same parent or the same scales: Sri / Shree); the id of the group's first row.</param>
public sealed record Raga(
    string Id, string Name, string DisplayName, IReadOnlyList<string> Names, string? Qualifier,
    int? Melakarta, string? ParentName, string? ParentId, string Arohanam, string Avarohanam, string? ListingGroup)
{
    public bool IsMelakarta => Melakarta is not null;
}

/// <summary>
/// The reference raga list (ragas.csv: name,melakarta,parent,arohanam,avarohanam), read once and kept in memory.
/// </summary>
public sealed partial class RagaCatalog
{
    public const string Kind = "raga";
    public const string FileName = "ragas.csv";
    static readonly string[] Columns = ["name", "melakarta", "parent", "arohanam", "avarohanam"];

    readonly Dictionary<string, Raga> _byId;
    readonly Dictionary<string, Raga> _byName;

    public RagaCatalog(IEnumerable<RagaRow> rows)
    {
        var list = rows.ToList();
        var ragas = new List<Raga>(list.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, line) in list.Select((r, i) => (r, i + 2)))
        {
            var (display, names, qualifier) = ParseName(row.Name);
            if (names.Count == 0) throw new InvalidDataException($"{FileName} line {line}: the raga name '{row.Name}' has no letters.");
            var id = Slug(qualifier is null ? display : $"{display} {qualifier}");
            if (!ids.Add(id)) { id = $"{id}-{line}"; ids.Add(id); }
            ragas.Add(new Raga(id, row.Name.Trim(), display, names, qualifier, row.Melakarta,
                string.IsNullOrWhiteSpace(row.Parent) ? null : row.Parent.Trim(), null,
                row.Arohanam.Trim(), row.Avarohanam.Trim(), null));
        }

        var byName = new Dictionary<string, Raga>(StringComparer.Ordinal);
        foreach (var r in ragas) byName.TryAdd(r.Name, r);
        ragas = ragas.Select(r => r with { ParentId = r.ParentName is { } p && byName.TryGetValue(p, out var parent) ? parent.Id : null }).ToList();
        ragas = MarkRepeatedListings(ragas);

        All = ragas;
        _byId = ragas.ToDictionary(r => r.Id, StringComparer.Ordinal);
        _byName = new Dictionary<string, Raga>(StringComparer.Ordinal);
        foreach (var r in ragas) _byName.TryAdd(r.Name, r);
        foreach (var r in ragas) _byName.TryAdd(r.DisplayName, r);
    }

    /// <summary>Every raga in file order.</summary>
    public IReadOnlyList<Raga> All { get; }

    public Raga? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The raga with exactly this name as written in ragas.csv (or its display name), or null.</summary>
    public Raga? FindByName(string name) => _byName.GetValueOrDefault(name.Trim());

    /// <summary>The raga a synonym of the table names; one that names no raga of this catalog is an error in the table.</summary>
    public Raga RagaOf(RagaSynonym synonym) => FindByName(synonym.Raga)
        ?? throw new InvalidDataException($"{RagaSynonyms.FileName}: the synonym '{synonym.Name}' points to '{synonym.Raga}', which is not a raga name in {FileName}.");

    /// <summary>True when both ids are the same raga: the same row or two listings of one raga.</summary>
    public bool SameRaga(string a, string b) =>
        a == b || (Find(a)?.ListingGroup is { } g && g == Find(b)?.ListingGroup);

    /// <summary>Reads ../shared/reference/ragas.csv.</summary>
    public static RagaCatalog LoadShared()
    {
        var path = Path.Combine(SharedFiles.ReferenceDir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"The reference raga list was not found at {path}.", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Load(reader);
    }

    public static RagaCatalog Load(TextReader text)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).From(text);
        foreach (var c in Columns)
            if (!reader.Header.ColNames.Contains(c))
                throw new InvalidDataException($"{FileName}: missing column '{c}' (expected {string.Join(",", Columns)}).");
        var rows = new List<RagaRow>();
        var line = 1;
        foreach (var row in reader)
        {
            line++;
            var mela = row["melakarta"].ToString().Trim();
            int? number = null;
            if (mela.Length > 0)
            {
                if (!int.TryParse(mela, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 72)
                    throw new InvalidDataException($"{FileName} line {line}: melakarta '{mela}' is not a number from 1 to 72.");
                number = n;
            }
            rows.Add(new RagaRow(row["name"].ToString(), number, row["parent"].ToString(), row["arohanam"].ToString(), row["avarohanam"].ToString()));
        }
        return new RagaCatalog(rows);
    }

    /// <summary>
    /// Reads a catalog name: notes in braces and after "cf." become the qualifier ("Hindolof Hindustani"
    /// reads as Hindol, Hindustani); "/" and a glued "or" separate alternative names ("Malharor Miyān ki Malhār").
    /// </summary>
    public static (string Display, IReadOnlyList<string> Names, string? Qualifier) ParseName(string raw)
    {
        var notes = new List<string>();
        var text = BraceRegex().Replace(raw, m => { notes.Add(m.Value[1..^1].Trim()); return " "; });
        text = CfRegex().Replace(text, m => { notes.Add(m.Value.Trim()); return " "; });
        text = OfHindustaniRegex().Replace(text, _ => { notes.Add("Hindustani"); return " "; });
        var names = GluedOrRegex().Replace(text, "/")
            .Split('/', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => SpaceRegex().Replace(n, " "))
            .Where(n => !NameKey.Parse(n).IsEmpty)
            .ToList();
        var qualifier = notes.Where(n => n.Length > 0).Distinct().ToList();
        return (names.FirstOrDefault() ?? "", names, qualifier.Count == 0 ? null : string.Join("; ", qualifier));
    }

    /// <summary>"Brindāvana Sāranga Hindustani" -> "brindavana-saranga-hindustani".</summary>
    public static string Slug(string text)
    {
        var words = SlugWordRegex().Matches(text).Select(m => NameKey.SpellingOf(m.Value)).Where(w => w.Length > 0);
        return string.Join('-', words);
    }

    /// <summary>The rule for one raga listed twice; see <see cref="Raga.ListingGroup"/>.</summary>
    static List<Raga> MarkRepeatedListings(List<Raga> ragas)
    {
        var group = new string?[ragas.Count];
        foreach (var same in ragas.Select((r, i) => (r, i)).GroupBy(x => (NameKey.Of(x.r.DisplayName), NameKey.Of(x.r.Qualifier ?? ""))))
        {
            var members = same.ToList();
            for (var a = 0; a < members.Count; a++)
                for (var b = a + 1; b < members.Count; b++)
                {
                    var (x, y) = (members[a].r, members[b].r);
                    var sameParent = x.ParentName is not null && x.ParentName == y.ParentName;
                    var sameScale = x.Arohanam == y.Arohanam && x.Avarohanam == y.Avarohanam;
                    if (!sameParent && !sameScale) continue;
                    var g = group[members[a].i] ?? group[members[b].i] ?? x.Id;
                    group[members[a].i] = g;
                    group[members[b].i] = g;
                }
        }
        return ragas.Select((r, i) => r with { ListingGroup = group[i] }).ToList();
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex BraceRegex();

    [GeneratedRegex(@"(?<=\p{L})cf\..*$|\bcf\..*$")]
    private static partial Regex CfRegex();

    [GeneratedRegex(@"\s*of\s+Hindustani\s*$")]
    private static partial Regex OfHindustaniRegex();

    [GeneratedRegex(@"(?<=\p{Ll})or (?=\p{Lu})")]
    private static partial Regex GluedOrRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpaceRegex();

    [GeneratedRegex(@"[\p{L}\p{M}\p{Nd}]+")]
    private static partial Regex SlugWordRegex();
}
