using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Manifest;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Api;

/// <summary>The dashboard served at / beside the API (#11), and the routes it reads that no other screen needed.</summary>
public sealed class DashboardTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Secret = "secret-outside-the-dashboard-folder";

    /// <summary>parent/secret.txt beside parent/web/ (the built folder: a fake index.html and one asset).</summary>
    readonly string parent = Path.Combine(Path.GetTempPath(), "grantha-dashboard", Guid.NewGuid().ToString("n"));

    string Root => Path.Combine(parent, "web");

    string Built()
    {
        Directory.CreateDirectory(Path.Combine(Root, "assets"));
        File.WriteAllText(Path.Combine(Root, "index.html"), "<!doctype html><title>fake dashboard</title><script type=module src=/assets/app.js></script>");
        File.WriteAllText(Path.Combine(Root, "assets", "app.js"), "console.log('app')");
        File.WriteAllText(Path.Combine(parent, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(parent, "web.txt"), Secret);
        return Root;
    }

    public void Dispose()
    {
        try { Directory.Delete(parent, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task Root_and_client_routes_serve_index_html_with_a_content_security_policy_and_files_are_served()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", dashboardRoot: Built());
        var c = f.Client(null);
        foreach (var path in new[] { "/", "/batches", "/batches/12", "/review/3?state=ready" })
        {
            var r = await c.GetAsync(path, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            r.Content.Headers.ContentType!.MediaType.ShouldBe("text/html", path);
            (await r.Content.ReadAsStringAsync(Ct)).ShouldContain("fake dashboard", customMessage: path);
            var csp = r.Headers.GetValues("Content-Security-Policy").Single();
            csp.ShouldContain("script-src 'self'");
            csp.ShouldNotContain("unsafe-inline");
        }
        var js = await c.GetAsync("/assets/app.js", Ct);
        js.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await js.Content.ReadAsStringAsync(Ct)).ShouldContain("console.log");
        js.Headers.GetValues("Cache-Control").Single().ShouldContain("immutable");
        // A missing asset is a 404, not the page (a browser would run HTML as a script otherwise).
        (await c.GetAsync("/assets/missing.js", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Scalar stays where it was.
        (await c.GetAsync("/scalar/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Server_paths_that_do_not_exist_stay_problem_details_and_the_api_still_needs_its_key()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", dashboardRoot: Built());
        var c = f.Client(null);
        foreach (var path in new[] { "/v1/admin/nothing", "/v1/nothing/at/all", "/health/nothing", "/openapi/nothing", "/scalar/nothing/deeper" })
        {
            var r = await c.GetAsync(path, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", path);
            (await r.Content.ReadAsStringAsync(Ct)).ShouldNotContain("fake dashboard");
        }
        (await c.GetAsync(BulkImportApiTests.Batches, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // A wrong method on an API route is still a 405, not the page.
        (await f.Client(Role.Admin).PostAsync($"{BulkImportApiTests.Batches}/1/jobs", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Without_a_build_the_root_says_how_to_build_the_dashboard_and_the_api_works()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", dashboardRoot: Path.Combine(parent, "not-built"));
        var c = f.Client(null);
        foreach (var path in new[] { "/", "/batches/3" })
        {
            var r = await c.GetAsync(path, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.OK);
            var html = await r.Content.ReadAsStringAsync(Ct);
            html.ShouldContain("dashboard is not built");
            html.ShouldContain("./grantha");
            html.ShouldContain("Node");
            html.ShouldNotContain(parent); // no server path in a page
        }
        (await c.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await f.Client(Role.Viewer).GetAsync(BulkImportApiTests.Batches, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Sent byte for byte on a socket: an HTTP client would normalise the dots before they reach the server.</summary>
    [Fact]
    public async Task Path_traversal_never_leaves_the_built_folder()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", kestrel: true, dashboardRoot: Built());
        string[] targets =
        [
            "/..%2fsecret.txt", "/..%2f..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/assets/..%2f..%2fsecret.txt",
            "/assets/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/assets/..%5c..%5csecret.txt", "/../secret.txt", "/assets/../../secret.txt",
            "/%252e%252e/secret.txt", "/..%2f..%2fweb.txt", "/.%2e/secret.txt",
        ];
        foreach (var target in targets)
        {
            var (status, body) = await RawGetAsync(f.KestrelAddress!, target);
            body.ShouldNotContain(Secret, customMessage: target);
            // Either nothing (400/404) or the dashboard's own page for a client route: never a file from outside.
            if (status == 200) body.ShouldContain("fake dashboard", customMessage: target);
            else status.ShouldBeOneOf([400, 404], target);
        }
    }

    static async Task<(int Status, string Body)> RawGetAsync(Uri server, string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, Ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync(Ct);
        var status = int.Parse(answer.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, answer);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Whoami_tells_a_key_its_role_and_never_its_name(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        (await f.Client(null).GetAsync("/v1/admin/whoami", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        foreach (var role in Enum.GetValues<Role>())
        {
            var text = await f.Client(role).GetStringAsync("/v1/admin/whoami", Ct);
            JsonDocument.Parse(text).RootElement.GetProperty("role").GetString().ShouldBe(role.ToString().ToLowerInvariant());
            text.ShouldNotContain("name", Case.Insensitive);
        }
        var named = await ApiKeys.CreateAsync(f.Store.Db, "alice-laptop", Role.Curator);
        var answer = await f.ClientWithKey(named).GetStringAsync("/v1/admin/whoami", Ct);
        answer.ShouldNotContain("alice");
    }

    const string TwoHosts = "Krithi,Raga,Hyperlink\n" +
                            "a,kalyani,http://one.example.org/a.html\nb,kalyani,http://one.example.org/b.html\nc,kalyani,http://one.example.org/c.html\n" +
                            "d,todi,http://two.example.org/d.html\n";

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Error_groups_count_failed_and_blocked_tasks_by_code_and_host_and_the_list_carries_progress(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var b = BulkImportApiTests.Batches;
        var id = (await (await f.Client(Role.Operator).PostAsync(b, ApiFixture.Upload("m.csv", TwoHosts), Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct))
            .GetProperty("batchId").GetInt64();
        await EngineHarness.RunUntilAsync(f.Store.Db, async () => (await Batches.CountsAsync(f.Store.Db, id)).GetValueOrDefault(ManifestHandler.Name)?.GetValueOrDefault(TaskState.Succeeded) == 1,
            [new ManifestHandler(), new global::Grantha.Fetch.FetchHandler()], options: EngineHarness.FastWorker with { Stages = [ManifestHandler.Name] });
        // Outcomes written as the engine would leave them: two 404s and a robots refusal on one host, a timeout on the other.
        await f.Store.Db.WriteAsync((c, tx) => c.ExecuteAsync("""
            UPDATE stage_task SET state = CASE WHEN subject LIKE '%c.html' THEN 'BLOCKED' ELSE 'FAILED' END,
              error_code = CASE WHEN subject LIKE '%c.html' THEN 'robots_disallowed' WHEN subject LIKE '%d.html' THEN 'timeout' ELSE 'http_404' END,
              error_message = 'x', finished_at = 1
            WHERE batch_id = @id AND stage = 'FETCH'
            """, new { id }, tx));

        var groups = (await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>($"{b}/{id}/errors", Ct)).EnumerateArray()
            .Select(g => (g.GetProperty("stage").GetString(), g.GetProperty("state").GetString(), g.GetProperty("code").GetString(), g.GetProperty("host").GetString(), g.GetProperty("count").GetInt64()))
            .ToList();
        groups.ShouldBe([
            ("FETCH", "FAILED", "http_404", "one.example.org", 2L),
            ("FETCH", "BLOCKED", "robots_disallowed", "one.example.org", 1L),
            ("FETCH", "FAILED", "timeout", "two.example.org", 1L),
        ]);
        // Each group is a filter of the task list: the drill-down finds exactly its tasks.
        var tasks = await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>($"{b}/{id}/tasks?stage=FETCH&state=FAILED&code=http_404&host=one.example.org", Ct);
        tasks.GetProperty("items").GetArrayLength().ShouldBe(2);
        (await f.Client(Role.Viewer).GetAsync($"{b}/999999/errors", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var list = await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>(b, Ct);
        var item = list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetInt64() == id);
        item.GetProperty("createdBy").GetString().ShouldBe("api:Operator");
        var counts = item.GetProperty("counts");
        counts.GetProperty("MANIFEST").GetProperty("SUCCEEDED").GetInt64().ShouldBe(1);
        counts.GetProperty("FETCH").GetProperty("FAILED").GetInt64().ShouldBe(3);
        counts.GetProperty("FETCH").GetProperty("BLOCKED").GetInt64().ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_upload_carries_a_host_map_as_form_fields_checked_as_json_ones_are(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        const string host = "thyagaraja-vaibhavam.blogspot.com";
        MultipartFormDataContent Form(params string[] map)
        {
            var form = ApiFixture.Upload("m.csv", BulkImportApiTests.Csv);
            form.Add(new StringContent("true"), "allowOfflineSite");
            foreach (var m in map) form.Add(new StringContent(m), "hostMap");
            return form;
        }
        var b = BulkImportApiTests.Batches;
        // Nothing allowed by this process yet: refused, naming the field.
        var refused = await f.Client(Role.Admin).PostAsync(b, Form($"{host}=http://127.0.0.1:5081"), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("field").GetString().ShouldBe("allowOfflineSite");

        f.App.Services.GetRequiredService<global::Grantha.Fetch.OfflineSites>().Allow(["http://127.0.0.1:5081"]);
        (await f.Client(Role.Operator).PostAsync(b, Form($"{host}=http://127.0.0.1:5081"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        foreach (var (entry, field) in new[] { ("no-equals-sign", "hostMap"), ("=http://127.0.0.1:5081", "hostMap"), ($"{host}=http://127.0.0.1:5432", $"hostMap.{host}") })
        {
            var r = await f.Client(Role.Admin).PostAsync(b, Form(entry), Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, entry);
            var problem = await r.Content.ReadFromJsonAsync<JsonElement>(Ct);
            problem.GetProperty("field").GetString().ShouldBe(field, entry);
            problem.GetProperty("detail").GetString()!.ShouldNotContain("5432");
        }
        var created = await f.Client(Role.Admin).PostAsync(b, Form($"{host}=http://127.0.0.1:5081"), Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();
        var options = BatchOptions.FromJson((await Batches.GetAsync(f.Store.Db, id, Ct))!.Options);
        options.AllowOfflineSite.ShouldBeTrue();
        options.HostMap[host].ShouldBe("http://127.0.0.1:5081");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Throughput_counts_finished_tasks_per_time_bucket_by_stage_or_by_host(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var b = BulkImportApiTests.Batches;
        var id = (await (await f.Client(Role.Operator).PostAsync(b, ApiFixture.Upload("m.csv", TwoHosts), Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct))
            .GetProperty("batchId").GetInt64();
        await EngineHarness.RunUntilAsync(f.Store.Db, async () => (await Batches.CountsAsync(f.Store.Db, id)).GetValueOrDefault(ManifestHandler.Name)?.GetValueOrDefault(TaskState.Succeeded) == 1,
            [new ManifestHandler(), new global::Grantha.Fetch.FetchHandler()], options: EngineHarness.FastWorker with { Stages = [ManifestHandler.Name] });
        await f.Store.Db.WriteAsync((c, tx) => c.ExecuteAsync("""
            UPDATE stage_task SET
              state = CASE WHEN subject LIKE '%c.html' THEN 'BLOCKED' ELSE 'SUCCEEDED' END,
              finished_at = CASE WHEN subject LIKE '%a.html' THEN 1000 WHEN subject LIKE '%b.html' THEN 9999 WHEN subject LIKE '%c.html' THEN 12000 ELSE 25000 END
            WHERE batch_id = @id AND stage = 'FETCH'
            """, new { id }, tx));
        var viewer = f.Client(Role.Viewer);
        static List<(long, string, long)> Points(JsonElement e) =>
            e.EnumerateArray().Select(p => (p.GetProperty("at").GetInt64(), p.GetProperty("key").GetString()!, p.GetProperty("count").GetInt64())).ToList();

        var byStage = Points(await viewer.GetFromJsonAsync<JsonElement>($"{b}/{id}/throughput?bucket=10", Ct));
        byStage.Where(p => p.Item2 == "FETCH").ShouldBe([(0L, "FETCH", 2L), (10_000L, "FETCH", 1L), (20_000L, "FETCH", 1L)]);
        byStage.Single(p => p.Item2 == "MANIFEST").Item3.ShouldBe(1);
        Points(await viewer.GetFromJsonAsync<JsonElement>($"{b}/{id}/throughput?bucket=10&by=host", Ct))
            .ShouldBe([(0L, "one.example.org", 2L), (10_000L, "one.example.org", 1L), (20_000L, "two.example.org", 1L)]);
        foreach (var bad in new[] { "bucket=0", "bucket=86401", "by=worker" })
            (await viewer.GetAsync($"{b}/{id}/throughput?{bad}", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
    }
}
