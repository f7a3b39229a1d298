using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Resolve;

namespace Grantha.Review;

public enum ExportFormat { Csv, Json, Jsonl }

/// <summary>Which staged imports to export: one batch (required for now), optionally one state and one duplicate-flag kind.</summary>
public sealed record ExportFilter(long BatchId, string? State = null, string? Flag = null);

/// <summary>
/// The QA export of a batch's staged imports (docs/review.md): CSV with one line per manifest row
/// (its first three columns are a manifest, so fixed rows import again), JSON or JSON Lines with one
/// object per import. Rows are written as they are read, so 100,000 rows take no more memory than ten.
/// </summary>
public static class Export
{
    /// <summary>The CSV header. Krithi, Raga and Hyperlink first and in this order: the manifest reader's columns.</summary>
    public static readonly string[] Columns =
        ["Krithi", "Raga", "Hyperlink", "state", "quality", "decisions", "flags", "warnings", "reviewer", "reason", "batch", "import_id"];

    /// <summary>The states a staged import can be in today (review will add its own).</summary>
    public static readonly string[] States = [StagedImports.Resolved, StagedImports.NeedsReview];

    /// <summary>The duplicate flag kinds <see cref="StagedImports"/> sets.</summary>
    public static readonly string[] FlagKinds = ["duplicate", "in_catalog", "near_duplicate"];

    /// <summary>Bytes gathered before each write to the output: few, large writes, and bounded memory.</summary>
    const int FlushBytes = 32 * 1024;

