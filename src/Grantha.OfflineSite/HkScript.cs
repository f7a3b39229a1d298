using System.Globalization;
using System.Text;

namespace Grantha.OfflineSite;

/// <summary>The scripts a page carries its lyric in, in page order.</summary>
public enum Script { Latin, Devanagari, Tamil, Telugu, Kannada, Malayalam }

/// <summary>
/// Transliterates modified Harvard-Kyoto text into the five Indic scripts of the source pages.
/// The mapping is a reasonable one, not a linguistic authority; what matters is that it is
/// consistent, so the generated pages and their ground truth agree exactly.
/// Conventions (mirroring the blogs):
/// <list type="bullet">
/// <item>a whole word in parentheses is a refrain cue, kept with its parentheses in every script;</item>
/// <item>parentheses inside a word mark sandhi-elided letters: Devanagari and Tamil wrap the
/// whole akshara that holds them, Telugu, Kannada and Malayalam drop them;</item>
/// <item>Tamil writes aspirated/voiced stops and S with a pronunciation digit after the letter
/// and its sign (க3 for g, ப4 for bh, ஸ1 for S);</item>
/// <item>Telugu and Kannada write a nasal before a stop of its class as an anusvara.</item>
/// </list>
/// </summary>
public static class HkScript
{
    enum Kind { Vowel, Consonant, Anusvara, Visarga }

    readonly record struct Phoneme(Kind Kind, string Hk, bool Elided);

    // Offsets inside a Unicode Indic block; Devanagari, Telugu, Kannada and Malayalam share them
    // (ISCII heritage), Tamil shares those of the letters it has.
    static readonly Dictionary<string, int> ConsonantOffset = new()
    {
        ["k"] = 0x15, ["kh"] = 0x16, ["g"] = 0x17, ["gh"] = 0x18, ["G"] = 0x19,
        ["c"] = 0x1A, ["ch"] = 0x1B, ["j"] = 0x1C, ["jh"] = 0x1D, ["J"] = 0x1E,
        ["T"] = 0x1F, ["Th"] = 0x20, ["D"] = 0x21, ["Dh"] = 0x22, ["N"] = 0x23,
        ["t"] = 0x24, ["th"] = 0x25, ["d"] = 0x26, ["dh"] = 0x27, ["n"] = 0x28,
        ["p"] = 0x2A, ["ph"] = 0x2B, ["b"] = 0x2C, ["bh"] = 0x2D, ["m"] = 0x2E,
        ["y"] = 0x2F, ["r"] = 0x30, ["l"] = 0x32, ["L"] = 0x33, ["v"] = 0x35,
        ["S"] = 0x36, ["sh"] = 0x37, ["s"] = 0x38, ["h"] = 0x39,
    };

    static readonly Dictionary<string, int> VowelOffset = new()
    {
        ["a"] = 0x05, ["A"] = 0x06, ["i"] = 0x07, ["I"] = 0x08, ["u"] = 0x09, ["U"] = 0x0A,
        ["R"] = 0x0B, ["e"] = 0x0E, ["E"] = 0x0F, ["ai"] = 0x10, ["o"] = 0x12, ["O"] = 0x13, ["au"] = 0x14,
    };

    static readonly Dictionary<string, int> SignOffset = new()
    {
        ["A"] = 0x3E, ["i"] = 0x3F, ["I"] = 0x40, ["u"] = 0x41, ["U"] = 0x42, ["R"] = 0x43,
        ["e"] = 0x46, ["E"] = 0x47, ["ai"] = 0x48, ["o"] = 0x4A, ["O"] = 0x4B, ["au"] = 0x4C,
    };

    const int ViramaOffset = 0x4D, AnusvaraOffset = 0x02, VisargaOffset = 0x03;

