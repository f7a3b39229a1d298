using System.Text.Json;
using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Extract;

/// <summary>
/// The EXTRACT stage: one task per fetched page. Reads the stored page (the FETCH task's evidence),
/// runs the <see cref="Extractor"/>, and keeps the record in the extraction table under a stable
/// id. A page that cannot be read at all fails permanently with the extractor's code; anything
/// less is a record with warnings. Starts a RESOLVE task only when the batch runs RESOLVE.
/// </summary>
public sealed class ExtractHandler(StageSettings? settings = null) : StageHandler<FetchHandler.Fetched, ExtractHandler.Extracted>
{
    public const string Name = "EXTRACT";

    /// <summary>
    /// Extraction is CPU work on one page, between a read and a write: one task per core keeps the
    /// cores busy on SQLite (in-process); on PostgreSQL two more cover the round trips. Measured on
    /// 2 cores through RESOLVE: PostgreSQL 20.2 s with 4, 23.4 s with 2; SQLite 15.7 s with 2, 16.9 s with 4.
    /// </summary>
    public static readonly StageSettings SettingsDefault = new() { Lease = TimeSpan.FromSeconds(60), Concurrency = Math.Max(2, Environment.ProcessorCount), ExtraOnPostgres = 2 };

    public override string Stage => Name;
    public override StageSettings Settings { get; } = settings ?? SettingsDefault;

    /// <summary>What EXTRACT hands to the next stage (RESOLVE): the extraction row.</summary>
    public sealed record Extracted(long ExtractionId);

    /// <summary>The result JSON of a completed EXTRACT task.</summary>
    public sealed record Result(long ExtractionId, string ExtractorVersion, double Confidence, IReadOnlyList<string> Warnings, int Sections, int Scripts);

    protected override async Task<TaskResult> HandleAsync(TaskContext context, FetchHandler.Fetched payload, CancellationToken ct)
    {
        var task = context.Task;
        var url = task.Subject.Trim();
        var input = await PageInput.LoadAsync(context.Db, task.BatchId, url, payload.EvidenceId, ct);
        var (extractionId, page) = await ExtractAndSaveAsync(context.Db, task.BatchId, url, input, ct);

        var result = new Result(extractionId, page.ExtractorVersion, page.Confidence, page.Warnings.Select(w => w.Code).ToList(), page.Sections.Count, page.Lyrics.Count);
        var next = FollowUp(context, url, new Extracted(extractionId), task.Host);
        return new TaskResult(JsonSerializer.Serialize(result, EngineJson.Options), next is null ? null : [next]);
    }

    /// <summary>
    /// Extracts one stored page and saves the outcome for (batch, url): the record, or, for a page
    /// that is no page at all, the error (then throws it as a permanent <see cref="StageException"/>).
    /// Shared with re-extraction, so both write rows the same way.
    /// </summary>
    public static async Task<(long Id, ExtractedPage Page)> ExtractAndSaveAsync(Db db, long batchId, string url, PageInput input, CancellationToken ct)
    {
        ExtractedPage page;
        try
        {
            page = Extractor.Extract(input.Body, input.DeclaredCharset, url, input.ManifestRagas);
        }
        catch (ExtractException e)
        {
            if (batchId != 0)
                await ExtractionStore.SaveFailureAsync(db, batchId, url, input.Page.EvidenceId, input.Page.Sha256, e.Code, e.Message, ct);
            throw e.ToStageException();
        }
        var id = batchId == 0 ? 0 : await ExtractionStore.SaveAsync(db, batchId, url, input.Page.EvidenceId, input.Page.Sha256, page, ct);
        ExtractMetrics.Pages.Add(1, new KeyValuePair<string, object?>("outcome", page.Warnings.Count == 0 ? "clean" : "warnings"));
        return (id, page);
    }
}
