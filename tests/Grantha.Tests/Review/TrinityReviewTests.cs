using Dapper;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.OfflineSite;
using Grantha.Review;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Review;

/// <summary>
/// The Trinity demo batch (1,240 manifest rows, 1,239 pages) through RESOLVE and a bulk approval of
/// everything approvable, on both stores: one krithi per distinct work, works that share a title stay
/// apart, flagged duplicates are never approved in bulk, and a second run writes nothing.
/// </summary>
public class TrinityReviewTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Bulk_approval_of_the_trinity_batch_writes_one_krithi_per_work_once(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var db = t.Db;
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Manifests = SharedFiles.TrinityManifests }, Ct);
        using var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);
        StageHandler[] handlers = ReviewWorkflowTests.Handlers(fetch);
        var pipeline = new Pipeline(handlers);
        var manifests = SharedFiles.TrinityManifests.Select(f => new ManifestInput(Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var batch = await ManifestBatches.CreateAsync(db, pipeline, "trinity", manifests, options, "test", ct: Ct);
        (await EngineHarness.RunUntilSettledAsync(db, batch, handlers, TimeSpan.FromMinutes(4))).ShouldBe(BatchStatus.Completed);
        Task<long> Count(string sql) => db.ReadAsync(c => c.ExecuteScalarAsync<long>(sql, new { batch }));

        var started = await BulkApproval.StartAsync(db, pipeline, new ReviewFilter { BatchId = batch }, new ApprovalCriteria(), "test:curator", ct: Ct);
        started.Plan.Matched.ShouldBe(await Count("SELECT COUNT(*) FROM staged_import WHERE batch_id = @batch"));
        started.Plan.WouldApprove.ShouldBeGreaterThan(1000);
        (await EngineHarness.RunUntilSettledAsync(db, started.ApprovalBatchId!.Value, handlers, TimeSpan.FromMinutes(3))).ShouldBe(BatchStatus.Completed);
        var summary = await BulkApproval.SummaryAsync(db, started.ApprovalBatchId!.Value, Ct);
        summary.Approved.ShouldBe(started.Plan.WouldApprove);
        summary.Failed.ShouldBe(0);

        var works = await Count("SELECT COUNT(DISTINCT work_key) FROM staged_import WHERE batch_id = @batch AND review_state = 'approved'");
        (await Count("SELECT COUNT(*) FROM krithi")).ShouldBe(works, "one krithi per distinct work");
        summary.KrithisCreated.ShouldBe(works);
        (await Count("SELECT COUNT(*) FROM krithi_revision")).ShouldBe(works);
        // Works that share a title (same composer other raga, or another composer) stay separate krithis.
        (await Count("SELECT COUNT(*) FROM (SELECT title_key FROM krithi GROUP BY title_key HAVING COUNT(*) > 1) x")).ShouldBeGreaterThan(5);
        (await Count("SELECT COUNT(*) FROM (SELECT title_key FROM krithi GROUP BY title_key HAVING COUNT(DISTINCT composer_id) > 1) x")).ShouldBeGreaterThan(0);
        // The flagged duplicates are left for a curator.
        (await Count("SELECT COUNT(*) FROM staged_import WHERE batch_id = @batch AND duplicate_of IS NOT NULL")).ShouldBeGreaterThan(0);
        (await Count("SELECT COUNT(*) FROM staged_import WHERE batch_id = @batch AND duplicate_of IS NOT NULL AND review_state <> 'ready'")).ShouldBe(0);

        var again = await BulkApproval.StartAsync(db, pipeline, new ReviewFilter { BatchId = batch }, new ApprovalCriteria(), "test:curator", ct: Ct);
        again.ApprovalBatchId.ShouldBeNull();
        again.Plan.WouldApprove.ShouldBe(0);
        again.Plan.Skipped["decided"].ShouldBe(summary.Approved);
        (await Count("SELECT COUNT(*) FROM krithi")).ShouldBe(works);
    }
}
