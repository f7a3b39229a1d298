using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.OfflineSite;
using Grantha.Reference;
using Grantha.Resolve;
using Grantha.Tests.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grantha.Tests.Resolve;

/// <summary>ResolveApi mapped into a bulk-import route group on an in-memory server, over a resolved batch.</summary>
public class ResolveApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Base = "/v1/admin/bulk-import";
    const string UnknownUrl = "http://guru-guha.blogspot.com/2008/10/dikshitar-kriti-sri-sumadyuti.html";

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Summary_staged_imports_choice_and_ad_hoc_resolution(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        await CatalogStore.SeedAsync(t.Db, ct: Ct);
        IReadOnlyList<SourceRow> rows = [.. SiteManifest.BuiltInSample.Take(3), new("SrI sumadyutE", "sumadyuti", UnknownUrl)];
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = rows }, Ct);
        var csv = "Krithi,Raga,Hyperlink\r\n" + string.Concat(rows.Select(r => $"\"{r.Krithi}\",\"{r.Raga}\",{r.Url}\r\n"));
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var batch = await Batches.CreateAsync(t.Db, "api", options, "test", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name], (c, tx, id) =>
            ManifestHandler.AddFileAsync(t.Db, c, tx, id, "api.csv", Encoding.UTF8.GetBytes(csv), Db.NowMs()), Ct);
        using var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);
        StageHandler[] handlers = [new ManifestHandler(), fetch, new ExtractHandler(), new ResolveHandler()];
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, handlers, TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(t.Db);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<Problems>();
        await using var app = builder.Build();
        app.UseExceptionHandler();
        ResolveApi.Map(app.MapGroup(Base));
        await app.StartAsync(Ct);
        HttpClient Client(Role role)
        {
            var c = app.GetTestClient();
            c.DefaultRequestHeaders.Add(ApiKeys.Header, ApiKeys.CreateAsync(t.Db, role.ToString() + Guid.NewGuid().ToString("n")[..6], role).GetAwaiter().GetResult());
            return c;
        }
        var viewer = Client(Role.Viewer);
        var curator = Client(Role.Curator);

        (await app.GetTestClient().GetAsync($"{Base}/batches/{batch}/resolution", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var summary = await viewer.GetFromJsonAsync<JsonElement>($"{Base}/batches/{batch}/resolution", Ct);
        summary.GetProperty("pages").GetInt64().ShouldBe(4);
        summary.GetProperty("needsReview").GetInt64().ShouldBe(1);
        var review = summary.GetProperty("review").EnumerateArray().Single();
        review.GetProperty("kind").GetString().ShouldBe("raga");
        review.GetProperty("name").GetString().ShouldBe("sumadyuti");
        review.GetProperty("rows").GetInt64().ShouldBe(1);
        review.GetProperty("candidates").GetArrayLength().ShouldBeGreaterThan(0);
        (await viewer.GetAsync($"{Base}/batches/999999/resolution", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var staged = await viewer.GetFromJsonAsync<JsonElement>($"{Base}/batches/{batch}/staged-imports?status=needs_review", Ct);
        var item = staged.GetProperty("items").EnumerateArray().Single();
        item.GetProperty("url").GetString().ShouldBe(UnknownUrl);
        item.GetProperty("qualityReasons").EnumerateArray().ShouldContain(r => r.GetProperty("code").GetString() == "needs_review");

        var body = new { kind = "raga", name = "sumadyuti", entityId = "sharadhyuthi" };
        (await viewer.PostAsJsonAsync($"{Base}/batches/{batch}/resolution/choose", body, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await curator.PostAsJsonAsync($"{Base}/batches/{batch}/resolution/choose", body with { entityId = "no-such-raga" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var chose = await curator.PostAsJsonAsync($"{Base}/batches/{batch}/resolution/choose", body, Ct);
        chose.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await chose.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasksRequeued").GetInt64().ShouldBe(1);
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, handlers, TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        (await viewer.GetFromJsonAsync<JsonElement>($"{Base}/batches/{batch}/resolution", Ct)).GetProperty("needsReview").GetInt64().ShouldBe(0);

        var adHoc = await viewer.GetFromJsonAsync<JsonElement>($"{Base}/resolve/raga?name=sumadyuti", Ct);
        adHoc.GetProperty("decision").GetString().ShouldBe("matched");
        adHoc.GetProperty("match").GetProperty("id").GetString().ShouldBe("sharadhyuthi");
        adHoc.GetProperty("candidates")[0].GetProperty("reason").GetString().ShouldBe("alias");
    }
}
