using Grantha.Api;
using Grantha.Engine;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grantha.Catalog;

/// <summary>/v1/admin/krithis: the krithi catalog, read-only (viewer role).</summary>
public static class KrithiApi
{
    public static IEndpointRouteBuilder MapKrithiApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/v1/admin/krithis").WithTags("Krithis").RequireRole(Role.Viewer);
        read.MapGet("", ListAsync)
            .WithSummary("Krithis by id, keyset-paged (?after=<id>&limit=), filtered by text (title), raga, composer, deity or status; count is every match");
        read.MapGet("/{id:long}", GetAsync)
            .WithSummary("A krithi with its ragas, lyrics per script, sources and revisions; ETag is its version");
        return app;
    }

    static async Task<Ok<KrithiPage>> ListAsync(Db db, string? text, string? raga, string? composer, string? deity, string? status, long? after, int? limit,
        CancellationToken ct) =>
        TypedResults.Ok(await KrithiStore.ListAsync(db, new KrithiFilter(text, raga, composer, deity, status), after ?? 0, BulkImportApi.Limit(limit), ct));

    static async Task<Results<Ok<KrithiDetail>, ProblemHttpResult>> GetAsync(long id, Db db, HttpContext http, CancellationToken ct)
    {
        if (await KrithiStore.GetAsync(db, id, ct) is not { } k)
            return TypedResults.Problem(title: "Not found", detail: $"Krithi {id} does not exist.", statusCode: 404);
        // The version a later write must name (If-Match) once the review workflow writes through the API.
        http.Response.Headers.ETag = $"\"{k.Version}\"";
        return TypedResults.Ok(k);
    }
}
