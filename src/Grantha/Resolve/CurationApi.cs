using System.Text.Json;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Reference;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grantha.Resolve;

/// <summary>
/// /v1/admin/catalog: the reference catalog. Viewers list entities (with curator and merged marks), one entity
/// with everything that points at it, synonyms, aliases and the curation history; curators add entities, merge
/// two rows and add synonyms, each of which re-queues the blocked imports it settles (<see cref="CatalogChanges"/>).
/// </summary>
public static class CurationApi
{
    public const string Prefix = "/v1/admin/catalog";

    /// <summary>The body of an added entity: id and name for every kind; a raga's melakarta or parent and scales; a tala's aksharas, family, jati.</summary>
    public sealed record AddJson(string? Id, string? Name, int? Melakarta, string? Parent, string? Arohanam, string? Avarohanam,
        string? Family, string? Jati, int? Aksharas, string? Reason);

    public sealed record MergeJson(string? Into, string? Reason);

    public sealed record SynonymJson(string? Kind, string? Name, string? EntityId, string? Note);

    public sealed record ChangeView(long Id, string Kind, string Action, string EntityId, string? IntoId, string? Name, JsonElement Detail, string? Reason, string Actor, long At)
    {
        public static ChangeView Of(CatalogChange c) =>
            new(c.Id, c.Kind, c.Action, c.EntityId, c.IntoId, c.Name, JsonDocument.Parse(c.Detail).RootElement.Clone(), c.Reason, c.Actor, c.At);
    }

    public sealed record ChangeResultView(ChangeView? Change, RequeueReport Requeue)
    {
        public static ChangeResultView Of(CatalogChangeResult r) => new(r.Change is { } c ? ChangeView.Of(c) : null, r.Requeue);
    }

    /// <summary>One entity as <see cref="CatalogEntityDetail"/>, its history's details as JSON.</summary>
    public sealed record EntityView(CatalogEntity Entity, IReadOnlyList<string> Names, IReadOnlyList<CatalogSynonym> Synonyms, IReadOnlyList<CatalogAlias> Aliases,
        IReadOnlyList<string> MergedFrom, IReadOnlyList<ChangeView> History, CatalogRaga? Raga, CatalogTala? Tala)
    {
        public static EntityView Of(CatalogEntityDetail d) =>
            new(d.Entity, d.Names, d.Synonyms, d.Aliases, d.MergedFrom, d.History.Select(ChangeView.Of).ToList(), d.Raga, d.Tala);
    }

    public sealed record HistoryPage(IReadOnlyList<ChangeView> Items, long? Next);

