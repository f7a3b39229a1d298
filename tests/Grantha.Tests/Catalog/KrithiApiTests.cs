using Grantha.Reference;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grantha.Api;
using Grantha.Catalog;
using Grantha.Tests.Api;

namespace Grantha.Tests.Catalog;

public class KrithiApiTests
{
    const string Krithis = "/v1/admin/krithis";

    static async Task<ApiFixture> StartSeededAsync(string store)
    {
        Shared.Require();
        var f = await ApiFixture.StartAsync(store);
        await CatalogStore.SeedAsync(f.Store.Db);
        return f;
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Get_gives_the_krithi_with_its_version_as_etag_and_unknown_ids_are_404(string store)
    {
        await using var f = await StartSeededAsync(store);
        var created = await f.Store.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        await f.Store.WriteAsync((c, tx) => KrithiStore.ReviseAsync(f.Store.Db.Dialect, c, tx, created.Id, 1, KrithiSamples.Kamalambike() with { Notes = "edited" }, null, "bob", "notes"));
        var viewer = f.Client(Role.Viewer);

        var response = await viewer.GetAsync($"{Krithis}/{created.Id}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"2\"");
        var k = await response.Content.ReadFromJsonAsync<JsonElement>();
        k.GetProperty("version").GetInt64().ShouldBe(2);
        k.GetProperty("title").GetString().ShouldBe("kamalAmbikE pAhi");
        k.GetProperty("composer").GetProperty("name").GetString().ShouldBe("Muthuswami Dikshitar");
        k.GetProperty("ragas")[0].GetProperty("id").GetString().ShouldBe("hanumatodi");
        k.GetProperty("lyrics").EnumerateArray().Select(l => l.GetProperty("script").GetString()).ShouldBe(["latin", "devanagari"]);
        k.GetProperty("lyrics")[1].GetProperty("sections")[0].GetProperty("text").GetString().ShouldBe("कमलाम्बिके पाहि");
        k.GetProperty("sources")[0].GetProperty("url").GetString().ShouldBe(KrithiSamples.Page("kamalaambike").Url);
        k.GetProperty("revisions").EnumerateArray().Select(r => r.GetProperty("actor").GetString()).ShouldBe(["curator", "bob"]);
        k.GetProperty("revisions")[1].GetProperty("changes")[0].GetProperty("field").GetString().ShouldBe("notes");

        var missing = await viewer.GetAsync($"{Krithis}/{created.Id + 100}");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().ShouldBe($"Krithi {created.Id + 100} does not exist.");
        (await f.Client(null).GetAsync($"{Krithis}/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task List_filters_pages_with_a_cursor_and_counts_and_a_bad_query_is_400(string store)
    {
        await using var f = await StartSeededAsync(store);
        var a = await f.Store.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        var b = await f.Store.CreateAsync(KrithiSamples.Kamalambike() with { Title = "rAma nIvE gati", DisplayTitle = null, ComposerId = "tyagaraja" }, KrithiSamples.Page("rama"));
        var c = await f.Store.CreateAsync(KrithiSamples.Kamalambike() with { Title = "SrI guru guhAya", DisplayTitle = null, Ragas = [new KrithiRaga("kedaragowla")] }, KrithiSamples.Page("guru"));
        var viewer = f.Client(Role.Viewer);

        var page = await viewer.GetFromJsonAsync<JsonElement>($"{Krithis}?limit=2");
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ShouldBe([a.Id, b.Id]);
        page.GetProperty("count").GetInt64().ShouldBe(3);
        page.GetProperty("next").GetInt64().ShouldBe(b.Id);
        page.GetProperty("items")[0].GetProperty("sources")[0].GetString().ShouldBe(KrithiSamples.Page("kamalaambike").Url);
        var rest = await viewer.GetFromJsonAsync<JsonElement>($"{Krithis}?limit=2&after={b.Id}");
        rest.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ShouldBe([c.Id]);
        rest.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);

        var filtered = await viewer.GetFromJsonAsync<JsonElement>($"{Krithis}?raga=hanumatodi&composer=muthuswami-dikshitar&text=pAhi&status=active");
        filtered.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ShouldBe([a.Id]);
        filtered.GetProperty("count").GetInt64().ShouldBe(1);

        foreach (var bad in new[] { "?limit=0", "?limit=100000", "?status=deleted", "?after=abc" })
        {
            var r = await viewer.GetAsync(Krithis + bad);
            r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
            r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", bad);
        }
    }
}
