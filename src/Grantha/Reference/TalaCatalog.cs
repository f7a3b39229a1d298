namespace Grantha.Reference;

/// <summary>A tala: a suladi tala (family x jati), a chapu tala, or a named variant (Desadi, Madhyadi).</summary>
/// <param name="Family">Dhruva, Matya, Rupaka, Jhampa, Triputa, Ata, Eka, Chapu, or the variant's own name.</param>
/// <param name="Jati">Tisra, Chatusra, Khanda, Misra, Sankeerna; null for variants.</param>
/// <param name="Aksharas">Beats in one cycle.</param>
public sealed record Tala(string Id, string Name, string Family, string? Jati, int Aksharas, IReadOnlyList<string> Names);

/// <summary>
/// The talas, written in code: 35 suladi talas (7 families x 5 jatis), 4 chapu talas, Desadi and Madhyadi.
/// A family named alone means its usual jati (Triputa = Tisra, Jhampa = Misra, Ata = Khanda, the rest
/// Chatusra); Chatusra jati Triputa is Adi; "Chapu" alone means Misra Chapu.
/// </summary>
public static class TalaCatalog
{
    public const string Kind = "tala";

    /// <summary>Laghu (l) counts the jati's beats, drutam (d) 2, anudrutam (u) 1.</summary>
    static readonly (string Family, string Angas, string DefaultJati, string[] Spellings)[] Families =
    [
        ("Dhruva", "ldll", "Chatusra", ["Dhruva", "Dhruvam"]),
        ("Matya", "ldl", "Chatusra", ["Matya", "Matyam", "Mathya"]),
        ("Rupaka", "dl", "Chatusra", ["Rupaka", "Rupakam"]),
        ("Jhampa", "lud", "Misra", ["Jhampa", "Jhampai"]),
        ("Triputa", "ldd", "Tisra", ["Triputa", "Triputai"]),
        ("Ata", "lldd", "Khanda", ["Ata", "Atta"]),
        ("Eka", "l", "Chatusra", ["Eka", "Ekam"]),
    ];

    static readonly (string Jati, int Beats, string[] Spellings)[] Jatis =
    [
        ("Tisra", 3, ["Tisra", "Trisra"]),
        ("Chatusra", 4, ["Chatusra", "Chaturasra"]),
        ("Khanda", 5, ["Khanda"]),
        ("Misra", 7, ["Misra"]),
        ("Sankeerna", 9, ["Sankeerna", "Sankirna"]),
    ];

    /// <summary>Names that mean one suladi tala in everyday use.</summary>
    static readonly Dictionary<(string Family, string Jati), string> CommonNames = new()
    {
        [("Triputa", "Chatusra")] = "Adi",
        [("Rupaka", "Chatusra")] = "Rupaka",
    };

    public static IReadOnlyList<Tala> All { get; } = Build();

    public static Tala? Find(string id) => All.FirstOrDefault(t => t.Id == id);

    static List<Tala> Build()
    {
        var talas = new List<Tala>();
        foreach (var (family, angas, defaultJati, familySpellings) in Families)
            foreach (var (jati, beats, jatiSpellings) in Jatis)
            {
                var formal = $"{jati} Jati {family}";
                var names = new List<string>();
                if (CommonNames.TryGetValue((family, jati), out var common)) names.Add(common);
                names.Add(formal);
                foreach (var j in jatiSpellings)
                    foreach (var f in familySpellings)
                    {
                        names.Add($"{j} {f}");
                        names.Add($"{j} Jati {f}");
                    }
                if (jati == defaultJati) names.AddRange(familySpellings);
                var aksharas = angas.Sum(a => a switch { 'l' => beats, 'd' => 2, _ => 1 });
                talas.Add(new Tala($"{family}-{jati}".ToLowerInvariant(), names[0], family, jati, aksharas, names.Distinct().ToList()));
            }

        foreach (var (jati, beats, spellings) in Jatis.Where(j => j.Jati != "Chatusra"))
        {
            var names = spellings.Select(s => $"{s} Chapu").ToList();
            if (jati == "Misra") names.Add("Chapu");
            talas.Add(new Tala($"chapu-{jati}".ToLowerInvariant(), $"{jati} Chapu", "Chapu", jati, beats, names));
        }
        // Adi-tala variants that start after the beat; kept apart from Adi because the eduppu differs.
        talas.Add(new Tala("desadi", "Desadi", "Desadi", null, 8, ["Desadi", "Deshadi"]));
        talas.Add(new Tala("madhyadi", "Madhyadi", "Madhyadi", null, 8, ["Madhyadi"]));
        return talas;
    }
}
