namespace Grantha.Extract;

/// <summary>The non-lyric parts of a post that are kept as fields.</summary>
public enum ProseKind { Gist, Meaning, Notes, Variations, References, Comments }

/// <summary>A section as first cut from the page: its marker and its lines (an empty string marks a paragraph break).</summary>
public sealed class RawSection(SectionMarker marker)
{
    public SectionMarker Marker { get; } = marker;
    public List<string> Lines { get; } = new();
    public (SectionType, int?) Key => Marker.Key;
}

/// <summary>The lyric of one script as cut from the page, before cleaning and cross-script checks.</summary>
public sealed class ScriptRegion(Script script, bool implicitStart)
{
    public Script Script { get; set; } = script;
    /// <summary>True when no script heading introduced it (a header in a new script did).</summary>
    public bool ImplicitStart { get; } = implicitStart;
    public List<RawSection> Sections { get; } = new();
}

/// <summary>
/// Cuts the lines of a post body into its parts: preamble (key chart, heading, intro), one lyric
/// region per script, and the prose fields. One pass, one state; see docs/extract.md for the rules.
/// </summary>
public sealed class PostLayout
{
    public List<Line> Preamble { get; } = new();
    public List<ScriptRegion> Regions { get; } = new();
    public Dictionary<ProseKind, List<string>> Prose { get; } = new();
    /// <summary>The text after <c>Updated on</c>, if the post has that line.</summary>
    public string? UpdatedText { get; private set; }

    enum Mode { Preamble, Lyric, Prose, Ignore, End }

    Mode mode = Mode.Preamble;
    ScriptRegion? region;
    ProseKind prose;
    bool paragraphStart = true;

    /// <summary>How many headings one line may chain (<c>Notes – Variations – ...</c>) before the rest is plain text.</summary>
    const int ChainedHeadingsMax = 4;

    public static PostLayout Read(IReadOnlyList<Line> lines)
    {
        var layout = new PostLayout();
        foreach (var line in lines) layout.Take(line, 0);
        return layout;
    }

    void Take(Line line, int depth)
    {
        if (mode == Mode.End) return;
        if (line.IsRule || line.IsBlank)
        {
            if (mode == Mode.Lyric && region!.Sections.Count > 0) AddLyricBreak();
            else if (mode == Mode.Prose) AddProse("");
            paragraphStart = true;
            return;
        }
        var wasParagraphStart = paragraphStart;
        paragraphStart = false;
        var text = line.Text;

        if (TryUpdated(text)) { mode = Mode.End; return; }
        if (IsNavigation(text)) { paragraphStart = wasParagraphStart; return; }

        if (ReadScriptHeading(text) is { } heading)
        {
            var (script, wordDivision) = heading;
            if (wordDivision || HasLyric(script)) { mode = Mode.Ignore; region = null; }
            else OpenRegion(script, implicitStart: false);
            paragraphStart = true;
            return;
        }
        if (depth < ChainedHeadingsMax && ReadProseHeading(text) is { } ph)
        {
            var (kind, rest) = ph;
            region = null;
            if (kind is null) mode = Mode.Ignore; // word division
            else
            {
                mode = Mode.Prose;
                prose = kind.Value;
                Prose.TryAdd(prose, new List<string>());
            }
            paragraphStart = true;
            if (rest.Length > 0) Take(new Line([new Run(rest, RunStyle.None)]), depth + 1);
            return;
        }

        var lyric = line.Lyric;
        var marker = lyric.Length > 0 ? SectionMarkers.Read(lyric, line.FirstVisibleRun) : null;
        var lineScript = Scripts.Dominant(lyric);
        switch (mode)
        {
            case Mode.Preamble:
                if (marker is not null && OpensLyric(marker, wasParagraphStart))
                {
                    OpenRegion(marker.Script == Script.Unknown ? lineScript : marker.Script, implicitStart: true);
                    StartSection(marker);
                }
                else Preamble.Add(line);
                return;

            case Mode.Lyric:
                TakeLyricLine(line, lyric, marker, lineScript, wasParagraphStart);
                return;

            case Mode.Prose:
            case Mode.Ignore:
                if (marker is not null && OpensImplicitRegion(marker, lineScript, wasParagraphStart))
                {
                    OpenRegion(lineScript, implicitStart: true);
                    StartSection(marker);
                    return;
                }
                if (mode == Mode.Prose) AddProse(line.Text);
                return;
        }
    }

