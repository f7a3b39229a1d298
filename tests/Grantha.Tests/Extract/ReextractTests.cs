using Grantha.Fetch;
using Grantha.Manifest;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Tests.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grantha.Tests.Extract;

/// <summary>Re-extraction in place, the batch summary, the paged list, and their API; on both stores.</summary>
public class ReextractTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Host = "http://thyagaraja-vaibhavam.blogspot.com";

    static byte[] Page(string body) => Encoding.UTF8.GetBytes(TestPages.Blogger(body));

    /// <summary>A batch with three extracted pages: two clean kritis and one with no tala.</summary>
    static async Task<(long Batch, Dictionary<string, long> Ids)> ExtractedBatchAsync(Db db)
    {
        var batch = await ExtractStageTests.BatchAsync(db, ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name);
        var pages = new Dictionary<string, byte[]>
        {
            [$"{Host}/2008/01/rama.html"] = Page(TestPages.SimpleKritiBody),
            [$"{Host}/2008/02/rama-2.html"] = Page(TestPages.SimpleKritiBody.Replace("rAma rAma-tODi", "rAma rAma-kalyANi").Replace("rAga tODi", "rAga kalyANi")),
            [$"{Host}/2008/03/no-tala.html"] = Page(TestPages.SimpleKritiBody.Replace(" (tALa Adi)", "")),
        };
        var ids = new Dictionary<string, long>();
        foreach (var (url, body) in pages)
        {
            var evidence = await ExtractStageTests.StorePageAsync(db, batch, url, body);
            var done = await new ExtractHandler().HandleAsync(ExtractStageTests.Context(db, batch, url, evidence), Ct);
            ids[url] = JsonSerializer.Deserialize<ExtractHandler.Result>(done.ResultJson!, EngineJson.Options)!.ExtractionId;
        }
        return (batch, ids);
    }

    /// <summary>Pretends an older extractor made the row (as a deployed older build would have): its version and its tala differ.</summary>
    static async Task AgeAsync(Db db, long id, string version = "0.9.0")
    {
        var page = (await ExtractionStore.GetAsync(db, id, Ct))!.Page! with { ExtractorVersion = version, Tala = "stale" };
        var record = ExtractionStore.Serialize(page);
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE extraction SET extractor_version = @version, record = @record, tala = 'stale', updated_at = 1 WHERE id = @id",
            new { version, record, id }, tx), Ct);
    }

    static Task<(string Version, string? Tala, long UpdatedAt)> RowAsync(Db db, long id) =>
        db.ReadAsync(c => c.QuerySingleAsync<(string, string?, long)>("SELECT extractor_version, tala, updated_at FROM extraction WHERE id = @id", new { id }));

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Reextraction_updates_the_filtered_rows_in_place_with_the_new_version(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var (batch, ids) = await ExtractedBatchAsync(t.Db);
        foreach (var id in ids.Values) await AgeAsync(t.Db, id);
        var target = ids[$"{Host}/2008/02/rama-2.html"];

        var r = await ExtractQueries.ReextractAsync(t.Db, batch, new ExtractQueries.Filter { UrlContains = "rama-2", OlderVersion = true }, "test", Ct);

        r.Matched.ShouldBe(1);
        r.Updated.ShouldBe(1);
        r.Failed.ShouldBe(0);
        r.Changed.ShouldBe(1); // the old record said tala "stale"
        r.ExtractorVersion.ShouldBe(Extractor.Version);
        var after = await RowAsync(t.Db, target);
        after.Version.ShouldBe(Extractor.Version);
        after.Tala.ShouldBe("Adi");
        after.UpdatedAt.ShouldBeGreaterThan(1);
        (await ExtractionStore.GetAsync(t.Db, target, Ct))!.Page!.Ragas.ShouldHaveSingleItem().Name.ShouldBe("kalyANi");
        // The others were not touched: same id, old version, old columns.
        foreach (var (url, id) in ids.Where(kv => kv.Value != target))
            (await RowAsync(t.Db, id)).ShouldBe(("0.9.0", "stale", 1L), url);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM extraction"))).ShouldBe(3);
        (await EngineHarness.EventCountAsync(t.Db, batch, "reextracted")).ShouldBe(1);

        // Older-only: the updated row is current now, so a second run picks the other two.
        var rest = await ExtractQueries.ReextractAsync(t.Db, batch, new ExtractQueries.Filter { OlderVersion = true }, "test", Ct);
        rest.Matched.ShouldBe(2);
        foreach (var id in ids.Values) (await RowAsync(t.Db, id)).Version.ShouldBe(Extractor.Version);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_warning_filter_picks_only_pages_with_that_warning(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var (batch, ids) = await ExtractedBatchAsync(t.Db);
        foreach (var id in ids.Values) await AgeAsync(t.Db, id);

        var r = await ExtractQueries.ReextractAsync(t.Db, batch, new ExtractQueries.Filter { Warning = Warnings.TalaMissing }, "test", Ct);

        r.Matched.ShouldBe(1);
        (await RowAsync(t.Db, ids[$"{Host}/2008/03/no-tala.html"])).Version.ShouldBe(Extractor.Version);
        (await RowAsync(t.Db, ids[$"{Host}/2008/01/rama.html"])).Version.ShouldBe("0.9.0");
        await Should.ThrowAsync<BatchNotFoundException>(() => ExtractQueries.ReextractAsync(t.Db, 999, new ExtractQueries.Filter(), "test", Ct));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_summary_counts_coverage_per_field_and_warnings_by_kind(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var (batch, _) = await ExtractedBatchAsync(t.Db);

        var s = await ExtractQueries.SummaryAsync(t.Db, batch, Ct);

        s.Pages.ShouldBe(3);
        s.Extracted.ShouldBe(3);
        s.Failed.ShouldBe(0);
        s.Coverage.Title.ShouldBe(3);
        s.Coverage.Raga.ShouldBe(3);
        s.Coverage.Tala.ShouldBe(2);
        s.Coverage.Composer.ShouldBe(3);
        s.Coverage.Deity.ShouldBe(3);
        s.Coverage.Kshetra.ShouldBe(0);
        s.Coverage.Gist.ShouldBe(3);
        s.Coverage.SixScripts.ShouldBe(0);
        s.Coverage.Scripts.ShouldBe(new Dictionary<string, long> { ["devanagari"] = 3, ["latin"] = 3, ["tamil"] = 3 });
        s.Warnings[Warnings.TalaMissing].ShouldBe(1);
        s.Warnings[Warnings.ProseTrimmed].ShouldBe(3);
        s.Versions.ShouldBe(new Dictionary<string, long> { [Extractor.Version] = 3 });
        s.MeanConfidence.ShouldNotBeNull().ShouldBeInRange(0.9, 1.0);

        var noTala = await ExtractQueries.ListAsync(t.Db, batch, new ExtractQueries.Filter { Warning = Warnings.TalaMissing }, 0, 10, Ct);
        noTala.ShouldHaveSingleItem().Url.ShouldEndWith("no-tala.html");
        var page1 = await ExtractQueries.ListAsync(t.Db, batch, new ExtractQueries.Filter(), 0, 2, Ct);
        page1.Count.ShouldBe(2);
        var page2 = await ExtractQueries.ListAsync(t.Db, batch, new ExtractQueries.Filter(), page1[^1].Id, 2, Ct);
        page2.ShouldHaveSingleItem();
        page2[0].Scripts.ShouldBe(["latin", "devanagari", "tamil"]);

        // The same extractor over the same pages: every row rewritten, none changed.
        var same = await ExtractQueries.ReextractAsync(t.Db, batch, new ExtractQueries.Filter(), "test", Ct);
        (same.Matched, same.Updated, same.Changed, same.Failed).ShouldBe((3, 3, 0, 0));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_api_serves_summary_pages_one_record_and_reextraction_by_role(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var (batch, ids) = await ExtractedBatchAsync(t.Db);
        foreach (var id in ids.Values) await AgeAsync(t.Db, id);
        var viewer = await ApiKeys.CreateAsync(t.Db, "viewer", Role.Viewer);
        var operatorKey = await ApiKeys.CreateAsync(t.Db, "operator", Role.Operator);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(t.Db);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<Problems>();
        await using var app = builder.Build();
        app.UseExceptionHandler();
        ExtractApi.Map(app.MapGroup("/v1/admin/bulk-import"));
        await app.StartAsync(Ct);
        HttpClient Client(string? key)
        {
            var c = app.GetTestClient();
            if (key is not null) c.DefaultRequestHeaders.Add(ApiKeys.Header, key);
            return c;
        }
        var api = "/v1/admin/bulk-import";

        (await Client(null).GetAsync($"{api}/batches/{batch}/extraction", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var summary = await Client(viewer).GetFromJsonAsync<JsonElement>($"{api}/batches/{batch}/extraction", Ct);
        summary.GetProperty("pages").GetInt64().ShouldBe(3);
        summary.GetProperty("coverage").GetProperty("tala").GetInt64().ShouldBe(3); // the aged rows say "stale"
        summary.GetProperty("versions").GetProperty("0.9.0").GetInt64().ShouldBe(3);
        (await Client(viewer).GetAsync($"{api}/batches/999/extraction", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var list = await Client(viewer).GetFromJsonAsync<JsonElement>($"{api}/batches/{batch}/extractions?limit=2&q=rama", Ct);
        list.GetProperty("items").GetArrayLength().ShouldBe(2);
        list.GetProperty("next").GetInt64().ShouldBe(ids[$"{Host}/2008/02/rama-2.html"]);
        (await Client(viewer).GetAsync($"{api}/batches/{batch}/extractions?limit=0", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var one = await Client(viewer).GetFromJsonAsync<JsonElement>($"{api}/extractions/{ids[$"{Host}/2008/01/rama.html"]}", Ct);
        one.GetProperty("record").GetProperty("title").GetString().ShouldBe("rAma rAma");
        one.GetProperty("record").GetProperty("lyrics").GetArrayLength().ShouldBe(3);
        (await Client(viewer).GetAsync($"{api}/extractions/987654", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await Client(viewer).PostAsJsonAsync($"{api}/batches/{batch}/reextract", new { older = true }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var done = await Client(operatorKey).PostAsJsonAsync($"{api}/batches/{batch}/reextract", new { url = "no-tala", older = true }, Ct);
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await done.Content.ReadFromJsonAsync<JsonElement>(Ct);
        result.GetProperty("matched").GetInt32().ShouldBe(1);
        result.GetProperty("extractorVersion").GetString().ShouldBe(Extractor.Version);
        var again = await Client(viewer).GetFromJsonAsync<JsonElement>($"{api}/batches/{batch}/extraction", Ct);
        again.GetProperty("versions").GetProperty(Extractor.Version).GetInt64().ShouldBe(1);
        again.GetProperty("coverage").GetProperty("tala").GetInt64().ShouldBe(2);
    }
}
