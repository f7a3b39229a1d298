using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Review;

/// <summary>
/// What an approval without a curator looking at each import requires beyond "ready, complete, not a
/// duplicate, not already in the catalog": a minimum quality, a minimum confidence of every name, no flag.
/// </summary>
public sealed record ApprovalCriteria
{
    public double? MinQuality { get; init; }
    public double? MinConfidence { get; init; }
    public bool NoFlags { get; init; }

    /// <summary>The auto-approval policy a batch gets when one is asked for without thresholds.</summary>
    public static readonly ApprovalCriteria DefaultPolicy = new() { MinQuality = 0.9, MinConfidence = 0.95, NoFlags = true };

    public ApprovalCriteria Validate()
    {
        if (MinQuality is < 0 or > 1) throw new ArgumentException("The minimum quality is between 0 and 1.");
        if (MinConfidence is < 0 or > 1) throw new ArgumentException("The minimum confidence is between 0 and 1.");
        return this;
    }

    public string Describe() => string.Join(", ", new[]
    {
        MinQuality is { } q ? string.Create(CultureInfo.InvariantCulture, $"quality ≥ {q:0.00}") : null,
        MinConfidence is { } c ? string.Create(CultureInfo.InvariantCulture, $"confidence ≥ {c:0.00}") : null,
        NoFlags ? "no flags" : null,
    }.OfType<string>().DefaultIfEmpty("every approvable import"));
}

/// <summary>
/// The APPROVE stage's options on a batch: who approves, by which criteria and why. A bulk approval is a
/// batch of its own (stage APPROVE only); an import batch with an auto-approval policy runs APPROVE after RESOLVE.
/// </summary>
public sealed record ApprovalPlan(string Actor, ApprovalCriteria Criteria, string Reason, long? SourceBatchId = null, bool Policy = false,
    long Matched = 0, IReadOnlyDictionary<string, long>? Skipped = null)
{
    /// <summary>An import batch's auto-approval policy: the batch then runs APPROVE after RESOLVE (off unless asked for).</summary>
    public static Dictionary<string, JsonElement> AutoApproval(string actor, ApprovalCriteria? criteria = null) => new()
    {
        [ApproveHandler.Name] = JsonSerializer.SerializeToElement(
            new ApprovalPlan(actor, (criteria ?? ApprovalCriteria.DefaultPolicy).Validate(), $"auto-approval policy ({(criteria ?? ApprovalCriteria.DefaultPolicy).Describe()})", Policy: true),
            EngineJson.Options),
    };
}

/// <summary>Why an import is not approved by a bulk run or a policy (code, and the sentence a curator reads).</summary>
public static class SkipReasons
{
    public static readonly IReadOnlyDictionary<string, string> Text = new Dictionary<string, string>
    {
        ["needs_review"] = "a name is not resolved: choose it first",
        ["decided"] = "already approved or merged",
        ["set_aside"] = "rejected or deferred by a curator",
        ["duplicate"] = "flagged as a duplicate of another page of the batch (never approved in bulk)",
        ["flagged"] = "has a flag (near-duplicate, in an earlier batch, low confidence, warnings)",
        ["low_quality"] = "quality below the minimum",
        ["low_confidence"] = "a name's confidence below the minimum",
        ["incomplete"] = "no title, composer or raga",
        ["already_a_krithi"] = "the work is already a krithi: merge it instead",
        ["same_work"] = "the same work as another import approved in this run",
        ["changed"] = "changed since it was selected",
        ["refused"] = "refused at approval",
    };
}

/// <summary>An import a bulk run looks at.</summary>
public class BulkCandidate
{
    public long Id { get; set; }
    public long BatchId { get; set; }
    public string Url { get; set; } = "";
    public string? Title { get; set; }
    public string State { get; set; } = "";
    public long Version { get; set; }
    public long Flags { get; set; }
    public double Quality { get; set; }
    public string? ComposerId { get; set; }
    public string? RagaSet { get; set; }
    public string? WorkKey { get; set; }
    public long? DuplicateOf { get; set; }
    public double? ComposerConf { get; set; }
    public double? RagaConf { get; set; }
    public double? TalaConf { get; set; }
    public double? DeityConf { get; set; }
    public double? KshetraConf { get; set; }

    public double? MinConfidence => new[] { ComposerConf, RagaConf, TalaConf, DeityConf, KshetraConf }.Where(x => x is not null).Min();

    internal const string Columns = """
        s.id AS Id, s.batch_id AS BatchId, s.url AS Url, s.title AS Title, s.review_state AS State, s.version AS Version, s.flags AS Flags, s.quality AS Quality,
        s.composer_id AS ComposerId, s.raga_set AS RagaSet, s.work_key AS WorkKey, s.duplicate_of AS DuplicateOf,
        s.composer_conf AS ComposerConf, s.raga_conf AS RagaConf, s.tala_conf AS TalaConf, s.deity_conf AS DeityConf, s.kshetra_conf AS KshetraConf
        """;
}

