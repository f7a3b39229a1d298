using Grantha.Manifest;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Api;

public class BulkImportApiTests
{
    internal const string Csv = "Krithi,Raga,Hyperlink\nvEnkaTESa,madhyamAvati,http://thyagaraja-vaibhavam.blogspot.com/2007/09/thyagaraja-kriti-venkatesa-raga.html\nbad row,,javascript:alert(1)\n";
    internal const string Batches = "/v1/admin/bulk-import/batches";

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Without_a_key_401_with_a_viewer_key_a_control_is_403(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        (await f.Client(null).GetAsync(Batches)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var bad = f.Client(null);
        bad.DefaultRequestHeaders.Add(ApiKeys.Header, "gk_nope");
        (await bad.GetAsync(Batches)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await f.Client(Role.Viewer).GetAsync(Batches)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var forbidden = await f.Client(Role.Viewer).PostAsync($"{Batches}/1/pause", null);
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forbidden.Content.ReadAsStringAsync()).ShouldContain("operator");
        (await f.Client(Role.Operator).DeleteAsync($"{Batches}/1")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await f.Client(Role.Viewer).PostAsync(Batches, ApiFixture.Upload("m.csv", Csv))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Upload_creates_a_batch_and_illegal_transitions_are_409(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var op = f.Client(Role.Operator);
        var created = await op.PostAsync(Batches, ApiFixture.Upload("m.csv", Csv));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetInt64();
        created.Headers.Location!.ToString().ShouldBe($"{Batches}/{id}");

        (await op.PostAsync($"{Batches}/{id}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var resume = await op.PostAsync($"{Batches}/{id}/resume", null);
        resume.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var problem = await resume.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("from").GetString().ShouldBe("CANCELLED");
        problem.GetProperty("detail").GetString()!.ShouldContain("resume");
        (await op.PostAsync($"{Batches}/{id}/pause", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await op.PostAsync($"{Batches}/9999/pause", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>($"{Batches}/{id}/events");
        events.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("actor").GetString()))
            .ShouldContain(("batch_cancelled", "api:Operator"));
        (await f.Client(Role.Admin).DeleteAsync($"{Batches}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await f.Client(Role.Viewer).GetAsync($"{Batches}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Manifest_rows_and_row_errors_are_visible_after_the_manifest_stage(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var id = (await (await f.Client(Role.Operator).PostAsync(Batches, ApiFixture.Upload("m.csv", Csv))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetInt64();
        // Run only the manifest stage here: fetching is tested in Fetch/.
        await EngineHarness.RunUntilAsync(f.Store.Db, async () => (await Grantha.Engine.Batches.CountsAsync(f.Store.Db, id)).GetValueOrDefault(ManifestHandler.Name)?.GetValueOrDefault(TaskState.Succeeded) == 1,
            [new global::Grantha.Manifest.ManifestHandler(), new global::Grantha.Fetch.FetchHandler()], options: EngineHarness.FastWorker with { Stages = [ManifestHandler.Name] });
        var viewer = f.Client(Role.Viewer);
        var detail = await viewer.GetFromJsonAsync<JsonElement>($"{Batches}/{id}");
        detail.GetProperty("manifest").GetProperty("rows").GetInt64().ShouldBe(2);
        detail.GetProperty("manifest").GetProperty("errors").GetInt64().ShouldBe(1);
        var errors = await viewer.GetFromJsonAsync<JsonElement>($"{Batches}/{id}/rows?errors=true");
        var row = errors.GetProperty("items").EnumerateArray().Single();
        row.GetProperty("errorCode").GetString().ShouldBe("unsupported_scheme");
        row.GetProperty("rowNumber").GetInt32().ShouldBeGreaterThan(1);
        var tasks = await viewer.GetFromJsonAsync<JsonElement>($"{Batches}/{id}/tasks?stage=FETCH");
        tasks.GetProperty("items").GetArrayLength().ShouldBe(1);
        (await viewer.GetAsync($"{Batches}/{id}/tasks?limit=100000")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Server_side_paths_outside_the_import_folder_are_refused(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        await File.WriteAllTextAsync(Path.Combine(f.ImportDir, "ok.csv"), Csv);
        var op = f.Client(Role.Operator);
        (await op.PostAsJsonAsync(Batches, new { paths = new[] { "ok.csv" } })).StatusCode.ShouldBe(HttpStatusCode.Created);
        foreach (var p in new[] { "../ok.csv", "/etc/passwd", "missing.csv", "sub/../../x.csv" })
        {
            var r = await op.PostAsJsonAsync(Batches, new { paths = new[] { p } });
            r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, p);
        }
    }

    [Fact]
    public async Task Health_metrics_and_openapi_answer_without_a_key()
    {
        await using var f = await ApiFixture.StartAsync("sqlite");
        var c = f.Client(null);
        (await c.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await c.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var openapi = await c.GetStringAsync("/openapi/v1.json");
        openapi.ShouldContain("/v1/admin/bulk-import/batches/{id}/retry");
        (await c.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
