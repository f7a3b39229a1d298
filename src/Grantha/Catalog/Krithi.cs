using System.Text.Json;
using Grantha.Reference;

namespace Grantha.Catalog;

/// <summary>The two states of a krithi: nothing is ever deleted, a wrong one is retracted.</summary>
public static class KrithiStatus
{
    public const string Active = "active";
    public const string Retracted = "retracted";

    public static readonly IReadOnlyList<string> All = [Active, Retracted];
}

/// <summary>The scripts the catalog keeps lyrics in (krithi_section.script).</summary>
public static class KrithiScripts
{
    static readonly string[] Known = ["latin", "devanagari", "tamil", "telugu", "kannada", "malayalam"];

    public static IReadOnlyList<string> All => Known;

    public static bool IsKnown(string script) => Order(script) >= 0;

    /// <summary>The script's place in <see cref="All"/> (-1 when unknown): lyrics are kept in this order, so equal krithis serialise equally.</summary>
    public static int Order(string script) => Array.IndexOf(Known, script);
}

/// <summary>A raga of a krithi; <see cref="Section"/> is the section position it is sung from, for a ragamalika.</summary>
public sealed record KrithiRaga(string RagaId, int? Section = null);

/// <summary>
/// One section of the lyric in one script, as the extraction aligns them: position n is the same
/// section in every script; <see cref="Type"/> is pallavi, anupallavi, charanam, samashti_charanam,
/// swara_sahitya, chittaswaram or other; <see cref="Number"/> is the number written on the page (charanam 2);
/// <see cref="MadhyamaKalaLine"/> the zero-based line where a madhyama kala passage starts.
/// </summary>
public sealed record KrithiSection(int Position, string Type, int? Number, string Text, int? MadhyamaKalaLine = null);

/// <summary>The lyric in one script (one of <see cref="KrithiScripts.All"/>), sections in order.</summary>
public sealed record KrithiLyric(string Script, IReadOnlyList<KrithiSection> Sections);

/// <summary>
/// Everything a krithi holds except its id, version and sources: what an approval proposes and a
/// revision replaces. The title is as written on the page (its own transliteration); the title key,
/// raga set and work key are derived from it, the way RESOLVE derives them for a staged import.
/// </summary>
public sealed record KrithiDraft
{
    public string Title { get; init; } = "";
    public string? DisplayTitle { get; init; }
    public string? ComposerId { get; init; }
    public string? Form { get; init; }
    public string? TalaId { get; init; }
    public string? DeityId { get; init; }
    public string? KshetraId { get; init; }
    public IReadOnlyList<KrithiRaga> Ragas { get; init; } = [];
    public IReadOnlyList<KrithiLyric> Lyrics { get; init; } = [];
    public string? Gist { get; init; }
    public string? Meaning { get; init; }
    public string? Notes { get; init; }

    public string TitleKey => NameKey.Of(Title);

    /// <summary>Sorted distinct raga ids joined with '+', as staged_import.raga_set.</summary>
    public string RagaSet => string.Join('+', Ragas.Select(r => r.RagaId).Distinct().Order(StringComparer.Ordinal));

    /// <summary>(composer, title key, raga set) as staged_import.work_key; null when a part is missing.</summary>
    public string? WorkKey => ComposerId is null || TitleKey.Length == 0 || Ragas.Count == 0 ? null : $"{ComposerId}|{TitleKey}|{RagaSet}";

    public KrithiLyric? Lyric(string script) => Lyrics.FirstOrDefault(l => l.Script == script);
}

/// <summary>The page an approval takes a krithi from: the staged import, its extraction and the stored page's hash.</summary>
public sealed record KrithiSource(string Url, long? BatchId = null, long? StagedImportId = null, long? ExtractionId = null, string? ContentSha256 = null);

/// <summary>A source as stored: who approved it and when.</summary>
public sealed record KrithiSourceRow(string Url, long? BatchId, long? StagedImportId, long? ExtractionId, string? ContentSha256, string ApprovedBy, long ApprovedAt);

/// <summary>One change of a revision: the field (a column, <c>ragas</c>, <c>lyrics.&lt;script&gt;</c>, <c>source</c>) and its values before and after.</summary>
public sealed record KrithiChange(string Field, object? From, object? To);

/// <summary>A field a merge did not overwrite because the krithi already says something else.</summary>
public sealed record KrithiConflict(string Field, object? Current, object? Incoming);

/// <summary>What a write did: the version now, whether a revision was written, what changed, and (merge) what was left alone.</summary>
public sealed record KrithiWriteResult(long Id, long Version, bool Written, IReadOnlyList<KrithiChange> Changes, IReadOnlyList<KrithiConflict> Conflicts);

