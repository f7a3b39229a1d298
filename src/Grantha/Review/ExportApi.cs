using Grantha.Api;
using Grantha.Engine;

namespace Grantha.Review;

/// <summary>GET /v1/admin/export: the QA export of a batch's staged imports, streamed (docs/review.md).</summary>
public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/admin/export", ExportAsync).RequireRole(Role.Viewer).WithTags("Review")
            .WithSummary("Export a batch's staged imports for QA: ?batch=N&format=csv|json|jsonl[&state=..][&flag=..][&bom=true]")
            .Produces(200, contentType: "text/csv").ProducesProblem(400).ProducesProblem(404);
        return app;
    }

    static async Task<IResult> ExportAsync(HttpContext http, Db db, string? batch, string? format, string? state, string? flag, string? bom, CancellationToken ct)
    {
        // Everything is checked before the first byte: once the body has started, an error can no longer be a problem response.
        if (!long.TryParse(batch, out var batchId))
            return Problem(400, "Bad request", "Give the batch to export: ?batch=<id> (see /v1/admin/bulk-import/batches).");
        ExportFormat f;
        ExportFilter filter;
        try
        {
            f = Export.ParseFormat(format ?? "csv");
            filter = new ExportFilter(batchId, string.IsNullOrWhiteSpace(state) ? null : state.Trim(), string.IsNullOrWhiteSpace(flag) ? null : flag.Trim());
            await Export.ValidateAsync(db, filter, ct);
        }
        catch (ArgumentException e) { return Problem(400, "Bad request", e.Message); }
        catch (BatchNotFoundException e) { return Problem(404, "Not found", e.Message); }

        http.Response.StatusCode = 200;
        http.Response.ContentType = Export.ContentType(f);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{Export.FileName(batchId, f)}\"";
        await Export.WriteAsync(db, filter, f, http.Response.Body, bom: bool.TryParse(bom, out var b) && b, ct);
        return Results.Empty;
    }

    static IResult Problem(int status, string title, string detail) => TypedResults.Problem(title: title, detail: detail, statusCode: status);
}
