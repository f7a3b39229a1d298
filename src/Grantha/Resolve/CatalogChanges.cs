using Dapper;
using Grantha.Engine;
using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>A name blocked in some import that resolves differently after a catalog change.</summary>
/// <param name="Before">The decision before the change (matched, needs_review, unknown).</param>
/// <param name="After">The decision now; <paramref name="EntityId"/> is the match, if any.</param>
public sealed record NameChange(string Kind, string Input, string Before, string After, string? EntityId);

/// <summary>What a catalog change re-queued in one batch.</summary>
/// <param name="TaskIds">The BLOCKED RESOLVE tasks of the batch that name a changed name.</param>
/// <param name="Tasks">How many of them went back to the queue.</param>
/// <param name="NotRequeued">Why they did not (a paused or cancelled batch), and what to do; null when they did.</param>
public sealed record BatchRequeue(long BatchId, long Tasks, IReadOnlyList<long> TaskIds, string? NotRequeued);

/// <param name="Tasks">Tasks re-queued in all batches.</param>
/// <param name="Workers">Workers running RESOLVE on the database, alive by <see cref="RunningWorkers"/> (a killed worker's row is not counted).</param>
/// <param name="Next">What happens next, in words.</param>
public sealed record RequeueReport(long Tasks, IReadOnlyList<BatchRequeue> Batches, IReadOnlyList<NameChange> Names, IReadOnlyList<string> Workers, string Next);

/// <summary>A curator's change to the reference catalog and what it re-queued. Change is null when nothing had to be written (the synonym was there).</summary>
public sealed record CatalogChangeResult(CatalogChange? Change, RequeueReport Requeue);

/// <summary>
/// A curator's change to the reference catalog — add an entity, merge two rows, add a synonym — checked against
/// the live resolvers, stored with its audit row (Reference/Curation), and followed by a re-queue: every BLOCKED
/// RESOLVE task, in every batch, with a blocking name of that kind that now resolves differently (decision, match
/// or candidates) goes back to the queue. Workers rebuild their resolvers when the catalog's stamp moves
/// (ResolverCache), so the re-queued tasks resolve with the change.
/// </summary>
public static class CatalogChanges
{
    public static async Task<CatalogChangeResult> AddAsync(Db db, NewEntity entity, string actor, CancellationToken ct = default)
    {
        Curation.Validate(entity);
        var before = await ResolverStore.LoadAsync(db, ct);
        await Curation.RefuseTakenIdAsync(db, entity, ct);
        foreach (var name in Curation.NamesOf(entity)) RefuseTakenName(before, entity.Kind, name);
        var change = await Curation.AddAsync(db, entity, actor, ct);
        return new CatalogChangeResult(change, await RequeueAsync(db, before, entity.Kind, actor, ct));
    }

