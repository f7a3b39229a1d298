using Grantha.Api;
using Grantha.Catalog;
using Grantha.Engine;

namespace Grantha.Review;

/// <summary>GET /v1/admin/export: the QA export of staged imports (one batch's or every batch's) or of catalog krithis, streamed (docs/review.md).</summary>
public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/admin/export", ExportAsync).RequireRole(Role.Viewer).WithTags("Review")
            .WithSummary("Export for QA: ?what=staged[&batch=N] (without a batch: every batch's) with the review queue's filters (state, flag, withoutFlag, noFlags, minQuality, maxQuality, composer, raga, text, <field>Min/<field>Max) (the default) or ?what=krithis[&batch=N][&text=..][&raga=..][&composer=..][&deity=..][&status=..]; " +
                         "&format=csv|json|jsonl[&bom=true]")
            .Produces(200, contentType: "text/csv").ProducesProblem(400).ProducesProblem(404);
        return app;
    }

    static async Task<IResult> ExportAsync(HttpContext http, Db db, string? what, string? batch, string? format, string? state, string? flag,
        string? text, string? raga, string? composer, string? deity, string? status, string? bom,
        string? withoutFlag, string? noFlags, string? minQuality, string? maxQuality, CancellationToken ct)
    {
        // Everything is checked before the first byte: once the body has started, an error can no longer be a problem response.
        ExportFormat f;
        ExportFilter filter;
        try
        {
            var w = Export.ParseWhat(what ?? "staged");
            f = Export.ParseFormat(format ?? "csv");
            long? batchId = null;
            if (!string.IsNullOrWhiteSpace(batch))
                batchId = long.TryParse(batch, out var id) ? id : throw new ArgumentException($"batch must be a batch id, not '{batch}' (see /v1/admin/bulk-import/batches).");
            filter = new ExportFilter(batchId, Blank(state), Blank(flag))
            {
                What = w,
                Krithis = w == ExportWhat.Staged && Blank(deity) is null && Blank(status) is null ? new KrithiFilter()
                    : new KrithiFilter(Blank(text), Blank(raga), Blank(composer), Blank(deity), Blank(status)),
                // Staged imports: every filter of the review queue, so the file holds what the queue shows.
                Queue = w != ExportWhat.Staged ? null : ReviewApi.QueueFilter(http, batchId, Blank(state), Blank(flag), Blank(withoutFlag),
                    Flag(noFlags, "noFlags"), Number(minQuality, "minQuality"), Number(maxQuality, "maxQuality"), Blank(composer), Blank(raga), Blank(text)),
            };
            await Export.ValidateAsync(db, filter, ct);
        }
        catch (ArgumentException e) { return Problem(400, "Bad request", e.Message); }
        catch (BatchNotFoundException e) { return Problem(404, "Not found", e.Message); }

        http.Response.StatusCode = 200;
        http.Response.ContentType = Export.ContentType(f);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{Export.FileName(filter, f)}\"";
        await Export.WriteAsync(db, filter, f, http.Response.Body, bom: bool.TryParse(bom, out var b) && b, ct);
        return Results.Empty;
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    static double? Number(string? s, string name) => Blank(s) is not { } v ? null
        : double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d
        : throw new ArgumentException($"{name} must be a number between 0 and 1.");

    static bool? Flag(string? s, string name) => Blank(s) is not { } v ? null
        : bool.TryParse(v, out var b) ? b : throw new ArgumentException($"{name} is true or false.");

    static IResult Problem(int status, string title, string detail) => TypedResults.Problem(title: title, detail: detail, statusCode: status);
}
