using Dapper;
using Grantha.Reference;

namespace Grantha.Tests.Reference;

public class CatalogStoreTests
{
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Seed_writes_every_reference_entity_once_and_a_second_seed_changes_nothing(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var first = await CatalogStore.SeedAsync(t.Db);
        first.Changed.ShouldBeTrue();
        first.Ragas.ShouldBe(962);

        async Task<(long Ragas, long Melas, long Talas, long Composers, long Deities, long Kshetras, long Names, long Synonyms, long Updated)> Counts() =>
            await t.Db.ReadAsync(async c => (
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_raga"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_raga WHERE melakarta IS NOT NULL"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_tala"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_composer"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_deity"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_kshetra"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_name"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_synonym"),
                await c.ExecuteScalarAsync<long>("SELECT MAX(updated_at) FROM catalog_raga")));
        var before = await Counts();
        before.Ragas.ShouldBe(962);
        before.Melas.ShouldBe(72);
        before.Talas.ShouldBeGreaterThanOrEqualTo(35 + 4 + 2);
        before.Composers.ShouldBeGreaterThanOrEqualTo(3);
        before.Deities.ShouldBeGreaterThan(10);
        before.Kshetras.ShouldBeGreaterThan(10);
        before.Synonyms.ShouldBeGreaterThan(0);

        await Task.Delay(5);
        var second = await CatalogStore.SeedAsync(t.Db);
        second.Changed.ShouldBeFalse();
        (await Counts()).ShouldBe(before);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_new_database_is_seeded_once_on_first_use(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var catalog = RagaCatalog.LoadShared();
        (await CatalogStore.EnsureSeededAsync(t.Db, catalog)).ShouldBeTrue();
        (await CatalogStore.RagasAsync(t.Db)).Count.ShouldBe(catalog.All.Count);
        (await CatalogStore.EnsureSeededAsync(t.Db, catalog)).ShouldBeFalse();
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Listing_ragas_gives_melakarta_numbers_parents_and_scales(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogStore.SeedAsync(t.Db);
        var ragas = await CatalogStore.RagasAsync(t.Db);
        ragas.Count.ShouldBe(962);
        ragas.Select(r => r.MatchKey).ShouldBeUnique();
        var sankarabharanam = ragas.Single(r => r.Melakarta == 29);
        sankarabharanam.Name.ShouldBe("Dhīraśankarābharaṇam");
        var kedaragowla = ragas.Single(r => r.Name == "Kedāragowla");
        kedaragowla.ParentId.ShouldNotBeNull();
        ragas.Single(r => r.Id == kedaragowla.ParentId).Melakarta.ShouldBe(28);
        kedaragowla.Arohanam.ShouldNotBeNullOrWhiteSpace();
        kedaragowla.Avarohanam.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Match_keys_are_the_resolver_keys_and_unique_for_every_kind()
    {
        Shared.Require();
        var catalog = RagaCatalog.LoadShared();
        var keys = MatchKeys.ForRagas(catalog.All);
        keys.ShouldBeUnique();
        keys[catalog.All.ToList().FindIndex(r => r.Name == "Kedāragowla")].ShouldBe(NameKey.Of("kEdAra gauLa"));
        MatchKeys.ForNames("tala", TalaCatalog.All.Select(x => (x.Id, x.Name)).ToList()).ShouldBeUnique();
        MatchKeys.ForNames("composer", ComposerCatalog.All.Select(x => (x.Id, x.Name)).ToList()).ShouldBeUnique();
        MatchKeys.ForNames("deity", DeityCatalog.All.Select(x => (x.Id, x.Name)).ToList()).ShouldBeUnique();
        MatchKeys.ForNames("kshetra", KshetraCatalog.All.Select(x => (x.Id, x.Name)).ToList()).ShouldBeUnique();
        MatchKeys.Of("Brindāvana Sāranga{Hindustani}").ShouldBe(NameKey.Of("brindAvana sAranga") + "{hindustani}");
        Should.Throw<InvalidOperationException>(() => MatchKeys.ForNames("tala", [("a", "Adi"), ("b", "aadi")]));
    }
}
