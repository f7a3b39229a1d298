using Grantha.Engine;
using Grantha.Resolve;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Resolve;

/// <summary>De-duplication flags as the staged-import writer sets them, on both stores.</summary>
public class StagedImportsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static PageResolution Work(string title, string composer = "dikshitar", params string[] ragas) => new()
    {
        Title = title,
        TitleKey = title.Replace(" ", "").ToLowerInvariant(),
        ComposerId = composer,
        Ragas = (ragas.Length == 0 ? ["todi"] : ragas).Select(r => new EntityRef(r, r)).ToList(),
        Quality = 1,
    };

    static Task<StagedImportSaved> SaveAsync(Db db, long batch, string url, PageResolution p) =>
        StagedImports.SaveAsync(db, batch, null, url, 1, p, [], Ct);

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Copies_near_titles_and_earlier_batches_are_flagged_and_different_ragas_are_not(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var first = await EngineHarness.BatchWithTasksAsync(t.Db, 1, ResolveHandler.Name);
        var second = await EngineHarness.BatchWithTasksAsync(t.Db, 1, ResolveHandler.Name);

        var original = await SaveAsync(t.Db, first, "http://a.test/1", Work("kamalambike pahi"));
        original.Flags.ShouldBeEmpty();
        original.DuplicateOf.ShouldBeNull();

        // Same work on another page of the batch: a duplicate of the first, not merged.
        var copy = await SaveAsync(t.Db, first, "http://a.test/2", Work("kamalambike pahi"));
        copy.Id.ShouldNotBe(original.Id);
        copy.DuplicateOf.ShouldBe(original.Id);
        copy.Flags.ShouldHaveSingleItem().Kind.ShouldBe("duplicate");

        // A title two letters off, same composer and ragas: flagged near, not a duplicate.
        var near = await SaveAsync(t.Db, first, "http://a.test/3", Work("kamalambika pahi"));
        near.DuplicateOf.ShouldBeNull();
        near.Flags.Select(f => (f.Kind, f.OtherId)).ShouldBe([("near_duplicate", original.Id), ("near_duplicate", copy.Id)]);

        // Same title, another raga: another work, no flag at all.
        (await SaveAsync(t.Db, first, "http://a.test/4", Work("kamalambike pahi", "dikshitar", "kalyani"))).Flags.ShouldBeEmpty();
        // Another composer: no flag either.
        (await SaveAsync(t.Db, first, "http://a.test/5", Work("kamalambike pahi", "tyagaraja"))).Flags.ShouldBeEmpty();

        // The same work in a later batch: "in_catalog", pointing at the earliest import.
        var later = await SaveAsync(t.Db, second, "http://b.test/1", Work("kamalambike pahi"));
        later.DuplicateOf.ShouldBeNull();
        var flag = later.Flags.ShouldHaveSingleItem();
        (flag.Kind, flag.OtherId, flag.OtherBatchId).ShouldBe(("in_catalog", original.Id, first));
        (await FlagsAsync(t.Db, later.Id)).ShouldContain("in_catalog");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_rewrite_that_is_no_longer_a_copy_loses_its_flags(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 1, ResolveHandler.Name);
        var original = await SaveAsync(t.Db, batch, "http://a.test/1", Work("kamalambike pahi"));
        var copy = await SaveAsync(t.Db, batch, "http://a.test/2", Work("kamalambike pahi"));
        copy.DuplicateOf.ShouldBe(original.Id);
        (await FlagsAsync(t.Db, copy.Id)).ShouldContain("duplicate");

        // The page is resolved again (a retried task, a curator's choice) to another raga.
        var rewritten = await SaveAsync(t.Db, batch, "http://a.test/2", Work("kamalambike pahi", "dikshitar", "kalyani"));
        rewritten.Id.ShouldBe(copy.Id);
        rewritten.Flags.ShouldBeEmpty();
        (await FlagsAsync(t.Db, copy.Id)).ShouldBe("[]");
        (await t.Db.ReadAsync(c => Dapper.SqlMapper.ExecuteScalarAsync<long?>(c, "SELECT duplicate_of FROM staged_import WHERE id = @id", new { id = copy.Id }))).ShouldBeNull();
    }

    static Task<string> FlagsAsync(Db db, long id) =>
        db.ReadAsync(c => Dapper.SqlMapper.ExecuteScalarAsync<string>(c, "SELECT duplicate_flags FROM staged_import WHERE id = @id", new { id }))!;
}
