namespace Grantha.Extract;

public enum MarkerForm
{
    /// <summary>A header in words: <c>pallavi</c>, <c>caraNam 2</c>, <c>स्वर साहित्य 1</c>.</summary>
    FullWord,
    /// <summary>A compact Latin marker (<c>P</c>, <c>A</c>, <c>C1</c>) in a big-font span.</summary>
    CompactStyled,
    /// <summary>A compact Latin marker in plain text: may be lyric (<c>A</c> is long a), so context decides.</summary>
    CompactPlain,
    /// <summary>A compact Indic marker with its period: <c>प.</c>, <c>அ.</c>, <c>ச1.</c>.</summary>
    IndicCompact,
}

/// <summary>A section header found at the start of a line; <see cref="Rest"/> is lyric text on the same line.</summary>
public sealed record SectionMarker(SectionType Type, int? Number, MarkerForm Form, string Token, string Rest, Script Script)
{
    public (SectionType, int?) Key => (Type, Number);
}

/// <summary>
/// Recognises section headers in every script. Full words are matched on their
/// <see cref="Scripts.Skeleton"/>, so one table serves HK, Devanagari, Tamil, Telugu, Kannada,
/// Malayalam and the other Indic scripts.
/// </summary>
public static class SectionMarkers
{
    /// <summary>A header line is short; longer lines are never read as one (and stay cheap).</summary>
    public const int HeaderMaxLength = 60;

    static readonly Dictionary<string, SectionType> Words = new()
    {
        ["palapi"] = SectionType.Pallavi,
        ["anupalapi"] = SectionType.Anupallavi,
        ["caranam"] = SectionType.Charanam,
        ["caranamu"] = SectionType.Charanam,
        ["carana"] = SectionType.Charanam,
        ["samasticaranam"] = SectionType.SamashtiCharanam,
        ["samasticaranamu"] = SectionType.SamashtiCharanam,
        ["samasticarana"] = SectionType.SamashtiCharanam,
        ["sparasahitya"] = SectionType.SwaraSahitya,
        ["sparasahityam"] = SectionType.SwaraSahitya,
        ["sparasahityamu"] = SectionType.SwaraSahitya,
        ["citasparam"] = SectionType.Chittaswaram,
        ["citaspara"] = SectionType.Chittaswaram,
        ["citasparamu"] = SectionType.Chittaswaram,
        ["muktayisparam"] = SectionType.MuktayiSwaram,
        ["muktayispara"] = SectionType.MuktayiSwaram,
        ["muktayi"] = SectionType.MuktayiSwaram,
        ["etukatasparam"] = SectionType.EttugadaSwaram,
        ["etukataspara"] = SectionType.EttugadaSwaram,
        ["etukata"] = SectionType.EttugadaSwaram,
    };

    static readonly HashSet<string> MadhyamaKalaWords =
        ["matyamakalasahityam", "matyamakalasahitya", "matyamakalasahityamu", "matyamakala", "matyamakalam"];

    static readonly HashSet<string> RagaWords = ["rakam", "raka", "rakamu", "rakah"];

    /// <summary>Reads a header at the start of <paramref name="text"/> (a line's lyric text), or null.</summary>
    public static SectionMarker? Read(string text, Run? firstRun = null)
    {
        if (text.Length == 0) return null;
        return ReadIndicCompact(text) ?? ReadLatinCompact(text, firstRun) ?? ReadFullWord(text);
    }

    /// <summary><c>caraNam 2</c>, <c>(pallavi)</c>, <c>स्वर साहित्य 3</c>, or a header then <c>:</c> / <c>-</c> and lyric.</summary>
    public static SectionMarker? ReadFullWord(string text)
    {
        var whole = ReadHeaderPhrase(text);
        if (whole is not null) return whole with { Rest = "" };
        // "caraNam 1 - text": a header, a separator, then the rest of the line.
        var limit = Math.Min(text.Length, HeaderMaxLength);
        for (var i = 1; i < limit; i++)
        {
            var c = text[i];
            if (c is not (':' or '–' or '—' or '-')) continue;
            if (c is '-' or '–' or '—' && !(text[i - 1] == ' ' || (i + 1 < text.Length && text[i + 1] == ' '))) continue;
            var head = ReadHeaderPhrase(text[..i]);
            if (head is null) continue;
            var rest = text[(i + 1)..].Trim();
            return head with { Rest = rest };
        }
        return null;
    }

    static SectionMarker? ReadHeaderPhrase(string text)
    {
        if (text.Length > HeaderMaxLength) return null;
        var t = text.AsSpan().Trim(" :.-–—()[]|".AsSpan());
        if (t.Length == 0) return null;
        // A trailing number: "caraNam 2", "स्वर साहित्य 1", "caraNam - 3", "caraNaM (2)".
        int? number = null;
        var end = t.Length;
        var value = 0;
        var digits = 0;
        while (end > 0 && Scripts.DigitValue(t[end - 1]) >= 0 && digits < 3)
        {
            value += Scripts.DigitValue(t[end - 1]) * (int)Math.Pow(10, digits);
            digits++;
            end--;
        }
        if (digits > 0 && digits < 3)
        {
            // Tamil pronunciation digits glue to a letter; a section number stands apart
            // (or follows a Latin word directly: caraNam1).
            var glued = end > 0 && t[end - 1] is var p && !char.IsWhiteSpace(p) && p is not ('-' or '(' or '–') && Scripts.Of(p).IsIndic();
            if (!glued) number = value;
            else end = t.Length;
        }
        else end = t.Length;
        var words = t[..end].Trim(" :.-–—()[]|".AsSpan());
        if (words.Length == 0 || CountWords(words) > 4) return null;
        var key = Scripts.Skeleton(words).Replace(" ", "");
        if (!Words.TryGetValue(key, out var type)) return null;
        return new SectionMarker(type, number, MarkerForm.FullWord, text.Trim(), "", Scripts.Dominant(words));
    }