/// <summary>An import of the dry run's sample, with what would happen to it.</summary>
public sealed record BulkSample(long Id, string? Title, double Quality, string State, IReadOnlyList<string> Flags, string Outcome, string? Reason);

/// <summary>The dry run (and the start of a real run): how many match, would be approved, skipped and why, and a sample of each.</summary>
public sealed record BulkPlan(long Matched, long WouldApprove, IReadOnlyDictionary<string, long> Skipped, IReadOnlyDictionary<string, string> SkipReasons,
    IReadOnlyList<BulkSample> Sample, string Criteria)
{
    internal IReadOnlyList<BulkCandidate> ToApprove { get; init; } = [];
}

/// <summary>A started bulk approval: the batch that runs it (null when nothing was approvable) and its plan.</summary>
public sealed record BulkStarted(long? ApprovalBatchId, BulkPlan Plan);

/// <summary>How a bulk approval ended (or stands): what it matched, approved, skipped and created.</summary>
public sealed record BulkSummary(long ApprovalBatchId, string Status, long Matched, long Approved, long Skipped, long KrithisCreated, long Failed, long Open,
    IReadOnlyDictionary<string, long> SkippedBy);

/// <summary>
/// Bulk approval by filter: a dry run first, then engine work. The real run is a batch of its own whose
/// APPROVE tasks approve one import each, in its own transaction, so a failure stops nothing else and the
/// run can be paused, resumed or cancelled like any batch.
/// </summary>
public static class BulkApproval
{
    public const int SampleSize = 10;

    /// <summary>What a run with <paramref name="criteria"/> over <paramref name="filter"/> would do. Changes nothing.</summary>
    public static Task<BulkPlan> PlanAsync(Db db, ReviewFilter filter, ApprovalCriteria criteria, CancellationToken ct = default) =>
        db.ReadAsync(c => PlanAsync(db.Dialect, c, null, filter.Validate(), criteria.Validate()), ct);

    static async Task<BulkPlan> PlanAsync(Dialect dialect, DbConnection c, DbTransaction? tx, ReviewFilter filter, ApprovalCriteria criteria)
    {
        var (where, args) = filter.Sql(dialect);
        var candidates = (await c.QueryAsync<BulkCandidate>($"SELECT {BulkCandidate.Columns} FROM staged_import s WHERE {where} ORDER BY s.id", args, tx)).ToList();
        var inCatalog = await CatalogWorksAsync(dialect, c, tx, candidates.Select(x => x.WorkKey).OfType<string>().Distinct().ToArray());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new Dictionary<string, long>();
        var approve = new List<BulkCandidate>();
        var sample = new List<BulkSample>();
        foreach (var x in candidates)
        {
            var reason = Classify(x, criteria, inCatalog);
            if (reason is null && x.WorkKey is { } key && !seen.Add(key)) reason = "same_work";
            if (reason is null) approve.Add(x);
            else skipped[reason] = skipped.GetValueOrDefault(reason) + 1;
            // The sample shows a few of each outcome, not only the first ten imports.
            if (sample.Count(s => s.Reason == reason) < (reason is null ? SampleSize : 3))
                sample.Add(new BulkSample(x.Id, x.Title, x.Quality, x.State, ReviewFlags.Names((int)x.Flags), reason is null ? "approve" : "skip", reason));
        }
        return new BulkPlan(candidates.Count, approve.Count, skipped,
            skipped.Keys.ToDictionary(k => k, k => SkipReasons.Text[k]), sample, criteria.Describe()) { ToApprove = approve };
    }

    /// <summary>Why <paramref name="x"/> is not approved under <paramref name="criteria"/>, or null when it is.</summary>
    public static string? Classify(BulkCandidate x, ApprovalCriteria criteria, IReadOnlyDictionary<string, long> catalogWorks)
    {
        if (x.State == ReviewStates.NeedsReview) return "needs_review";
        if (x.State is ReviewStates.Approved or ReviewStates.Merged) return "decided";
        if (x.State != ReviewStates.Ready) return "set_aside";
        if ((x.Flags & ReviewFlags.Duplicate) != 0 || x.DuplicateOf is not null) return "duplicate";
        if (criteria.NoFlags && x.Flags != 0) return "flagged";
        if (criteria.MinQuality is { } q && x.Quality < q) return "low_quality";
        if (criteria.MinConfidence is { } mc && (x.MinConfidence ?? 0) < mc) return "low_confidence";
        if (string.IsNullOrWhiteSpace(x.Title) || x.ComposerId is null || string.IsNullOrEmpty(x.RagaSet)) return "incomplete";
        if (x.WorkKey is { } key && catalogWorks.ContainsKey(key)) return "already_a_krithi";
        return null;
    }

