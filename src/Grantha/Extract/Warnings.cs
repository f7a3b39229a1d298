namespace Grantha.Extract;

/// <summary>
/// Warning codes and what each costs the confidence. The confidence of a page is
/// <c>1 - sum(penalties)</c>, clamped to 0..1, so every drop is explained by a warning.
/// </summary>
public static class Warnings
{
    public const string CharsetRepaired = "charset_repaired";
    public const string EncodingErrors = "encoding_errors";
    public const string PageTruncated = "page_truncated";
    public const string UnknownTemplate = "unknown_template";
    public const string MultiplePosts = "multiple_posts";
    public const string EmptyPost = "empty_post";
    public const string NoLyrics = "no_lyrics";
    public const string LatinLyricsMissing = "latin_lyrics_missing";
    public const string TitleMissing = "title_missing";
    public const string RagaMissing = "raga_missing";
    public const string RagamalikaUnresolved = "ragamalika_unresolved";
    public const string TalaMissing = "tala_missing";
    public const string ComposerMissing = "composer_missing";
    public const string ComposerConflict = "composer_conflict";
    public const string FormMissing = "form_missing";
    public const string PublishedMissing = "published_missing";
    public const string SectionCountMismatch = "section_count_mismatch";
    public const string SectionsRepaired = "sections_repaired";
    public const string LineCountMismatch = "line_count_mismatch";
    public const string ProseTrimmed = "prose_trimmed";
    public const string CsvRagaDiffers = "csv_raga_differs";

    /// <summary>What each warning costs. Tala is often simply absent from a page, so it costs little.</summary>
    public static double Penalty(string code) => code switch
    {
        EmptyPost => 1.0,
        NoLyrics => 0.6,
        UnknownTemplate => 0.3,
        PageTruncated => 0.25,
        SectionCountMismatch => 0.2,
        CsvRagaDiffers => 0.2,
        MultiplePosts => 0.2,
        TitleMissing => 0.15,
        RagaMissing => 0.15,
        EncodingErrors => 0.15,
        LatinLyricsMissing => 0.1,
        ComposerMissing => 0.1,
        ComposerConflict => 0.1,
        RagamalikaUnresolved => 0.1,
        LineCountMismatch => 0.05,
        SectionsRepaired => 0.05,
        CharsetRepaired => 0.05,
        FormMissing => 0.05,
        ProseTrimmed => 0.02,
        TalaMissing => 0.02,
        PublishedMissing => 0.02,
        _ => 0.05,
    };

    public static ExtractWarning Make(string code, string message) => new(code, message, Penalty(code));

    public static double Confidence(IEnumerable<ExtractWarning> warnings) =>
        Math.Round(Math.Clamp(1.0 - warnings.Sum(w => w.Penalty), 0.0, 1.0), 2);
}
