using Grantha.Reference;
using Grantha.Catalog;
using Grantha.Engine;

namespace Grantha.Tests.Catalog;

/// <summary>A database with the reference catalog seeded, and krithi drafts that name its ids.</summary>
public static class KrithiSamples
{
    public static async Task<TestDb> SeededAsync(string store)
    {
        Shared.Require();
        var t = await TestDb.CreateAsync(store);
        await CatalogStore.SeedAsync(t.Db);
        return t;
    }

    public static KrithiSection Section(int position, string type, string text, int? number = null) => new(position, type, number, text);

    /// <summary>kamalAmbikE pAhi of Dikshitar, in Todi, with a Latin and a Devanagari lyric.</summary>
    public static KrithiDraft Kamalambike() => new()
    {
        Title = "kamalAmbikE pAhi",
        DisplayTitle = "Kamalambike Pahi",
        ComposerId = "muthuswami-dikshitar",
        Form = "kriti",
        TalaId = "chapu-misra",
        DeityId = "kamalamba",
        KshetraId = "tiruvarur",
        Ragas = [new KrithiRaga("hanumatodi")],
        Lyrics =
        [
            new KrithiLyric("latin", [Section(1, "pallavi", "kamalAmbikE pAhi"), Section(2, "charanam", "kamalAlaya vAsini", 1)]),
            new KrithiLyric("devanagari", [Section(1, "pallavi", "कमलाम्बिके पाहि"), Section(2, "charanam", "कमलालय वासिनि", 1)]),
        ],
        Gist = "O Kamalamba, protect me.",
    };

    public static KrithiSource Page(string slug, long? batchId = 1) =>
        new($"http://guru-guha.blogspot.com/{slug}.html", batchId, 10, 20, new string('a', 64));

    /// <summary>Runs <paramref name="write"/> in one write transaction, as the review workflow will.</summary>
    public static Task<T> WriteAsync<T>(this TestDb t, Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task<T>> write) =>
        t.Db.WriteAsync(write);

    public static Task<KrithiWriteResult> CreateAsync(this TestDb t, KrithiDraft draft, KrithiSource source, string actor = "curator", string reason = "approved") =>
        t.WriteAsync((c, tx) => KrithiStore.CreateAsync(t.Db.Dialect, c, tx, draft, source, actor, reason));

    public static Task<KrithiSnapshot?> LoadAsync(this TestDb t, long id) => t.Db.ReadAsync(c => KrithiStore.LoadAsync(c, null, id));
}
