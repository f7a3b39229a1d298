using Dapper;
using Grantha.Catalog;
using Grantha.Engine;
using Grantha.Resolve;

namespace Grantha.Review;

/// <summary>
/// The APPROVE stage: one task per staged import, approving it by the batch's <see cref="ApprovalPlan"/> (a
/// curator's bulk approval, or an import batch's auto-approval policy). Each approval is its own transaction;
/// an import that no longer qualifies is skipped with the reason, which is a result, not a failure. A retried
/// task that finds its own earlier approval (the worker died after the commit) reports it instead of redoing it.
/// </summary>
public sealed class ApproveHandler(StageSettings? settings = null) : StageHandler<ResolveHandler.Staged, NoPayload>
{
    public const string Name = "APPROVE";
    public const string Approved = "approved";
    public const string Skipped = "skipped";

    /// <summary>About a dozen statements per import, mostly waiting on the store: several at once, short leases.</summary>
    public static readonly StageSettings SettingsDefault = new() { Lease = TimeSpan.FromSeconds(30), Concurrency = 8 };

    public override string Stage => Name;
    public override StageSettings Settings { get; } = settings ?? SettingsDefault;
    public override bool OnDemand => true;

    /// <summary>The result of an APPROVE task.</summary>
    public sealed record Result(long StagedImportId, string Outcome, string? Reason = null, string? Message = null, long? KrithiId = null, bool KrithiCreated = false);

    protected override async Task<TaskResult> HandleAsync(TaskContext context, ResolveHandler.Staged payload, CancellationToken ct)
    {
        var plan = context.Batch.OptionsOf<ApprovalPlan>(Name);
        var task = context.Task;
        if (plan is null) return Done(new Result(payload.StagedImportId, Skipped, "refused", "the batch has no approval plan: approve by review instead"));
        var db = context.Db;
        try
        {
            // The approval is this stage's output: written like RESOLVE's (no WAL flush of its own on PostgreSQL;
            // the task's completion flushes it, and a crash before that loses both, so the task runs again).
            var result = await db.WriteOutputAsync(async (c, tx) =>
            {
                var x = await c.QuerySingleOrDefaultAsync<Candidate>(
                    $"SELECT {BulkCandidate.Columns}, s.review_task_id AS ReviewTaskId, s.krithi_id AS KrithiId, s.review_outcome AS ReviewOutcome FROM staged_import s WHERE s.id = @id{db.Dialect.RowLock}",
                    new { id = payload.StagedImportId }, tx);
                if (x is null) return new Result(payload.StagedImportId, Skipped, "refused", "the staged import no longer exists");
                if (x.ReviewTaskId == task.Id && x.State == ReviewStates.Approved)
                {
                    var earlier = x.ReviewOutcome is null ? null : EngineJson.Deserialize<ReviewOutcome>(x.ReviewOutcome);
                    return new Result(x.Id, Approved, KrithiId: x.KrithiId, KrithiCreated: earlier?.KrithiCreated ?? false);
                }
                if (payload.Version is { } v && v != x.Version)
                    return new Result(x.Id, Skipped, "changed", $"version {v} was selected; it is now {x.Version} ({x.State})");
                // A work already in the catalog is found by the approval itself (AlreadyInCatalogException below).
                if (BulkApproval.Classify(x, plan.Criteria, NoWorks) is { } reason)
                    return new Result(x.Id, Skipped, reason, SkipReasons.Text[reason]);
                var outcome = await Reviews.ApproveAsync(db.Dialect, c, tx, x.Id, x.Version, plan.Actor, plan.Reason, null, task.Id);
                return new Result(x.Id, Approved, KrithiId: outcome.KrithiId, KrithiCreated: outcome.KrithiCreated);
            }, ct);
            return Done(result);
        }
        // Decided elsewhere between the read and the write, or refused by the catalog: the transaction rolled
        // back, nothing was written; the import stays for a curator with the reason.
        catch (Exception e) when (e is ReviewVersionConflictException or IllegalTransitionException or NotApprovableException or AlreadyInCatalogException
                                      or KrithiReferenceException or KrithiVersionConflictException)
        {
            var code = e is AlreadyInCatalogException ? "already_a_krithi" : e is ReviewVersionConflictException ? "changed" : "refused";
            return Done(new Result(payload.StagedImportId, Skipped, code, e.Message));
        }
    }

    static TaskResult Done(Result r) => new(EngineJson.Serialize(r));

    static readonly IReadOnlyDictionary<string, long> NoWorks = new Dictionary<string, long>();

    /// <summary>The import with what tells this task's own earlier approval from anyone else's.</summary>
    sealed class Candidate : BulkCandidate
    {
        public long? ReviewTaskId { get; set; }
        public long? KrithiId { get; set; }
        public string? ReviewOutcome { get; set; }
    }
}
