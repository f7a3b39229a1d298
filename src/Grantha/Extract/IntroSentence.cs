using System.Text.RegularExpressions;

namespace Grantha.Extract;

/// <summary>
/// What the intro sentence states, e.g. <c>In this svara jati ‘kAmAkshi anudinamu’ – rAga bhairavi
/// (tALa cApu), SrI SyAmA Sastry prays to Mother kAmAkshi.</c>, or what a Dikshitar meta line
/// states (<c>kamalAmbikE - rAgaM tODi - tALaM rUpakaM</c>).
/// </summary>
public sealed partial record IntroSentence(string Text, string? Form, string? Title, string? Raga, string? Tala,
    string? Composer, string? Deity, string? Kshetra)
{
    /// <summary>Intro sentences are short; longer text is cut before any pattern runs.</summary>
    public const int MaxLength = 1500;

    public static IntroSentence Parse(string text)
    {
        var t = text.Length > MaxLength ? text[..MaxLength] : text;
        string? form = null, title = null;
        if (FormTitleRegex().Match(t) is { Success: true } ft)
        {
            form = Forms.Normalise(ft.Groups["form"].Value);
            title = ft.Groups["title"].Value.Trim();
        }
        // The raga is named after the quoted title, which may itself contain "rAga" (‘rAga ratna’).
        var from = FormTitleRegex().Match(t) is { Success: true } q ? q.Index + q.Length : 0;
        var raga = RagamalikaRegex().Match(t, from) is { Success: true } rm ? rm.Value
            : RagaRegex().Match(t, from) is { Success: true } r ? CleanName(r.Groups["raga"].Value)
            : RagaRegex().Match(t) is { Success: true } r0 ? CleanName(r0.Groups["raga"].Value) : null;
        var tala = TalaRegex().Match(t) is { Success: true } tl ? CleanName(tl.Groups["tala"].Value) : null;
        var (deity, after) = FindDeity(t, DeityRegex());
        var kshetra = deity is null ? null : FindKshetra(t[after..]);
        return new IntroSentence(text, form, title, raga, tala, Composers.InText(t), deity, kshetra);
    }

    /// <summary><c>&lt;title&gt; - rAgaM &lt;raga&gt; - tALaM &lt;tala&gt;</c>, or null when the line is not one.</summary>
    public static IntroSentence? ParseMetaLine(string text)
    {
        if (text.Length > MaxLength) return null;
        var m = MetaLineRegex().Match(text);
        if (!m.Success) return null;
        var tala = m.Groups["tala"].Success ? CleanName(m.Groups["tala"].Value) : null;
        return new IntroSentence(text, null, m.Groups["title"].Value.Trim(), CleanName(m.Groups["raga"].Value), tala, null, null, null);
    }

    /// <summary>The deity a gist addresses first: <c>O SrI kAmAkshi of kAncIpura!</c>, <c>O Lord vEnkaTESa</c>.</summary>
    public static string? DeityInGist(string? gist)
    {
        if (string.IsNullOrEmpty(gist)) return null;
        var t = gist.Length > MaxLength ? gist[..MaxLength] : gist;
        return FindDeity(t, GistDeityRegex()).Deity;
    }

    static (string? Deity, int After) FindDeity(string text, Regex regex)
    {
        foreach (Match m in regex.Matches(text))
        {
            var g = m.Groups["name"];
            if (!IsHkName(g.Value)) continue;
            var name = g.Value;
            var end = g.Index + g.Length;
            // Further words of a name are HK too (vEnkaTa ramaNa): lower-case start, an upper-case letter inside.
            foreach (Match more in FollowingWordRegex().Matches(text[end..Math.Min(text.Length, end + 60)]))
            {
                if (more.Index != 0) break;
                var w = more.Groups["w"].Value;
                if (!(char.IsLower(w[0]) && w.Skip(1).Any(char.IsUpper))) break;
                name += " " + w;
                end += more.Length;
            }
            return (name, end);
        }
        return (null, 0);
    }

    static string? FindKshetra(string rest)
    {
        var m = KshetraRegex().Match(rest);
        if (!m.Success || !IsHkName(m.Groups["place"].Value)) return null;
        return m.Groups["place"].Value;
    }

    static readonly HashSet<string> English = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "a", "an", "of", "to", "in", "on", "at", "and", "or", "his", "her", "him", "who", "whom", "which",
        "that", "this", "these", "those", "is", "are", "was", "be", "being", "one", "all", "as", "by", "for", "with",
        "from", "not", "no", "so", "our", "my", "me", "you", "your", "he", "she", "it", "its", "their", "them",
        "lord", "mother", "goddess", "god", "o", "oh", "please", "says", "states", "prays", "asks", "seeks",
    };

    /// <summary>An HK proper name: starts lower-case (HK capitals are phonetic), or carries an inner capital.</summary>
    static bool IsHkName(string word) =>
        word.Length >= 2 && !English.Contains(word) &&
        (char.IsLower(word[0]) || word.Skip(1).Any(char.IsUpper));

    static string? CleanName(string s)
    {
        var v = s.Trim().TrimEnd('.', ',', ';', ':', '-', '–', '—').Trim();
        return v.Length == 0 ? null : v;
    }

    [GeneratedRegex(@"\b[Ii]n\s+(?:this|the|his|a|an)\s+(?<form>[^‘'""“,]{1,40}?)\s*[‘'""“](?<title>[^’'""”]{1,150})[’'""”]", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex FormTitleRegex();

    [GeneratedRegex(@"\br[Aa]ga(?:[mM]|m)?\s*[:\-–]?\s+(?<raga>[^(),;–—\s][^(),;–—]{0,60}?)\s*(?=[(),;–—]|\s-\s+t[Aa][Ll]a|\.\s|\.$|$)", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex RagaRegex();

    [GeneratedRegex(@"\br[Aa]ga\s*-?\s*m[Aa]lik[Aa]i?", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex RagamalikaRegex();

    [GeneratedRegex(@"\bt[Aa][Ll]a(?:[mM])?\s*[:\-–]?\s+(?<tala>[^(),;–—\s][^(),;–—]{0,40}?)\s*(?=[(),;–—]|\s-\s|\.\s|\.$|$)", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex TalaRegex();

    [GeneratedRegex(@"\b(?:Lord|Mother|Goddess|God|Lady)\s+(?<name>(?:SrI\s+)?[A-Za-z]+)", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex DeityRegex();

    [GeneratedRegex(@"\bO\s+(?:(?:Lord|Mother|Goddess|SrI|Sri)\s+){0,3}(?<name>[A-Za-z]+)", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex GistDeityRegex();

    [GeneratedRegex(@"\G\s+(?<w>[A-Za-z]+)", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex FollowingWordRegex();

    [GeneratedRegex(@"^\s*,?\s*(?:of|at|in)\s+(?:SrI\s+)?(?<place>[A-Za-z]+)", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex KshetraRegex();

    [GeneratedRegex(@"^(?<title>[^–\-‘’'""“”(),.]{1,120}?)\s+[-–]\s+r[Aa]ga[mM]?\s+(?<raga>[^–(),.]{1,60}?)(?:\s+[-–]\s+t[Aa][Ll]a[mM]?\s+(?<tala>[^(),.]{1,60}?))?\s*$", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex MetaLineRegex();
}

/// <summary>The form of a composition, normalised from how a page names it.</summary>
public static class Forms
{
    public const string Kriti = "kriti";
    public const string SvaraJati = "svara jati";
    public const string Varnam = "varnam";

    /// <summary><c>kRti</c> → kriti, <c>svara jati</c> → svara jati, <c>tAna varNam</c> → varnam ...; unknown names are kept (lower case).</summary>
    public static string? Normalise(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var k = Scripts.Skeleton(raw).Replace(" ", "");
        if (k.Contains("sparacati") || k.Contains("sparcati")) return SvaraJati;
        if (k.Contains("parnam") || k.Contains("parna")) return Varnam;
        if (k.Contains("tipyanamakirtan")) return "divya nama kirtana";
        if (k.Contains("utsapasampratayakirtan")) return "utsava sampradaya kirtana";
        if (k.Contains("utsapasamprataya")) return "utsava sampradaya kriti";
        if (k.Contains("kirtan")) return "kirtana";
        if (k.Contains("tilana")) return "tillana";
        if (k.Contains("capali")) return "javali";
        if (k.Contains("patam")) return "padam";
        if (k.Contains("krti") || k.Contains("kriti") || k.Contains("kruti")) return Kriti;
        var plain = raw.Trim().ToLowerInvariant();
        return plain.Length is > 0 and <= 40 ? plain : null;
    }
}