/// <summary>
/// The whole krithi as one value: the krithi row with its ragas, sections and sources. Stored as
/// krithi_revision.snapshot after every change; the rows always equal the latest one.
/// </summary>
public sealed record KrithiSnapshot
{
    public long Id { get; init; }
    public long Version { get; init; }
    public string Status { get; init; } = KrithiStatus.Active;
    public string Title { get; init; } = "";
    public string? DisplayTitle { get; init; }
    public string TitleKey { get; init; } = "";
    public string? WorkKey { get; init; }
    public string? ComposerId { get; init; }
    public string? Form { get; init; }
    public string? TalaId { get; init; }
    public string? DeityId { get; init; }
    public string? KshetraId { get; init; }
    public string? Gist { get; init; }
    public string? Meaning { get; init; }
    public string? Notes { get; init; }
    public IReadOnlyList<KrithiRaga> Ragas { get; init; } = [];
    public IReadOnlyList<KrithiLyric> Lyrics { get; init; } = [];
    public IReadOnlyList<KrithiSourceRow> Sources { get; init; } = [];
    public long CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public long UpdatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";

    public KrithiDraft ToDraft() => new()
    {
        Title = Title, DisplayTitle = DisplayTitle, ComposerId = ComposerId, Form = Form, TalaId = TalaId, DeityId = DeityId,
        KshetraId = KshetraId, Ragas = Ragas, Lyrics = Lyrics, Gist = Gist, Meaning = Meaning, Notes = Notes,
    };

    /// <summary>This krithi holding <paramref name="d"/> (derived keys included); id, version, status and sources unchanged.</summary>
    public KrithiSnapshot With(KrithiDraft d) => this with
    {
        Title = d.Title, DisplayTitle = d.DisplayTitle, TitleKey = d.TitleKey, WorkKey = d.WorkKey, ComposerId = d.ComposerId, Form = d.Form,
        TalaId = d.TalaId, DeityId = d.DeityId, KshetraId = d.KshetraId, Gist = d.Gist, Meaning = d.Meaning, Notes = d.Notes,
        Ragas = d.Ragas, Lyrics = d.Lyrics,
    };
}

/// <summary>A reference-catalog id with its name (null when the catalog no longer has it).</summary>
public sealed record NamedId(string Id, string? Name);

public sealed record KrithiRagaView(int Position, string Id, string? Name, int? Section);

public sealed record KrithiRevisionView(long Version, string Actor, string Reason, long At, JsonElement Changes);

/// <summary>A krithi as the API and CLI show it: names of the reference ids, lyrics, sources and its history.</summary>
public sealed record KrithiDetail(long Id, long Version, string Status, string Title, string? DisplayTitle, string TitleKey, string? WorkKey,
    NamedId? Composer, string? Form, NamedId? Tala, NamedId? Deity, NamedId? Kshetra, string? Gist, string? Meaning, string? Notes,
    IReadOnlyList<KrithiRagaView> Ragas, IReadOnlyList<KrithiLyric> Lyrics, IReadOnlyList<KrithiSourceRow> Sources,
    IReadOnlyList<KrithiRevisionView> Revisions, long CreatedAt, string CreatedBy, long UpdatedAt, string UpdatedBy);

/// <summary>A krithi in a list: enough to recognise it, with its source URLs.</summary>
public sealed record KrithiListItem(long Id, long Version, string Status, string Title, string? DisplayTitle, NamedId? Composer,
    IReadOnlyList<NamedId> Ragas, NamedId? Tala, IReadOnlyList<string> Sources, long UpdatedAt);

/// <summary>Filters of the krithi list (all optional): text in the title or display title, a raga, composer or deity id, a status.</summary>
public sealed record KrithiFilter(string? Text = null, string? RagaId = null, string? ComposerId = null, string? DeityId = null, string? Status = null);

/// <summary>One page of the list: <see cref="Count"/> is every krithi the filter matches; <see cref="Next"/> the cursor (?after=) of the next page.</summary>
public sealed record KrithiPage(IReadOnlyList<KrithiListItem> Items, long Count, long? Next);

/// <summary>A krithi with this work key (active ones first).</summary>
public sealed record KrithiWork(long Id, long Version, string Status, string Title);

public sealed class KrithiNotFoundException(long id) : Exception($"Krithi {id} does not exist.")
{
    public long Id { get; } = id;
}

/// <summary>The write was based on a version that is no longer the krithi's: reload and decide again.</summary>
public sealed class KrithiVersionConflictException(long id, long expectedVersion, long currentVersion)
    : Exception($"Krithi {id} is at version {currentVersion}, not {expectedVersion}: it changed since it was read.")
{
    public long Id { get; } = id;
    public long ExpectedVersion { get; } = expectedVersion;
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>A retracted krithi is kept as it was: no revision, merge or second retraction.</summary>
public sealed class KrithiRetractedException(long id) : Exception($"Krithi {id} is retracted: it is kept as it was.")
{
    public long Id { get; } = id;
}

/// <summary>An id that is not in the reference catalog (kind: composer, raga, tala, deity, kshetra).</summary>
public sealed record MissingReference(string Kind, string Id);

/// <summary>The draft names reference ids the catalog does not have; approval never creates a reference entity.</summary>
public sealed class KrithiReferenceException(IReadOnlyList<MissingReference> missing)
    : Exception($"Not in the reference catalog: {string.Join(", ", missing.Select(m => $"{m.Kind} '{m.Id}'"))}. " +
                "Approval never creates a reference entity: add it to the reference catalog or choose an existing one.")
{
    public IReadOnlyList<MissingReference> Missing { get; } = missing;
}
