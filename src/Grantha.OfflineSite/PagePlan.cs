namespace Grantha.OfflineSite;

/// <summary>
/// One lyric word: its HK form on the page (sandhi parentheses, refrain cue) and its
/// word-division form (<c>dikk(a)nucu</c> is <c>dikku-anucu</c>). A footnote number puts a
/// <c>&lt;sup&gt;N&lt;/sup&gt;</c> marker before the word in the Latin lyric.
/// </summary>
public sealed record LyricWord(string Hk, string Division, int? Footnote = null);

public sealed record LyricLine(IReadOnlyList<LyricWord> Words)
{
    public string Hk => string.Join(' ', Words.Select(w => w.Hk));
    public string Division => string.Join(' ', Words.Select(w => w.Division));
}

/// <summary>A ragamalika raga line (<c>2. Arabhi rAgaM</c>) printed before lyric line <see cref="BeforeLine"/>.</summary>
public sealed record RagaMark(int BeforeLine, int Order, string Raga, bool Viloma)
{
    public string Hk => Viloma ? $"vilOma - {Raga} rAgaM" : $"{Order}. {Raga} rAgaM";
}

public sealed record SectionPlan(
    SectionType Type,
    int? Number,
    IReadOnlyList<LyricLine> Lines,
    int? MadhyamaFrom,
    IReadOnlyList<RagaMark> RagaMarks);

/// <summary>How a Thyagaraja page marks its sections.</summary>
public enum HeaderStyle { Words, Compact }

/// <summary>What follows the Tamil lyric.</summary>
public enum TamilProse { None, Labelled, Unlabelled }

/// <summary>A footnote: a variation or a reference tied to a numbered word.</summary>
public sealed record Footnote(int Number, string Word, string Text, bool IsVariation);

/// <summary>Everything a page is rendered from; pure data, decided by <see cref="PagePlanner"/>.</summary>
public sealed record PagePlan
{
    public required string Url { get; init; }
    public required IReadOnlyList<SourceRow> Rows { get; init; }
    public required Blog Blog { get; init; }
    public required string PostId { get; init; }
    public required string BlogId { get; init; }
    public required string Title { get; init; }
    public required string IntroTitle { get; init; }
    public required string Raga { get; init; }
    public IReadOnlyList<TruthRaga>? Ragas { get; init; }
    public string? Tala { get; init; }
    public required string Form { get; init; }
    public required string FormText { get; init; }
    public string? Deity { get; init; }
    public string? DeityTitle { get; init; }
    public string? Kshetra { get; init; }
    public required DateTimeOffset Published { get; init; }
    public required DateOnly Updated { get; init; }
    public required string PostTitle { get; init; }
    public required IReadOnlyList<SectionPlan> Sections { get; init; }
    public required IReadOnlyList<Script> Scripts { get; init; }
    public required HeaderStyle HeaderStyle { get; init; }
    public bool CompactSpan { get; init; }
    public bool CompactSpaceNumber { get; init; }
    public bool TamilDigitsSub { get; init; }
    public TamilProse TamilProse { get; init; }
    public bool WordDivision { get; init; }
    public bool MsoNotes { get; init; }
    public (int Section, int Line)? TamilPa4Line { get; init; }
    public bool LatinLineStartsWithA { get; init; }
    public required IReadOnlyList<Footnote> Footnotes { get; init; }
    public required IReadOnlyList<string> Gist { get; init; }
    /// <summary>One English meaning paragraph per section.</summary>
    public required IReadOnlyList<string> Meanings { get; init; }
    public required IReadOnlyList<string> TamilProseLines { get; init; }
    public int TargetBytes { get; init; }
}
