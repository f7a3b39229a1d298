using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.OfflineSite;
using Grantha.Reference;
using Grantha.Resolve;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Resolve;

/// <summary>The RESOLVE stage end to end on the offline site, both stores: manifest → fetch → extract → resolve.</summary>
public class ResolveStageTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string UnknownRagaUrl = "http://guru-guha.blogspot.com/2008/10/dikshitar-kriti-sri-sumadyuti.html";
    internal const string DuplicateWorkUrl = "http://guru-guha.blogspot.com/2008/05/dikshitar-kriti-kamalaambike-paahi_2.html";

    /// <summary>The site's sample (ragamalika, composite cell, same title with two ragas, one URL listed twice)
    /// plus a raga the catalog does not list and a second page of one work.</summary>
    static readonly IReadOnlyList<SourceRow> Rows =
    [
        .. SiteManifest.BuiltInSample,
        new("SrI sumadyutE", "sumadyuti", UnknownRagaUrl),
        new("kamalAmbikE pAhi", "tODi", DuplicateWorkUrl),
    ];

    static readonly IReadOnlyList<SourceRow> SecondBatchRows =
    [
        new("sumadyuti rUpiNi", "sumadyuti", "http://guru-guha.blogspot.com/2009/01/dikshitar-kriti-sumadyuti-roopini.html"),
    ];

    internal static StageHandler[] Handlers(FetchHandler fetch) => [new ManifestHandler(), fetch, new ExtractHandler(), new ResolveHandler()];

    internal static async Task<long> BatchAsync(Db db, SourceSite site, IReadOnlyList<SourceRow> rows, string name)
    {
        var csv = "Krithi,Raga,Hyperlink\r\n" + string.Concat(rows.Select(r => $"\"{r.Krithi}\",\"{r.Raga}\",{r.Url}\r\n"));
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        return await Batches.CreateAsync(db, name, options, "test", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name], (c, tx, id) =>
            ManifestHandler.AddFileAsync(db, c, tx, id, name + ".csv", Encoding.UTF8.GetBytes(csv), Db.NowMs()), Ct);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Pages_end_as_staged_imports_and_a_curator_choice_unblocks_this_batch_and_the_next(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var all = Rows.Concat(SecondBatchRows).ToList();
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = all }, Ct);
        using var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);
        var batch = await BatchAsync(t.Db, site, Rows, "first");
        await Grantha.Reference.CatalogStore.SeedAsync(t.Db, ct: Ct);
        var catalogBefore = await CatalogCountsAsync(t.Db);

        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, Handlers(fetch), TimeSpan.FromSeconds(90))).ShouldBe(BatchStatus.Completed);

        var summary = await ResolveQueries.SummaryAsync(t.Db, batch, Ct);
        var urls = Rows.Select(r => r.Url).Distinct().Count();
        summary.Pages.ShouldBe(urls);
        // The URL listed twice is one import that remembers both rows.
        var staged = await ResolveQueries.StagedAsync(t.Db, batch, null, 0, 100, Ct);
        staged.Count.ShouldBe(urls);
        staged.Single(s => s.Url.Contains("devi-nee-pada")).ManifestRows.Count.ShouldBe(2);

        // The unknown raga blocks its page and is listed with its row count; nothing was added to the catalog.
        var blocked = await Batches.TasksAsync(t.Db, batch, new TaskFilter { Stage = ResolveHandler.Name, State = TaskState.Blocked }, 0, 100, Ct);
        blocked.Select(b => b.Subject).ShouldContain(UnknownRagaUrl);
        blocked.ShouldAllBe(b => b.ErrorCode == ResolveHandler.NeedsReviewCode);
        var sumadyuti = summary.Review.Single(r => r.Kind == "raga" && r.Name == "sumadyuti");
        sumadyuti.Rows.ShouldBe(1);
        summary.NeedsReviewByKind["raga"].ShouldBeGreaterThanOrEqualTo(1);
        (await CatalogCountsAsync(t.Db)).ShouldBe(catalogBefore);

        // Same title, different raga: two works, no flag between them. Same work on two pages: flagged, not merged.
        var nada = staged.Where(s => s.Title is not null && s.Url.Contains("naada-sudhaa-rasam")).ToList();
        nada.Count.ShouldBe(2);
        nada.Select(n => n.RagaSet).Distinct().Count().ShouldBe(2);
        nada.ShouldAllBe(n => n.DuplicateOf == null);
        var copies = staged.Where(s => s.Url.Contains("kamalaambike-paahi")).OrderBy(s => s.Id).ToList();
        copies.Count.ShouldBe(2);
        copies[1].DuplicateOf.ShouldBe(copies[0].Id);
        summary.Duplicates.ShouldBe(1);
        summary.DuplicateGroups.ShouldHaveSingleItem().Imports.ShouldBe([copies[0].Id, copies[1].Id]);

        // Ragamalika and the composite cell resolved to several ragas.
        staged.Single(s => s.Url.Contains("neela-kantham")).RagaSet!.Split('+').Length.ShouldBeGreaterThan(1);
        staged.Single(s => s.Url.Contains("ardhanaareesvaram")).RagaSet!.Split('+').Length.ShouldBe(2);

        // A curator chooses: the batch's blocked task with that name resolves.
        var unknownImport = staged.Single(s => s.Url == UnknownRagaUrl).Id;
        var childrenBefore = await ChildRowsAsync(t.Db, unknownImport);
        var choice = await ResolveChoices.ChooseAsync(t.Db, batch, "raga", "sumadyuti", "sharadhyuthi", "curator", ct: Ct);
        choice.TasksRequeued.ShouldBe(1);
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, Handlers(fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        var after = await ResolveQueries.SummaryAsync(t.Db, batch, Ct);
        after.Review.ShouldNotContain(r => r.Name == "sumadyuti");
        var unblocked = (await ResolveQueries.StagedAsync(t.Db, batch, null, 0, 100, Ct)).Single(s => s.Url == UnknownRagaUrl);
        unblocked.Status.ShouldBe(StagedImports.Resolved);
        unblocked.RagaSet.ShouldBe("sharadhyuthi");
        // Rewritten in place: the same import, its rows and decisions replaced, not added to.
        unblocked.Id.ShouldBe(unknownImport);
        (await ChildRowsAsync(t.Db, unknownImport)).ShouldBe(childrenBefore);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>(
            "SELECT decision FROM resolution_decision WHERE staged_import_id = @unknownImport AND kind = 'raga' AND input = 'sumadyuti'", new { unknownImport }))).ShouldBe("matched");

        // A later batch with the same name resolves by itself.
        var second = await BatchAsync(t.Db, site, SecondBatchRows, "second");
        (await EngineHarness.RunUntilSettledAsync(t.Db, second, Handlers(fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        var next = (await ResolveQueries.StagedAsync(t.Db, second, null, 0, 10, Ct)).ShouldHaveSingleItem();
        next.Status.ShouldBe(StagedImports.Resolved);
        next.RagaSet.ShouldBe("sharadhyuthi");
        (await CatalogCountsAsync(t.Db)).ShouldBe(catalogBefore);
    }

    static Task<(long Rows, long Decisions)> ChildRowsAsync(Db db, long import) => db.ReadAsync(async c => (
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM staged_import_row WHERE staged_import_id = @import", new { import }),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM resolution_decision WHERE staged_import_id = @import", new { import })));

    static Task<(long, long, long, long, long)> CatalogCountsAsync(Db db) => db.ReadAsync(async c => (
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_raga"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_tala"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_composer"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_deity"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_kshetra")));
}
