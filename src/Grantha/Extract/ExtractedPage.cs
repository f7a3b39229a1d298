namespace Grantha.Extract;

/// <summary>
/// What one source page says about one krithi: metadata as written on the page (HK), the section
/// sequence, the page-faithful lyric in every script (each aligned with <see cref="Sections"/>), the
/// non-lyric prose kept apart, and the warnings that lowered <see cref="Confidence"/>.
/// </summary>
public sealed record ExtractedPage
{
    public string? SourceUrl { get; init; }
    public string ExtractorVersion { get; init; } = Extractor.Version;
    /// <summary>The Blogger post title, e.g. <c>Syama Sastry Kriti - Kamakshi Anudinamu - Raga Bhairavi</c>.</summary>
    public string? PostTitle { get; init; }
    /// <summary>The title in HK as written on the page (bold heading, intro sentence or meta line).</summary>
    public string? Title { get; init; }
    /// <summary>The title as the post title spells it for readers (e.g. <c>Kamakshi Anudinamu</c>), else <see cref="Title"/>.</summary>
    public string? DisplayTitle { get; init; }
    /// <summary>Ragas in page order: one for most krithis, several (each with its section) for a ragamalika.</summary>
    public IReadOnlyList<ExtractedRaga> Ragas { get; init; } = [];
    /// <summary>Null when the page names no tala (never "Unknown").</summary>
    public string? Tala { get; init; }
    /// <summary>One of <see cref="Composers"/>' canonical names, or null.</summary>
    public string? Composer { get; init; }
    public string? Form { get; init; }
    public string? Deity { get; init; }
    public string? Kshetra { get; init; }
    /// <summary>The publication timestamp exactly as the page gives it (ISO 8601 with offset).</summary>
    public string? Published { get; init; }
    /// <summary>The <c>Updated on</c> date of the post body as ISO <c>yyyy-MM-dd</c>.</summary>
    public string? Updated { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>The intro sentence the metadata was read from, as written.</summary>
    public string? Intro { get; init; }
    public IReadOnlyList<Section> Sections { get; init; } = [];
    public IReadOnlyList<LyricVariant> Lyrics { get; init; } = [];
    public string? Gist { get; init; }
    public string? Meaning { get; init; }
    public string? Notes { get; init; }
    public string? Variations { get; init; }
    public string? References { get; init; }
    public IReadOnlyList<ExtractWarning> Warnings { get; init; } = [];
    /// <summary>0..1: one minus the penalties of <see cref="Warnings"/>.</summary>
    public double Confidence { get; init; }

    public LyricVariant? Lyric(string script) => Lyrics.FirstOrDefault(l => l.Script == script);
    public bool HasWarning(string code) => Warnings.Any(w => w.Code == code);
}

/// <summary>A raga named by the page; <see cref="SectionOrder"/> (1-based) is set for ragamalika passages.</summary>
public sealed record ExtractedRaga(string Name, int? SectionOrder = null);

/// <summary>One section of the composition; <see cref="Number"/> is the number written on the page (caraNam 2).</summary>
public sealed record Section(int Order, SectionType Type, int? Number, bool HasMadhyamaKala = false);

public enum SectionType
{
    Pallavi,
    Anupallavi,
    Charanam,
    SamashtiCharanam,
    SwaraSahitya,
    Chittaswaram,
    MuktayiSwaram,
    EttugadaSwaram,
    Other,
}

public static class SectionTypes
{
    /// <summary>The stable upper-case name used in JSON and the expected files (PALLAVI, SWARA_SAHITYA ...).</summary>
    public static string Code(this SectionType type) => type switch
    {
        SectionType.Pallavi => "PALLAVI",
        SectionType.Anupallavi => "ANUPALLAVI",
        SectionType.Charanam => "CHARANAM",
        SectionType.SamashtiCharanam => "SAMASHTI_CHARANAM",
        SectionType.SwaraSahitya => "SWARA_SAHITYA",
        SectionType.Chittaswaram => "CHITTASWARAM",
        SectionType.MuktayiSwaram => "MUKTAYI_SWARAM",
        SectionType.EttugadaSwaram => "ETTUGADA_SWARAM",
        _ => "OTHER",
    };
}

/// <summary>
/// The lyric in one script: <see cref="Sections"/>[i] is the text of <see cref="ExtractedPage.Sections"/>[i]
/// (lines joined with '\n'; empty when this script lacks that section).
/// </summary>
public sealed record LyricVariant(string Language, string Script, IReadOnlyList<string> Sections);

/// <summary>Something that lowered the confidence of an extraction; <see cref="Penalty"/> is what it cost.</summary>
public sealed record ExtractWarning(string Code, string Message, double Penalty);
