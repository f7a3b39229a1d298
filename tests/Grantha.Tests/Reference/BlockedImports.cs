using System.Text;
using Dapper;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.OfflineSite;
using Grantha.Resolve;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Reference;

/// <summary>
/// A batch through the offline site whose RESOLVE tasks block on names no curator could settle before curation:
/// jIvantikA (two catalog rows with the same key: a tie) and sumadyuti (no right entry: fuzzy candidates only),
/// as the Trinity manifests write them, beside two pages that resolve.
/// </summary>
public static class BlockedImports
{
    public const string JivantikaUrl = "http://guru-guha.blogspot.com/2008/03/dikshitar-kriti-brhadisa-katakshena.html";
    public const string SumadyutiUrl = "http://guru-guha.blogspot.com/2007/09/dikshitar-kriti-kamakshi-kama-koti-raga.html";

    public static readonly IReadOnlyList<SourceRow> Rows =
    [
        .. SiteManifest.BuiltInSample.Take(2),
        new("bRhadISa kaTAkshENa", "jIvantikA", JivantikaUrl),
        new("kAmAkshi kAma kOTi", "sumadyuti", SumadyutiUrl),
    ];

    /// <summary>The stages a test worker runs (a fresh RESOLVE handler: its own resolver cache, as another process would have).</summary>
    public static StageHandler[] Handlers(IEnumerable<string>? offlineSites = null) =>
        [new ManifestHandler(), new FetchHandler(new FetchOptions { OfflineSites = new OfflineSites(offlineSites) }), new ExtractHandler(), new ResolveHandler()];

    /// <summary>Imports <see cref="Rows"/> until the batch settles: two pages resolved, two RESOLVE tasks BLOCKED.</summary>
    public static async Task<long> ImportAsync(Db db, CancellationToken ct)
    {
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = Rows }, ct);
        var csv = "Krithi,Raga,Hyperlink\r\n" + string.Concat(Rows.Select(r => $"\"{r.Krithi}\",\"{r.Raga}\",{r.Url}\r\n"));
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var batch = await Batches.CreateAsync(db, "curation", options, "test", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name], (c, tx, id) =>
            ManifestHandler.AddFileAsync(db, c, tx, id, "curation.csv", Encoding.UTF8.GetBytes(csv), Db.NowMs()), ct);
        (await EngineHarness.RunUntilSettledAsync(db, batch, Handlers(site.HostMap.Values), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        (await BlockedAsync(db, batch)).ShouldBe([JivantikaUrl, SumadyutiUrl], ignoreOrder: true);
        return batch;
    }

    /// <summary>Runs the batch's re-queued tasks until it settles again.</summary>
    public static async Task SettleAsync(Db db, long batch) =>
        (await EngineHarness.RunUntilSettledAsync(db, batch, Handlers(), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);

    /// <summary>The URLs of the batch's BLOCKED RESOLVE tasks.</summary>
    public static async Task<IReadOnlyList<string>> BlockedAsync(Db db, long batch) =>
        (await db.ReadAsync(c => c.QueryAsync<string>("SELECT subject FROM stage_task WHERE batch_id = @batch AND stage = 'RESOLVE' AND state = 'BLOCKED' ORDER BY subject", new { batch }))).ToList();

    /// <summary>The staged import of a page: its status and raga set.</summary>
    public static Task<(string Status, string? RagaSet)> StagedAsync(Db db, long batch, string url) =>
        db.ReadAsync(c => c.QuerySingleAsync<(string, string?)>("SELECT status, raga_set FROM staged_import WHERE batch_id = @batch AND url = @url", new { batch, url }));
}
