namespace Grantha.Extract;

/// <summary>
/// The metadata the top of a post states: the bold heading <c>&lt;HK title&gt;-&lt;HK raga&gt;</c>, the
/// intro sentence and (Dikshitar) the meta line <c>&lt;title&gt; - rAgaM &lt;raga&gt; - tALaM &lt;tala&gt;</c>.
/// </summary>
public sealed record PreambleFacts(string? Title, string? Raga, string? Tala, string? Composer, string? Form,
    string? Deity, string? Kshetra, string? Intro)
{
    /// <summary>A heading is a short line; longer bold lines are prose.</summary>
    const int HeadingMaxLength = 120;

    public bool IsRagamalika => Raga is not null && Scripts.Skeleton(Raga).Replace(" ", "") is "rakamalika" or "rakamalikai" or "rakamalik";

    public static PreambleFacts Read(IReadOnlyList<Line> preamble)
    {
        string? heading = null;
        IntroSentence? intro = null;
        IntroSentence? meta = null;
        foreach (var line in preamble)
        {
            var text = line.Lyric;
            if (text.Length == 0 || text.StartsWith("Transliteration", StringComparison.OrdinalIgnoreCase)) continue;
            if (meta is null && IntroSentence.ParseMetaLine(text) is { } m) { meta = m; continue; }
            if (heading is null && line.IsBold && text.Length <= HeadingMaxLength && text.Contains('-') &&
                Scripts.Dominant(text) == Script.Latin)
            {
                heading = text;
                continue;
            }
            if (intro is null && IsIntro(text)) intro = IntroSentence.Parse(text);
        }

        var raga = intro?.Raga ?? meta?.Raga;
        // Without a bold heading, a plain line "<title>-<raga>" whose raga is the intro's will do.
        if (heading is null && raga is not null)
            heading = preamble.Select(l => l.Lyric)
                .FirstOrDefault(t => t.Length <= HeadingMaxLength && t != intro?.Text && t.Contains('-') &&
                                     Scripts.Dominant(t) == Script.Latin && SplitHeading(t, raga, requireRaga: true).Title is not null);
        string? title = null;
        string? headingRaga = null;
        if (heading is not null) (title, headingRaga) = SplitHeading(heading, raga);
        raga ??= headingRaga;
        title ??= meta?.Title ?? intro?.Title;
        return new PreambleFacts(title, raga, intro?.Tala ?? meta?.Tala, intro?.Composer, intro?.Form,
            intro?.Deity, intro?.Kshetra, intro?.Text ?? meta?.Text);
    }

    /// <summary>The intro: a sentence that names the raga (<c>rAga</c>) or opens <c>In the kRti</c>.</summary>
    static bool IsIntro(string text) =>
        text.Length >= 20 &&
        (text.StartsWith("In ", StringComparison.Ordinal) ||
         text.Contains("rAga", StringComparison.Ordinal) || text.Contains(" raga ", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <c>kAmAkshi anudinamu-bhairavi</c> → (kAmAkshi anudinamu, bhairavi). When the intro's raga is
    /// known, the split is where it begins (ragas can contain hyphens); otherwise at the last hyphen.
    /// </summary>
    internal static (string? Title, string? Raga) SplitHeading(string heading, string? knownRaga, bool requireRaga = false)
    {
        var h = heading.Trim();
        if (knownRaga is not null)
        {
            var key = Scripts.Skeleton(knownRaga).Replace(" ", "");
            for (var i = h.IndexOf('-'); i > 0; i = h.IndexOf('-', i + 1))
            {
                var right = h[(i + 1)..];
                if (Scripts.Skeleton(right).Replace(" ", "") == key)
                    return (Clean(h[..i]), Clean(right));
            }
        }
        if (requireRaga) return (null, null);
        var last = h.LastIndexOf('-');
        if (last <= 0 || last == h.Length - 1) return (Clean(h), null);
        return (Clean(h[..last]), Clean(h[(last + 1)..]));
    }

    static string? Clean(string s)
    {
        var t = s.Trim().Trim('-', '–', '—', ':').Trim();
        return t.Length == 0 ? null : t;
    }
}