    // Tamil: the unvoiced letter plus a pronunciation digit.
    static readonly Dictionary<string, (string Base, string Digit)> TamilConsonant = new()
    {
        ["k"] = ("k", ""), ["kh"] = ("k", "2"), ["g"] = ("k", "3"), ["gh"] = ("k", "4"), ["G"] = ("G", ""),
        ["c"] = ("c", ""), ["ch"] = ("c", "2"), ["j"] = ("j", ""), ["jh"] = ("j", "4"), ["J"] = ("J", ""),
        ["T"] = ("T", ""), ["Th"] = ("T", "2"), ["D"] = ("T", "3"), ["Dh"] = ("T", "4"), ["N"] = ("N", ""),
        ["t"] = ("t", ""), ["th"] = ("t", "2"), ["d"] = ("t", "3"), ["dh"] = ("t", "4"), ["n"] = ("n", ""),
        ["p"] = ("p", ""), ["ph"] = ("p", "2"), ["b"] = ("p", "3"), ["bh"] = ("p", "4"), ["m"] = ("m", ""),
        ["y"] = ("y", ""), ["r"] = ("r", ""), ["l"] = ("l", ""), ["L"] = ("L", ""), ["v"] = ("v", ""),
        ["S"] = ("s", "1"), ["sh"] = ("sh", ""), ["s"] = ("s", ""), ["h"] = ("h", ""),
    };

    const int TamilInnerNa = 0x29; // ன, the dental n inside a word

    static readonly string[] Units =
        ["kh", "gh", "ch", "jh", "Th", "Dh", "th", "dh", "ph", "bh", "sh", "ai", "au",
         "k", "g", "G", "c", "j", "J", "T", "D", "N", "t", "d", "n", "p", "b", "m", "y", "r", "l", "L", "v", "S", "s", "h",
         "a", "A", "i", "I", "u", "U", "R", "e", "E", "o", "O", "M", "H"];

    // Stops by class, for nasal assimilation and the Telugu/Kannada anusvara.
    static readonly Dictionary<string, string> NasalOfStop = new()
    {
        ["k"] = "G", ["kh"] = "G", ["g"] = "G", ["gh"] = "G",
        ["c"] = "J", ["ch"] = "J", ["j"] = "J", ["jh"] = "J",
        ["T"] = "N", ["Th"] = "N", ["D"] = "N", ["Dh"] = "N",
        ["t"] = "n", ["th"] = "n", ["d"] = "n", ["dh"] = "n",
        ["p"] = "m", ["ph"] = "m", ["b"] = "m", ["bh"] = "m",
    };

    public static int BlockStart(Script script) => script switch
    {
        Script.Devanagari => 0x0900,
        Script.Tamil => 0x0B80,
        Script.Telugu => 0x0C00,
        Script.Kannada => 0x0C80,
        Script.Malayalam => 0x0D00,
        _ => throw new ArgumentOutOfRangeException(nameof(script), script, "Latin has no Indic block"),
    };

    /// <summary>Transliterates HK text (words, spaces, punctuation, parentheses) into a script.</summary>
    public static string To(Script script, string hk)
    {
        if (script == Script.Latin) return hk;
        var sb = new StringBuilder(hk.Length * 3);
        var i = 0;
        while (i < hk.Length)
        {
            if (hk[i] == ' ' || hk[i] == '\n')
            {
                sb.Append(hk[i++]);
                continue;
            }
            var end = hk.IndexOfAny([' ', '\n'], i);
            if (end < 0) end = hk.Length;
            AppendWord(sb, script, hk[i..end]);
            i = end;
        }
        return sb.ToString();
    }

    // Lyrics reuse a small vocabulary, so words are transliterated once per script.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<(Script, string), string> WordCache = new();

    const int WordCacheLimit = 200_000;

    static void AppendWord(StringBuilder sb, Script script, string word)
    {
        if (WordCache.TryGetValue((script, word), out var cached))
        {
            sb.Append(cached);
            return;
        }
        var one = new StringBuilder(word.Length * 3);
        TransliterateWord(one, script, word);
        var text = one.ToString();
        if (WordCache.Count < WordCacheLimit) WordCache.TryAdd((script, word), text);
        sb.Append(text);
    }

    static void TransliterateWord(StringBuilder sb, Script script, string word)
    {
        // A whole word in parentheses is a refrain cue: keep its parentheses everywhere.
        if (word.Length > 2 && word[0] == '(' && word.IndexOf(')') == word.Length - 1 && word.LastIndexOf('(') == 0)
        {
            sb.Append('(');
            AppendSegment(sb, script, word[1..^1], allowElision: false);
            sb.Append(')');
            return;
        }
        AppendSegment(sb, script, word, allowElision: true);
    }

