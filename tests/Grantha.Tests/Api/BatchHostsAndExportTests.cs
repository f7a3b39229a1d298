using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Manifest;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Api;

/// <summary>The batch screen's hosts panel (GET .../hosts) and its task export (GET .../tasks/export), on both stores.</summary>
public class BatchHostsAndExportTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Batches = BulkImportApiTests.Batches;

    const string Csv = "Krithi,Raga,Hyperlink\n" +
                       "one,kalyani,http://a.example/1.html\n" +
                       "two,todi,http://a.example/2.html\n" +
                       "three,bhairavi,http://b.example/3.html\n";

    /// <summary>A batch whose manifest stage ran: three FETCH tasks, two on a.example and one on b.example.</summary>
    static async Task<(long Id, Dictionary<string, long> Tasks)> BatchAsync(ApiFixture f)
    {
        var created = await f.Client(Role.Operator).PostAsync(Batches, ApiFixture.Upload("m.csv", Csv), Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();
        await EngineHarness.RunUntilAsync(f.Store.Db, async () => (await Grantha.Engine.Batches.CountsAsync(f.Store.Db, id)).GetValueOrDefault(ManifestHandler.Name)?.GetValueOrDefault(TaskState.Succeeded) == 1,
            [new ManifestHandler(), new Grantha.Fetch.FetchHandler()], options: EngineHarness.FastWorker with { Stages = [ManifestHandler.Name] });
        var tasks = await f.Store.Db.ReadAsync(async c => (await c.QueryAsync<(long Id, string Subject)>(
            "SELECT id, subject FROM stage_task WHERE batch_id = @id AND stage = 'FETCH'", new { id })).ToDictionary(t => t.Subject, t => t.Id), Ct);
        tasks.Count.ShouldBe(3);
        return (id, tasks);
    }

    static Task SetAsync(ApiFixture f, string sql, object args) => f.Store.Db.WriteAsync((c, tx) => c.ExecuteAsync(sql, args, tx), Ct);

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Hosts_show_each_manifest_host_with_its_politeness_and_the_batch_fetch_tasks_by_state(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var (id, tasks) = await BatchAsync(f);
        var now = Db.NowMs();
        await SetAsync(f, "UPDATE stage_task SET state = 'FAILED', error_code = 'http_503' WHERE id = @id", new { id = tasks["http://a.example/1.html"] });
        await SetAsync(f, "UPDATE stage_task SET state = 'RETRY_WAIT' WHERE id = @id", new { id = tasks["http://a.example/2.html"] });
        await SetAsync(f, "UPDATE stage_task SET state = 'SUCCEEDED' WHERE id = @id", new { id = tasks["http://b.example/3.html"] });
        // a.example: slowed to 4.5 s by 503s, a Crawl-delay of 3 s, a Retry-After block a minute ahead, one live slot and one expired.
        await SetAsync(f, """
            INSERT INTO host_state (host, delay_ms, crawl_delay_ms, next_start_at, blocked_until, updated_at, last_stamp_at, last_sent_at)
            VALUES ('a.example', 4500, 3000, @next, @blocked, @now, @stamp, @sent)
            """, new { now, next = now + 2_000, blocked = now + 60_000, stamp = now - 500, sent = now - 490 });
        // b.example: a Retry-After block that has passed.
        await SetAsync(f, "INSERT INTO host_state (host, delay_ms, crawl_delay_ms, next_start_at, blocked_until, updated_at) VALUES ('b.example', 1000, 0, 0, @past, @now)",
            new { now, past = now - 5_000 });
        await SetAsync(f, "INSERT INTO host_state (host, delay_ms, crawl_delay_ms, next_start_at, blocked_until, updated_at) VALUES ('other.example', 9000, 0, 0, 0, @now)", new { now });
        foreach (var (host, expires) in new[] { ("a.example", now + 30_000), ("a.example", now - 1), ("other.example", now + 30_000) })
            await SetAsync(f, "INSERT INTO host_slot (host, holder, acquired_at, expires_at) VALUES (@host, 'w1', @now, @expires)", new { host, now, expires });

        var view = await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>($"{Batches}/{id}/hosts", Ct);
        var fetchJob = await f.Store.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT job_id FROM stage_task WHERE id = @id", new { id = tasks["http://b.example/3.html"] }), Ct);
        view.GetProperty("fetchJobId").GetInt64().ShouldBe(fetchJob);
        view.GetProperty("now").GetInt64().ShouldBeGreaterThanOrEqualTo(now);
        var hosts = view.GetProperty("hosts");
        hosts.EnumerateArray().Select(h => h.GetProperty("host").GetString()).ShouldBe(["a.example", "b.example"]);
        var a = hosts[0];
        a.GetProperty("delayNowMs").GetInt64().ShouldBe(4500);
        a.GetProperty("crawlDelayMs").GetInt64().ShouldBe(3000);
        a.GetProperty("inFlight").GetInt64().ShouldBe(1);
        a.GetProperty("blockedUntil").GetInt64().ShouldBe(now + 60_000);
        a.GetProperty("nextStartAt").GetInt64().ShouldBe(now + 2_000);
        a.GetProperty("lastRequestAt").GetInt64().ShouldBe(now - 490);
        var at = a.GetProperty("tasks");
        (at.GetProperty("failed").GetInt64(), at.GetProperty("retrying").GetInt64(), at.GetProperty("pending").GetInt64(), at.GetProperty("succeeded").GetInt64()).ShouldBe((1, 1, 0, 0));
        var b = hosts[1];
        b.GetProperty("blockedUntil").ValueKind.ShouldBe(JsonValueKind.Null);
        b.GetProperty("inFlight").GetInt64().ShouldBe(0);
        b.GetProperty("lastRequestAt").ValueKind.ShouldBe(JsonValueKind.Null);
        b.GetProperty("tasks").GetProperty("succeeded").GetInt64().ShouldBe(1);

        var missing = await f.Client(Role.Viewer).GetAsync($"{Batches}/9999/hosts", Ct);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        missing.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await f.Client(null).GetAsync($"{Batches}/{id}/hosts", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Task_export_streams_every_matching_task_with_formula_safe_cells(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var (id, tasks) = await BatchAsync(f);
        await SetAsync(f, "UPDATE stage_task SET state = 'FAILED', error_code = 'http_404', error_message = '=HYPERLINK(\"http://evil\")' WHERE id = @id",
            new { id = tasks["http://a.example/1.html"] });
        var viewer = f.Client(Role.Viewer);

        var all = await viewer.GetAsync($"{Batches}/{id}/tasks/export?format=csv", Ct);
        all.StatusCode.ShouldBe(HttpStatusCode.OK);
        all.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        all.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe($"batch-{id}-tasks.csv");
        var lines = (await all.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("id,stage,state,subject,host,");
        lines.Length.ShouldBe(1 + 4); // the MANIFEST task and the three FETCH tasks
        var failed = lines.Single(l => l.Contains("http://a.example/1.html"));
        failed.ShouldContain(",FAILED,");
        failed.ShouldContain("\"'=HYPERLINK(\"\"http://evil\"\")\"");

        var filtered = (await viewer.GetStringAsync($"{Batches}/{id}/tasks/export?format=csv&stage=FETCH&host=a.example", Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        filtered.Skip(1).Select(l => l.Split(',')[3]).Order().ShouldBe(["http://a.example/1.html", "http://a.example/2.html"]);
        var byCode = (await viewer.GetStringAsync($"{Batches}/{id}/tasks/export?code=http_404&state=FAILED", Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        byCode.Length.ShouldBe(2);

        var jsonl = await viewer.GetAsync($"{Batches}/{id}/tasks/export?format=jsonl&stage=FETCH&q=b.example", Ct);
        jsonl.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        var objects = (await jsonl.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        objects.Single().GetProperty("subject").GetString().ShouldBe("http://b.example/3.html");
        objects.Single().GetProperty("id").GetInt64().ShouldBe(tasks["http://b.example/3.html"]);

        var bad = await viewer.GetAsync($"{Batches}/{id}/tasks/export?format=xlsx", Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain("csv or jsonl");
        (await viewer.GetAsync($"{Batches}/9999/tasks/export", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await f.Client(null).GetAsync($"{Batches}/{id}/tasks/export", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