    public static async Task<CatalogChangeResult> MergeAsync(Db db, string kind, string duplicateId, string keptId, string? reason, string actor, CancellationToken ct = default)
    {
        if (!ReferenceKinds.IsKind(kind)) throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind));
        CatalogNames.CheckNote(reason, "reason");
        var before = await ResolverStore.LoadAsync(db, ct);
        var change = await Curation.MergeAsync(db, kind, duplicateId.Trim(), keptId.Trim(), reason, actor, ct);
        return new CatalogChangeResult(change, await RequeueAsync(db, before, kind, actor, ct));
    }

    /// <summary>
    /// Adds a musicological synonym (another name of the same entity). Refused when the name is another
    /// entity's own name: the catalog keeps Kannada and Kanada apart (a merge says two rows are one).
    /// </summary>
    public static async Task<CatalogChangeResult> AddSynonymAsync(Db db, string kind, string name, string entityId, string? note, string actor, CancellationToken ct = default)
    {
        if (!ReferenceKinds.IsKind(kind)) throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind));
        CatalogNames.Check(name, "synonym");
        CatalogNames.CheckNote(note, "note");
        if (string.IsNullOrWhiteSpace(name) || ReferenceKinds.Parse(kind, name).IsEmpty) throw new ArgumentException($"The synonym '{name}' has no letters to match on.");
        var before = await ResolverStore.LoadAsync(db, ct);
        var entity = before.For(kind).Find(entityId.Trim()) ?? throw new CatalogEntityNotFoundException(kind, entityId.Trim());
        var key = before.For(kind).Parse(name).Key;
        var owners = before.For(kind).WithKey(key).Where(e => !SameThing(e, entity)).ToList();
        if (owners.Count > 0)
            throw new CatalogConflictException($"'{name}' is the own name of {string.Join(" and ", owners.Select(o => $"{o.Name} ({o.Id})"))}: the catalog keeps them apart. " +
                $"If they are one {kind}, merge them: ./grantha catalog merge {kind} <duplicate-id> --into <kept-id>.");
        // A merged duplicate's id names the entity kept: the synonym is stored for that one.
        var change = await CatalogStore.AddSynonymAsync(db, kind, name.Trim(), entity.Id, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), actor, ct);
        return new CatalogChangeResult(change, change is null ? await NothingAsync(db, ct) : await RequeueAsync(db, before, kind, actor, ct));
    }

    /// <summary>
    /// Refuses a new entity's name when the catalog already resolves it with certainty: it is an own name, a
    /// synonym or a curator alias of an entity (with the same note: Saranga and Saranga {Hindustani} may both
    /// exist), or a ragamalika. A fuzzy neighbour is no reason to refuse: that is why the entity is added.
    /// </summary>
    static void RefuseTakenName(ResolverSet set, string kind, string name)
    {
        var r = set.Resolve(kind, name);
        if (r.Decision == Decision.Ragamalika)
            throw new CatalogConflictException($"'{name}' reads as ragamalika, a garland of several ragas, not one {kind}.");
        var taken = r.Candidates.Where(c => c.Reason != MatchReason.Fuzzy && c.Score >= ResolverThresholds.SynonymScore - 1e-9).ToList();
        if (taken.Count == 0) return;
        var key = set.For(kind).Parse(name).Key;
        throw new CatalogConflictException($"The name '{name}' (key '{key}') is already {string.Join(" and ", taken.Select(c => $"{Why(c)} of {c.Name} ({c.Id})"))}. " +
            (taken.Count > 1
                ? $"If those are one {kind}, merge them: ./grantha catalog merge {kind} <duplicate-id> --into <kept-id>."
                : $"Use that {kind}, or give the new one a name that tells them apart."));
    }

    static string Why(Candidate c) => c.Reason switch
    {
        MatchReason.Synonym => "a synonym",
        MatchReason.Alias => "a curator's alias",
        _ => "an own name",
    };

    static bool SameThing(ResolverEntry a, ResolverEntry b) => a.Id == b.Id || (a.ListingGroup ?? a.Id) == (b.ListingGroup ?? b.Id);

    /// <summary>
    /// Re-queues, in every batch, the BLOCKED RESOLVE tasks with a blocking name of this kind that resolves
    /// differently now than with <paramref name="before"/>. A batch that cannot run (paused, cancelled) keeps its
    /// tasks blocked and says so; nothing is left out silently.
    /// </summary>
    internal static async Task<RequeueReport> RequeueAsync(Db db, ResolverSet before, string kind, string actor, CancellationToken ct)
    {
        var after = await ResolverStore.LoadAsync(db, ct);
        var blocked = (await db.ReadAsync(c => c.QueryAsync<(long BatchId, long TaskId, string Input)>("""
            SELECT d.batch_id, d.task_id, d.input FROM resolution_decision d JOIN stage_task t ON t.id = d.task_id
             WHERE d.kind = @kind AND d.decision IN ('needs_review', 'unknown') AND t.state = 'BLOCKED' AND t.stage = @stage
             ORDER BY d.batch_id, d.task_id
            """, new { kind, stage = ResolveHandler.Name }), ct)).ToList();

        var names = new List<NameChange>();
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in blocked.Select(b => b.Input).Distinct(StringComparer.Ordinal))
        {
            var (was, now) = (before.Resolve(kind, input), after.Resolve(kind, input));
            if (Same(was, now)) continue;
            changed.Add(input);
            names.Add(new NameChange(kind, input, ResolutionJson.WireDecision(was), ResolutionJson.WireDecision(now), now.Match?.Id));
        }

        var batches = new List<BatchRequeue>();
        foreach (var batch in blocked.Where(b => changed.Contains(b.Input)).GroupBy(b => b.BatchId))
        {
            var tasks = batch.Select(b => b.TaskId).Distinct().ToList();
            var status = (await Batches.GetAsync(db, batch.Key, ct))?.Status;
            // A catalog change must not run a batch an operator paused (a retry would set it running).
            if (status == BatchStatus.Paused)
            {
                batches.Add(new BatchRequeue(batch.Key, 0, tasks,
                    $"Batch {batch.Key} is PAUSED: its {tasks.Count} task(s) stay blocked. After ./grantha resume {batch.Key}, run ./grantha retry {batch.Key} --code {ResolveHandler.NeedsReviewCode}."));
                continue;
            }
            try
            {
                var r = await Controls.RetryAsync(db, batch.Key, new TaskFilter { Stage = ResolveHandler.Name, State = TaskState.Blocked, TaskIds = tasks }, actor, ct);
                batches.Add(new BatchRequeue(batch.Key, r.Tasks, tasks, null));
            }
            catch (IllegalTransitionException e)
            {
                batches.Add(new BatchRequeue(batch.Key, 0, tasks,
                    $"Batch {batch.Key} cannot run again ({e.Message.TrimEnd('.')}): its {tasks.Count} task(s) stay blocked."));
            }
            catch (BatchNotFoundException e)
            {
                batches.Add(new BatchRequeue(batch.Key, 0, tasks, $"{e.Message} (deleted meanwhile)."));
            }
        }
        return await ReportAsync(db, batches, names, ct);
    }

    static bool Same(Resolution a, Resolution b) =>
        a.Decision == b.Decision && a.Match?.Id == b.Match?.Id && a.Candidates.Select(c => c.Id).SequenceEqual(b.Candidates.Select(c => c.Id));

    static Task<RequeueReport> NothingAsync(Db db, CancellationToken ct) => ReportAsync(db, [], [], ct);

    static async Task<RequeueReport> ReportAsync(Db db, IReadOnlyList<BatchRequeue> batches, IReadOnlyList<NameChange> names, CancellationToken ct)
    {
        var workers = await RunningWorkers.ForStageAsync(db, ResolveHandler.Name, ct);
        var tasks = batches.Sum(b => b.Tasks);
        var held = batches.Where(b => b.NotRequeued is not null).Sum(b => b.TaskIds.Count);
        var next = tasks == 0
            ? held == 0 ? "No blocked import names it: nothing to re-queue." : $"{held} blocked task(s) name it but could not be re-queued (see batches)."
            : workers.Count > 0
                ? $"{workers.Count} worker(s) running {ResolveHandler.Name} on this database ({string.Join(", ", workers)}): they pick the {tasks} re-queued task(s) up."
                : $"No worker is running on this database: the {tasks} re-queued task(s) wait for ./grantha worker or ./grantha serve.";
        return new RequeueReport(tasks, batches, names, workers, next);
    }

    /// <summary>The state of each re-queued task, for a caller that runs them (the CLI's --run).</summary>
    public static async Task<IReadOnlyList<(long TaskId, long BatchId, string State, string? Error)>> TaskStatesAsync(Db db, RequeueReport report, CancellationToken ct = default)
    {
        var ids = report.Batches.Where(b => b.NotRequeued is null).SelectMany(b => b.TaskIds).ToArray();
        if (ids.Length == 0) return [];
        return (await db.ReadAsync(c => c.QueryAsync<(long, long, string, string?)>(
            $"SELECT id, batch_id, state, error_message FROM stage_task WHERE id IN ({string.Join(',', ids)}) ORDER BY id"), ct)).ToList();
    }
}
