using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Grantha.Reference;

/// <summary>
/// A name reduced for matching. <see cref="Key"/> is the coarse match key (transliteration and
/// spelling differences removed); <see cref="FullKey"/> is the same key with a trailing generic
/// word ("rAgaM", "tALaM") kept; <see cref="Spelling"/> is the name as written, only case-folded and
/// stripped of diacritics and spaces, used to break ties between listings that share a key;
/// <see cref="Qualifier"/> holds notes that were written in braces or brackets.
/// </summary>
public sealed record NameKeyParts(string Key, string FullKey, string Spelling, string? Qualifier)
{
    /// <summary>True when nothing matchable was left (blank input, only a note, only digits).</summary>
    public bool IsEmpty => Key.Length == 0;
}

/// <summary>
/// The one normaliser for raga, tala and composer names. It reduces modified Harvard-Kyoto (with
/// meaningful capitals), IAST, ITRANS and anglicised spellings to a comparable key.
/// See docs/resolve.md for the rules and the pairs they must keep apart.
/// </summary>
public static partial class NameKey
{
    /// <summary>Trailing words that only say what kind of name this is, per kind of name.</summary>
    public static readonly IReadOnlyCollection<string> RagaGenericWords = ["raga", "rag", "ragam"];
    public static readonly IReadOnlyCollection<string> TalaGenericWords = ["tala", "talam"];

    /// <summary>The coarse match key of a name (no generic word is stripped).</summary>
    public static string Of(string name) => Parse(name).Key;

    /// <summary>
    /// Splits notes off the name, folds every word to the key alphabet and joins the words.
    /// The last word is left out of <see cref="NameKeyParts.Key"/> when it is one of
    /// <paramref name="genericWords"/> and another word remains ("SrI rAgaM" is Sri, "rAgaM" alone is not stripped).
    /// </summary>
    public static NameKeyParts Parse(string name, IReadOnlyCollection<string>? genericWords = null, IReadOnlyCollection<string>? leadingWords = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var qualifier = new List<string>();
        var text = NoteRegex().Replace(name, m =>
        {
            var note = m.Value[1..^1].Trim();
            if (note.Length > 0) qualifier.Add(note);
            return " ";
        });
        text = ItransRegex().Replace(text, m => m.Value switch
        {
            "RRi" or "R^i" => "R",
            "~n" or "N^" => "n",
            ".n" => "M",
            _ => "",
        });

        var words = new List<string>();
        foreach (Match w in WordRegex().Matches(text))
        {
            var key = WordKey(w.Value);
            if (key.Length > 0) words.Add(key);
        }
        // Honorifics before a name ("SrI rAma", "Lord vEnkaTESa") only when a name follows them.
        while (leadingWords is not null && words.Count > 1 && leadingWords.Contains(words[0])) words.RemoveAt(0);
        var full = Join(words);
        var stripped = full;
        if (genericWords is not null && words.Count > 1 && genericWords.Contains(words[^1]))
            stripped = Join(words.Take(words.Count - 1));

        return new NameKeyParts(stripped, full, SpellingOf(text), qualifier.Count == 0 ? null : string.Join("; ", qualifier));
    }

    /// <summary>Joins word keys; a vowel or consonant doubled across the join is one sound (Hamsa ābheri = haMsAbhEri).</summary>
    static string Join(IEnumerable<string> words)
    {
        var s = string.Concat(words);
        s = s.Replace("aa", "a").Replace("ii", "i").Replace("uu", "u");
        return DoubleRegex().Replace(s, "$1");
    }

