using Dapper;
using Grantha.Engine;
using Grantha.Reference;
using Grantha.Resolve;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Reference;

/// <summary>
/// Curation of the reference catalog: merging two rows into one entity, adding an entity, the audit trail, a
/// re-seed that keeps both, and the refusals. The end-to-end cases (blocked imports re-queued and resolved,
/// the API and its roles) are in CurationApiTests, the CLI in CurationCliTests.
/// </summary>
public class CurationTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static NewEntity Sumadyuti(string id = "sumadyuti", string name = "Sumadyuti") =>
        new(RagaCatalog.Kind, id, name)
        {
            ParentId = "simhendramadhyamam", Arohanam = "S R2 G2 M2 P D1 N3 S", Avarohanam = "S N3 D1 P M2 G2 R2 S",
            Reason = "Dikshitar's raga, not in ragas.csv",
        };

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_merge_settles_a_tie_the_duplicate_is_no_candidate_of_its_own_and_its_id_leads_to_the_kept_one(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var before = (await ResolverStore.LoadAsync(t.Db, Ct)).Resolve("raga", "jIvantikA");
        before.Decision.ShouldBe(Decision.NeedsReview);
        before.Candidates.Take(2).Select(c => c.Id).ShouldBe(["jeevantika", "jeevanthika"], ignoreOrder: true);

        var r = await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthika", "jeevantika", "one raga, two spellings", "tester", Ct);
        r.Change!.Action.ShouldBe(Curation.Actions.Merge);
        r.Requeue.Tasks.ShouldBe(0);
        r.Requeue.Next.ShouldContain("nothing to re-queue");

        var set = await ResolverStore.LoadAsync(t.Db, Ct);
        var after = set.Resolve("raga", "jIvantikA");
        after.Decision.ShouldBe(Decision.Matched);
        after.Match!.Id.ShouldBe("jeevantika");
        after.Candidates.ShouldNotContain(c => c.Id == "jeevanthika");
        // The duplicate's own spelling is a name of the kept raga now.
        set.Resolve("raga", "Jeevanthikā").Match!.Id.ShouldBe("jeevantika");
        set.For("raga").Find("jeevanthika")!.Id.ShouldBe("jeevantika");

        var listed = await CatalogStore.EntitiesAsync(t.Db, "raga", Ct);
        listed.Single(e => e.Id == "jeevanthika").MergedInto.ShouldBe("jeevantika");
        listed.Single(e => e.Id == "jeevantika").MergedInto.ShouldBeNull();
        (await CatalogStore.RagasAsync(t.Db, Ct)).Single(x => x.Id == "jeevanthika").MergedInto.ShouldBe("jeevantika");
        (await CatalogStore.EntityAsync(t.Db, "raga", "jeevantika", Ct))!.MergedFrom.ShouldBe(["jeevanthika"]);
        var dup = (await CatalogStore.EntityAsync(t.Db, "raga", "jeevanthika", Ct))!;
        dup.Entity.MergedInto.ShouldBe("jeevantika");
        dup.History.Single().Reason.ShouldBe("one raga, two spellings");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_running_processs_resolvers_see_every_kind_of_change_at_their_next_use(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var cache = new ResolverCache();
        var first = await cache.GetAsync(t.Db, Ct);
        (await cache.GetAsync(t.Db, Ct)).ShouldBeSameAs(first);

        await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthika", "jeevantika", null, "tester", Ct);
        var merged = await cache.GetAsync(t.Db, Ct);
        merged.ShouldNotBeSameAs(first);
        merged.Resolve("raga", "jIvantikA").Decision.ShouldBe(Decision.Matched);

        await CatalogChanges.AddAsync(t.Db, Sumadyuti(), "tester", Ct);
        var added = await cache.GetAsync(t.Db, Ct);
        added.ShouldNotBeSameAs(merged);
        added.Resolve("raga", "sumadyuti").Match!.Id.ShouldBe("sumadyuti");

        await CatalogChanges.AddSynonymAsync(t.Db, "raga", "Mohanakam", "mohanam", null, "tester", Ct);
        var synonym = await cache.GetAsync(t.Db, Ct);
        synonym.ShouldNotBeSameAs(added);
        synonym.Resolve("raga", "Mohanakam").Match!.Id.ShouldBe("mohanam");
        (await cache.GetAsync(t.Db, Ct)).ShouldBeSameAs(synonym);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_row_merged_into_a_row_merged_later_follows_it_and_a_synonym_or_choice_for_a_duplicate_goes_to_the_kept_one(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthini", "jeevanthika", null, "tester", Ct);
        await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthika", "jeevantika", null, "tester", Ct);
        var set = await ResolverStore.LoadAsync(t.Db, Ct);
        set.Resolve("raga", "Jeevanthini").Match!.Id.ShouldBe("jeevantika");

        var synonym = await CatalogChanges.AddSynonymAsync(t.Db, "raga", "Jivantikam", "jeevanthini", "test", "tester", Ct);
        synonym.Change!.EntityId.ShouldBe("jeevantika");
        (await ResolverStore.LoadAsync(t.Db, Ct)).Resolve("raga", "jIvantikaM").Match!.Id.ShouldBe("jeevantika");

        await ResolverStore.AddAliasAsync(t.Db, await ResolverStore.LoadAsync(t.Db, Ct), "raga", "jIvanthinI", "jeevanthini", "tester", ct: Ct);
        (await CatalogStore.AliasesAsync(t.Db, "raga", Ct)).Single().EntityId.ShouldBe("jeevantika");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_added_raga_resolves_what_had_only_fuzzy_candidates_and_is_listed_as_a_curators(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var before = (await ResolverStore.LoadAsync(t.Db, Ct)).Resolve("raga", "sumadyuti");
        before.Decision.ShouldBe(Decision.NeedsReview);
        before.Candidates.ShouldAllBe(c => c.Reason == MatchReason.Fuzzy);

        var r = await CatalogChanges.AddAsync(t.Db, Sumadyuti(), "tester", Ct);
        r.Change!.Action.ShouldBe(Curation.Actions.Add);
        var after = (await ResolverStore.LoadAsync(t.Db, Ct)).Resolve("raga", "sumadyuti");
        after.Decision.ShouldBe(Decision.Matched);
        after.Match!.ShouldBe(new EntityRef("sumadyuti", "Sumadyuti"));

        var raga = (await CatalogStore.RagasAsync(t.Db, Ct)).Single(x => x.Id == "sumadyuti");
        raga.Origin.ShouldBe(Curation.Origins.Curator);
        raga.ParentName.ShouldBe("Simhendramadhyamam");
        raga.Melakarta.ShouldBeNull();
        raga.Arohanam.ShouldBe("S R2 G2 M2 P D1 N3 S");
        (await CatalogStore.EntitiesAsync(t.Db, "raga", Ct)).Single(e => e.Id == "sumadyuti").Origin.ShouldBe(Curation.Origins.Curator);
        (await CatalogStore.EntitiesAsync(t.Db, "raga", Ct)).Single(e => e.Id == "simhendramadhyamam").Origin.ShouldBe(Curation.Origins.Seed);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Talas_composers_deities_and_kshetras_can_be_added_and_resolve(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogChanges.AddAsync(t.Db, new NewEntity("tala", "lakshmisa", "Lakshmisa") { Aksharas = 14, Reason = "test" }, "tester", Ct);
        await CatalogChanges.AddAsync(t.Db, new NewEntity("composer", "ponnaiah-pillai", "Ponnaiah Pillai"), "tester", Ct);
        await CatalogChanges.AddAsync(t.Db, new NewEntity("deity", "angalamman", "Angalamman"), "tester", Ct);
        await CatalogChanges.AddAsync(t.Db, new NewEntity("kshetra", "ettayapuram", "Ettayapuram"), "tester", Ct);
        var set = await ResolverStore.LoadAsync(t.Db, Ct);
        set.Resolve("tala", "lakshmIsa tALaM").Match!.Id.ShouldBe("lakshmisa");
        set.Resolve("composer", "ponnaiah piLLai").Match!.Id.ShouldBe("ponnaiah-pillai");
        set.Resolve("deity", "Lord Angalamman").Match!.Id.ShouldBe("angalamman");
        set.Resolve("kshetra", "eTTayapuram").Match!.Id.ShouldBe("ettayapuram");
        var tala = (await CatalogStore.EntityAsync(t.Db, "tala", "lakshmisa", Ct))!.Tala!;
        (tala.Family, tala.Jati, tala.Aksharas).ShouldBe(("Lakshmisa", null, 14L));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_change_requeues_the_blocked_imports_of_every_batch_whose_names_now_resolve_differently_and_says_who_runs_them(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var first = await BlockedImports.ImportAsync(t.Db, Ct);
        var second = await BlockedImports.ImportAsync(t.Db, Ct);
        var paused = await BlockedImports.ImportAsync(t.Db, Ct);
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE batch SET status = 'PAUSED' WHERE id = @paused", new { paused }, tx));
        var cancelled = await BlockedImports.ImportAsync(t.Db, Ct);
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE batch SET status = 'CANCELLED' WHERE id = @cancelled", new { cancelled }, tx));

        // The merge settles jIvantikA only: sumadyuti stays blocked, in every batch.
        var merge = await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthika", "jeevantika", null, "tester", Ct);
        merge.Requeue.Names.ShouldBe([new NameChange("raga", "jIvantikA", "needs_review", "matched", "jeevantika")]);
        merge.Requeue.Tasks.ShouldBe(2);
        merge.Requeue.Batches.Select(b => (b.BatchId, b.Tasks, b.TaskIds.Count)).ShouldBe([(first, 1L, 1), (second, 1L, 1), (paused, 0L, 1), (cancelled, 0L, 1)]);
        merge.Requeue.Batches.Single(b => b.BatchId == paused).NotRequeued.ShouldBe(
            $"Batch {paused} is PAUSED: its 1 task(s) stay blocked. After ./grantha resume {paused}, run ./grantha retry {paused} --code needs_review.");
        merge.Requeue.Batches.Single(b => b.BatchId == cancelled).NotRequeued!.ShouldStartWith($"Batch {cancelled} cannot run again (");
        merge.Requeue.Workers.ShouldBeEmpty();
        merge.Requeue.Next.ShouldBe("No worker is running on this database: the 2 re-queued task(s) wait for ./grantha worker or ./grantha serve.");
        (await BlockedImports.BlockedAsync(t.Db, first)).ShouldBe([BlockedImports.SumadyutiUrl]);
        (await Batches.GetAsync(t.Db, paused, Ct))!.Status.ShouldBe(BatchStatus.Paused);

        // A worker that runs RESOLVE is registered on another machine (its process cannot be checked from here): the report names it.
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync(
            "INSERT INTO worker (id, host_name, pid, stages, started_at, seen_at) VALUES ('elsewhere:1:abc', 'elsewhere', 1, 'FETCH,RESOLVE', 0, 0)", transaction: tx));
        var add = await CatalogChanges.AddAsync(t.Db, Sumadyuti(), "tester", Ct);
        add.Requeue.Tasks.ShouldBe(2);
        add.Requeue.Batches.Where(b => b.NotRequeued is not null).Select(b => b.BatchId).ShouldBe([paused, cancelled]);
        add.Requeue.Workers.ShouldBe(["elsewhere:1:abc"]);
        add.Requeue.Next.ShouldBe("1 worker(s) running RESOLVE on this database (elsewhere:1:abc): they pick the 2 re-queued task(s) up.");

        // Nothing named it any more: nothing to do.
        (await CatalogChanges.AddAsync(t.Db, new NewEntity("kshetra", "ettayapuram", "Ettayapuram"), "tester", Ct)).Requeue.Next.ShouldBe("No blocked import names it: nothing to re-queue.");

        // One worker for both batches (it takes tasks of any batch).
        await EngineHarness.RunUntilAsync(t.Db, async () =>
            (await Batches.GetAsync(t.Db, first, Ct))!.Status == BatchStatus.Completed && (await Batches.GetAsync(t.Db, second, Ct))!.Status == BatchStatus.Completed,
            BlockedImports.Handlers(), TimeSpan.FromSeconds(60));
        foreach (var batch in new[] { first, second })
        {
            (await BlockedImports.BlockedAsync(t.Db, batch)).ShouldBeEmpty();
            (await BlockedImports.StagedAsync(t.Db, batch, BlockedImports.JivantikaUrl)).ShouldBe(("resolved", "jeevantika"));
            (await BlockedImports.StagedAsync(t.Db, batch, BlockedImports.SumadyutiUrl)).ShouldBe(("resolved", "sumadyuti"));
        }
        (await BlockedImports.BlockedAsync(t.Db, paused)).Count.ShouldBe(2);
        (await BlockedImports.BlockedAsync(t.Db, cancelled)).Count.ShouldBe(2);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Every_change_is_in_the_audit_trail_with_who_when_and_why_and_the_trail_cannot_be_rewritten(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var from = Db.NowMs();
        await CatalogChanges.AddAsync(t.Db, Sumadyuti(), "cli:alice", Ct);
        await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthika", "jeevantika", "same raga", "api:bob", Ct);
        await CatalogChanges.AddSynonymAsync(t.Db, "raga", "Mohanakam", "mohanam", "a Tamil name", "api:carol", Ct);
        var to = Db.NowMs();

        var history = await Curation.HistoryAsync(t.Db, ct: Ct);
        history.Select(h => (h.Action, h.Kind, h.EntityId, h.IntoId, h.Actor, h.Reason)).ShouldBe([
            ("add", "raga", "sumadyuti", null, "cli:alice", "Dikshitar's raga, not in ragas.csv"),
            ("merge", "raga", "jeevanthika", "jeevantika", "api:bob", "same raga"),
            ("synonym", "raga", "mohanam", null, "api:carol", "a Tamil name"),
        ]);
        history.ShouldAllBe(h => h.At >= from && h.At <= to);
        history[0].Detail.ShouldContain("\"parent\":\"simhendramadhyamam\"");
        (await Curation.HistoryAsync(t.Db, "raga", "jeevantika", ct: Ct)).Single().Action.ShouldBe("merge");
        (await Curation.HistoryAsync(t.Db, "raga", afterId: history[1].Id, ct: Ct)).Single().Action.ShouldBe("synonym");

        await Should.ThrowAsync<Exception>(() => t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE catalog_change SET actor = 'nobody'", transaction: tx)));
        await Should.ThrowAsync<Exception>(() => t.Db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM catalog_change", transaction: tx)));
        (await Curation.HistoryAsync(t.Db, ct: Ct)).Select(h => h.Actor).ShouldBe(["cli:alice", "api:bob", "api:carol"]);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_reseed_keeps_what_curators_added_and_merged(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogChanges.AddAsync(t.Db, Sumadyuti(), "tester", Ct);
        await CatalogChanges.AddAsync(t.Db, new NewEntity("composer", "ponnaiah-pillai", "Ponnaiah Pillai"), "tester", Ct);
        await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthika", "jeevantika", null, "tester", Ct);
        async Task Holds()
        {
            var set = await ResolverStore.LoadAsync(t.Db, Ct);
            set.Resolve("raga", "sumadyuti").Match!.Id.ShouldBe("sumadyuti");
            set.Resolve("raga", "jIvantikA").Match!.Id.ShouldBe("jeevantika");
            set.Resolve("composer", "Ponnaiah Pillai").Match!.Id.ShouldBe("ponnaiah-pillai");
            var ragas = await CatalogStore.RagasAsync(t.Db, Ct);
            ragas.Single(r => r.Id == "sumadyuti").ShouldSatisfyAllConditions(r => r.Origin.ShouldBe("curator"), r => r.MatchKey.ShouldBe("sumadyuti"));
            ragas.Single(r => r.Id == "jeevanthika").MergedInto.ShouldBe("jeevantika");
        }
        await Holds();

        // The same source again: nothing changes.
        (await CatalogStore.SeedAsync(t.Db, ct: Ct)).Changed.ShouldBeFalse();
        await Holds();

        // A changed source (one more raga): every shipped key is rewritten; the curators' rows stay as they were.
        var shared = RagaCatalog.LoadShared();
        var more = Rows(shared).Append(new RagaRow("Navaratnavilasam", null, "Simhendramadhyamam", "S R2 G2 M2 P D1 N3 S", "S N3 D1 P M2 G2 R2 S"));
        (await CatalogStore.SeedAsync(t.Db, new RagaCatalog(more), ct: Ct)).Changed.ShouldBeTrue();
        // ...and back (the resolvers re-seed from ragas.csv on their own).
        await Holds();
        (await CatalogStore.RagasAsync(t.Db, Ct)).Count.ShouldBe(shared.All.Count + 2);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task When_the_shipped_list_comes_to_hold_a_curators_raga_the_shipped_row_wins_and_the_curators_row_is_kept_and_says_so(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogChanges.AddAsync(t.Db, Sumadyuti("sumadyuti-dikshitar"), "tester", Ct);
        await CatalogChanges.AddAsync(t.Db, new NewEntity("raga", "janjuti", "Janjuti") { ParentId = "harikambhoji", Arohanam = "S R2 G3 M1 P D2 S", Avarohanam = "S N2 D2 P M1 G3 R2 S" }, "tester", Ct);

        var shipping = new RagaCatalog(Rows(RagaCatalog.LoadShared())
            .Append(new RagaRow("Sumadyuti", null, "Simhendramadhyamam", "S R2 G2 M2 P D1 N3 S", "S N3 D1 P M2 G2 R2 S"))
            .Append(new RagaRow("Janjuti", null, "Harikāmbhōji", "S R2 G3 M1 P D2 S", "S N2 D2 P M1 G3 R2 S")));
        await CatalogStore.SeedAsync(t.Db, shipping, "seed", Ct);

        var ragas = await CatalogStore.RagasAsync(t.Db, Ct);
        // Another id with the same key: merged into the shipped row, kept.
        ragas.Single(r => r.Id == "sumadyuti-dikshitar").ShouldSatisfyAllConditions(r => r.MergedInto.ShouldBe("sumadyuti"), r => r.Origin.ShouldBe("curator"));
        ragas.Single(r => r.Id == "sumadyuti").Origin.ShouldBe("seed");
        // The same id: the row is the shipped one now.
        ragas.Single(r => r.Id == "janjuti").Origin.ShouldBe("seed");
        var history = await Curation.HistoryAsync(t.Db, "raga", ct: Ct);
        history.ShouldContain(h => h.Action == "merge" && h.EntityId == "sumadyuti-dikshitar" && h.IntoId == "sumadyuti" && h.Actor == "seed");
        history.ShouldContain(h => h.Action == "shipped" && h.EntityId == "janjuti" && h.Actor == "seed");
        var set = ResolverSet.Create(shipping, RagaSynonyms.LoadDefault(), await Curation.LoadAsync(t.Db, Ct));
        set.Resolve("raga", "sumadyuti").Match!.Id.ShouldBe("sumadyuti");
        set.For("raga").Find("sumadyuti-dikshitar")!.Id.ShouldBe("sumadyuti");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Refusals_name_what_is_in_the_way(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogChanges.AddAsync(t.Db, Sumadyuti(), "tester", Ct);
        await CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthini", "jeevantika", null, "tester", Ct);

        async Task<string> Conflict(Func<Task> act) => (await Should.ThrowAsync<CatalogConflictException>(act)).Message;
        async Task<string> Bad(Func<Task> act) => (await Should.ThrowAsync<ArgumentException>(act)).Message;

        (await Conflict(() => CatalogChanges.AddAsync(t.Db, Sumadyuti(name: "Sumadyuti Navina"), "tester", Ct)))
            .ShouldBe("The raga id 'sumadyuti' is taken by Sumadyuti (sumadyuti, added by a curator): choose another id.");
        (await Conflict(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("kedaragowla", "Navina"), "tester", Ct))).ShouldContain("Kedāragowla (kedaragowla, shipped)");
        // The name's key is an own name, a synonym, or the tie of two rows.
        (await Conflict(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("sumadhyuthi", "Sumadhyuthi"), "tester", Ct)))
            .ShouldContain("is already an own name of Sumadyuti (sumadyuti)");
        (await Conflict(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("kalyani2", "Kalyani"), "tester", Ct))).ShouldContain("a synonym of");
        (await Conflict(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("kalavati2", "Kalavati"), "tester", Ct))).ShouldContain("merge them");
        (await Conflict(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("rm", "Ragamalika"), "tester", Ct))).ShouldContain("ragamalika");
        (await Conflict(() => CatalogChanges.AddAsync(t.Db, new NewEntity("composer", "tyagayya", "Thyagayya"), "tester", Ct))).ShouldContain("Tyagaraja (tyagaraja)");
        // The raga's own facts.
        (await Bad(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("navina", "Navina") with { ParentId = "no-such-raga" }, "tester", Ct)))
            .ShouldBe("The parent raga 'no-such-raga' is not in the catalog (see ./grantha catalog list raga).");
        (await Bad(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("navina", "Navina") with { ParentId = "kedaragowla" }, "tester", Ct))).ShouldContain("The parent must be a melakarta");
        (await Conflict(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("navina", "Navina") with { ParentId = null, Melakarta = 15 }, "tester", Ct)))
            .ShouldContain("Melakarta 15 is already Māyāmāḻavagouḻai (mayamalavagoulai, shipped)");
        (await Bad(() => CatalogChanges.AddAsync(t.Db, Sumadyuti("Navina", "Navina"), "tester", Ct))).ShouldContain("not a slug");

        // Merges.
        (await Conflict(() => CatalogChanges.MergeAsync(t.Db, "raga", "sumadyuti", "sumadyuti", null, "tester", Ct))).ShouldContain("into itself");
        (await Bad(() => CatalogChanges.MergeAsync(t.Db, "raga", "sumadyuti", "no-such-raga", null, "tester", Ct))).ShouldContain("There is no raga 'no-such-raga' to merge into");
        (await Should.ThrowAsync<CatalogEntityNotFoundException>(() => CatalogChanges.MergeAsync(t.Db, "raga", "no-such-raga", "sumadyuti", null, "tester", Ct)))
            .Message.ShouldContain("There is no raga 'no-such-raga'");
        (await Conflict(() => CatalogChanges.MergeAsync(t.Db, "raga", "sumadyuti", "jeevanthini", null, "tester", Ct)))
            .ShouldContain("is itself merged into 'jeevantika': merge into 'jeevantika' instead");
        (await Conflict(() => CatalogChanges.MergeAsync(t.Db, "raga", "jeevanthini", "sumadyuti", null, "tester", Ct))).ShouldContain("is already merged into 'jeevantika'");
        (await Conflict(() => CatalogChanges.MergeAsync(t.Db, "raga", "kanakangi", "ratnangi", null, "tester", Ct))).ShouldContain("are both melakartas");
        (await Conflict(() => CatalogChanges.MergeAsync(t.Db, "raga", "mayamalavagoulai", "sumadyuti", null, "tester", Ct))).ShouldContain("keep it and merge");
        (await Bad(() => CatalogChanges.MergeAsync(t.Db, "ragam", "a", "b", null, "tester", Ct))).ShouldContain("Unknown kind 'ragam'");

        // Synonyms.
        (await Conflict(() => CatalogChanges.AddSynonymAsync(t.Db, "raga", "Kannada", "kanada", null, "tester", Ct))).ShouldContain("the catalog keeps them apart");
        await Should.ThrowAsync<CatalogEntityNotFoundException>(() => CatalogChanges.AddSynonymAsync(t.Db, "raga", "Navina", "no-such-raga", null, "tester", Ct));

        // Nothing of it was written.
        (await Curation.HistoryAsync(t.Db, ct: Ct)).Count.ShouldBe(2);
    }

    [Fact]
    public void What_a_new_entity_must_carry_is_checked_before_the_database()
    {
        Curation.Validate(Sumadyuti());
        string Bad(NewEntity e) => Should.Throw<ArgumentException>(() => Curation.Validate(e)).Message;
        Bad(Sumadyuti("a--b")).ShouldContain("not a slug");
        Bad(Sumadyuti(new string('a', 81))).ShouldContain("not a slug");
        Bad(Sumadyuti(name: "--")).ShouldContain("no letters");
        Bad(Sumadyuti() with { Melakarta = 12 }).ShouldContain("not both and not neither");
        Bad(Sumadyuti() with { ParentId = null }).ShouldContain("not both and not neither");
        Bad(Sumadyuti() with { ParentId = null, Melakarta = 73 }).ShouldContain("1 to 72");
        Bad(Sumadyuti() with { Arohanam = " " }).ShouldContain("arohanam is missing");
        Bad(new NewEntity("tala", "x", "X")).ShouldContain("aksharas");
        Bad(new NewEntity("tala", "x", "X") { Aksharas = 8, Jati = "Pancha" }).ShouldContain("Unknown jati 'Pancha'");
        Bad(new NewEntity("composer", "x", "X") { Melakarta = 3 }).ShouldContain("for ragas only");
        Bad(new NewEntity("deity", "x", "X") { Aksharas = 3 }).ShouldContain("for talas only");
        Bad(new NewEntity("ragam", "x", "X")).ShouldContain("Unknown kind");
    }

    [Fact]
    public void Scales_are_read_leniently_as_ragas_csv_writes_them()
    {
        Curation.Scale("arohanam", "s r2  g3 p d2 s").ShouldBe("S R2 G3 P D2 S");
        Curation.Scale("arohanam", "N2 S G2 M1 P N2 S").ShouldBe("N2 S G2 M1 P N2 S");
        Curation.Scale("arohanam", "S G3 M1 D2 N2 SS (rare: n3)").ShouldBe("S G3 M1 D2 N2 SS (rare: n3)");
        Curation.Scale("arohanam", "Ṇ3 S R1 G̣2").ShouldBe("Ṇ3 S R1 G̣2");
        Should.Throw<ArgumentException>(() => Curation.Scale("arohanam", "Sa Ri Ga")).Message.ShouldContain("'Sa', which is no swara");
        Should.Throw<ArgumentException>(() => Curation.Scale("avarohanam", "S4 R2")).Message.ShouldContain("no swara");
        Should.Throw<ArgumentException>(() => Curation.Scale("avarohanam", "S")).Message.ShouldContain("fewer than two swaras");
    }

    static IEnumerable<RagaRow> Rows(RagaCatalog catalog) =>
        catalog.All.Select(r => new RagaRow(r.Name, r.Melakarta, r.ParentName, r.Arohanam, r.Avarohanam));
}
