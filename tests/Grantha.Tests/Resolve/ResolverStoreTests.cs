using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Resolve;

/// <summary>A curator's alias or synonym is stored in the reference catalog and every resolver set loaded afterwards has it.</summary>
public class ResolverStoreTests
{
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_curator_alias_is_stored_and_every_new_resolver_set_matches_it(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var set = await ResolverStore.LoadAsync(t.Db);
        set.Resolve("raga", "sumadyuti").Decision.ShouldNotBe(Decision.Matched);
        var huseni = set.Ragas.Catalog.FindByName("Huseni")!;
        await ResolverStore.AddAliasAsync(t.Db, set, "raga", "huSani", huseni.Id, "tester");
        set.Resolve("raga", "huSani").Match!.Id.ShouldBe(huseni.Id);

        var fresh = await ResolverStore.LoadAsync(t.Db);
        var r = fresh.Resolve("raga", "hu Sani");
        r.Decision.ShouldBe(Decision.Matched);
        r.Match!.Id.ShouldBe(huseni.Id);
        r.Candidates[0].Reason.ShouldBe(MatchReason.Alias);
        (await CatalogStore.AliasesAsync(t.Db)).Single().ChosenBy.ShouldBe("tester");
        await Should.ThrowAsync<ArgumentException>(() => ResolverStore.AddAliasAsync(t.Db, fresh, "raga", "x", "no-such-raga", "tester"));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Curators_extend_the_synonym_table_but_cannot_join_two_catalog_ragas(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var set = await ResolverStore.LoadAsync(t.Db);
        var kanada = set.Ragas.Catalog.FindByName("Kanadā")!;
        // Kannada is a raga of its own: a synonym may not make it Kanada.
        (await ResolverStore.AddSynonymAsync(t.Db, set, "raga", "Kannada", kanada.Id, null, "tester")).ShouldBeFalse();
        set.Resolve("raga", "Kannada").Match!.Id.ShouldNotBe(kanada.Id);

        var mohanam = set.Ragas.Catalog.FindByName("Mohanam")!;
        set.Resolve("raga", "Mohanakam").Decision.ShouldNotBe(Decision.Matched);
        (await ResolverStore.AddSynonymAsync(t.Db, set, "raga", "Mohanakam", mohanam.Id, "test", "tester")).ShouldBeTrue();
        var fresh = await ResolverStore.LoadAsync(t.Db);
        var r = fresh.Resolve("raga", "mOhanakaM");
        r.Match!.Id.ShouldBe(mohanam.Id);
        r.Candidates[0].Reason.ShouldBe(MatchReason.Synonym);
        (await CatalogStore.SynonymsAsync(t.Db, "raga")).ShouldContain(s => s.Source == "curator" && s.EntityId == mohanam.Id);
    }
}
