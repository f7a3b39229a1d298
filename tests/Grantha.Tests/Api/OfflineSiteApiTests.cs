using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.Tests.Fetch;

namespace Grantha.Tests.Api;

/// <summary>Issue #10 items 1 (host maps from the API), 12c (politeness off from the API) and 10 (/metrics).</summary>
public class OfflineSiteApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Batches = BulkImportApiTests.Batches;
    const string Host = "thyagaraja-vaibhavam.blogspot.com";

    static async Task<int> BatchCountAsync(ApiFixture f) => (await Batches_(f)).Count;
    static Task<IReadOnlyList<BatchRow>> Batches_(ApiFixture f) => global::Grantha.Engine.Batches.ListAsync(f.Store.Db, null, 100, Ct);

    static object Body(object? hostMap, bool? allow = true, bool? politeness = null) =>
        new { paths = new[] { "m.csv" }, allowOfflineSite = allow, hostMap, politeness };

    static async Task<(HttpStatusCode Status, JsonElement Problem)> PostAsync(HttpClient c, object body)
    {
        var r = await c.PostAsJsonAsync(Batches, body, Ct);
        return (r.StatusCode, r.StatusCode == HttpStatusCode.Created ? default : await r.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Host_maps_are_refused_unless_the_server_allows_them_and_only_admins_may_send_one(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        File.WriteAllText(Path.Combine(f.ImportDir, "m.csv"), BulkImportApiTests.Csv);
        var admin = f.Client(Role.Admin);
        var op = f.Client(Role.Operator);
        var internalServer = new Dictionary<string, string?> { [Host] = "http://127.0.0.1:5432" };

        // A server started without --offline-site maps nothing, for anyone.
        var (status, problem) = await PostAsync(admin, Body(internalServer));
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("field").GetString().ShouldBe("allowOfflineSite");
        problem.GetProperty("detail").GetString()!.ShouldContain("--offline-site");
        (await PostAsync(op, Body(internalServer))).Status.ShouldBe(HttpStatusCode.Forbidden);

        // Started with an allow-list: only its servers, only for admins, each refusal naming its field.
        f.App.Services.GetRequiredService<OfflineSites>().Allow(["http://127.0.0.1:5081"]);
        foreach (var target in new[] { "http://127.0.0.1:5432", "http://[::1]:5081", "http://localhost:5081", "https://127.0.0.1:5081", null, "", "/relative", "ftp://127.0.0.1:5081", "http://user@127.0.0.1:5081" })
        {
            (status, problem) = await PostAsync(admin, Body(new Dictionary<string, string?> { [Host] = target }));
            status.ShouldBe(HttpStatusCode.BadRequest, target ?? "null");
            problem.GetProperty("field").GetString().ShouldBe($"hostMap.{Host}", target);
            problem.GetProperty("detail").GetString()!.ShouldNotContain("5432");
        }
        (status, problem) = await PostAsync(admin, new { paths = new[] { "m.csv" }, hostMap = new Dictionary<string, string> { [Host] = "http://127.0.0.1:5081" } });
        (status, problem.GetProperty("field").GetString()).ShouldBe((HttpStatusCode.BadRequest, "allowOfflineSite"));
        var allowed = new Dictionary<string, string?> { [Host] = "http://127.0.0.1:5081" };
        (await PostAsync(op, Body(allowed))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(op, Body(null, allow: true))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await BatchCountAsync(f)).ShouldBe(0);

        (await PostAsync(admin, Body(allowed))).Status.ShouldBe(HttpStatusCode.Created);
        (await PostAsync(op, Body(null, allow: null))).Status.ShouldBe(HttpStatusCode.Created);
        (await BatchCountAsync(f)).ShouldBe(2);
    }

    /// <summary>Politeness off is for loopback benchmarks: refused unless every host of the batch is mapped onto the offline site.</summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Politeness_off_is_refused_unless_every_host_is_mapped_onto_the_offline_site(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        File.WriteAllText(Path.Combine(f.ImportDir, "m.csv"), BulkImportApiTests.Csv);
        var admin = f.Client(Role.Admin);

        var (status, problem) = await PostAsync(f.Client(Role.Operator), Body(null, allow: null, politeness: false));
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("field").GetString().ShouldBe("politeness");
        problem.GetProperty("detail").GetString()!.ShouldContain(Host);
        var upload = ApiFixture.Upload("m.csv", BulkImportApiTests.Csv);
        upload.Add(new StringContent("false"), "politeness");
        (await f.Client(Role.Operator).PostAsync(Batches, upload, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        f.App.Services.GetRequiredService<OfflineSites>().Allow(["http://127.0.0.1:5081"]);
        var other = new Dictionary<string, string?> { ["guru-guha.blogspot.com"] = "http://127.0.0.1:5081" };
        (status, problem) = await PostAsync(admin, Body(other, politeness: false));
        (status, problem.GetProperty("field").GetString()).ShouldBe((HttpStatusCode.BadRequest, "politeness"));
        (await BatchCountAsync(f)).ShouldBe(0);

        (await PostAsync(admin, Body(new Dictionary<string, string?> { [Host] = "http://127.0.0.1:5081" }, politeness: false))).Status.ShouldBe(HttpStatusCode.Created);
        (await PostAsync(admin, Body(null, allow: null, politeness: true))).Status.ShouldBe(HttpStatusCode.Created);
    }

    static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>/metrics on a port of its own: the API's port does not serve it, and the metrics port serves nothing else.</summary>
    [Fact]
    public async Task Metrics_can_be_served_on_a_port_of_their_own()
    {
        var port = FreePort();
        await using var f = await ApiFixture.StartAsync("sqlite", kestrel: true, metrics: new ApiHost.MetricsOptions { Port = port });
        var api = f.Client(Role.Admin);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        (await api.GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await scraper.GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        scraper.DefaultRequestHeaders.Add(ApiKeys.Header, f.Keys[Role.Admin]);
        (await scraper.GetAsync(Batches, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await scraper.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await api.GetAsync(Batches, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>/metrics behind a key: operator or admin.</summary>
    [Fact]
    public async Task Metrics_can_require_an_operator_key()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", metrics: new ApiHost.MetricsOptions { KeyRequired = true });
        (await f.Client(null).GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await f.Client(Role.Viewer).GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await f.Client(Role.Operator).GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await f.Client(Role.Admin).GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>After a fetch from a mapped host, /metrics names the manifest's host and no address of this machine's servers.</summary>
    [Fact]
    public async Task Metrics_name_the_manifest_host_and_no_mapped_address()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", kestrel: true);
        await using var site = await TestSite.StartAsync(app => app.MapGet("/p.html", () => Microsoft.AspNetCore.Http.Results.Content("<html><body>p</body></html>", "text/html")));
        using var handler = FetchTasks.Handler();
        (await handler.FetchAsync(FetchTasks.Context(f.Store.Db, site.Url("/p.html"), site.Batch()), Ct)).Status.ShouldBe(200);
        var api = f.Client(Role.Admin);
        (await api.GetAsync(Batches, Ct)).EnsureSuccessStatusCode();

        var text = await api.GetStringAsync("/metrics", Ct);

        text.ShouldContain($"host=\"{site.SourceHost}\"");
        text.ShouldNotContain($":{site.BaseUrl.Port}");
        text.ShouldNotContain($"\"{site.BaseUrl.Port}\"");
        text.ShouldNotContain("127.0.0.1");
    }
}
