using Grantha.Engine;
using Grantha.Extract;
using Grantha.Manifest;
using Grantha.Resolve;

namespace Grantha;

/// <summary>One stage's job in a batch: its status and how many of its tasks are in each state.</summary>
public sealed record JobView(string Stage, string Status, long? StartedAt, long? FinishedAt, Dictionary<string, long> Counts, long Total)
{
    public static async Task<IReadOnlyList<JobView>> ListAsync(Db db, long batchId, CancellationToken ct = default)
    {
        var counts = await Batches.CountsAsync(db, batchId, ct);
        return (await Batches.JobsAsync(db, batchId, ct)).Select(j =>
        {
            var c = counts.GetValueOrDefault(j.Stage) ?? new Dictionary<string, long>();
            return new JobView(j.Stage, j.Status, j.StartedAt, j.FinishedAt, c, c.Values.Sum());
        }).ToList();
    }
}

/// <summary>
/// A batch as the API returns it (GET /v1/admin/bulk-import/batches/{id}) and the CLI shows it: the batch
/// row, its outcome (derived from the counts), its jobs, the manifest summary, and the extraction and resolution
/// summaries once those stages exist.
/// </summary>
public sealed record BatchView(long Id, string Name, string Status, BatchOutcome Outcome, string CreatedBy, long CreatedAt, long UpdatedAt, long? SettledAt,
    BatchOptions Options, IReadOnlyList<JobView> Jobs, ManifestQueries.RowSummary Manifest,
    ExtractQueries.Summary? Extraction = null, ResolveQueries.Summary? Resolution = null)
{
    /// <summary>What is mapped is shown, not where to: a mapped base is an address inside the server's network (#10 item 10).</summary>
    public const string MappedBase = "(offline site)";

    static BatchOptions Shown(BatchOptions o) => o.HostMap.Count == 0 ? o
        : o with { HostMap = o.HostMap.ToDictionary(kv => kv.Key, _ => MappedBase, StringComparer.OrdinalIgnoreCase) };

    public static async Task<BatchView> LoadAsync(Db db, long id, CancellationToken ct = default)
    {
        var b = await Batches.GetAsync(db, id, ct) ?? throw new BatchNotFoundException(id);
        var jobs = await JobView.ListAsync(db, b.Id, ct);
        var manifest = await ManifestQueries.SummaryAsync(db, id, ct);
        var outcome = BatchOutcome.Of(b.Status, jobs.Select(j => (j.Stage, (IReadOnlyDictionary<string, long>)j.Counts)).ToList(), manifest.Accepted, manifest.Errors);
        return new BatchView(b.Id, b.Name, b.Status, outcome, b.CreatedBy, b.CreatedAt, b.UpdatedAt, b.SettledAt, Shown(BatchOptions.FromJson(b.Options)),
            jobs, manifest,
            jobs.Any(j => j.Stage == ExtractHandler.Name) ? await ExtractQueries.SummaryAsync(db, id, ct) : null,
            jobs.Any(j => j.Stage == ResolveHandler.Name) ? await ResolveQueries.SummaryAsync(db, id, ct) : null);
    }
}