    static void AppendSegment(StringBuilder sb, Script script, string text, bool allowElision)
    {
        var phonemes = new List<Phoneme>();
        var elided = false;
        var i = 0;
        void Flush()
        {
            if (phonemes.Count == 0) return;
            AppendPhonemes(sb, script, phonemes);
            phonemes.Clear();
        }
        while (i < text.Length)
        {
            var c = text[i];
            if (allowElision && c == '(') { elided = true; i++; continue; }
            if (allowElision && c == ')') { elided = false; i++; continue; }
            var unit = MatchUnit(text, i);
            if (unit is null)
            {
                Flush();
                sb.Append(c);
                i++;
                continue;
            }
            var kind = unit switch
            {
                "M" => Kind.Anusvara,
                "H" => Kind.Visarga,
                _ when VowelOffset.ContainsKey(unit) => Kind.Vowel,
                _ => Kind.Consonant,
            };
            phonemes.Add(new Phoneme(kind, unit, elided));
            i += unit.Length;
        }
        Flush();
    }

    static string? MatchUnit(string text, int i)
    {
        foreach (var u in Units)
        {
            if (u.Length == 2)
            {
                if (i + 1 < text.Length && text[i] == u[0] && text[i + 1] == u[1]) return u;
            }
            else if (text[i] == u[0]) return u;
        }
        return null;
    }

    sealed class Akshara
    {
        public List<Phoneme> Consonants { get; } = [];
        public Phoneme? Vowel;
        public List<Phoneme> Marks { get; } = [];
        public bool Elided => Consonants.Any(c => c.Elided) || Vowel is { Elided: true };
    }

    static void AppendPhonemes(StringBuilder sb, Script script, List<Phoneme> raw)
    {
        // Nasal assimilation: n before a velar is G, before a palatal J; n after j is J (jn = jnA).
        var ph = new List<Phoneme>(raw.Count);
        for (var k = 0; k < raw.Count; k++)
        {
            var p = raw[k];
            if (p is { Kind: Kind.Consonant, Hk: "n" })
            {
                if (k + 1 < raw.Count && raw[k + 1].Kind == Kind.Consonant && NasalOfStop.TryGetValue(raw[k + 1].Hk, out var nasal) && nasal is "G" or "J")
                    p = p with { Hk = nasal };
                else if (k > 0 && raw[k - 1] is { Kind: Kind.Consonant, Hk: "j" })
                    p = p with { Hk = "J" };
            }
            ph.Add(p);
        }

        var aksharas = new List<Akshara>();
        var current = new Akshara();
        foreach (var p in ph)
        {
            switch (p.Kind)
            {
                case Kind.Consonant:
                    current.Consonants.Add(p);
                    break;
                case Kind.Vowel:
                    current.Vowel = p;
                    aksharas.Add(current);
                    current = new Akshara();
                    break;
                default:
                    if (current.Consonants.Count > 0)
                    {
                        aksharas.Add(current);
                        current = new Akshara();
                    }
                    if (aksharas.Count == 0) aksharas.Add(new Akshara());
                    aksharas[^1].Marks.Add(p);
                    break;
            }
        }
        if (current.Consonants.Count > 0) aksharas.Add(current);

        var wrap = script is Script.Devanagari or Script.Tamil;
        for (var a = 0; a < aksharas.Count; a++)
        {
            var ak = aksharas[a];
            var next = a + 1 < aksharas.Count ? aksharas[a + 1] : null;
            var paren = wrap && ak.Elided;
            if (paren) sb.Append('(');
            if (script == Script.Tamil) AppendTamil(sb, ak, isWordStart: a == 0);
            else AppendAkshara(sb, script, ak, next);
            if (paren) sb.Append(')');
        }
    }

    static char At(Script script, int offset) => (char)(BlockStart(script) + offset);

