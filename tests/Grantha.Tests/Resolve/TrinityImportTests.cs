using System.Text;
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

/// <summary>The three Trinity manifests (1,240 rows) through manifest → fetch → extract → resolve on the offline site.</summary>
public class TrinityImportTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static void Print(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_trinity_import_creates_no_reference_entity_keeps_same_title_works_apart_and_lists_every_unresolved_name(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogStore.SeedAsync(t.Db, ct: Ct);
        var before = await CountsAsync(t.Db);
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 7, BasePort = 0, Manifests = SharedFiles.TrinityManifests }, Ct);
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var files = SharedFiles.TrinityManifests.Select(p => (Name: Path.GetFileName(p), Content: File.ReadAllBytes(p))).ToList();
        var batch = await Batches.CreateAsync(t.Db, "trinity", options, "test", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name], async (c, tx, id) =>
        {
            foreach (var f in files) await ManifestHandler.AddFileAsync(t.Db, c, tx, id, f.Name, f.Content, Db.NowMs());
        }, Ct);
        using var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);

        var status = await EngineHarness.RunUntilSettledAsync(t.Db, batch, [new ManifestHandler(), fetch, new ExtractHandler(), new ResolveHandler()], TimeSpan.FromSeconds(240));
        status.ShouldBe(BatchStatus.Completed);

        (await CountsAsync(t.Db)).ShouldBe(before);
        var summary = await ResolveQueries.SummaryAsync(t.Db, batch, Ct);
        Print($"pages {summary.Pages}: resolved {summary.Resolved} ({summary.RowsResolved} rows), needs review {summary.NeedsReview} ({summary.RowsNeedReview} rows), " +
              $"duplicates {summary.Duplicates}, near-duplicates {summary.NearDuplicates}, average quality {summary.AverageQuality}");
        foreach (var r in summary.Review) Print($"  review {r.Kind} '{r.Name}': {r.Rows} rows");
        (summary.RowsResolved + summary.RowsNeedReview).ShouldBe(1240);

        // The URL listed twice: one import, two rows.
        var rowsPerImport = (await t.Db.ReadAsync(c => c.QueryAsync<(long Id, long Rows)>(
            "SELECT s.id, COUNT(*) FROM staged_import s JOIN staged_import_row r ON r.staged_import_id = s.id WHERE s.batch_id = @batch GROUP BY s.id",
            new { batch }))).ToList();
        rowsPerImport.Count(x => x.Rows == 2).ShouldBe(1);
        rowsPerImport.Count.ShouldBe(1239);

        // Same title (in one manifest) with different ragas: different works, none merged or pointed at another.
        var groups = (await t.Db.ReadAsync(c => c.QueryAsync<(long FileId, string Krithi, string Raga, long ImportId, long? DuplicateOf)>("""
            SELECT m.manifest_file_id, m.krithi, m.raga, s.id, s.duplicate_of FROM manifest_row m
              JOIN staged_import_row r ON r.manifest_row_id = m.id JOIN staged_import s ON s.id = r.staged_import_id
             WHERE m.batch_id = @batch
            """, new { batch })))
            .GroupBy(x => (x.FileId, NameKey.Parse(x.Krithi).Key))
            .Where(g => g.Select(x => x.Raga).Distinct().Count() > 1)
            .ToList();
        groups.Count.ShouldBeGreaterThanOrEqualTo(10);
        foreach (var g in groups)
        {
            var ids = g.Select(x => x.ImportId).ToHashSet();
            ids.Count.ShouldBe(g.Count(), $"'{g.Key.Item2}' shares an import");
            g.Where(x => x.DuplicateOf is { } d && ids.Contains(d)).ShouldBeEmpty($"'{g.Key.Item2}' was marked duplicate within its group");
        }

        // Every blocked page's names are in the summary, with their rows.
        var blocked = (await t.Db.ReadAsync(c => c.QueryAsync<(string Kind, string InputKey)>("""
            SELECT d.kind, d.input_key FROM resolution_decision d JOIN staged_import s ON s.id = d.staged_import_id
             WHERE s.batch_id = @batch AND s.status = 'needs_review' AND d.decision IN ('needs_review', 'unknown')
            """, new { batch }))).Distinct().ToList();
        blocked.Count.ShouldBe(summary.Review.Count);
        summary.Review.ShouldAllBe(r => r.Rows > 0);
        summary.Review.Sum(r => r.Pages).ShouldBeGreaterThanOrEqualTo(summary.NeedsReview);
        (await Batches.TasksAsync(t.Db, batch, new TaskFilter { Stage = ResolveHandler.Name, State = TaskState.Blocked }, 0, 2000, Ct)).Count.ShouldBe((int)summary.NeedsReview);
    }

    static Task<(long, long, long, long, long)> CountsAsync(Db db) => db.ReadAsync(async c => (
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_raga"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_tala"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_composer"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_deity"),
        await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_kshetra")));
}
