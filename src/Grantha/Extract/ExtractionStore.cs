using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Grantha.Engine;

namespace Grantha.Extract;

/// <summary>A stored extraction as the next stage reads it: its stable id, the page it came from and the record.</summary>
public sealed record StoredExtraction(long Id, long BatchId, string Url, long EvidenceId, string ExtractorVersion, ExtractedPage? Page,
    string? ErrorCode, string? ErrorMessage, double Confidence, long UpdatedAt, string Sha256 = "");

/// <summary>
/// The extraction table: one row per (batch, manifest URL). Saving again (a retried task or a
/// re-extraction) updates the row in place, so its id stays what RESOLVE was given.
/// </summary>
public static class ExtractionStore
{
    /// <summary>How a record is stored: every field of <see cref="ExtractedPage"/>, enums by name.</summary>
    public static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(ExtractedPage page) => JsonSerializer.Serialize(page, RecordJson);

    public static ExtractedPage Deserialize(string json) =>
        JsonSerializer.Deserialize<ExtractedPage>(json, RecordJson) ?? throw new FormatException("empty extraction record");

    /// <summary>Stores a record for (batch, url); returns the row id (the same id on every later save).</summary>
    public static Task<long> SaveAsync(Db db, long batchId, string url, long evidenceId, string sha256, ExtractedPage page, CancellationToken ct = default) =>
        UpsertAsync(db, Row.Of(batchId, url, evidenceId, sha256, page), ct);

    /// <summary>Stores a page that could not be read at all (a permanent extraction error) for (batch, url).</summary>
    public static Task<long> SaveFailureAsync(Db db, long batchId, string url, long evidenceId, string sha256, string errorCode, string message, CancellationToken ct = default) =>
        UpsertAsync(db, Row.Failure(batchId, url, evidenceId, sha256, errorCode, message), ct);

    public static async Task<StoredExtraction?> GetAsync(Db db, long extractionId, CancellationToken ct = default)
    {
        var row = await db.ReadAsync(c => c.QuerySingleOrDefaultAsync<ReadRow>(ByIdSql, new { extractionId }), ct);
        return row?.ToStored();
    }

    /// <summary>One extraction by <c>@extractionId</c> (columns of <see cref="ReadRow"/>).</summary>
    internal const string ByIdSql = $"SELECT {ReadColumns} FROM extraction WHERE id = @extractionId";

    public static async Task<StoredExtraction?> GetByUrlAsync(Db db, long batchId, string url, CancellationToken ct = default)
    {
        var row = await db.ReadAsync(c => c.QuerySingleOrDefaultAsync<ReadRow>($"SELECT {ReadColumns} FROM extraction WHERE batch_id = @batchId AND url = @url", new { batchId, url }), ct);
        return row?.ToStored();
    }

    internal const string ReadColumns = """
        id AS Id, batch_id AS BatchId, url AS Url, evidence_id AS EvidenceId, extractor_version AS ExtractorVersion,
        record AS Record, error_code AS ErrorCode, error_message AS ErrorMessage, confidence AS Confidence, updated_at AS UpdatedAt, sha256 AS Sha256
        """;

    internal sealed class ReadRow
    {
        public long Id { get; set; }
        public long BatchId { get; set; }
        public string Url { get; set; } = "";
        public long EvidenceId { get; set; }
        public string ExtractorVersion { get; set; } = "";
        public string? Record { get; set; }
        public string? ErrorCode { get; set; }
        public string? ErrorMessage { get; set; }
        public double Confidence { get; set; }
        public long UpdatedAt { get; set; }
        /// <summary>The stored page the record was extracted from (page_blob.sha256).</summary>
        public string Sha256 { get; set; } = "";

        public StoredExtraction ToStored() => new(Id, BatchId, Url, EvidenceId, ExtractorVersion,
            Record is null ? null : Deserialize(Record), ErrorCode, ErrorMessage, Confidence, UpdatedAt, Sha256);
    }