    static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    public static ExportFormat ParseFormat(string? format) => format?.Trim().ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "json" => ExportFormat.Json,
        "jsonl" or "ndjson" => ExportFormat.Jsonl,
        _ => throw new ArgumentException($"Unknown export format '{format}': use csv, json or jsonl."),
    };

    public static string ContentType(ExportFormat f) => f switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Json => "application/json; charset=utf-8",
        _ => "application/x-ndjson; charset=utf-8",
    };

    public static string FileName(long batchId, ExportFormat f) => $"batch-{batchId}-staged.{f.ToString().ToLowerInvariant()}";

    /// <summary>Checks the filter before anything is written (a bad filter must be a clear error, not a half-written file).</summary>
    public static async Task ValidateAsync(Db db, ExportFilter filter, CancellationToken ct = default)
    {
        if (filter.State is not null && !States.Contains(filter.State))
            throw new ArgumentException($"Unknown state '{filter.State}': use {string.Join(" or ", States)}.");
        if (filter.Flag is not null && !FlagKinds.Contains(filter.Flag))
            throw new ArgumentException($"Unknown flag '{filter.Flag}': use {string.Join(", ", FlagKinds)}.");
        _ = await Batches.GetAsync(db, filter.BatchId, ct) ?? throw new BatchNotFoundException(filter.BatchId);
    }

    /// <summary>Writes the export to <paramref name="output"/> (left open). Returns the lines (CSV) or objects (JSON) written.</summary>
    public static async Task<long> WriteAsync(Db db, ExportFilter filter, ExportFormat format, Stream output, bool bom = false, CancellationToken ct = default)
    {
        await ValidateAsync(db, filter, ct);
        // One connection for the whole stream; no retry, since a half-sent export cannot be taken back.
        await using var c = await db.OpenAsync(ct);
        var rows = c.QueryUnbufferedAsync<ExportRow>(Sql, new
        {
            batchId = filter.BatchId,
            state = filter.State,
            // Flags are stored as JSON written by StagedImports; the kind is checked against FlagKinds above.
            flag = filter.Flag is null ? null : $"%\"kind\":\"{filter.Flag}\"%",
        });
        return format == ExportFormat.Csv
            ? await WriteCsvAsync(rows, output, bom, ct)
            : await WriteJsonAsync(rows, output, lines: format == ExportFormat.Jsonl, ct);
    }

    // One row per (import, manifest row), ordered so an import's rows are consecutive; an import
    // without manifest rows still comes once (LEFT JOIN) so JSON lists every import.
    const string Sql = """
        SELECT s.id AS ImportId, s.batch_id AS BatchId, s.status AS Status, s.url AS Url, s.title AS Title, s.quality AS Quality,
               s.decisions AS Decisions, s.duplicate_flags AS DuplicateFlags, s.quality_reasons AS QualityReasons,
               m.id AS RowId, f.name AS FileName, m.row_number AS RowNumber, m.krithi AS Krithi, m.raga AS Raga, m.url AS RowUrl
          FROM staged_import s
          LEFT JOIN staged_import_row sr ON sr.staged_import_id = s.id
          LEFT JOIN manifest_row m ON m.id = sr.manifest_row_id
          LEFT JOIN manifest_file f ON f.id = m.manifest_file_id
         WHERE s.batch_id = @batchId AND (@state IS NULL OR s.status = @state) AND (@flag IS NULL OR s.duplicate_flags LIKE @flag)
         ORDER BY s.id, m.id
        """;

    static async Task<long> WriteCsvAsync(IAsyncEnumerable<ExportRow> rows, Stream output, bool bom, CancellationToken ct)
    {
        if (bom) await output.WriteAsync(Utf8Bom, ct);
        // Async writes only: ASP.NET refuses synchronous I/O on a response body.
        await using var w = new StreamWriter(output, new UTF8Encoding(false), FlushBytes, leaveOpen: true) { NewLine = "\r\n" };
        var line = new StringBuilder(512);
        AppendLine(line, Columns);
        await w.WriteAsync(line, ct);
        long count = 0;
        Summaries? current = null;
        await foreach (var r in rows.WithCancellation(ct))
        {
            if (current?.ImportId != r.ImportId) current = new Summaries(r);
            if (r.RowId is null) continue; // no manifest row: nothing to put in a manifest line
            line.Clear();
            AppendLine(line, [r.Krithi, r.Raga, r.RowUrl, r.Status, current.Quality, current.Decisions, current.Flags, current.Warnings,
                "", "", r.BatchId.ToString(CultureInfo.InvariantCulture), r.ImportId.ToString(CultureInfo.InvariantCulture)]);
            await w.WriteAsync(line, ct);
            count++;
        }
        await w.FlushAsync(ct);
        return count;
    }

    static void AppendLine(StringBuilder line, IReadOnlyList<string?> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) line.Append(',');
            AppendCell(line, cells[i]);
        }
        line.Append("\r\n");
    }

    /// <summary>
    /// One RFC 4180 cell, made safe for a spreadsheet (OWASP CSV injection): a cell a spreadsheet
    /// would run as a formula gets a leading single quote, and is quoted.
    /// </summary>
    public static void AppendCell(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        var formula = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (!formula && value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }
        line.Append('"');
        if (formula) line.Append('\'');
        line.Append(value.Replace("\"", "\"\""));
        line.Append('"');
    }

    static async Task<long> WriteJsonAsync(IAsyncEnumerable<ExportRow> rows, Stream output, bool lines, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
        // JSON Lines: each object is its own top-level value; validation would refuse the second one.
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = lines,
        });
        if (!lines) json.WriteStartArray();
        long count = 0;
        long? open = null;
        await foreach (var r in rows.WithCancellation(ct))
        {
            if (open != r.ImportId)
            {
                if (open is not null) await EndImportAsync();
                open = r.ImportId;
                var s = new Summaries(r);
                json.WriteStartObject();
                json.WriteNumber("import_id", r.ImportId);
                json.WriteNumber("batch", r.BatchId);
                json.WriteString("state", r.Status);
                json.WriteString("url", r.Url);
                json.WriteString("title", r.Title);
                json.WriteNumber("quality", r.Quality);
                json.WriteString("decisions", s.Decisions);
                json.WriteString("flags", s.Flags);
                json.WriteString("warnings", s.Warnings);
                json.WriteString("reviewer", "");
                json.WriteString("reason", "");
                json.WriteStartArray("rows");
            }
            if (r.RowId is { } rowId)
            {
                json.WriteStartObject();
                json.WriteString("Krithi", r.Krithi);
                json.WriteString("Raga", r.Raga);
                json.WriteString("Hyperlink", r.RowUrl);
                json.WriteNumber("manifest_row_id", rowId);
                json.WriteString("file", r.FileName);
                if (r.RowNumber is { } n) json.WriteNumber("row", n); else json.WriteNull("row");
                json.WriteEndObject();
            }
        }
        if (open is not null) await EndImportAsync();
        if (!lines) json.WriteEndArray();
        json.Flush();
        await output.WriteAsync(buffer.WrittenMemory, ct);
        return count;

        async Task EndImportAsync()
        {
            json.WriteEndArray();
            json.WriteEndObject();
            count++;
            if (lines)
            {
                json.Flush();
                buffer.Write("\n"u8);
                json.Reset(buffer);
            }
            if (json.BytesPending + buffer.WrittenCount < FlushBytes) return;
            json.Flush();
            await output.WriteAsync(buffer.WrittenMemory, ct);
            buffer.ResetWrittenCount();
        }
    }

    /// <summary>The human summaries of one import, computed once for all its rows.</summary>
    sealed class Summaries(ExportRow r)
    {
        public long ImportId { get; } = r.ImportId;
        public string Quality { get; } = r.Quality.ToString("0.###", CultureInfo.InvariantCulture);
        public string Decisions { get; } = DecisionsText(r.Decisions);
        public string Flags { get; } = FlagsText(r.DuplicateFlags);
        public string Warnings { get; } = WarningsText(r.QualityReasons);
    }

    /// <summary>"raga tODi=todi; composer X=?needs_review": each name as given and what it resolved to.</summary>
    internal static string DecisionsText(string decisionsJson)
    {
        using var doc = JsonDocument.Parse(decisionsJson);
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("names", out var names) || names.ValueKind != JsonValueKind.Array)
            return "";
        var parts = new List<string>();
        foreach (var n in names.EnumerateArray())
        {
            var input = Text(n, "input") is { Length: > 0 } i ? i : "(none given)";
            var to = n.TryGetProperty("match", out var m) && m.ValueKind == JsonValueKind.Object && Text(m, "id") is { } id ? id : "?" + Text(n, "status");
            var part = $"{Text(n, "kind")} {input}={to}";
            // The same name on the page and in the manifest cell is one decision to a reader.
            if (!parts.Contains(part)) parts.Add(part);
        }
        return string.Join("; ", parts);
    }

    /// <summary>"duplicate of #12; near_duplicate of #14 (batch 3)".</summary>
    internal static string FlagsText(string flagsJson)
    {
        using var doc = JsonDocument.Parse(flagsJson);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) return "";
        return string.Join("; ", doc.RootElement.EnumerateArray().Select(f =>
            $"{Text(f, "kind")} of #{Number(f, "otherId")}" + (Text(f, "kind") == "in_catalog" ? $" (batch {Number(f, "otherBatchId")})" : "")));
    }

    internal static string WarningsText(string reasonsJson)
    {
        using var doc = JsonDocument.Parse(reasonsJson);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) return "";
        return string.Join("; ", doc.RootElement.EnumerateArray().Select(r => Text(r, "message") ?? Text(r, "code")).Where(t => !string.IsNullOrEmpty(t)));
    }

    static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Null or JsonValueKind.Undefined => null, _ => v.GetRawText() } : null;

    static string Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetRawText() : "?";

    sealed class ExportRow
    {
        public long ImportId { get; set; }
        public long BatchId { get; set; }
        public string Status { get; set; } = "";
        public string Url { get; set; } = "";
        public string? Title { get; set; }
        public double Quality { get; set; }
        public string Decisions { get; set; } = "{}";
        public string DuplicateFlags { get; set; } = "[]";
        public string QualityReasons { get; set; } = "[]";
        public long? RowId { get; set; }
        public string? FileName { get; set; }
        public long? RowNumber { get; set; }
        public string? Krithi { get; set; }
        public string? Raga { get; set; }
        public string? RowUrl { get; set; }
    }
}
