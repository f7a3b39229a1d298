using Dapper;
using Grantha.Engine;
using Grantha.Manifest;

namespace Grantha;

/// <summary>
/// What a batch achieved, derived each time from its task counts and manifest row counts (never stored, so it cannot
/// disagree with them). <see cref="Through"/> is what reached the end of the batch's path: the succeeded tasks of the
/// deepest stage that has tasks, or 0 when every manifest row was rejected (the Description names the stage).
/// <list type="bullet">
/// <item><c>in_progress</c>: not settled yet (running or paused).</item>
/// <item><c>cancelled</c>: an operator cancelled it.</item>
/// <item><c>needs_attention</c>: settled with blocked tasks: names a curator must choose (<c>./grantha tasks &lt;id&gt; --state BLOCKED</c>).</item>
/// <item><c>failed</c>: settled with errors and nothing got through.</item>
/// <item><c>completed_with_errors</c>: some got through; some tasks failed or rows were rejected.</item>
/// <item><c>completed</c>: everything got through.</item>
/// </list>
/// </summary>
public sealed record BatchOutcome(string Outcome, long Through, long Failed, long Blocked, long Cancelled, long RowErrors, long RowsAccepted, string Description)
{
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string CompletedWithErrors = "completed_with_errors";
    public const string NeedsAttention = "needs_attention";
    public const string FailedOutcome = "failed";
    public const string CancelledOutcome = "cancelled";

    public static readonly string[] All = [InProgress, Completed, CompletedWithErrors, NeedsAttention, FailedOutcome, CancelledOutcome];

    /// <param name="status">The batch's status.</param>
    /// <param name="stages">Task counts per state of each stage, in pipeline order.</param>
    /// <param name="rowsAccepted">Accepted manifest rows; <paramref name="rowErrors"/>: rejected ones.</param>
    public static BatchOutcome Of(string status, IReadOnlyList<(string Stage, IReadOnlyDictionary<string, long> Counts)> stages, long rowsAccepted, long rowErrors)
    {
        long Sum(string state) => stages.Sum(s => s.Counts.GetValueOrDefault(state));
        var failed = Sum(TaskState.Failed);
        var blocked = Sum(TaskState.Blocked);
        var cancelled = Sum(TaskState.Cancelled);
        var deepest = stages.LastOrDefault(s => s.Counts.Values.Sum() > 0);
        var hasManifest = stages.Any(s => s.Stage == ManifestHandler.Name);
        // A MANIFEST task succeeds when it has read its file, even if it rejected every row: then nothing went on.
        var through = hasManifest && rowsAccepted == 0 ? 0 : deepest.Counts?.GetValueOrDefault(TaskState.Succeeded) ?? 0;
        var errors = failed + cancelled + rowErrors;

        var outcome = status switch
        {
            BatchStatus.Cancelled => CancelledOutcome,
            BatchStatus.Running or BatchStatus.Paused => InProgress,
            _ when blocked > 0 => NeedsAttention,
            _ when errors == 0 => Completed,
            _ when through == 0 => FailedOutcome,
            _ => CompletedWithErrors,
        };
        // Through the stage they reached; when nothing did, the stage nothing reached: the batch's last.
        var stage = through > 0 ? deepest.Stage : stages.Count > 0 ? stages[^1].Stage : "its stages";
        var parts = new List<string> { $"{through} task(s) through {stage}" };
        if (hasManifest && rowErrors > 0) parts.Add($"{rowErrors} of {rowsAccepted + rowErrors} manifest rows rejected");
        if (failed > 0) parts.Add($"{failed} task(s) failed");
        if (blocked > 0) parts.Add($"{blocked} blocked on names a curator must choose");
        if (cancelled > 0) parts.Add($"{cancelled} cancelled");
        return new BatchOutcome(outcome, through, failed, blocked, cancelled, rowErrors, rowsAccepted, string.Join(", ", parts));
    }

    /// <summary>The outcome of each batch in a list, with one query per table for all of them.</summary>
    /// <param name="counts">The batches' tasks per stage and state (<see cref="Batches.CountsAsync(Db, IReadOnlyCollection{long}, CancellationToken)"/>), read once by the caller.</param>
    public static async Task<IReadOnlyDictionary<long, BatchOutcome>> ForBatchesAsync(Db db, IReadOnlyList<BatchRow> batches,
        IReadOnlyDictionary<long, Dictionary<string, Dictionary<string, long>>> counts, CancellationToken ct = default)
    {
        if (batches.Count == 0) return new Dictionary<long, BatchOutcome>();
        var ids = batches.Select(b => b.Id).ToArray();
        // Ids are numbers from the batch table, passed as parameters.
        var args = new DynamicParameters();
        var inList = string.Join(",", ids.Select((id, i) => { args.Add("b" + i, id); return "@b" + i; }));
        var jobs = await db.ReadAsync(async c => (await c.QueryAsync<(long BatchId, string Stage)>($"SELECT batch_id, stage FROM job WHERE batch_id IN ({inList}) ORDER BY id", args)).AsList(), ct);
        var rows = await db.ReadAsync(async c => (await c.QueryAsync<(long BatchId, string Status, long N)>(
            $"SELECT batch_id, status, COUNT(*) FROM manifest_row WHERE batch_id IN ({inList}) GROUP BY batch_id, status", args)).AsList(), ct);
        return batches.ToDictionary(b => b.Id, b =>
        {
            var mine = counts.GetValueOrDefault(b.Id);
            var stages = jobs.Where(j => j.BatchId == b.Id).Select(j => (j.Stage,
                (IReadOnlyDictionary<string, long>)(mine?.GetValueOrDefault(j.Stage) ?? new Dictionary<string, long>()))).ToList();
            long Rows(string status) => rows.Where(r => r.BatchId == b.Id && r.Status == status).Sum(r => r.N);
            return Of(b.Status, stages, Rows("accepted"), Rows("error"));
        });
    }
}

/// <summary>A batch in a list: its row and its outcome (API GET /batches and ./grantha batches).</summary>
/// <param name="Counts">Its tasks per stage and state (a screen's progress bars).</param>
public sealed record BatchListItem(long Id, string Name, string Status, string CreatedBy, long CreatedAt, long UpdatedAt, long? SettledAt, BatchOutcome Outcome,
    IReadOnlyDictionary<string, Dictionary<string, long>> Counts)
{
    public static async Task<IReadOnlyList<BatchListItem>> ListAsync(Db db, long? beforeId, int limit, CancellationToken ct = default)
    {
        var rows = await Batches.ListAsync(db, beforeId, limit, ct);
        var counts = await Batches.CountsAsync(db, rows.Select(b => b.Id).ToList(), ct);
        var outcomes = await BatchOutcome.ForBatchesAsync(db, rows, counts, ct);
        return rows.Select(b => new BatchListItem(b.Id, b.Name, b.Status, b.CreatedBy, b.CreatedAt, b.UpdatedAt, b.SettledAt, outcomes[b.Id],
            counts.GetValueOrDefault(b.Id) ?? [])).ToList();
    }
}
