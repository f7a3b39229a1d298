using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Api;

/// <summary>
/// GET /v1/admin/bulk-import/batches/{id}/tasks/export: every task of a batch that matches the task list's filter,
/// streamed as CSV or JSON Lines (rows read unbuffered and written as they come: constant memory, no page limit).
/// CSV cells go through the QA export's cell writer (<see cref="Review.Export.AppendCell"/>: formula-safe).
/// </summary>
public static class TaskExport
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "id", "stage", "state", "subject", "host", "attempt", "max_attempts", "error_code", "error_kind", "error_http_status", "error_message",
        "created_at", "updated_at", "finished_at",
    ];

    const int FlushBytes = 32 * 1024;

    /// <summary>csv (the default) or jsonl; anything else a 400 before the first byte.</summary>
    public static string ParseFormat(string? format) => format?.Trim().ToLowerInvariant() switch
    {
        null or "" or "csv" => "csv",
        "jsonl" or "ndjson" => "jsonl",
        _ => throw new ArgumentException("format is csv or jsonl."),
    };

    public static async IAsyncEnumerable<StageTask> ReadAsync(Db db, long batchId, TaskFilter filter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var (where, args) = Batches.Where(batchId, filter);
        await using var c = await db.OpenAsync(ct);
        await foreach (var t in c.QueryUnbufferedAsync<StageTask>($"SELECT {TaskQueue.TaskColumns} FROM stage_task WHERE {where} ORDER BY id", args).WithCancellation(ct))
            yield return t;
    }

    /// <summary>Writes the tasks to <paramref name="output"/> (left open); returns how many.</summary>
    public static async Task<long> WriteAsync(Db db, long batchId, TaskFilter filter, string format, Stream output, CancellationToken ct = default)
    {
        await using var w = new StreamWriter(output, new UTF8Encoding(false), FlushBytes, leaveOpen: true) { NewLine = "\r\n" };
        var line = new StringBuilder(512);
        var csv = format == "csv";
        if (csv)
        {
            AppendLine(line, Columns);
            await w.WriteAsync(line, ct);
        }
        long n = 0;
        await foreach (var t in ReadAsync(db, batchId, filter, ct))
        {
            line.Clear();
            if (csv) AppendLine(line, Cells(t));
            else line.Append(JsonSerializer.Serialize(Json(t), JsonOptions)).Append('\n');
            await w.WriteAsync(line, ct);
            n++;
        }
        await w.FlushAsync(ct);
        return n;
    }

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static object Json(StageTask t) => new
    {
        t.Id, t.Stage, t.State, t.Subject, t.Host, t.Attempt, t.MaxAttempts, t.ErrorCode, t.ErrorKind, t.ErrorHttpStatus, t.ErrorMessage,
        t.CreatedAt, t.UpdatedAt, t.FinishedAt,
    };

    static string?[] Cells(StageTask t) =>
    [
        Num(t.Id), t.Stage, t.State, t.Subject, t.Host, Num(t.Attempt), Num(t.MaxAttempts), t.ErrorCode, t.ErrorKind,
        t.ErrorHttpStatus is { } s ? Num(s) : null, t.ErrorMessage, Time(t.CreatedAt), Time(t.UpdatedAt), t.FinishedAt is { } f ? Time(f) : null,
    ];

    static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    // ISO 8601 UTC: what a spreadsheet reads as a time; JSON Lines keeps epoch ms like the API.
    static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    static void AppendLine(StringBuilder line, IReadOnlyList<string?> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) line.Append(',');
            Review.Export.AppendCell(line, cells[i]);
        }
        line.Append("\r\n");
    }
}