    /// <summary>Active krithis with these work keys (work key → krithi id).</summary>
    internal static async Task<IReadOnlyDictionary<string, long>> CatalogWorksAsync(Dialect dialect, DbConnection c, DbTransaction? tx, string[] workKeys)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in workKeys.Chunk(1000))
            foreach (var (key, id) in await c.QueryAsync<(string, long)>(
                         $"SELECT work_key, MIN(id) FROM krithi WHERE status = 'active' AND work_key {dialect.InArray("keys")} GROUP BY work_key", new { keys = chunk }, tx))
                found[key] = id;
        return found;
    }

    /// <summary>
    /// Starts a bulk approval of the imports of <paramref name="filter"/> (which names a batch): plans it, and when
    /// something is approvable creates the approval batch with one APPROVE task per import (its version as seen now).
    /// </summary>
    public static async Task<BulkStarted> StartAsync(Db db, Pipeline pipeline, ReviewFilter filter, ApprovalCriteria criteria, string actor, string? reason = null,
        CancellationToken ct = default)
    {
        Reviews.CheckReason(reason);
        if (filter.BatchId is not { } sourceBatch) throw new ArgumentException("A bulk approval names its batch (--batch N): it runs over one batch's imports.");
        _ = await Batches.GetAsync(db, sourceBatch, ct) ?? throw new BatchNotFoundException(sourceBatch);
        if (!pipeline.Has(ApproveHandler.Name)) throw new InvalidOperationException("This pipeline has no APPROVE stage.");
        var plan = await PlanAsync(db, filter, criteria, ct);
        if (plan.ToApprove.Count == 0) return new BulkStarted(null, plan);
        var approve = pipeline[ApproveHandler.Name];
        var options = new BatchOptions
        {
            Stages = [ApproveHandler.Name],
            StageOptions = new()
            {
                [ApproveHandler.Name] = JsonSerializer.SerializeToElement(new ApprovalPlan(actor, criteria,
                    string.IsNullOrWhiteSpace(reason) ? $"bulk approval ({criteria.Describe()})" : reason.Trim(), sourceBatch, false, plan.Matched, plan.Skipped), EngineJson.Options),
            },
        };
        var id = await Batches.CreateAsync(db, $"approve batch {sourceBatch}: {criteria.Describe()}", options, actor, [ApproveHandler.Name], async (c, tx, batchId) =>
        {
            var tasks = plan.ToApprove.Select(x => approve.NewTask(batchId, x.Url, new Resolve.ResolveHandler.Staged(x.Id, x.Version), key: x.Id.ToString(CultureInfo.InvariantCulture))).ToList();
            await db.Queue.InsertAsync(c, tx, batchId, tasks, _ => approve.Settings.MaxAttempts, Db.NowMs());
        }, ct);
        return new BulkStarted(id, plan);
    }

    /// <summary>The figures of a bulk approval batch: the plan's skips plus what its tasks did.</summary>
    public static async Task<BulkSummary> SummaryAsync(Db db, long approvalBatchId, CancellationToken ct = default)
    {
        var batch = await Batches.GetAsync(db, approvalBatchId, ct) ?? throw new BatchNotFoundException(approvalBatchId);
        var plan = BatchOptions.FromJson(batch.Options).OptionsOf<ApprovalPlan>(ApproveHandler.Name)
                   ?? throw new ArgumentException($"Batch {approvalBatchId} is not an approval batch.");
        var tasks = (await db.ReadAsync(c => c.QueryAsync<(string State, string? Result)>(
            "SELECT state, result FROM stage_task WHERE batch_id = @approvalBatchId AND stage = @stage", new { approvalBatchId, stage = ApproveHandler.Name }), ct)).ToList();
        var skippedBy = new Dictionary<string, long>(plan.Skipped ?? new Dictionary<string, long>());
        long approved = 0, created = 0, failed = 0, open = 0;
        foreach (var t in tasks)
        {
            if (t.State == TaskState.Succeeded && t.Result is { } json && EngineJson.Deserialize<ApproveHandler.Result>(json) is { } r)
            {
                if (r.Outcome == ApproveHandler.Approved) { approved++; if (r.KrithiCreated) created++; }
                else skippedBy[r.Reason ?? "refused"] = skippedBy.GetValueOrDefault(r.Reason ?? "refused") + 1;
            }
            else if (t.State is TaskState.Failed or TaskState.Blocked or TaskState.Cancelled) failed++;
            else if (t.State != TaskState.Succeeded) open++;
        }
        return new BulkSummary(approvalBatchId, batch.Status, plan.Matched, approved, skippedBy.Values.Sum(), created, failed, open, skippedBy);
    }
}
