using Dapper;
using Grantha.Engine;
using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>
/// What a curator's choice did: the alias stored, and the blocked RESOLVE tasks re-queued, in this batch and in
/// every other batch whose imports wait on the same name (<see cref="Batches"/>: per batch, with the reason when
/// a paused or cancelled batch kept its tasks blocked).
/// </summary>
public sealed record ChoiceResult(long BatchId, string Kind, string Name, string Key, string EntityId, string EntityName, long TasksRequeued, IReadOnlyList<long> TaskIds)
{
    public IReadOnlyList<BatchRequeue> Batches { get; init; } = [];
    public string? Next { get; init; }
    /// <summary>Workers running RESOLVE on the database (<see cref="RunningWorkers"/>): none means nothing runs the re-queued tasks.</summary>
    public IReadOnlyList<string> Workers { get; init; } = [];
}

/// <summary>
/// A curator's choice: "this written name means that catalog entity". Stored as an alias (so every later
/// batch resolves the name by itself), then every BLOCKED RESOLVE task that named it is retried: the batch's
/// own and those of other batches waiting on the same name (the same re-queue as a catalog change).
/// </summary>
public static class ResolveChoices
{
    public static async Task<ChoiceResult> ChooseAsync(Db db, long batchId, string kind, string name, string entityId, string actor, bool retry = true, CancellationToken ct = default)
    {
        if (!ReferenceKinds.IsKind(kind)) throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind));
        CatalogNames.Check(name, "name");
        _ = await Batches.GetAsync(db, batchId, ct) ?? throw new BatchNotFoundException(batchId);
        var before = await ResolverStore.LoadAsync(db, ct);
        var set = await ResolverStore.LoadAsync(db, ct);
        var entity = set.For(kind).Find(entityId) ?? throw new ArgumentException($"There is no {kind} with id '{entityId}' in the catalog (see ./grantha catalog list {kind}).");
        var key = await ResolverStore.AddAliasAsync(db, set, kind, name, entity.Id, actor, batchId, ct);
        if (!retry) return new ChoiceResult(batchId, kind, name, key, entity.Id, entity.Name, 0, []);
        var report = await CatalogChanges.RequeueAsync(db, before, kind, actor, ct);
        var requeued = report.Batches.Where(b => b.NotRequeued is null).ToList();
        return new ChoiceResult(batchId, kind, name, key, entity.Id, entity.Name, report.Tasks, requeued.SelectMany(b => b.TaskIds).ToList())
        {
            Batches = report.Batches, Next = report.Next, Workers = report.Workers,
        };
    }
}
