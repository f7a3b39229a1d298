using Dapper;
using Grantha.Catalog;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.OfflineSite;
using Grantha.Resolve;
using Grantha.Review;
using Grantha.Tests.Engine;
using Grantha.Tests.Resolve;

namespace Grantha.Tests.Review;

/// <summary>
/// The review half end to end on the offline site, both stores: RESOLVE leaves imports in review states,
/// curators act on them with versions, bulk approval runs as engine work and writes the krithi catalog.
/// </summary>
public class ReviewWorkflowTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal const string UnknownRagaUrl = "http://guru-guha.blogspot.com/2008/10/dikshitar-kriti-sri-sumadyuti.html";

    /// <summary>The site's sample (two works titled nAda sudhA rasam in different ragas, one URL listed twice), an unknown raga, a second page of one work.</summary>
    internal static readonly IReadOnlyList<SourceRow> Rows =
    [
        .. SiteManifest.BuiltInSample,
        new("SrI sumadyutE", "sumadyuti", UnknownRagaUrl),
        new("kamalAmbikE pAhi", "tODi", ResolveStageTests.DuplicateWorkUrl),
    ];

    internal static StageHandler[] Handlers(FetchHandler fetch) => [.. ResolveStageTests.Handlers(fetch), new ApproveHandler()];

    internal sealed record Staged(TestDb Store, SourceSite Site, FetchHandler Fetch, long Batch) : IAsyncDisposable
    {
        public Db Db => Store.Db;

        public async ValueTask DisposeAsync()
        {
            Fetch.Dispose();
            await Site.DisposeAsync();
            await Store.DisposeAsync();
        }

        public Task<StageHandler[]> HandlersAsync() => Task.FromResult(Handlers(Fetch));

        public Task<long> ImportIdAsync(string url) =>
            Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT id FROM staged_import WHERE batch_id = @Batch AND url = @url", new { Batch, url }));

        public Task<long> CountAsync(string sql) => Db.ReadAsync(c => c.ExecuteScalarAsync<long>(sql));
    }

    /// <summary>A batch of <see cref="Rows"/> run through RESOLVE.</summary>
    internal static async Task<Staged> StageAsync(string store)
    {
        Shared.Require();
        var t = await TestDb.CreateAsync(store);
        var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = Rows }, Ct);
        var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);
        var batch = await ResolveStageTests.BatchAsync(t.Db, site, Rows, "review");
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, Handlers(fetch), TimeSpan.FromSeconds(90))).ShouldBe(BatchStatus.Completed);
        return new Staged(t, site, fetch, batch);
    }

    /// <summary>Another batch of the same <see cref="Rows"/> on the same store and site, run through RESOLVE.</summary>
    internal static async Task<long> StageAgainAsync(Staged s)
    {
        var batch = await ResolveStageTests.BatchAsync(s.Db, s.Site, Rows, "review again");
        (await EngineHarness.RunUntilSettledAsync(s.Db, batch, Handlers(s.Fetch), TimeSpan.FromSeconds(90))).ShouldBe(BatchStatus.Completed);
        return batch;
    }

    static async Task<BulkSummary> BulkApproveAsync(Staged s, ApprovalCriteria? criteria = null)
    {
        var app = new Pipeline(Handlers(s.Fetch));
        var started = await BulkApproval.StartAsync(s.Db, app, new ReviewFilter { BatchId = s.Batch }, criteria ?? new ApprovalCriteria(), "test:curator", ct: Ct);
        if (started.ApprovalBatchId is not { } id) return new BulkSummary(0, "none", started.Plan.Matched, 0, started.Plan.Matched, 0, 0, 0, started.Plan.Skipped);
        (await EngineHarness.RunUntilSettledAsync(s.Db, id, Handlers(s.Fetch), TimeSpan.FromSeconds(90))).ShouldBe(BatchStatus.Completed);
        return await BulkApproval.SummaryAsync(s.Db, id, Ct);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Bulk_approval_writes_one_krithi_per_work_and_a_second_run_writes_nothing(string store)
    {
        await using var s = await StageAsync(store);
        // Two pages of one work: whichever RESOLVE staged second is flagged (the order differs by store).
        var duplicate = await s.CountAsync($"SELECT id FROM staged_import WHERE batch_id = {s.Batch} AND duplicate_of IS NOT NULL");
        var unknown = await s.ImportIdAsync(UnknownRagaUrl);

        var dry = await BulkApproval.PlanAsync(s.Db, new ReviewFilter { BatchId = s.Batch }, new ApprovalCriteria(), Ct);
        var pages = await s.CountAsync($"SELECT COUNT(*) FROM staged_import WHERE batch_id = {s.Batch}");
        dry.Matched.ShouldBe(pages);
        dry.Skipped["needs_review"].ShouldBe(1);
        dry.Skipped["duplicate"].ShouldBe(1);
        dry.WouldApprove.ShouldBe(pages - 2);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(0, "a dry run changes nothing");

        var first = await BulkApproveAsync(s);
        first.Approved.ShouldBe(dry.WouldApprove);
        first.KrithisCreated.ShouldBe(first.Approved);
        first.Failed.ShouldBe(0);
        var works = await s.CountAsync($"SELECT COUNT(DISTINCT work_key) FROM staged_import WHERE batch_id = {s.Batch} AND review_state = 'approved'");
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(works);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi_revision")).ShouldBe(first.Approved, "one revision per approval, nothing half-written");
        // Same title, different ragas: two works, two krithis.
        (await s.CountAsync("SELECT COUNT(*) FROM krithi WHERE title_key = (SELECT title_key FROM staged_import WHERE url LIKE '%naada-sudhaa-rasam.html')")).ShouldBe(2);
        // The flagged duplicate and the unresolved import were left for a curator.
        (await s.Db.ReadAsync(c => c.ExecuteScalarAsync<string>($"SELECT review_state FROM staged_import WHERE id = {duplicate}"))).ShouldBe(ReviewStates.Ready);
        (await s.Db.ReadAsync(c => c.ExecuteScalarAsync<string>($"SELECT review_state FROM staged_import WHERE id = {unknown}"))).ShouldBe(ReviewStates.NeedsReview);

        var again = await BulkApproveAsync(s);
        again.Approved.ShouldBe(0);
        again.KrithisCreated.ShouldBe(0);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(works);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi_revision")).ShouldBe(first.Approved);
        (await s.CountAsync($"SELECT COUNT(*) FROM event WHERE kind = 'review_approved' AND batch_id = {s.Batch}")).ShouldBe(first.Approved);
    }

    /// <summary>A worker over every stage for a while, whatever it finds to do.</summary>
    static async Task RunWorkerAsync(Staged s, TimeSpan howLong)
    {
        using var cts = new CancellationTokenSource(howLong);
        await new Worker(s.Db, new Pipeline(Handlers(s.Fetch)), EngineHarness.FastWorker).RunAsync(cts.Token);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_bulk_approval_pauses_resumes_and_cancels_like_any_batch(string store)
    {
        await using var s = await StageAsync(store);
        var pipeline = new Pipeline(Handlers(s.Fetch));
        var run = (await BulkApproval.StartAsync(s.Db, pipeline, new ReviewFilter { BatchId = s.Batch }, new ApprovalCriteria(), "test:curator", ct: Ct)).ApprovalBatchId!.Value;
        await Controls.PauseAsync(s.Db, run, "test:curator", Ct);
        // A worker runs a while: nothing of a paused batch is claimed.
        await RunWorkerAsync(s, TimeSpan.FromMilliseconds(500));
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(0);
        (await BulkApproval.SummaryAsync(s.Db, run, Ct)).Status.ShouldBe(BatchStatus.Paused);

        await Controls.ResumeAsync(s.Db, run, "test:curator", Ct);
        (await EngineHarness.RunUntilSettledAsync(s.Db, run, Handlers(s.Fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        var done = await BulkApproval.SummaryAsync(s.Db, run, Ct);
        done.Approved.ShouldBeGreaterThan(0);
        done.Open.ShouldBe(0);

        // A cancelled run approves nothing more; the imports it did not reach stay for a curator.
        var id = await s.ImportIdAsync(UnknownRagaUrl);
        await ResolveChoices.ChooseAsync(s.Db, s.Batch, "raga", "sumadyuti", "sharadhyuthi", "test:curator", ct: Ct);
        (await EngineHarness.RunUntilSettledAsync(s.Db, s.Batch, Handlers(s.Fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        var second = (await BulkApproval.StartAsync(s.Db, pipeline, new ReviewFilter { BatchId = s.Batch }, new ApprovalCriteria(), "test:curator", ct: Ct)).ApprovalBatchId!.Value;
        await Controls.CancelAsync(s.Db, second, "test:curator", Ct);
        await RunWorkerAsync(s, TimeSpan.FromMilliseconds(500));
        (await ReviewDetails.GetAsync(s.Db, id, Ct))!.Import.State.ShouldBe(ReviewStates.Ready);
        (await BulkApproval.SummaryAsync(s.Db, second, Ct)).Failed.ShouldBe(1, "the cancelled task is counted as not done");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_unresolved_raga_blocks_approval_until_a_curator_chooses_it(string store)
    {
        await using var s = await StageAsync(store);
        var id = await s.ImportIdAsync(UnknownRagaUrl);
        var before = (await ReviewDetails.GetAsync(s.Db, id, Ct))!;
        before.Import.State.ShouldBe(ReviewStates.NeedsReview);
        before.Missing.ShouldContain(m => m.Kind == "raga" && m.Input == "sumadyuti" && m.Candidates.Count > 0);

        var refused = await Should.ThrowAsync<NotApprovableException>(() => Reviews.ApproveAsync(s.Db, id, before.Import.Version, "test:curator", ct: Ct));
        refused.Missing.ShouldContain(m => m.Input == "sumadyuti");
        refused.Message.ShouldContain("sumadyuti");

        await ResolveChoices.ChooseAsync(s.Db, s.Batch, "raga", "sumadyuti", "sharadhyuthi", "test:curator", ct: Ct);
        (await EngineHarness.RunUntilSettledAsync(s.Db, s.Batch, Handlers(s.Fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        var after = (await ReviewDetails.GetAsync(s.Db, id, Ct))!;
        after.Import.State.ShouldBe(ReviewStates.Ready, "a curator's choice updates the pending import in place");
        after.Import.Version.ShouldBeGreaterThan(before.Import.Version);
        after.History.ShouldContain(e => e.Kind == "review_ready");
        (await Should.ThrowAsync<ReviewVersionConflictException>(() => Reviews.ApproveAsync(s.Db, id, before.Import.Version, "test:curator", ct: Ct)))
            .Current.ShouldBe(after.Import.Version);

        var approved = await Reviews.ApproveAsync(s.Db, id, after.Import.Version, "test:curator", "checked the raga", ct: Ct);
        approved.State.ShouldBe(ReviewStates.Approved);
        approved.KrithiCreated.ShouldBeTrue();
        var krithi = (await KrithiStore.GetAsync(s.Db, approved.KrithiId!.Value, Ct))!;
        krithi.Ragas.Single().Id.ShouldBe("sharadhyuthi");
        krithi.Sources.Single().ApprovedBy.ShouldBe("test:curator");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_choice_made_in_one_batch_unblocks_the_imports_of_other_batches_waiting_on_the_name(string store)
    {
        await using var s = await StageAsync(store);
        IReadOnlyList<SourceRow> again = [new("SrI sumadyutE", "sumadyuti", UnknownRagaUrl)];
        var other = await ResolveStageTests.BatchAsync(s.Db, s.Site, again, "again");
        (await EngineHarness.RunUntilSettledAsync(s.Db, other, Handlers(s.Fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        (await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = other }, ct: Ct)).States[ReviewStates.NeedsReview].ShouldBe(1);

        var choice = await ResolveChoices.ChooseAsync(s.Db, s.Batch, "raga", "sumadyuti", "sharadhyuthi", "test:curator", ct: Ct);
        choice.TasksRequeued.ShouldBe(2);
        choice.Batches.Select(b => b.BatchId).ShouldBe([s.Batch, other], ignoreOrder: true);
        // One worker settles both batches.
        await EngineHarness.RunUntilAsync(s.Db, async () =>
            (await Batches.GetAsync(s.Db, s.Batch, Ct))!.Status == BatchStatus.Completed && (await Batches.GetAsync(s.Db, other, Ct))!.Status == BatchStatus.Completed,
            Handlers(s.Fetch), TimeSpan.FromSeconds(60));
        foreach (var batch in new[] { s.Batch, other })
            (await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = batch }, ct: Ct)).States[ReviewStates.NeedsReview].ShouldBe(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Two_approvals_at_once_one_wins_and_a_replay_creates_nothing(string store)
    {
        await using var s = await StageAsync(store);
        var id = await s.ImportIdAsync(SiteManifest.BuiltInSample[0].Url);
        var version = (await ReviewDetails.GetAsync(s.Db, id, Ct))!.Import.Version;

        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            try { return (object)await Reviews.ApproveAsync(s.Db, id, version, $"test:curator{i}", ct: Ct); }
            catch (ReviewVersionConflictException e) { return e; }
        }, Ct)));
        both.OfType<ReviewOutcome>().Count().ShouldBe(1);
        var loser = both.OfType<ReviewVersionConflictException>().Single();
        loser.State.ShouldBe(ReviewStates.Approved);
        loser.Current.ShouldBe(version + 1);

        // The same approval sent again names the old version: refused, nothing written.
        await Should.ThrowAsync<ReviewVersionConflictException>(() => Reviews.ApproveAsync(s.Db, id, version, "test:curator0", ct: Ct));
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(1);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi_revision")).ShouldBe(1);

        // An explicit re-approval with an edit is a new revision of the same krithi.
        var again = await Reviews.ApproveAsync(s.Db, id, version + 1, "test:curator", "title fixed", new ApprovalEdits { Title = "SrI guru guhAya namastE (corrected)" }, ct: Ct);
        again.KrithiCreated.ShouldBeFalse();
        again.Edits!.Single().Field.ShouldBe("title");
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(1);
        (await KrithiStore.GetAsync(s.Db, again.KrithiId!.Value, Ct))!.Version.ShouldBe(2);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_second_page_of_a_work_is_refused_as_a_copy_and_merged_with_its_conflicts_listed(string store)
    {
        await using var s = await StageAsync(store);
        var first = await s.ImportIdAsync(SiteManifest.BuiltInSample[1].Url);
        var second = await s.ImportIdAsync(ResolveStageTests.DuplicateWorkUrl);
        var approved = await Reviews.ApproveAsync(s.Db, first, null, "test:curator", edits: new ApprovalEdits { DisplayTitle = "Kamalambike Pahi (curated)" }, ct: Ct);

        var copy = await Should.ThrowAsync<AlreadyInCatalogException>(() => Reviews.ApproveAsync(s.Db, second, null, "test:curator", ct: Ct));
        copy.KrithiId.ShouldBe(approved.KrithiId!.Value);
        var detail = (await ReviewDetails.GetAsync(s.Db, second, Ct))!;
        var look = detail.CatalogCandidates.ShouldHaveSingleItem();
        look.KrithiId.ShouldBe(approved.KrithiId!.Value);
        look.Fields.Single(f => f.Field == "ragas").Same.ShouldBeTrue();

        var merged = await Reviews.MergeAsync(s.Db, second, detail.Import.Version, approved.KrithiId!.Value, null, "test:curator", ct: Ct);
        merged.State.ShouldBe(ReviewStates.Merged);
        merged.Conflicts!.ShouldContain(c => c.Field == "display_title");
        var krithi = (await KrithiStore.GetAsync(s.Db, approved.KrithiId!.Value, Ct))!;
        krithi.Sources.Select(x => x.Url).ShouldBe([SiteManifest.BuiltInSample[1].Url, ResolveStageTests.DuplicateWorkUrl], ignoreOrder: true);
        krithi.DisplayTitle.ShouldBe("Kamalambike Pahi (curated)", "a merge never overwrites a curated field");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_curator_approves_another_work_that_shares_composer_title_and_ragas_as_a_krithi_of_its_own(string store)
    {
        await using var s = await StageAsync(store);
        var first = await s.ImportIdAsync(SiteManifest.BuiltInSample[1].Url);
        var second = await s.ImportIdAsync(ResolveStageTests.DuplicateWorkUrl);
        var one = await Reviews.ApproveAsync(s.Db, first, null, "test:curator", ct: Ct);
        (await Should.ThrowAsync<AlreadyInCatalogException>(() => Reviews.ApproveAsync(s.Db, second, null, "test:curator", ct: Ct)))
            .Message.ShouldContain("--separate-work");
        var other = await Reviews.ApproveAsync(s.Db, second, null, "test:curator", "the blog's second composition of this name", separateWork: true, ct: Ct);
        other.KrithiCreated.ShouldBeTrue();
        other.KrithiId.ShouldNotBe(one.KrithiId);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(2);
        other.Reason!.ShouldContain("separate work");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_approval_names_the_kept_entity_when_a_curator_merged_the_one_resolve_chose(string store)
    {
        await using var s = await StageAsync(store);
        var id = await s.ImportIdAsync(SiteManifest.BuiltInSample[4].Url);
        var ragas = (await ReviewDetails.GetAsync(s.Db, id, Ct))!.Import.Ragas;
        var chosen = ragas.ShouldHaveSingleItem().Id;
        await Grantha.Reference.Curation.MergeAsync(s.Db, "raga", chosen, "bhairavi", "test: one raga", "test:curator", Ct);

        var approved = await Reviews.ApproveAsync(s.Db, id, null, "test:curator", ct: Ct);
        var krithi = (await KrithiStore.GetAsync(s.Db, approved.KrithiId!.Value, Ct))!;
        krithi.Ragas.Single().Id.ShouldBe("bhairavi", $"{chosen} was merged into bhairavi after RESOLVE");
        krithi.WorkKey.ShouldNotBeNull().ShouldEndWith("|bhairavi");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Reject_defer_and_reopen_follow_the_machine_and_leave_events(string store)
    {
        await using var s = await StageAsync(store);
        var id = await s.ImportIdAsync(SiteManifest.BuiltInSample[4].Url);
        await Should.ThrowAsync<ArgumentException>(() => Reviews.RejectAsync(s.Db, id, null, "test:curator", " ", Ct));
        var deferred = await Reviews.DeferAsync(s.Db, id, null, "test:curator", "ask the editor", Ct);
        deferred.State.ShouldBe(ReviewStates.Deferred);
        (await BulkApproval.PlanAsync(s.Db, new ReviewFilter { BatchId = s.Batch }, new ApprovalCriteria(), Ct)).Skipped["set_aside"].ShouldBe(1);
        var rejected = await Reviews.RejectAsync(s.Db, id, deferred.Version, "test:curator", "not a krithi", Ct);
        rejected.State.ShouldBe(ReviewStates.Rejected);
        await Should.ThrowAsync<IllegalTransitionException>(() => Reviews.DeferAsync(s.Db, id, rejected.Version, "test:curator", null, Ct));
        var reopened = await Reviews.ReopenAsync(s.Db, id, rejected.Version, "test:curator", null, Ct);
        reopened.State.ShouldBe(ReviewStates.Ready);
        var history = (await ReviewDetails.GetAsync(s.Db, id, Ct))!.History;
        history.Select(e => e.Kind).ShouldBe(["review_deferred", "review_rejected", "review_ready"]);
        history.ShouldAllBe(e => e.Actor == "test:curator");
        history[1].Data!.ShouldContain("not a krithi");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_auto_approval_policy_runs_after_resolve_only_when_a_batch_asks_for_it(string store)
    {
        await using var s = await StageAsync(store);
        var pipeline = new Pipeline(Handlers(s.Fetch));
        (await Batches.JobsAsync(s.Db, s.Batch, Ct)).Select(j => j.Stage).ShouldNotContain(ApproveHandler.Name, "off by default");
        // Not "no flags": every page of the second batch is flagged in_catalog (staged by the first batch).
        var criteria = new ApprovalCriteria { MinQuality = 0.95 };
        var expected = await BulkApproval.PlanAsync(s.Db, new ReviewFilter { BatchId = s.Batch }, criteria, Ct);
        expected.WouldApprove.ShouldBeGreaterThan(0);

        var csv = "Krithi,Raga,Hyperlink\r\n" + string.Concat(Rows.Select(r => $"\"{r.Krithi}\",\"{r.Raga}\",{r.Url}\r\n"));
        var options = new BatchOptions
        {
            AllowOfflineSite = true, HostMap = new(s.Site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false,
            StageOptions = ApprovalPlan.AutoApproval("test:policy", criteria),
        };
        var auto = await Grantha.Manifest.ManifestBatches.CreateAsync(s.Db, pipeline, "auto", [new("auto.csv", System.Text.Encoding.UTF8.GetBytes(csv))], options, "test", ct: Ct);
        (await Batches.JobsAsync(s.Db, auto, Ct)).Select(j => j.Stage).ShouldContain(ApproveHandler.Name);
        (await EngineHarness.RunUntilSettledAsync(s.Db, auto, Handlers(s.Fetch), TimeSpan.FromSeconds(90))).ShouldBe(BatchStatus.Completed);

        (await s.CountAsync($"SELECT COUNT(*) FROM staged_import WHERE batch_id = {auto} AND review_state = 'approved'")).ShouldBe(expected.WouldApprove);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(expected.WouldApprove);
        (await s.CountAsync($"SELECT COUNT(*) FROM staged_import WHERE batch_id = {auto} AND review_state = 'approved' AND reviewed_by <> 'test:policy'")).ShouldBe(0);
        var approveTasks = await EngineHarness.StatesAsync(s.Db, auto);
        approveTasks.GetValueOrDefault(TaskState.Failed).ShouldBe(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Rejected_rows_export_with_reviewer_and_reason_and_once_fixed_import_again(string store)
    {
        await using var s = await StageAsync(store);
        var id = await s.ImportIdAsync(UnknownRagaUrl);
        await Reviews.RejectAsync(s.Db, id, null, "test:curator", "raga misspelt in the manifest", Ct);
        using var buffer = new MemoryStream();
        (await Export.WriteAsync(s.Db, new ExportFilter(s.Batch, State: ReviewStates.Rejected), ExportFormat.Csv, buffer, ct: Ct)).ShouldBe(1);
        var lines = System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines[1].ShouldContain(",rejected,");
        lines[1].ShouldContain(",test:curator,raga misspelt in the manifest,");

        // The curator fixes the raga cell; the file is a manifest again and its row resolves.
        var fixedCsv = string.Join("\r\n", lines).Replace(",sumadyuti,", ",SaradyutI,") + "\r\n";
        var pipeline = new Pipeline(Handlers(s.Fetch));
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(s.Site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var again = await Grantha.Manifest.ManifestBatches.CreateAsync(s.Db, pipeline, "fixed", [new("rejected-fixed.csv", System.Text.Encoding.UTF8.GetBytes(fixedCsv))], options, "test", ct: Ct);
        (await EngineHarness.RunUntilSettledAsync(s.Db, again, Handlers(s.Fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        var page = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = again }, ct: Ct);
        page.Items.ShouldHaveSingleItem().Url.ShouldBe(UnknownRagaUrl);
        (await s.CountAsync($"SELECT COUNT(*) FROM manifest_row WHERE batch_id = {again} AND status = 'accepted'")).ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_queue_filters_counts_and_pages_without_gaps(string store)
    {
        await using var s = await StageAsync(store);
        var all = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = s.Batch }, limit: 500, ct: Ct);
        all.Total.ShouldBe(all.Items.Count);
        all.States[ReviewStates.NeedsReview].ShouldBe(1);
        all.Flags["duplicate"].ShouldBe(1);
        all.Flags["unresolved"].ShouldBe(1);
        all.Items.Select(i => i.Quality).ShouldBeInOrder(SortDirection.Ascending);

        // Keyset pages of 2 by quality cover every item once.
        var seen = new List<long>();
        string? after = null;
        do
        {
            var page = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = s.Batch }, ReviewSort.Quality, after, 2, Ct);
            seen.AddRange(page.Items.Select(i => i.Id));
            after = page.Next;
        } while (after is not null);
        seen.ShouldBe(all.Items.Select(i => i.Id));

        var ready = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = s.Batch, States = [ReviewStates.Ready], NoFlags = true }, ct: Ct);
        ready.Items.ShouldAllBe(i => i.State == ReviewStates.Ready && i.Flags.Count == 0);
        ready.States[ReviewStates.NeedsReview].ShouldBe(0, "the other filters hold for the counts: the unresolved import has a flag");
        var readyTab = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = s.Batch, States = [ReviewStates.Ready] }, ct: Ct);
        readyTab.States[ReviewStates.NeedsReview].ShouldBe(1, "counts per state ignore the state filter, so every tab has its number");
        readyTab.Total.ShouldBe(all.Total - 1);
        var bhairavi = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = s.Batch, RagaId = "bhairavi" }, ct: Ct);
        bhairavi.Items.ShouldNotBeEmpty();
        bhairavi.Items.ShouldAllBe(i => i.Ragas.Any(r => r.Id == "bhairavi"));
        var text = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = s.Batch, Text = "NADA sudha" }, ct: Ct);
        text.Total.ShouldBe(2);
        var confident = await ReviewQueue.ListAsync(s.Db, new ReviewFilter { BatchId = s.Batch, Confidence = [new ConfidenceRange("raga", 0.99, null)] }, ct: Ct);
        confident.Items.ShouldAllBe(i => i.Confidence["raga"] >= 0.99);
        await Should.ThrowAsync<ArgumentException>(() => ReviewQueue.ListAsync(s.Db, new ReviewFilter { States = ["approvedish"] }, ct: Ct));
        await Should.ThrowAsync<ArgumentException>(() => ReviewQueue.ListAsync(s.Db, new ReviewFilter(), after: "not-a-cursor", ct: Ct));
    }
}
