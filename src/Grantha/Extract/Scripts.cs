using System.Globalization;
using System.Text;

namespace Grantha.Extract;

/// <summary>
/// The writing systems a page can carry. The Indic members are in Unicode block order
/// (U+0900 Devanagari ... U+0D00 Malayalam, 0x80 code points each), which <see cref="Scripts.Of"/> relies on.
/// </summary>
public enum Script
{
    Unknown,
    Latin,
    Devanagari,
    Bengali,
    Gurmukhi,
    Gujarati,
    Oriya,
    Tamil,
    Telugu,
    Kannada,
    Malayalam,
}

public static class Scripts
{
    const int IndicFirst = 0x0900;
    const int IndicLast = 0x0D7F;

    public static bool IsIndic(this Script s) => s >= Script.Devanagari;

    /// <summary>The script of one character, or Unknown for digits, punctuation and spaces.</summary>
    public static Script Of(char c)
    {
        if (c >= IndicFirst && c <= IndicLast) return Script.Devanagari + ((c - IndicFirst) >> 7);
        if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z') return Script.Latin;
        if (c >= 0x00C0 && c <= 0x024F && char.IsLetter(c)) return Script.Latin;
        if (c >= 0x1E00 && c <= 0x1EFF) return Script.Latin; // IAST dots below (ṭ ḍ ṇ ṣ ḷ ṛ ṃ)
        return Script.Unknown;
    }

    /// <summary>The script most letters of <paramref name="text"/> are written in.</summary>
    public static Script Dominant(ReadOnlySpan<char> text)
    {
        Span<int> counts = stackalloc int[(int)Script.Malayalam + 1];
        foreach (var c in text) counts[(int)Of(c)]++;
        var best = Script.Unknown;
        for (var s = Script.Latin; s <= Script.Malayalam; s++)
            if (counts[(int)s] > counts[(int)best] || (best == Script.Unknown && counts[(int)s] > 0)) best = s;
        return best;
    }

    /// <summary>How many distinct scripts (with at least one letter) the text mixes: key charts mix several.</summary>
    public static int DistinctCount(ReadOnlySpan<char> text)
    {
        var seen = 0;
        foreach (var c in text)
        {
            var s = Of(c);
            if (s != Script.Unknown) seen |= 1 << (int)s;
        }
        return BitOperations(seen);
    }

    static int BitOperations(int v) => System.Numerics.BitOperations.PopCount((uint)v);

    /// <summary>The script name used in JSON and the expected files (latin, devanagari, tamil ...).</summary>
    public static string Name(this Script s) => s switch
    {
        Script.Latin => "latin",
        Script.Devanagari => "devanagari",
        Script.Bengali => "bengali",
        Script.Gurmukhi => "gurmukhi",
        Script.Gujarati => "gujarati",
        Script.Oriya => "oriya",
        Script.Tamil => "tamil",
        Script.Telugu => "telugu",
        Script.Kannada => "kannada",
        Script.Malayalam => "malayalam",
        _ => "unknown",
    };

    /// <summary>The language code of the lyric in that script: the Latin lyric is the HK transliteration (en).</summary>
    public static string Language(this Script s) => s switch
    {
        Script.Latin => "en",
        Script.Devanagari => "sa",
        Script.Bengali => "bn",
        Script.Gurmukhi => "pa",
        Script.Gujarati => "gu",
        Script.Oriya => "or",
        Script.Tamil => "ta",
        Script.Telugu => "te",
        Script.Kannada => "kn",
        Script.Malayalam => "ml",
        _ => "und",
    };

    /// <summary>The script a bare heading word names (<c>Devanagari</c>, <c>Tamil</c>, <c>English</c> ...), or Unknown.</summary>
    public static Script FromHeadingWord(string word) => word.ToLowerInvariant() switch
    {
        "english" or "latin" or "roman" => Script.Latin,
        "devanagari" or "devanAgari" or "sanskrit" or "hindi" => Script.Devanagari,
        "bengali" or "bangla" => Script.Bengali,
        "gurmukhi" or "punjabi" => Script.Gurmukhi,
        "gujarati" => Script.Gujarati,
        "oriya" or "odia" => Script.Oriya,
        "tamil" => Script.Tamil,
        "telugu" => Script.Telugu,
        "kannada" => Script.Kannada,
        "malayalam" => Script.Malayalam,
        _ => Script.Unknown,
    };