    static void AppendAkshara(StringBuilder sb, Script script, Akshara ak, Akshara? next)
    {
        var anusvaraNasal = script is Script.Telugu or Script.Kannada;
        var cons = ak.Consonants;
        for (var c = 0; c < cons.Count; c++)
        {
            var hk = cons[c].Hk;
            // A cluster-final nasal before a stop of its class (in the next akshara or this one)
            string? following = c + 1 < cons.Count ? cons[c + 1].Hk
                : ak.Vowel is null && next is { Consonants.Count: > 0 } ? next.Consonants[0].Hk : null;
            if (anusvaraNasal && following is not null && NasalOfStop.TryGetValue(following, out var nasal) && nasal == hk)
            {
                sb.Append(At(script, AnusvaraOffset));
                continue;
            }
            sb.Append(At(script, ConsonantOffset[hk]));
            var last = c == cons.Count - 1;
            if (!last || ak.Vowel is null) sb.Append(At(script, ViramaOffset));
        }
        if (ak.Vowel is { } v)
        {
            if (cons.Count == 0) sb.Append(At(script, VowelOffset[v.Hk]));
            else if (v.Hk != "a") sb.Append(At(script, SignOffset[v.Hk]));
        }
        foreach (var m in ak.Marks)
            sb.Append(At(script, m.Kind == Kind.Anusvara ? AnusvaraOffset : VisargaOffset));
    }

    static void AppendTamil(StringBuilder sb, Akshara ak, bool isWordStart)
    {
        var cons = ak.Consonants;
        for (var c = 0; c < cons.Count; c++)
        {
            var (letter, digit) = TamilConsonant[cons[c].Hk];
            var offset = ConsonantOffset[letter];
            if (letter == "n")
            {
                var following = c + 1 < cons.Count ? cons[c + 1].Hk : null;
                var dental = (isWordStart && c == 0) || following is "t" or "th" or "d" or "dh";
                if (!dental) offset = TamilInnerNa;
            }
            sb.Append(At(Script.Tamil, offset));
            var last = c == cons.Count - 1;
            if (!last || ak.Vowel is null)
                sb.Append(At(Script.Tamil, ViramaOffset));
            else if (ak.Vowel is { } v && v.Hk == "R")
                sb.Append(At(Script.Tamil, ViramaOffset)); // kR = க்ரு2
            else if (ak.Vowel is { } w && w.Hk != "a")
                sb.Append(At(Script.Tamil, SignOffset[w.Hk]));
            sb.Append(digit);
        }
        if (ak.Vowel is { } vowel)
        {
            if (vowel.Hk == "R")
            {
                sb.Append(At(Script.Tamil, ConsonantOffset["r"])).Append(At(Script.Tamil, SignOffset["u"])).Append('2');
            }
            else if (cons.Count == 0)
            {
                sb.Append(At(Script.Tamil, VowelOffset[vowel.Hk]));
            }
        }
        foreach (var m in ak.Marks)
        {
            if (m.Kind == Kind.Anusvara) sb.Append(At(Script.Tamil, ConsonantOffset["m"])).Append(At(Script.Tamil, ViramaOffset));
            else sb.Append('\u0B83'); // aytham stands in for visarga
        }
    }

    /// <summary>
    /// HTML for Indic text as the blogs write it: base letters literal, vowel signs, viramas and
    /// other combining marks as decimal numeric character references; &amp;, &lt;, &gt; escaped.
    /// With <paramref name="tamilDigitsAsSub"/>, a digit glued to a Tamil letter is written as
    /// <c>&lt;sub&gt;N&lt;/sub&gt;</c>.
    /// </summary>
    public static string ToHtml(string text, bool tamilDigitsAsSub = false)
    {
        var sb = new StringBuilder(text.Length * 5);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var cat = CharUnicodeInfo.GetUnicodeCategory(c);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
                sb.Append("&#").Append((int)c).Append(';');
            else if (c == '&') sb.Append("&amp;");
            else if (c == '<') sb.Append("&lt;");
            else if (c == '>') sb.Append("&gt;");
            else if (tamilDigitsAsSub && char.IsAsciiDigit(c) && i > 0 && text[i - 1] is >= '\u0B80' and <= '\u0BFF')
                sb.Append("<sub>").Append(c).Append("</sub>");
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