    void TakeLyricLine(Line line, string lyric, SectionMarker? marker, Script lineScript, bool paragraphStartLine)
    {
        var r = region!;
        var foreign = lineScript != Script.Unknown && lineScript != r.Script && Letters(lyric) >= 2;
        if (marker is not null && !foreign)
        {
            if (r.Sections.Count > 0 && marker.Key == r.Sections[0].Key && AcceptsRestart(marker, paragraphStartLine))
            {
                // The section sequence starts over: a word division or a prose meaning, not lyric.
                mode = Mode.Ignore;
                region = null;
                return;
            }
            if (Accepts(marker, r, paragraphStartLine))
            {
                StartSection(marker);
                return;
            }
        }
        if (foreign && marker is not null && !HasLyric(lineScript) && OpensImplicitRegion(marker, lineScript, paragraphStartLine))
        {
            OpenRegion(lineScript, implicitStart: true);
            StartSection(marker);
            return;
        }
        // Lines in another script (a key chart before that script's heading) or mixing scripts
        // (key chart rows such as "ऎ,कॆ,चॆ.. - e,ke,ce..") are never this region's lyric.
        if (foreign || IsMixedScript(lyric)) return;
        if (r.Sections.Count == 0)
        {
            // The region's own key chart, before its first header; before any lyric at all
            // (an "English" heading above the intro) the line still belongs to the preamble.
            if (!Regions.Any(x => x.Sections.Count > 0)) Preamble.Add(line);
            return;
        }
        r.Sections[^1].Lines.Add(lyric);
    }

    /// <summary>Two scripts with at least two letters each.</summary>
    static bool IsMixedScript(string s)
    {
        if (Scripts.DistinctCount(s) < 2) return false;
        Span<int> counts = stackalloc int[(int)Script.Malayalam + 1];
        foreach (var c in s) counts[(int)Scripts.Of(c)]++;
        var withTwo = 0;
        for (var i = 1; i < counts.Length; i++) if (counts[i] >= 2) withTwo++;
        return withTwo >= 2;
    }

    static int Letters(string s)
    {
        var n = 0;
        foreach (var c in s) if (Scripts.Of(c) != Script.Unknown) n++;
        return n;
    }

    /// <summary>Whether a marker starts a new section of the current region.</summary>
    static bool Accepts(SectionMarker m, ScriptRegion r, bool paragraphStartLine)
    {
        if (m.Form != MarkerForm.CompactPlain) return true;
        // A plain "A ", "P ", "C1 " may be lyric (A is long a): accept it only where a section can
        // begin (a new paragraph), where it continues the sequence, and never on a page whose
        // markers are set in a big font.
        if (!paragraphStartLine) return false;
        if (r.Sections.Any(s => s.Marker.Form == MarkerForm.CompactStyled)) return false;
        var last = r.Sections.Count > 0 ? r.Sections[^1].Marker : null;
        return m.Type switch
        {
            SectionType.Pallavi => last is null,
            SectionType.Anupallavi => last is { Type: SectionType.Pallavi },
            SectionType.Charanam => last is { Type: SectionType.Pallavi or SectionType.Anupallavi } && (m.Number ?? 1) == 1 ||
                                    last is { Type: SectionType.Charanam } && (m.Number is null || m.Number == (last.Number ?? 1) + 1),
            _ => false,
        };
    }

    static bool AcceptsRestart(SectionMarker m, bool paragraphStartLine) =>
        m.Form != MarkerForm.CompactPlain || paragraphStartLine;

    static bool OpensLyric(SectionMarker m, bool paragraphStartLine) => m.Form switch
    {
        MarkerForm.CompactPlain => paragraphStartLine && m.Type == SectionType.Pallavi && m.Rest.Length > 0,
        _ => true,
    };

    bool OpensImplicitRegion(SectionMarker m, Script lineScript, bool paragraphStartLine)
    {
        if (lineScript == Script.Unknown || HasLyric(lineScript)) return false;
        if (m.Form == MarkerForm.CompactPlain && !(paragraphStartLine && m.Type == SectionType.Pallavi)) return false;
        return true;
    }

    bool HasLyric(Script script) => Regions.Any(r => r.Script == script && r.Sections.Count > 0);

