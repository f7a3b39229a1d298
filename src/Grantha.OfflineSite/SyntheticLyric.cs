namespace Grantha.OfflineSite;

/// <summary>
/// Plausible HK lyric text made deterministically: words from a small vocabulary, made-up words
/// from syllables, and sandhi compounds whose elided letters sit in parentheses.
/// </summary>
public static class SyntheticLyric
{
    static readonly string[] Words =
    [
        "nIvu", "nannu", "brOva", "rAma", "SrI", "hari", "pAdamu", "sadA", "manasu", "daya", "jagadISa", "karuNa",
        "nAtha", "dEva", "sundara", "jana", "pAlaka", "vara", "guru", "guha", "Siva", "Sankara", "mOhana", "rUpa",
        "kamala", "nayana", "vadana", "caraNa", "smaraNa", "bhajana", "sEvita", "muni", "hRdaya", "nilaya",
        "mAdhava", "kESava", "sakala", "lOka", "jananI", "ambA", "dEvI", "gaurI", "sura", "nuta", "vinuta", "pAvana",
        "parama", "santata", "nija", "mahima", "tyAga", "rAja", "kOTi", "mukti", "dAyaka", "phala", "vandita",
        "sarasija", "hara", "gaja", "vAhana", "citta", "sukha", "ghana", "kuNDala", "maNi", "maya", "pada", "yuga",
        "kara", "kRpa", "ninnu", "nammiti", "kAvavE", "rAvE", "vinavE", "pogaDa", "talaci", "pAli", "nEnu",
        "evaru", "kAni", "sEyu", "dhyAna", "jnAna", "vidyA", "vINA", "nATya", "gAna", "lOla", "Subha", "mangaLa",
        "cinmaya", "Sakti", "vEda", "vEdya", "nigama", "Agama", "kaLA", "dhara", "candra", "sUrya", "agni",
        "bhAgya", "vaibhava", "kIrti", "vimala", "nirmala", "saguNa", "nirguNa", "puNya", "tapas", "yOga",
    ];

    // Second halves of sandhi compounds: they start with a vowel.
    static readonly string[] VowelWords =
    [
        "anucu", "ani", "amma", "Alaya", "Agata", "osagu", "IyavE", "ipuDu", "idi", "Ela", "EmirA", "unna",
        "okka", "ayya", "amRta", "Ananda", "Indra", "ISa", "upAya", "aDugu", "anu", "Atma", "ASrita", "abhaya",
    ];

    static readonly string[] Onsets = ["k", "g", "c", "j", "T", "D", "t", "d", "n", "p", "b", "m", "y", "r", "l", "v", "S", "s", "h", "bh", "dh", "kh", "gh", "sh", "kr", "pr", "tr", "nd", "mb", "ng", "nn", "ll", "tt", "kk"];
    static readonly string[] Vowels = ["a", "a", "a", "A", "i", "I", "u", "U", "e", "E", "o", "O", "ai"];
    static readonly string[] Endings = ["u", "a", "i", "A", "E", "mu", "nu", "lu", "Du", "vE"];

    /// <summary>Opening words of bha- for the Tamil "ப 4" trap.</summary>
    public static readonly string[] BhaWords = ["bhakta", "bhava", "bhaja", "bhavya", "bhagavan"];

    public static string MadeUpWord(SiteRandom rng)
    {
        var syllables = rng.Next(1, 3);
        var word = "";
        for (var s = 0; s < syllables; s++)
        {
            var onset = rng.Pick(Onsets);
            if (s == 0 && onset.Length == 2 && onset[0] == onset[1]) onset = onset[..1];
            if (s == 0 && onset is "nd" or "mb" or "ng") onset = onset[1..];
            word += onset + rng.Pick(Vowels);
        }
        return word + rng.Pick(Onsets)[..1] + rng.Pick(Endings);
    }

    // Made-up lyric words come from a fixed pool, so transliterations are reused across pages
    // (keeps generating the whole corpus cheap).
    const int MadeUpPoolSize = 1500;
    static readonly string[] MadeUpPool = MakePool();

    static string[] MakePool()
    {
        var rng = new SiteRandom(0, "made-up words");
        return Enumerable.Range(0, MadeUpPoolSize).Select(_ => MadeUpWord(rng)).ToArray();
    }

    /// <summary>A plain word: mostly from the vocabulary, sometimes made up.</summary>
    public static LyricWord Word(SiteRandom rng)
    {
        var w = rng.Chance(0.8) ? rng.Pick(Words) : rng.Pick(MadeUpPool);
        return new LyricWord(w, w);
    }

    /// <summary>
    /// A sandhi compound: varamu + osagu = varam(o)sagu, karuNa + Alaya = karuN(A)laya,
    /// gati + anu = gati(y)anu, mA + amma = mA(y)amma. Word division joins the halves with '-'.
    /// </summary>
    public static LyricWord Compound(SiteRandom rng)
    {
        string first;
        do first = rng.Pick(Words); while (first.Length < 3 || !"aiuAE".Contains(first[^1]));
        var second = rng.Pick(VowelWords);
        var division = first + "-" + second;
        var last = first[^1];
        string hk;
        if (last == 'u' && second[0] != 'u')
            hk = first[..^1] + "(" + VowelAt(second) + ")" + second[VowelAt(second).Length..];
        else if (last == 'a' && second[0] is 'a' or 'A')
            hk = first[..^1] + "(A)" + second[1..];
        else if (last is 'i' or 'A' or 'E' or 'a')
            hk = first + "(y)" + second;
        else
            hk = first + "(v)" + second;
        return new LyricWord(hk, division);
    }

    static string VowelAt(string word) => word.Length > 1 && word[..2] is "ai" or "au" ? word[..2] : word[..1];

    /// <summary>A lyric line of <paramref name="count"/> words, some of them sandhi compounds.</summary>
    public static List<LyricWord> Line(SiteRandom rng, int count, double compoundChance)
    {
        var words = new List<LyricWord>(count);
        for (var i = 0; i < count; i++)
            words.Add(rng.Chance(compoundChance) ? Compound(rng) : Word(rng));
        return words;
    }

    static readonly string[] SvaraSyllables = ["sa", "ri", "ga", "ma", "pa", "da", "ni", "sA", "rI", "gA", "mA", "pA", "dA", "nI"];

    /// <summary>A solfa line for chittaswaram / muktAyi svaram passages (comma = a pause).</summary>
    public static List<LyricWord> SvaraLine(SiteRandom rng)
    {
        var words = new List<LyricWord>();
        var count = rng.Next(6, 11);
        for (var i = 0; i < count; i++)
        {
            var s = rng.Pick(SvaraSyllables);
            words.Add(new LyricWord(s, s));
            if (rng.Chance(0.2)) words.Add(new LyricWord(",", ","));
        }
        return words;
    }
}
