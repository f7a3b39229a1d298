using System.Text.Json;
using Grantha.Engine;

namespace Grantha.Extract;

/// <summary>
/// The EXTRACT stage: one task per fetched page. Reads the stored page (the FETCH task's evidence),
/// runs the <see cref="Extractor"/>, and keeps the record in the extraction table under a stable
/// id. A page that cannot be read at all fails permanently with the extractor's code; anything
/// less is a record with warnings. Starts a RESOLVE task only when the batch runs RESOLVE.
/// </summary>
public sealed class ExtractHandler(StageSettings? settings = null) : IStageHandler
{
    /// <summary>
    /// Extraction is CPU work on one page, between a read and a write: one task per core keeps the
    /// cores busy on SQLite (in-process); on PostgreSQL two more cover the round trips. Measured on
    /// 2 cores through RESOLVE: PostgreSQL 20.2 s with 4, 23.4 s with 2; SQLite 15.7 s with 2, 16.9 s with 4.
    /// </summary>
    public static readonly StageSettings SettingsDefault = new() { Lease = TimeSpan.FromSeconds(60), Concurrency = Math.Max(2, Environment.ProcessorCount), ExtraOnPostgres = 2 };

    public string Stage => Engine.Stage.Extract;
    public StageSettings Settings { get; } = settings ?? SettingsDefault;

    /// <summary>The payload FETCH gives: which evidence row holds the page.</summary>
    public sealed record Payload(long? EvidenceId);

    /// <summary>The result JSON of a completed EXTRACT task.</summary>
    public sealed record Result(long ExtractionId, string ExtractorVersion, double Confidence, IReadOnlyList<string> Warnings, int Sections, int Scripts);

    public async Task<TaskResult> HandleAsync(TaskContext context, CancellationToken ct)
    {
        var task = context.Task;
        var url = task.Subject.Trim();
        var payload = string.IsNullOrWhiteSpace(task.Payload) ? null : JsonSerializer.Deserialize<Payload>(task.Payload, BatchOptions.Json);
        var input = await PageInput.LoadAsync(context.Db, task.BatchId, url, payload?.EvidenceId, ct);
        var (extractionId, page) = await ExtractAndSaveAsync(context.Db, task.BatchId, url, input, ct);

        var result = new Result(extractionId, page.ExtractorVersion, page.Confidence, page.Warnings.Select(w => w.Code).ToList(), page.Sections.Count, page.Lyrics.Count);
        IReadOnlyList<NewTask>? followUps = await BatchStages.IncludesAsync(context, Engine.Stage.Resolve, ct)
            ? [new NewTask(Engine.Stage.Resolve, $"{task.BatchId}:{Engine.Stage.Resolve}:{url}", url, task.Host,
                JsonSerializer.Serialize(new { extractionId }))]
            : null;
        return new TaskResult(JsonSerializer.Serialize(result, BatchOptions.Json), followUps);
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