    static int CountWords(ReadOnlySpan<char> s)
    {
        var n = 0;
        var inWord = false;
        foreach (var c in s)
        {
            var w = !char.IsWhiteSpace(c);
            if (w && !inWord) n++;
            inWord = w;
        }
        return n;
    }

    /// <summary>
    /// <c>P</c>, <c>A</c>, <c>C</c>, <c>C1</c>..<c>C12</c>, <c>C 1</c> at the start of a Latin line, then a
    /// space or the line end. Styled when it is exactly the text of a big-font run.
    /// </summary>
    public static SectionMarker? ReadLatinCompact(string text, Run? firstRun)
    {
        var c = text[0];
        if (c is not ('P' or 'A' or 'C')) return null;
        var i = 1;
        int? number = null;
        if (c == 'C')
        {
            var j = i;
            if (j < text.Length && text[j] == ' ' && j + 1 < text.Length && char.IsAsciiDigit(text[j + 1])) j++;
            var start = j;
            while (j < text.Length && char.IsAsciiDigit(text[j]) && j - start < 2) j++;
            if (j > start)
            {
                number = int.Parse(text.AsSpan(start, j - start));
                i = j;
            }
        }
        if (i < text.Length && text[i] == '.') i++;
        if (i < text.Length && text[i] != ' ') return null;
        var token = text[..i];
        var rest = text[i..].Trim();
        var styled = firstRun is { } run && (run.Style & RunStyle.Big) != 0 &&
                     Squash(run.Text) == Squash(token);
        var type = c switch { 'P' => SectionType.Pallavi, 'A' => SectionType.Anupallavi, _ => SectionType.Charanam };
        return new SectionMarker(type, number, styled ? MarkerForm.CompactStyled : MarkerForm.CompactPlain, token, rest, Script.Latin);
    }

    static string Squash(string s) => new(s.Where(ch => !char.IsWhiteSpace(ch) && ch != '.').ToArray());

    /// <summary>
    /// One Indic letter for pallavi (प ப ప ಪ പ ...), anupallavi (अ அ అ ...) or caraNam (च ச చ ...),
    /// an optional number, and a period: <c>प.</c>, <c>ச1.</c>, <c>చ 2.</c>. The period is required:
    /// a Tamil line may begin <c>ப 4...</c> as lyric.
    /// </summary>
    public static SectionMarker? ReadIndicCompact(string text)
    {
        var c = text[0];
        var script = Scripts.Of(c);
        if (!script.IsIndic()) return null;
        var type = (c & 0x7F) switch
        {
            0x2A => SectionType.Pallavi,
            0x05 => SectionType.Anupallavi,
            0x1A => SectionType.Charanam,
            _ => (SectionType?)null,
        };
        if (type is null) return null;
        var i = 1;
        if (i < text.Length && text[i] == ' ') i++;
        var value = 0;
        var digits = 0;
        while (i < text.Length && Scripts.DigitValue(text[i]) >= 0 && digits < 2)
        {
            value = value * 10 + Scripts.DigitValue(text[i]);
            digits++;
            i++;
        }
        if (i < text.Length && text[i] == ' ' && digits > 0) i++;
        if (i >= text.Length || text[i] != '.') return null;
        i++;
        if (i < text.Length && text[i] != ' ') return null;
        return new SectionMarker(type.Value, digits > 0 ? value : null, MarkerForm.IndicCompact, text[..i], text[i..].Trim(), script);
    }

    /// <summary>The <c>(madhyama kAla sAhityam)</c> line (in any script) that starts a double-speed passage.</summary>
    public static bool IsMadhyamaKala(string text)
    {
        if (text.Length > HeaderMaxLength) return false;
        return MadhyamaKalaWords.Contains(Scripts.Skeleton(text).Replace(" ", ""));
    }

    /// <summary>
    /// A ragamalika raga line inside a section: <c>1. SrI rAgaM</c>, <c>2. Arabhi rAgaM</c>,
    /// <c>vilOma - mOhana rAgaM</c>, <c>(bEgaDa rAgaM)</c>. Returns the raga name as written, or null.
    /// Without a number, a vilOma/anulOma prefix or parentheses, only very short lines qualify
    /// when the page is known to be a ragamalika.
    /// </summary>
    public static string? ReadRagaLine(string text, bool ragamalika)
    {
        if (text.Length == 0 || text.Length > HeaderMaxLength) return null;
        var t = text.Trim();
        var marked = false;
        if (t.StartsWith('(') && t.EndsWith(')')) { t = t[1..^1].Trim(); marked = true; }
        var i = 0;
        while (i < t.Length && Scripts.DigitValue(t[i]) >= 0) i++;
        if (i > 0 && i < t.Length && t[i] is '.' or ')')
        {
            t = t[(i + 1)..].Trim();
            marked = true;
        }
        var skeleton = Scripts.Skeleton(t);
        var words = skeleton.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || words.Length > 6 || !RagaWords.Contains(words[^1])) return null;
        if (words[0] is "piloma" or "anuloma") marked = true;
        if (!marked && !(ragamalika && words.Length <= 3)) return null;
        // The name: the words before "rAgaM", without a vilOma prefix.
        var name = t.TrimEnd(' ', '.', ')');
        var last = name.LastIndexOf(' ');
        name = last > 0 ? name[..last].Trim() : name;
        foreach (var prefix in new[] { "vilOma", "viloma", "anulOma", "anuloma" })
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                name = name[prefix.Length..].TrimStart(' ', '-', '–', '—', ':');
        return name.Length == 0 ? null : name;
    }
}
