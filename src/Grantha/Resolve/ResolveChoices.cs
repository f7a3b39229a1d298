using Dapper;
using Grantha.Engine;
using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>What a curator's choice did.</summary>
public sealed record ChoiceResult(long BatchId, string Kind, string Name, string Key, string EntityId, string EntityName, long TasksRequeued, IReadOnlyList<long> TaskIds);

/// <summary>
/// A curator's choice: "this written name means that catalog entity". Stored as an alias (so every later
/// batch resolves the name by itself), then every BLOCKED RESOLVE task of the batch that named it is retried.
/// </summary>
public static class ResolveChoices
{
    public static async Task<ChoiceResult> ChooseAsync(Db db, long batchId, string kind, string name, string entityId, string actor, bool retry = true, CancellationToken ct = default)
    {
        if (!ReferenceKinds.IsKind(kind)) throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind));
        _ = await Batches.GetAsync(db, batchId, ct) ?? throw new BatchNotFoundException(batchId);
        var set = await ResolverStore.LoadAsync(db, ct);
        var entity = set.For(kind).Find(entityId) ?? throw new ArgumentException($"There is no {kind} with id '{entityId}' in the catalog (see ./grantha catalog list {kind}).");
        var key = await ResolverStore.AddAliasAsync(db, set, kind, name, entity.Id, actor, batchId, ct);
        var parts = set.For(kind).Parse(name);

        var tasks = (await db.ReadAsync(c => c.QueryAsync<long>("""
            SELECT DISTINCT d.task_id FROM resolution_decision d JOIN stage_task t ON t.id = d.task_id
             WHERE d.batch_id = @batchId AND d.kind = @kind AND d.input_key IN (@full, @key) AND d.decision <> 'matched' AND t.state = 'BLOCKED'
             ORDER BY d.task_id
            """, new { batchId, kind, full = parts.FullKey, key = parts.Key }), ct)).ToList();
        long requeued = 0;
        if (retry && tasks.Count > 0)
            requeued = (await Controls.RetryAsync(db, batchId, new TaskFilter { Stage = ResolveHandler.Name, State = TaskState.Blocked, TaskIds = tasks }, actor, ct)).Tasks;
        return new ChoiceResult(batchId, kind, name, key, entity.Id, entity.Name, requeued, tasks);
    }
}