    void OpenRegion(Script script, bool implicitStart)
    {
        // A heading with no lyric under it yet (e.g. a language-switch line) is replaced, not kept.
        Regions.RemoveAll(r => r.Sections.Count == 0);
        region = new ScriptRegion(script, implicitStart);
        Regions.Add(region);
        mode = Mode.Lyric;
    }

    void StartSection(SectionMarker marker)
    {
        var section = new RawSection(marker);
        if (marker.Rest.Length > 0) section.Lines.Add(marker.Rest);
        region!.Sections.Add(section);
    }

    void AddLyricBreak()
    {
        var lines = region!.Sections[^1].Lines;
        if (lines.Count > 0 && lines[^1].Length > 0) lines.Add("");
    }

    void AddProse(string text)
    {
        var list = Prose[prose];
        if (text.Length == 0 && (list.Count == 0 || list[^1].Length == 0)) return;
        list.Add(text);
    }

    bool TryUpdated(string text)
    {
        if (!text.StartsWith("Updated on", StringComparison.OrdinalIgnoreCase) || text.Length > 60) return false;
        UpdatedText = text["Updated on".Length..].Trim(' ', ':', '-', '.');
        return true;
    }

    static bool IsNavigation(string text) =>
        text.Equals("Back", StringComparison.OrdinalIgnoreCase) ||
        text.Equals("Top", StringComparison.OrdinalIgnoreCase) ||
        text.Equals("Back to top", StringComparison.OrdinalIgnoreCase);

    /// <summary>A bare script heading (<c>Devanagari</c>, <c>Tamil:</c>), or <c>&lt;Script&gt; - Word Division</c>.</summary>
    internal static (Script Script, bool WordDivision)? ReadScriptHeading(string text)
    {
        if (text.Length > 40) return null;
        var t = text.Trim(' ', ':', '-', '–', '—', '.');
        var wordDivision = false;
        var wd = t.IndexOf("word division", StringComparison.OrdinalIgnoreCase);
        if (wd > 0)
        {
            wordDivision = true;
            t = t[..wd].Trim(' ', ':', '-', '–', '—', '.');
        }
        var script = Scripts.FromHeadingWord(t);
        return script == Script.Unknown ? null : (script, wordDivision);
    }

    static readonly (string Phrase, ProseKind? Kind)[] ProseHeadings =
    [
        ("word-by-word meaning", ProseKind.Meaning),
        ("word by word meaning", ProseKind.Meaning),
        ("word-by-word", ProseKind.Meaning),
        ("word by word", ProseKind.Meaning),
        ("word meaning", ProseKind.Meaning),
        ("word division", null),
        ("meaning", ProseKind.Meaning),
        ("gist", ProseKind.Gist),
        ("notes", ProseKind.Notes),
        ("note", ProseKind.Notes),
        ("variations", ProseKind.Variations),
        ("variation", ProseKind.Variations),
        ("pAThAntaram", ProseKind.Variations),
        ("pAThAntara", ProseKind.Variations),
        ("references", ProseKind.References),
        ("reference", ProseKind.References),
        ("comments", ProseKind.Comments),
        ("comment", ProseKind.Comments),
    ];

    /// <summary>
    /// <c>Gist</c>, <c>Word-by-word Meaning</c>, <c>Notes –</c>, <c>Variations –</c>, <c>References –</c>,
    /// <c>Comments -</c>, <c>Word Division</c> (kind null), with any text after the separator.
    /// </summary>
    internal static (ProseKind? Kind, string Remainder)? ReadProseHeading(string text)
    {
        var t = text.TrimStart(' ', '*', '-', '–');
        foreach (var (phrase, kind) in ProseHeadings)
        {
            if (!t.StartsWith(phrase, StringComparison.OrdinalIgnoreCase)) continue;
            var after = t.AsSpan(phrase.Length);
            if (after.Length > 0 && char.IsLetterOrDigit(after[0])) continue;
            var rest = after.TrimStart(" :.-–—".AsSpan());
            var separated = after.Length == 0 || after.TrimStart(' ').Length == 0 ||
                            after.TrimStart(' ') is [':' or '-' or '–' or '—', ..];
            if (!separated) continue;
            return (kind, rest.ToString());
        }
        return null;
    }
}
