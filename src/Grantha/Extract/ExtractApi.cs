using Grantha.Api;
using Grantha.Engine;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grantha.Extract;

/// <summary>
/// The extraction endpoints, mapped onto the bulk-import group (<c>/v1/admin/bulk-import</c>):
/// a batch's extraction summary, its extractions (paged), one extraction, and re-extraction.
/// </summary>
public static class ExtractApi
{
    public sealed record ReextractJson(string? Url, string? Warning, string? ErrorCode, bool? Older);

    /// <summary>One extraction with its record (null when the page could not be read).</summary>
    public sealed record ExtractionView(long Id, long BatchId, string Url, long EvidenceId, string ExtractorVersion, double Confidence,
        string? ErrorCode, string? ErrorMessage, long UpdatedAt, ExtractedPage? Record);

    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        var read = group.MapGroup("").RequireRole(Role.Viewer).WithTags("Extraction");
        var operate = group.MapGroup("").RequireRole(Role.Operator).WithTags("Extraction");

        read.MapGet("/batches/{id:long}/extraction", SummaryAsync)
            .WithSummary("Extraction summary of a batch: coverage per field (tala, deity, kshetra, 6 scripts ...), warnings by kind, versions");
        read.MapGet("/batches/{id:long}/extractions", ListAsync)
            .WithSummary("Extractions of a batch, keyset-paged (?after=<id>), filtered by url text (q), warning, error code or older=true");
        read.MapGet("/extractions/{extractionId:long}", GetAsync)
            .WithSummary("One extraction with its full record (sections, lyrics in every script, prose fields, warnings)");
        operate.MapPost("/batches/{id:long}/reextract", ReextractAsync)
            .WithSummary("Run the current extractor again over the batch's stored pages matching the filter (same ids, new version)");
        return group;
    }

    static async Task<Ok<ExtractQueries.Summary>> SummaryAsync(long id, Db db, CancellationToken ct)
    {
        await RequireAsync(db, id, ct);
        return TypedResults.Ok(await ExtractQueries.SummaryAsync(db, id, ct));
    }

    static async Task<Ok<Page<ExtractQueries.Row>>> ListAsync(long id, Db db, string? q, string? warning, string? code, bool? older, long? after, int? limit, CancellationToken ct)
    {
        await RequireAsync(db, id, ct);
        var n = Limit(limit);
        var filter = new ExtractQueries.Filter { UrlContains = q, Warning = warning, ErrorCode = code, OlderVersion = older ?? false };
        var items = await ExtractQueries.ListAsync(db, id, filter, after ?? 0, n, ct);
        return TypedResults.Ok(new Page<ExtractQueries.Row>(items, items.Count == n ? items[^1].Id : null));
    }

    static async Task<Results<Ok<ExtractionView>, ProblemHttpResult>> GetAsync(long extractionId, Db db, CancellationToken ct) =>
        await ExtractionStore.GetAsync(db, extractionId, ct) is { } e
            ? TypedResults.Ok(new ExtractionView(e.Id, e.BatchId, e.Url, e.EvidenceId, e.ExtractorVersion, e.Confidence, e.ErrorCode, e.ErrorMessage, e.UpdatedAt, e.Page))
            : TypedResults.Problem(title: "Not found", detail: $"Extraction {extractionId} does not exist.", statusCode: 404);

    static async Task<Ok<ExtractQueries.ReextractResult>> ReextractAsync(long id, ReextractJson? body, Db db, HttpContext http, CancellationToken ct)
    {
        var filter = new ExtractQueries.Filter { UrlContains = body?.Url, Warning = body?.Warning, ErrorCode = body?.ErrorCode, OlderVersion = body?.Older ?? false };
        return TypedResults.Ok(await ExtractQueries.ReextractAsync(db, id, filter, http.Actor(), ct));
    }

    public sealed record Page<T>(IReadOnlyList<T> Items, long? Next);

    static async Task RequireAsync(Db db, long id, CancellationToken ct) => _ = await Batches.GetAsync(db, id, ct) ?? throw new BatchNotFoundException(id);

    static int Limit(int? limit) => limit is null ? BulkImportApi.PageDefault : limit < 1 || limit > BulkImportApi.PageMax
        ? throw new ArgumentException($"limit must be between 1 and {BulkImportApi.PageMax}.") : limit.Value;
}
