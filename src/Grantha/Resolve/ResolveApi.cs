using Grantha.Api;
using Grantha.Engine;
using Grantha.Reference;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grantha.Resolve;

/// <summary>
/// Resolution routes, mapped into the bulk-import group: the batch's resolution summary, its staged
/// imports, a curator's choice, and ad-hoc resolution of a name.
/// </summary>
public static class ResolveApi
{
    /// <summary>Shared by the API's requests; rebuilt when a curator changes the catalog (alias, synonym, added or merged entity).</summary>
    static readonly ResolverCache Resolvers = new();

    public sealed record ChooseJson(string? Kind, string? Name, string? EntityId, bool? Retry);

    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        var read = group.MapGroup("").RequireRole(Role.Viewer).WithTags("Resolve");
        var curate = group.MapGroup("").RequireRole(Role.Curator).WithTags("Resolve");

        read.MapGet("/batches/{id:long}/resolution", async (long id, Db db, CancellationToken ct) => TypedResults.Ok(await ResolveQueries.SummaryAsync(db, id, ct)))
            .WithSummary("Resolution summary: resolved, needs review (by entity type and name, with row counts), duplicates");
        read.MapGet("/batches/{id:long}/staged-imports", async (long id, string? status, long? after, int? limit, Db db, CancellationToken ct) =>
            {
                _ = await Batches.GetAsync(db, id, ct) ?? throw new BatchNotFoundException(id);
                var take = Math.Clamp(limit ?? BulkImportApi.PageDefault, 1, BulkImportApi.PageMax);
                var items = await ResolveQueries.StagedAsync(db, id, status, after ?? 0, take, ct);
                return TypedResults.Ok(new BulkImportApi.Page<ResolveQueries.StagedImportView>(items, items.Count == take ? items[^1].Id : null));
            })
            .WithSummary("Staged imports (one per page), keyset-paged (?after=<id>), optionally ?status=resolved|needs_review");
        curate.MapPost("/batches/{id:long}/resolution/choose", async Task<Results<Ok<ChoiceResult>, ProblemHttpResult>> (long id, ChooseJson body, Db db, HttpContext http, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body.Kind) || string.IsNullOrWhiteSpace(body.Name) || string.IsNullOrWhiteSpace(body.EntityId))
                    return TypedResults.Problem(title: "Bad request", detail: "Give kind, name and entityId.", statusCode: 400);
                return TypedResults.Ok(await ResolveChoices.ChooseAsync(db, id, body.Kind.Trim(), body.Name, body.EntityId.Trim(), http.Actor(), body.Retry ?? true, ct));
            })
            .WithSummary("A curator's choice: store the name as an alias of the entity and re-resolve the batch's blocked tasks with that name");
        read.MapGet("/resolve/{kind}", async Task<Results<Ok<ResolutionView>, ProblemHttpResult>> (string kind, string name, Db db, CancellationToken ct) =>
            {
                if (!ReferenceKinds.IsKind(kind)) return TypedResults.Problem(title: "Not found", detail: ReferenceKinds.UnknownKindMessage(kind), statusCode: 404);
                var set = await Resolvers.GetAsync(db, ct);
                return TypedResults.Ok(ResolutionView.Of(set.Resolve(kind, name)));
            })
            .WithSummary("Resolve one name (?name=) of a kind against the catalog and curator choices");
        return group;
    }

    public sealed record CandidateView(string Id, string Name, double Score, string Reason);
    public sealed record MatchView(string Id, string Name);
    public sealed record ResolutionView(string Input, string Kind, string Decision, MatchView? Match, IReadOnlyList<CandidateView> Candidates)
    {
        public static ResolutionView Of(Resolution r) => new(r.Input, r.Kind, ResolutionJson.WireDecision(r),
            r.Match is { } m ? new MatchView(m.Id, m.Name) : null,
            r.Candidates.Select(c => new CandidateView(c.Id, c.Name, c.Score, ResolutionJson.ReasonText(c))).ToList());
    }
}