    /// <summary>The value of a decimal digit in any script (ASCII, Devanagari, Tamil ...), or -1.</summary>
    public static int DigitValue(char c) => CharUnicodeInfo.GetDecimalDigitValue(c);

    /// <summary>
    /// A coarse Latin key of a word or phrase in any supported script, for recognising headers
    /// whatever their spelling: Indic letters are read by their offset in the (ISCII-parallel)
    /// Unicode block, so <c>पल्लवि</c>, <c>பல்லவி</c>, <c>పల్లవి</c> and <c>pallavi</c> all give
    /// <c>palapi</c>. Voicing and aspiration are folded (Tamil does not write them), digits are
    /// dropped (Tamil pronunciation digits), repeated letters are collapsed, and words are
    /// separated by single spaces. v folds into p as well: Bengali writes va with the letter ba.
    /// </summary>
    public static string Skeleton(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length + 8);
        var pendingInherent = false;
        var prevLatinConsonant = false;
        foreach (var raw in text)
        {
            var c = raw;
            if (c >= IndicFirst && c <= IndicLast)
            {
                prevLatinConsonant = false;
                var (kind, letters) = IndicLetter(c & 0x7F);
                switch (kind)
                {
                    case IndicKind.Consonant:
                        if (pendingInherent) sb.Append('a');
                        sb.Append(letters);
                        pendingInherent = true;
                        break;
                    case IndicKind.DeadConsonant:
                        if (pendingInherent) sb.Append('a');
                        sb.Append(letters);
                        pendingInherent = false;
                        break;
                    case IndicKind.VowelSign:
                        sb.Append(letters);
                        pendingInherent = false;
                        break;
                    case IndicKind.Virama:
                        pendingInherent = false;
                        break;
                    case IndicKind.Skip:
                        break;
                    default: // independent vowel, anusvara, visarga, separator
                        if (pendingInherent) sb.Append('a');
                        pendingInherent = false;
                        sb.Append(letters);
                        break;
                }
                continue;
            }
            if (pendingInherent) { sb.Append('a'); pendingInherent = false; }
            if (c > 0x7F && char.IsLetter(c)) c = StripDiacritic(c);
            c = char.ToLowerInvariant(c);
            if (c is >= 'a' and <= 'z')
            {
                if (c == 'h' && prevLatinConsonant) continue; // aspirate (bh, dh, sh, ch)
                var folded = c switch
                {
                    'b' or 'f' => 'p',
                    'd' => 't',
                    'g' or 'q' => 'k',
                    'j' => 'c',
                    'v' or 'w' => 'p',
                    'z' => 's',
                    _ => c,
                };
                if (c == 'x') { sb.Append("ks"); prevLatinConsonant = true; continue; }
                sb.Append(folded);
                prevLatinConsonant = c is not ('a' or 'e' or 'i' or 'o' or 'u' or 'y' or 'r' or 'l' or 'v' or 'w' or 'm' or 'n' or 'h');
                continue;
            }
            prevLatinConsonant = false;
            if (char.IsDigit(c)) continue;
            if (c is '\u200C' or '\u200D') continue; // ZWNJ / ZWJ shape Indic letters, they are not separators
            sb.Append(' ');
        }
        if (pendingInherent) sb.Append('a');
        return Collapse(sb);
    }

    static string Collapse(StringBuilder sb)
    {
        var outSb = new StringBuilder(sb.Length);
        for (var i = 0; i < sb.Length; i++)
        {
            var c = sb[i];
            if (c == ' ' && (outSb.Length == 0 || outSb[^1] == ' ')) continue;
            if (outSb.Length > 0 && outSb[^1] == c) continue;
            outSb.Append(c);
        }
        if (outSb.Length > 0 && outSb[^1] == ' ') outSb.Length--;
        return outSb.ToString();
    }

    static char StripDiacritic(char c)
    {
        var d = c.ToString().Normalize(NormalizationForm.FormD);
        return d.Length > 0 && d[0] < 0x80 ? d[0] : c;
    }

    enum IndicKind { Skip, Vowel, VowelSign, Consonant, DeadConsonant, Virama, Sign, Separator }

    /// <summary>The letter at an offset of any ISCII-parallel Indic block, named by its Devanagari value.</summary>
    static (IndicKind, string) IndicLetter(int o) => o switch
    {
        0x01 or 0x02 => (IndicKind.Sign, "m"),
        0x03 => (IndicKind.Sign, "h"),
        0x04 or 0x05 or 0x06 => (IndicKind.Vowel, "a"),
        0x07 or 0x08 => (IndicKind.Vowel, "i"),
        0x09 or 0x0A => (IndicKind.Vowel, "u"),
        0x0B or 0x60 => (IndicKind.Vowel, "r"),
        0x0C or 0x61 => (IndicKind.Vowel, "l"),
        0x0D or 0x0E or 0x0F => (IndicKind.Vowel, "e"),
        0x10 => (IndicKind.Vowel, "ai"),
        0x11 or 0x12 or 0x13 => (IndicKind.Vowel, "o"),
        0x14 => (IndicKind.Vowel, "au"),
        >= 0x15 and <= 0x18 => (IndicKind.Consonant, "k"),
        0x19 or 0x1E or 0x23 or 0x28 or 0x29 => (IndicKind.Consonant, "n"),
        >= 0x1A and <= 0x1D => (IndicKind.Consonant, "c"),
        >= 0x1F and <= 0x22 => (IndicKind.Consonant, "t"),
        >= 0x24 and <= 0x27 => (IndicKind.Consonant, "t"),
        >= 0x2A and <= 0x2D => (IndicKind.Consonant, "p"),
        0x2E => (IndicKind.Consonant, "m"),
        0x2F or 0x5F => (IndicKind.Consonant, "y"),
        0x30 or 0x31 => (IndicKind.Consonant, "r"),
        0x32 or 0x33 or 0x34 => (IndicKind.Consonant, "l"),
        0x35 => (IndicKind.Consonant, "p"),
        0x36 or 0x37 or 0x38 => (IndicKind.Consonant, "s"),
        0x39 => (IndicKind.Consonant, "h"),
        0x58 or 0x59 or 0x5A => (IndicKind.Consonant, "k"),
        0x5B => (IndicKind.Consonant, "c"),
        0x5C or 0x5D => (IndicKind.Consonant, "t"),
        0x5E => (IndicKind.Consonant, "p"),
        0x3E => (IndicKind.VowelSign, "a"),
        0x3F or 0x40 => (IndicKind.VowelSign, "i"),
        0x41 or 0x42 => (IndicKind.VowelSign, "u"),
        0x43 or 0x44 => (IndicKind.VowelSign, "r"),
        0x62 or 0x63 => (IndicKind.VowelSign, "l"),
        0x45 or 0x46 or 0x47 => (IndicKind.VowelSign, "e"),
        0x48 => (IndicKind.VowelSign, "ai"),
        0x49 or 0x4A or 0x4B or 0x3A or 0x3B => (IndicKind.VowelSign, "o"),
        0x4C => (IndicKind.VowelSign, "au"),
        0x4D => (IndicKind.Virama, ""),
        0x7A or 0x7B => (IndicKind.DeadConsonant, "n"), // Malayalam chillu letters
        0x7C => (IndicKind.DeadConsonant, "r"),
        0x7D or 0x7E => (IndicKind.DeadConsonant, "l"),
        0x7F => (IndicKind.DeadConsonant, "k"),
        0x64 or 0x65 => (IndicKind.Separator, " "),
        _ => (IndicKind.Skip, ""), // nukta, avagraha, length marks, digits, accents
    };
}