    static Task<long> UpsertAsync(Db db, Row r, CancellationToken ct) => db.WriteOutputStatementAsync(async (c, tx) =>
    {
        var now = Db.NowMs();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO extraction (batch_id, url, evidence_id, sha256, extractor_version, record, error_code, error_message,
                                    warnings, warning_codes, confidence, title, raga, tala, composer, form, deity, kshetra, published,
                                    scripts, script_count, section_count, has_gist, has_meaning, created_at, updated_at)
            VALUES (@BatchId, @Url, @EvidenceId, @Sha256, @ExtractorVersion, @Record, @ErrorCode, @ErrorMessage,
                    @Warnings, @WarningCodes, @Confidence, @Title, @Raga, @Tala, @Composer, @Form, @Deity, @Kshetra, @Published,
                    @Scripts, @ScriptCount, @SectionCount, @HasGist, @HasMeaning, @now, @now)
            ON CONFLICT (batch_id, url) DO UPDATE SET
              evidence_id = excluded.evidence_id, sha256 = excluded.sha256, extractor_version = excluded.extractor_version,
              record = excluded.record, error_code = excluded.error_code, error_message = excluded.error_message,
              warnings = excluded.warnings, warning_codes = excluded.warning_codes, confidence = excluded.confidence,
              title = excluded.title, raga = excluded.raga, tala = excluded.tala, composer = excluded.composer, form = excluded.form,
              deity = excluded.deity, kshetra = excluded.kshetra, published = excluded.published, scripts = excluded.scripts,
              script_count = excluded.script_count, section_count = excluded.section_count, has_gist = excluded.has_gist,
              has_meaning = excluded.has_meaning, updated_at = excluded.updated_at
            RETURNING id
            """, new
        {
            r.BatchId, r.Url, r.EvidenceId, r.Sha256, r.ExtractorVersion, r.Record, r.ErrorCode, r.ErrorMessage, r.Warnings, r.WarningCodes,
            r.Confidence, r.Title, r.Raga, r.Tala, r.Composer, r.Form, r.Deity, r.Kshetra, r.Published, r.Scripts, r.ScriptCount,
            r.SectionCount, r.HasGist, r.HasMeaning, now,
        }, tx);
    }, ct);

    /// <summary>The columns of one row, derived from the record so they cannot disagree with it.</summary>
    sealed record Row
    {
        public long BatchId { get; init; }
        public string Url { get; init; } = "";
        public long EvidenceId { get; init; }
        public string Sha256 { get; init; } = "";
        public string ExtractorVersion { get; init; } = Extractor.Version;
        public string? Record { get; init; }
        public string? ErrorCode { get; init; }
        public string? ErrorMessage { get; init; }
        public string Warnings { get; init; } = "[]";
        public string WarningCodes { get; init; } = ",";
        public double Confidence { get; init; }
        public string? Title { get; init; }
        public string? Raga { get; init; }
        public string? Tala { get; init; }
        public string? Composer { get; init; }
        public string? Form { get; init; }
        public string? Deity { get; init; }
        public string? Kshetra { get; init; }
        public string? Published { get; init; }
        public string Scripts { get; init; } = "";
        public int ScriptCount { get; init; }
        public int SectionCount { get; init; }
        public int HasGist { get; init; }
        public int HasMeaning { get; init; }

        public static Row Of(long batchId, string url, long evidenceId, string sha256, ExtractedPage p) => new()
        {
            BatchId = batchId, Url = url, EvidenceId = evidenceId, Sha256 = sha256, ExtractorVersion = p.ExtractorVersion,
            Record = Serialize(p),
            Warnings = JsonSerializer.Serialize(p.Warnings, RecordJson),
            WarningCodes = "," + string.Concat(p.Warnings.Select(w => w.Code).Distinct().Select(c => c + ",")),
            Confidence = p.Confidence, Title = p.Title,
            Raga = p.Ragas.Count == 0 ? null : string.Join(" | ", p.Ragas.Select(r => r.Name)),
            Tala = p.Tala, Composer = p.Composer, Form = p.Form, Deity = p.Deity, Kshetra = p.Kshetra, Published = p.Published,
            Scripts = string.Join(",", p.Lyrics.Select(l => l.Script)), ScriptCount = p.Lyrics.Count, SectionCount = p.Sections.Count,
            HasGist = p.Gist is null ? 0 : 1, HasMeaning = p.Meaning is null ? 0 : 1,
        };

        public static Row Failure(long batchId, string url, long evidenceId, string sha256, string code, string message) => new()
        {
            BatchId = batchId, Url = url, EvidenceId = evidenceId, Sha256 = sha256, ErrorCode = code, ErrorMessage = message,
        };
    }
}
