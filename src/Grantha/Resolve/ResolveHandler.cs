using Dapper;
using System.Text.Json;
using Grantha.Engine;
using Grantha.Extract;

namespace Grantha.Resolve;

/// <summary>
/// The RESOLVE stage: one task per extracted page (payload <c>{"extractionId": N}</c> from EXTRACT). Resolves
/// composer, raga(s), tala, deity and kshetra against the reference catalog, writes the page's staged import
/// (with its manifest rows, decisions, duplicate flags and quality score) and completes; when a name needs a
/// person the staged import is written all the same and the task is BLOCKED with code <c>needs_review</c>.
/// It never creates a reference entity.
/// </summary>
public sealed class ResolveHandler(ResolverCache? cache = null, StageSettings? settings = null) : StageHandler<ExtractHandler.Extracted, ResolveHandler.Staged>
{
    public const string Name = "RESOLVE";

    public const string NeedsReviewCode = "needs_review";

    /// <summary>Resolving is in-memory work plus a dozen small statements: many at once (mostly waiting on the store), short leases.</summary>
    public static readonly StageSettings SettingsDefault = new() { Lease = TimeSpan.FromSeconds(20), Concurrency = Math.Max(8, 2 * Environment.ProcessorCount) };

    readonly ResolverCache _cache = cache ?? new ResolverCache();

    public override string Stage => Name;
    public override StageSettings Settings { get; } = settings ?? SettingsDefault;

    /// <summary>
    /// What RESOLVE hands to the stage after it (APPROVE): the staged import and the version it wrote, so an
    /// approval acts only on what was resolved (an import changed since is left for a curator).
    /// </summary>
    public sealed record Staged(long StagedImportId, long? Version = null);

    /// <summary>The result JSON of a completed RESOLVE task.</summary>
    public sealed record Result(long StagedImportId, string Status, double Quality, long? DuplicateOf, IReadOnlyList<string> Flags, IReadOnlyList<string> Ragas, string? Composer, string? Tala);

    protected override async Task<TaskResult> HandleAsync(TaskContext context, ExtractHandler.Extracted payload, CancellationToken ct)
    {
        var task = context.Task;
        if (payload.ExtractionId <= 0) throw StageException.Permanent("bad_payload", "RESOLVE needs {\"extractionId\": N} from EXTRACT.");

        // The extraction, the catalog stamp and the page's manifest rows in one round trip.
        var subject = string.IsNullOrWhiteSpace(task.Subject) ? null : task.Subject.Trim();
        var (read, stamp, rows) = await context.Db.ReadAsync(async c =>
        {
            using var grid = await c.QueryMultipleAsync($"{ExtractionStore.ByIdSql};\n{ResolverCache.StampSql};\n{StagedImports.ManifestRowsSql}",
                new { extractionId = payload.ExtractionId, batchId = task.BatchId, url = subject ?? "" });
            return (await grid.ReadSingleOrDefaultAsync<ExtractionStore.ReadRow>(),
                ResolverCache.Stamp(await grid.ReadSingleAsync<(long, long, long, long)>()),
                StagedImports.Sources(await grid.ReadAsync<StagedImports.ManifestRowRead>()));
        }, ct);
        var extraction = read?.ToStored()
            ?? throw StageException.Permanent("extraction_missing", $"Extraction {payload.ExtractionId} does not exist (was the batch re-extracted or deleted?).");
        if (extraction.Page is null)
            throw StageException.Permanent(extraction.ErrorCode ?? "not_extracted", $"Extraction {extraction.Id} has no record: {extraction.ErrorMessage ?? "the page could not be read"}.");

        var url = subject ?? extraction.Url;
        var set = await _cache.GetAsync(context.Db, stamp, ct);
        // Rows are keyed by the FETCH task's subject; a task without one falls back to the extraction's URL.
        if (rows.Count == 0 && subject != extraction.Url) rows = await StagedImports.ManifestRowsAsync(context.Db, task.BatchId, extraction.Url, ct);

        var resolution = PageResolver.Resolve(set, extraction.Page, rows);
        var saved = await StagedImports.SaveAsync(context.Db, task.BatchId, task.Id == 0 ? null : task.Id, url, extraction.Id, resolution, rows, ct, extraction.Page.Warnings.Count);
        ResolveMetrics.Pages.Add(1, new KeyValuePair<string, object?>("status", saved.Status));

        if (resolution.NeedsReview)
        {
            // A name read from the manifest and the page alike is one name to choose: listed once.
            var names = resolution.Decisions.Where(d => d.Blocking).DistinctBy(d => (d.Kind, d.Input))
                .Select(d => BlockedName.Describe(d.Kind, d.Input, d.Resolution.Candidates.Select(c => (c.Id, c.Name, c.Score)), max: 3));
            throw StageException.Blocked(NeedsReviewCode, $"Needs review: {string.Join("; ", names)}. Choose with ./grantha resolve choose {task.BatchId} <kind> \"<name>\" <entity-id>, or curate the catalog (./grantha catalog merge|add; docs/reference-catalog.md).");
        }
        var result = new Result(saved.Id, saved.Status, resolution.Quality, saved.DuplicateOf, saved.Flags.Select(f => f.Kind).ToList(),
            resolution.Ragas.Select(r => r.Id).ToList(), resolution.ComposerId, resolution.TalaId);
        var next = FollowUp(context, url, new Staged(saved.Id, saved.Version), task.Host);
        return new TaskResult(JsonSerializer.Serialize(result, EngineJson.Options), next is null ? null : [next]);
    }
}
