using System.Buffers;
using System.Text;
using System.Text.Json;
using Grantha.Catalog;
using Grantha.Engine;

namespace Grantha.Review;

public enum ExportFormat { Csv, Json, Jsonl }

/// <summary>What an export holds: staged imports (one batch's or every batch's), or krithis of the catalog.</summary>
public enum ExportWhat { Staged, Krithis }

/// <summary>
/// Which rows to export. Staged imports (the default): one batch's, or every batch's without one; optionally one state and one
/// duplicate-flag kind. Krithis (<see cref="What"/> = <see cref="ExportWhat.Krithis"/>): the krithi list's
/// filters (<see cref="Krithis"/>), and with a batch only the krithis that have a source from it.
/// </summary>
public sealed record ExportFilter(long? BatchId, string? State = null, string? Flag = null)
{
    public ExportWhat What { get; init; } = ExportWhat.Staged;
    public KrithiFilter Krithis { get; init; } = new();

    /// <summary>Staged imports: the review queue's filter (the API's export); without it, the batch, state and flag above.</summary>
    public ReviewFilter? Queue { get; init; }

    /// <summary>The staged imports this export takes, as the review queue would list them.</summary>
    internal ReviewFilter StagedFilter => Queue ?? new ReviewFilter
    {
        BatchId = BatchId, States = State is null ? null : [State], AnyFlags = Flag is null ? 0 : ReviewFlags.Parse(Flag),
    };

    public static ExportFilter OfKrithis(long? batchId = null, KrithiFilter? filter = null) =>
        new(batchId) { What = ExportWhat.Krithis, Krithis = filter ?? new() };
}

/// <summary>
/// The QA export (docs/review.md): staged imports or the catalog's krithis, as CSV whose first
/// three columns are a manifest (so fixed rows import again), JSON or JSON Lines. Rows are written as they
/// are read, so 100,000 rows take no more memory than ten.
/// </summary>
public static class Export
{
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

    public static ExportWhat ParseWhat(string? what) => what?.Trim().ToLowerInvariant() switch
    {
        "staged" => ExportWhat.Staged,
        "krithis" => ExportWhat.Krithis,
        _ => throw new ArgumentException($"Unknown export '{what}': use staged (staged imports) or krithis (the krithi catalog)."),
    };

    public static string ContentType(ExportFormat f) => f switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Json => "application/json; charset=utf-8",
        _ => "application/x-ndjson; charset=utf-8",
    };

    /// <summary>batch-12-staged.csv, batch-12-krithis.jsonl, krithis.json.</summary>
    public static string FileName(ExportFilter filter, ExportFormat f)
    {
        var what = filter.What == ExportWhat.Krithis ? "krithis" : "staged";
        var name = filter.BatchId is { } batch ? $"batch-{batch}-{what}" : what;
        return $"{name}.{f.ToString().ToLowerInvariant()}";
    }

    /// <summary>What one CSV line is, and one JSON object, in words: "5 manifest rows", "3 krithis".</summary>
    public static string Units(ExportFilter filter, ExportFormat f) => filter.What switch
    {
        ExportWhat.Krithis => "krithis",
        _ => f == ExportFormat.Csv ? "manifest rows" : "staged imports",
    };

    /// <summary>Checks the filter before anything is written (a bad filter must be a clear error, not a half-written file).</summary>
    public static async Task ValidateAsync(Db db, ExportFilter filter, CancellationToken ct = default)
    {
        if (filter.What == ExportWhat.Krithis)
        {
            if (filter.State is not null || filter.Flag is not null)
                throw new ArgumentException("state and flag filter staged imports, not krithis: filter krithis by status, text, raga, composer or deity.");
            await KrithiExport.ValidateAsync(db, filter.Krithis, filter.BatchId, ct);
            return;
        }
        if (filter.Krithis != new KrithiFilter())
            throw new ArgumentException("status and deity filter krithis, not staged imports: filter staged imports as the review queue does (state, flag, quality, text, composer, raga).");
        await StagedExport.ValidateAsync(db, filter, ct);
    }

    /// <summary>Writes the export to <paramref name="output"/> (left open). Returns the lines (CSV) or objects (JSON) written.</summary>
    public static async Task<long> WriteAsync(Db db, ExportFilter filter, ExportFormat format, Stream output, bool bom = false, CancellationToken ct = default)
    {
        await ValidateAsync(db, filter, ct);
        var lines = format == ExportFormat.Jsonl;
        if (filter.What == ExportWhat.Krithis)
        {
            var krithis = KrithiExport.ReadAsync(db, filter.Krithis, filter.BatchId, ct);
            return format == ExportFormat.Csv
                ? await WriteCsvAsync(krithis, KrithiExport.Columns, k => [KrithiExport.Cells(k)], output, bom, ct)
                : await WriteJsonAsync(krithis, (json, k) => JsonSerializer.Serialize(json, k, KrithiExport.Json), output, lines, ct);
        }
        var imports = StagedExport.ReadAsync(db, filter, ct);
        return format == ExportFormat.Csv
            ? await WriteCsvAsync(imports, StagedExport.Columns, StagedExport.Lines, output, bom, ct)
            : await WriteJsonAsync(imports, StagedExport.WriteObject, output, lines, ct);
    }

    /// <summary>The header, then every line of every item, as they come. Returns the lines written after the header.</summary>
    static async Task<long> WriteCsvAsync<T>(IAsyncEnumerable<T> items, IReadOnlyList<string> header, Func<T, IEnumerable<string?[]>> lines, Stream output, bool bom,
        CancellationToken ct)
    {
        if (bom) await output.WriteAsync(Utf8Bom, ct);
        // Async writes only: ASP.NET refuses synchronous I/O on a response body.
        await using var w = new StreamWriter(output, new UTF8Encoding(false), FlushBytes, leaveOpen: true) { NewLine = "\r\n" };
        var line = new StringBuilder(512);
        AppendLine(line, header);
        await w.WriteAsync(line, ct);
        long count = 0;
        await foreach (var item in items.WithCancellation(ct))
            foreach (var cells in lines(item))
            {
                line.Clear();
                AppendLine(line, cells);
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

    /// <summary>One JSON array of the items' objects, or one object a line (JSON Lines). Returns the objects written.</summary>
    static async Task<long> WriteJsonAsync<T>(IAsyncEnumerable<T> items, Action<Utf8JsonWriter, T> writeObject, Stream output, bool lines, CancellationToken ct)
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
        await foreach (var item in items.WithCancellation(ct))
        {
            writeObject(json, item);
            count++;
            if (lines)
            {
                json.Flush();
                buffer.Write("\n"u8);
                json.Reset(buffer);
            }
            if (json.BytesPending + buffer.WrittenCount < FlushBytes) continue;
            json.Flush();
            await output.WriteAsync(buffer.WrittenMemory, ct);
            buffer.ResetWrittenCount();
        }
        if (!lines) json.WriteEndArray();
        json.Flush();
        await output.WriteAsync(buffer.WrittenMemory, ct);
        return count;
    }
}