    public static IEndpointRouteBuilder MapCurationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).WithTags("Reference catalog").AddEndpointFilter(ProblemsOfCuration);
        var read = group.MapGroup("").RequireRole(Role.Viewer);
        var curate = group.MapGroup("").RequireRole(Role.Curator);

        read.MapGet("/synonyms", async (string? kind, Db db, CancellationToken ct) => TypedResults.Ok(await CatalogStore.SynonymsAsync(db, Kind(kind), ct)))
            .WithSummary("The synonym table: shipped rows (source seed) and curators' (source curator); ?kind=");
        read.MapGet("/aliases", async (string? kind, Db db, CancellationToken ct) => TypedResults.Ok(await CatalogStore.AliasesAsync(db, Kind(kind), ct)))
            .WithSummary("Curator choices (written name → entity) made from blocked imports; ?kind=");
        read.MapGet("/history", async (string? kind, string? entity, long? after, int? limit, Db db, CancellationToken ct) =>
            {
                var take = BulkImportApi.Limit(limit);
                var items = (await Curation.HistoryAsync(db, Kind(kind), entity, after ?? 0, take, ct)).Select(ChangeView.Of).ToList();
                return TypedResults.Ok(new HistoryPage(items, items.Count == take ? items[^1].Id : null));
            })
            .WithSummary("The curation audit trail (add, merge, synonym, shipped), oldest first, keyset-paged (?after=<id>&limit=); ?kind=&entity=");
        read.MapGet("/{kind}", async Task<Results<Ok<IReadOnlyList<CatalogEntity>>, ProblemHttpResult>> (string kind, Db db, CancellationToken ct) =>
                ReferenceKinds.IsKind(kind) ? TypedResults.Ok(await ListAsync(db, kind, ct)) : UnknownKind(kind))
            .WithSummary("Entities of a kind (raga, tala, composer, deity, kshetra) in id order: origin seed or curator, mergedInto when a curator merged the row");
        read.MapGet("/{kind}/{id}", async Task<Results<Ok<EntityView>, ProblemHttpResult>> (string kind, string id, Db db, CancellationToken ct) =>
            {
                if (!ReferenceKinds.IsKind(kind)) return UnknownKind(kind);
                await ResolverStore.LoadAsync(db, ct);
                return await CatalogStore.EntityAsync(db, kind, id, ct) is { } e ? TypedResults.Ok(EntityView.Of(e)) : NotFound(kind, id);
            })
            .WithSummary("One entity: names, synonyms, aliases, the rows merged into it, its history; a merged row says where it went (mergedInto)");

        curate.MapPost("/synonyms", async Task<Results<Ok<ChangeResultView>, ProblemHttpResult>> (SynonymJson body, Db db, HttpContext http, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body.Kind) || string.IsNullOrWhiteSpace(body.Name) || string.IsNullOrWhiteSpace(body.EntityId))
                    return BadRequest("Give kind, name and entityId.");
                return TypedResults.Ok(ChangeResultView.Of(await CatalogChanges.AddSynonymAsync(db, body.Kind.Trim(), body.Name, body.EntityId, body.Note, http.Actor(), ct)));
            })
            .WithSummary("Add a synonym (another name of the same entity); re-queues the blocked imports it settles");
        curate.MapPost("/{kind}", async Task<Results<Created<ChangeResultView>, ProblemHttpResult>> (string kind, AddJson body, Db db, HttpContext http, CancellationToken ct) =>
            {
                if (!ReferenceKinds.IsKind(kind)) return UnknownKind(kind);
                if (string.IsNullOrWhiteSpace(body.Id) || string.IsNullOrWhiteSpace(body.Name)) return BadRequest("Give id and name.");
                var entity = new NewEntity(kind, body.Id.Trim(), body.Name.Trim())
                {
                    Reason = body.Reason, Melakarta = body.Melakarta, ParentId = body.Parent, Arohanam = body.Arohanam, Avarohanam = body.Avarohanam,
                    Family = body.Family, Jati = body.Jati, Aksharas = body.Aksharas,
                };
                var r = await CatalogChanges.AddAsync(db, entity, http.Actor(), ct);
                return TypedResults.Created($"{Prefix}/{kind}/{entity.Id}", ChangeResultView.Of(r));
            })
            .WithSummary("Add an entity the catalog lacks (raga: melakarta or parent, arohanam, avarohanam; tala: aksharas); re-queues the blocked imports it settles");
        curate.MapPost("/{kind}/{id}/merge", async Task<Results<Ok<ChangeResultView>, ProblemHttpResult>> (string kind, string id, MergeJson body, Db db, HttpContext http, CancellationToken ct) =>
            {
                if (!ReferenceKinds.IsKind(kind)) return UnknownKind(kind);
                if (string.IsNullOrWhiteSpace(body.Into)) return BadRequest("Give into: the id of the row to keep.");
                return TypedResults.Ok(ChangeResultView.Of(await CatalogChanges.MergeAsync(db, kind, id, body.Into, body.Reason, http.Actor(), ct)));
            })
            .WithSummary("Mark this row a duplicate of another (into): its names and id resolve to the kept one; re-queues the blocked imports it settles");
        return app;
    }

    /// <summary>The listing after the resolvers have seeded the catalog (a fresh database lists everything at once).</summary>
    static async Task<IReadOnlyList<CatalogEntity>> ListAsync(Db db, string kind, CancellationToken ct)
    {
        await ResolverStore.LoadAsync(db, ct);
        return await CatalogStore.EntitiesAsync(db, kind, ct);
    }

    static string? Kind(string? kind) => string.IsNullOrWhiteSpace(kind) ? null
        : ReferenceKinds.IsKind(kind.Trim()) ? kind.Trim() : throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind));

    /// <summary>The errors a curator can cause, as problem details: 409 for a conflict with the catalog, 404 for a missing entity, 400 for bad input.</summary>
    static async ValueTask<object?> ProblemsOfCuration(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        try { return await next(ctx); }
        catch (CatalogConflictException e) { return TypedResults.Problem(title: "Conflict with the catalog", detail: e.Message, statusCode: 409); }
        catch (CatalogEntityNotFoundException e) { return TypedResults.Problem(title: "Not found", detail: e.Message, statusCode: 404); }
        catch (ArgumentException e) { return BadRequest(e.Message); }
    }

    static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(title: "Bad request", detail: detail, statusCode: 400);

    static ProblemHttpResult UnknownKind(string kind) => TypedResults.Problem(title: "Not found", detail: ReferenceKinds.UnknownKindMessage(kind), statusCode: 404);

    static ProblemHttpResult NotFound(string kind, string id) => TypedResults.Problem(title: "Not found", detail: new CatalogEntityNotFoundException(kind, id).Message, statusCode: 404);
}
