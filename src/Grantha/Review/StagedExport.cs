using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Resolve;

namespace Grantha.Review;

/// <summary>
/// Staged imports (of one batch, or of every batch) for the QA export (docs/review.md): read in one forward-only query, one import
/// at a time with its manifest rows. CSV has a line per manifest row, JSON an object per import.
/// </summary>
public static class StagedExport
{
    /// <summary>The CSV header. Krithi, Raga and Hyperlink first and in this order: the manifest reader's columns.</summary>
    public static readonly string[] Columns =
        ["Krithi", "Raga", "Hyperlink", "state", "quality", "decisions", "flags", "warnings", "reviewer", "reason", "batch", "import_id"];

    /// <summary>The review states (the export's <c>state</c> column and filter).</summary>
    public static IReadOnlyList<string> States => ReviewStates.All;

    /// <summary>The flags an export can select on (<see cref="ReviewFlags"/>).</summary>
    public static readonly string[] FlagKinds = ReviewFlags.All.Select(f => f.Name).ToArray();

    public static async Task ValidateAsync(Db db, ExportFilter filter, CancellationToken ct = default)
    {
        // The API's export checked the queue's filter as it was made (ReviewFilter.Validate); the CLI's has one state and one flag.
        if (filter.Queue is null && filter.State is not null && !States.Contains(filter.State))
            throw new ArgumentException($"Unknown state '{filter.State}': use {string.Join(", ", States)}.");
        if (filter.Queue is null && filter.Flag is not null && !FlagKinds.Contains(filter.Flag))
            throw new ArgumentException($"Unknown flag '{filter.Flag}': use {string.Join(", ", FlagKinds)}.");
        if (filter.BatchId is { } batch) _ = await Batches.GetAsync(db, batch, ct) ?? throw new BatchNotFoundException(batch);
    }

    /// <summary>An import with its manifest rows (none when no manifest row lists its page any more).</summary>
    public sealed record Import(Row First, Summaries Summaries, IReadOnlyList<Row> Rows);

    /// <summary>
    /// The imports in id order (batch after batch), on one connection, as the single query's rows arrive. Not retried:
    /// the caller is writing them out, and a half-sent export cannot be taken back.
    /// </summary>
    public static async IAsyncEnumerable<Import> ReadAsync(Db db, ExportFilter filter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var (where, args) = filter.StagedFilter.Sql(db.Dialect);
        var rows = c.QueryUnbufferedAsync<Row>(Sql.Replace("{where}", where, StringComparison.Ordinal), args);
        Row? first = null;
        var list = new List<Row>();
        await foreach (var r in rows.WithCancellation(ct))
        {
            if (first?.ImportId != r.ImportId)
            {
                if (first is not null) yield return new Import(first, new Summaries(first), list);
                (first, list) = (r, []);
            }
            if (r.RowId is not null) list.Add(r);
        }
        if (first is not null) yield return new Import(first, new Summaries(first), list);
    }

    // One row per (import, manifest row), ordered so an import's rows are consecutive; an import
    // without manifest rows still comes once (LEFT JOIN) so JSON lists every import.
    const string Sql = """
        SELECT s.id AS ImportId, s.batch_id AS BatchId, s.review_state AS Status, s.url AS Url, s.title AS Title, s.quality AS Quality,
               s.reviewed_by AS Reviewer, s.review_reason AS Reason, s.krithi_id AS KrithiId,
               s.decisions AS Decisions, s.duplicate_flags AS DuplicateFlags, s.quality_reasons AS QualityReasons,
               m.id AS RowId, f.name AS FileName, m.row_number AS RowNumber, m.krithi AS Krithi, m.raga AS Raga, m.url AS RowUrl
          FROM staged_import s
          LEFT JOIN staged_import_row sr ON sr.staged_import_id = s.id
          LEFT JOIN manifest_row m ON m.id = sr.manifest_row_id
          LEFT JOIN manifest_file f ON f.id = m.manifest_file_id
         WHERE {where}
         ORDER BY s.id, m.id
        """;

    /// <summary>A CSV line per manifest row of the import (an import with none has no line: nothing to put in a manifest).</summary>
    public static IEnumerable<string?[]> Lines(Import i) => i.Rows.Select(r => new[]
    {
        r.Krithi, r.Raga, r.RowUrl, r.Status, i.Summaries.Quality, i.Summaries.Decisions, i.Summaries.Flags, i.Summaries.Warnings,
        r.Reviewer ?? "", r.Reason ?? "", r.BatchId.ToString(CultureInfo.InvariantCulture), r.ImportId.ToString(CultureInfo.InvariantCulture),
    });

    /// <summary>The import as one JSON object: the CSV's summaries, and its manifest rows under "rows".</summary>
    public static void WriteObject(Utf8JsonWriter json, Import i)
    {
        var (r, s) = (i.First, i.Summaries);
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
        json.WriteString("reviewer", r.Reviewer ?? "");
        json.WriteString("reason", r.Reason ?? "");
        if (r.KrithiId is { } k) json.WriteNumber("krithi_id", k); else json.WriteNull("krithi_id");
        json.WriteStartArray("rows");
        foreach (var row in i.Rows)
        {
            json.WriteStartObject();
            json.WriteString("Krithi", row.Krithi);
            json.WriteString("Raga", row.Raga);
            json.WriteString("Hyperlink", row.RowUrl);
            json.WriteNumber("manifest_row_id", row.RowId!.Value);
            json.WriteString("file", row.FileName);
            if (row.RowNumber is { } n) json.WriteNumber("row", n); else json.WriteNull("row");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The human summaries of one import, computed once for all its rows.</summary>
    public sealed class Summaries(Row r)
    {
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

    /// <summary>One row of the query: the import's columns, and one of its manifest rows (null columns when it has none).</summary>
    public sealed class Row
    {
        public long ImportId { get; set; }
        public long BatchId { get; set; }
        public string Status { get; set; } = "";
        public string? Reviewer { get; set; }
        public string? Reason { get; set; }
        public long? KrithiId { get; set; }
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
