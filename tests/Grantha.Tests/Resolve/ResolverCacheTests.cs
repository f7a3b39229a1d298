using Grantha.Resolve;

namespace Grantha.Tests.Resolve;

/// <summary>One resolver set per process, rebuilt only when a curator changes aliases or synonyms.</summary>
public class ResolverCacheTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_set_is_built_once_seeding_included_and_again_after_a_curator_alias(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var cache = new ResolverCache();

        // A fresh database: the first use seeds the catalog; that does not count as a change.
        var first = await cache.GetAsync(t.Db, Ct);
        (await cache.GetAsync(t.Db, Ct)).ShouldBeSameAs(first);
        first.Resolve("raga", "huSani").Decision.ShouldNotBe(Decision.Matched);

        // A curator's alias (another process, as far as this cache knows): the next use sees it.
        var huseni = first.Ragas.Catalog.FindByName("Huseni")!;
        await ResolverStore.AddAliasAsync(t.Db, await ResolverStore.LoadAsync(t.Db, Ct), "raga", "huSani", huseni.Id, "curator", ct: Ct);
        var after = await cache.GetAsync(t.Db, Ct);
        after.ShouldNotBeSameAs(first);
        after.Resolve("raga", "huSani").Match!.Id.ShouldBe(huseni.Id);
        (await cache.GetAsync(t.Db, Ct)).ShouldBeSameAs(after);
    }
}