    /// <summary>Lower case, no diacritics, letters only: "Kānaḍā" -> "kanada", "SrI" -> "sri".</summary>
    public static string SpellingOf(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.Normalize(NormalizationForm.FormD))
        {
            if (ch == 'đ' || ch == 'Đ') { sb.Append('d'); continue; }
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetter(ch)) sb.Append(char.ToLowerInvariant(ch));
            else if (char.IsDigit(ch)) sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>Folds one word (letters only) to the key alphabet. Order of the steps matters.</summary>
    static string WordKey(string word)
    {
        var s = Fold(word);
        if (s.Length == 0) return s;
        // gowla / gaula / gouLa / gauLa are one sound (before w becomes v).
        s = OwRegex().Replace(s, "au").Replace("ou", "au");
        s = s.Replace("zh", "l").Replace('z', 's').Replace('w', 'v').Replace('f', 'p').Replace('q', 'k').Replace("x", "ks");
        // Long vowels: anglicised doubling and the folded IAST/HK long vowels meet here.
        s = s.Replace("aa", "a").Replace("ee", "i").Replace("ii", "i").Replace("oo", "u").Replace("uu", "u");
        // Aspiration and digraph markers: th/t, dh/d, bh/b, kh/k, ch/c, sh/s, kSh/ksh.
        s = AspirateRegex().Replace(s, "$1");
        // Vocalic r: a word-initial one reads "ri"; elsewhere amRta / amrita / amruta all become amrta.
        if (s[0] == 'R') s = "ri" + s[1..];
        s = s.Replace('R', 'r');
        s = VocalicRRegex().Replace(s, "$1r");
        // Doubled stops, sibilants, v and r are spelling (nATa / nATTai, citta / cita); nn, mm, ll, yy stay (Kannada is not Kanada).
        s = DoubleRegex().Replace(s, "$1");
        // Anusvara and written m before a consonant: haMsa / hamsa / hansa, kAmbhOji / kambhoji.
        s = NasalRegex().Replace(s, "n");
        // Endings: -aM / -am / -amu (Telugu) / -ai (Tamil) are one ending: SankarAbharaNaM, Nāṭṭai, panjaramu.
        s = EndingRegex().Replace(s, "a");
        return s;
    }

    /// <summary>
    /// Maps characters to lower-case ASCII letters, reading capitals the HK way: a capital inside
    /// a word (or anywhere in a word that has one inside) is HK (A = ā, T = ṭ, S = ś, R = ṛ,
    /// G = ṅ, J = ñ, M = anusvara); a lone initial capital is only title case, except R before a consonant.
    /// Vocalic r is kept as 'R' for the next step.
    /// </summary>
    static string Fold(string word)
    {
        var hk = false;
        for (var i = 1; i < word.Length; i++) if (char.IsAsciiLetterUpper(word[i])) { hk = true; break; }
        var sb = new StringBuilder(word.Length + 2);
        for (var i = 0; i < word.Length; i++)
        {
            var ch = word[i];
            if (char.IsAsciiLetterLower(ch)) { sb.Append(ch); continue; }
            if (char.IsAsciiLetterUpper(ch))
            {
                var hkHere = hk || i > 0 || (ch == 'R' && i + 1 < word.Length && !IsVowel(FoldDiacritic(word[i + 1]) ?? ""));
                sb.Append(hkHere ? HkCapital(ch) : char.ToLowerInvariant(ch));
                continue;
            }
            var mapped = FoldDiacritic(ch);
            if (mapped is not null) sb.Append(mapped);
        }
        return sb.ToString();
    }

    static bool IsVowel(string folded) => folded.Length == 1 && "aeiou".Contains(folded[0]);

    static string HkCapital(char c) => c switch
    {
        'R' => "R",
        'G' or 'J' => "n",
        'Z' => "s",
        _ => char.ToLowerInvariant(c).ToString(),
    };

    static string? FoldDiacritic(char ch)
    {
        switch (ch)
        {
            case 'ṛ' or 'Ṛ' or 'ṝ' or 'Ṝ': return "R";
            case 'ḷ' or 'Ḷ' or 'ḻ' or 'Ḻ': return "l";
            case 'ṃ' or 'Ṃ' or 'ṁ' or 'Ṁ': return "m";
            case 'đ' or 'Đ': return "d";
            case 'ḥ' or 'Ḥ': return "h";
        }
        var decomposed = ch.ToString().Normalize(NormalizationForm.FormD);
        var b = decomposed[0];
        return char.IsAsciiLetter(b) ? char.ToLowerInvariant(b).ToString() : null;
    }

    [GeneratedRegex(@"\{[^}]*\}|\([^)]*\)|\[[^\]]*\]")]
    private static partial Regex NoteRegex();

    [GeneratedRegex(@"RRi|R\^i|~n|N\^|\.n|\^|~")]
    private static partial Regex ItransRegex();

    [GeneratedRegex(@"[\p{L}\p{M}]+")]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"ow(?![aeiou])")]
    private static partial Regex OwRegex();

    [GeneratedRegex(@"([kgcjtdpbs])h+")]
    private static partial Regex AspirateRegex();

    [GeneratedRegex(@"([^aeiou])r[iu](?=[^aeiou]|$)")]
    private static partial Regex VocalicRRegex();

    [GeneratedRegex(@"([kgcjtdpbsvr])\1+")]
    private static partial Regex DoubleRegex();

    [GeneratedRegex(@"m(?=[^aeioumn])")]
    private static partial Regex NasalRegex();

    [GeneratedRegex(@"(?:amu|am|ai)$")]
    private static partial Regex EndingRegex();
}
