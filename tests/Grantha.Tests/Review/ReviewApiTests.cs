using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.OfflineSite;
using Grantha.Review;
using Grantha.Tests.Api;
using Grantha.Tests.Engine;
using Grantha.Tests.Resolve;

namespace Grantha.Tests.Review;

/// <summary>/v1/admin/review over HTTP: roles, If-Match and 409s, problem details, the inert stored page, bulk approval.</summary>
public class ReviewApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Review = "/v1/admin/review";

    static HttpRequestMessage Post(string path, object? body, string? ifMatch)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (ifMatch is not null) m.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return m;
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Roles_are_checked_before_the_body_is_read(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        HttpRequestMessage Malformed(string path)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{\"reason\": [", Encoding.UTF8, "application/json") };
            m.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            return m;
        }
        // A viewer's malformed body is refused for the role (it was a 400 from the body binding first).
        (await f.Client(Role.Viewer).SendAsync(Malformed($"{Review}/1/approve"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await f.Client(Role.Viewer).SendAsync(Malformed("/v1/admin/bulk-import/batches"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await f.Client(null).SendAsync(Malformed($"{Review}/bulk-approve"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // Without a key, bad JSON to the batch upload is a 401 (it was a 400: the body was parsed first).
        (await f.Client(null).SendAsync(Malformed("/v1/admin/bulk-import/batches"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var unknown = f.Client(null);
        unknown.DefaultRequestHeaders.Add(ApiKeys.Header, "gk_not-a-key");
        var refused = await unknown.SendAsync(Malformed($"{Review}/1/reject"), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString().ShouldBe("Unknown API key");
        // The same body from a curator reaches the route: a 400 that says what is wrong.
        (await f.Client(Role.Curator).SendAsync(Malformed($"{Review}/1/approve"), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Curators_act_with_the_version_they_read_viewers_cannot_and_the_page_is_served_inert(string store)
    {
        Shared.Require();
        await using var f = await ApiFixture.StartAsync(store);
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = ReviewWorkflowTests.Rows }, Ct);
        using var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);
        var batch = await ResolveStageTests.BatchAsync(f.Store.Db, site, ReviewWorkflowTests.Rows, "api");
        (await EngineHarness.RunUntilSettledAsync(f.Store.Db, batch, ReviewWorkflowTests.Handlers(fetch), TimeSpan.FromSeconds(90))).ShouldBe(BatchStatus.Completed);
        var viewer = f.Client(Role.Viewer);
        var curator = f.Client(Role.Curator);

        (await f.Client(null).GetAsync($"{Review}?batch={batch}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var list = await viewer.GetFromJsonAsync<JsonElement>($"{Review}?batch={batch}&state=needs_review", Ct);
        var blocked = list.GetProperty("items").EnumerateArray().Single();
        list.GetProperty("states").GetProperty("ready").GetInt64().ShouldBeGreaterThan(0);
        (await viewer.GetAsync($"{Review}?batch={batch}&state=nonsense", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await viewer.GetAsync($"{Review}?batch={batch}&ragaMin=high", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await viewer.GetAsync($"{Review}?after=%%%", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // The unresolved import: the detail lists what is missing with candidates; approving it is a 409 that says so.
        var id = blocked.GetProperty("id").GetInt64();
        var detail = await viewer.GetAsync($"{Review}/{id}", Ct);
        var etag = detail.Headers.ETag!.Tag;
        var d = await detail.Content.ReadFromJsonAsync<JsonElement>(Ct);
        d.GetProperty("missing")[0].GetProperty("candidates").GetArrayLength().ShouldBeGreaterThan(0);
        d.GetProperty("manifestRows").GetArrayLength().ShouldBe(1);
        var refused = await curator.SendAsync(Post($"{Review}/{id}/approve", null, etag), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("missing")[0].GetProperty("input").GetString().ShouldBe("sumadyuti");
        // The queue row carries the candidates, and the choice is made from it.
        blocked.GetProperty("missing")[0].GetProperty("candidates")[0].GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
        (await viewer.PostAsJsonAsync($"{Review}/{id}/choose", new { kind = "raga", name = "sumadyuti", entityId = "sharadhyuthi" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await curator.PostAsJsonAsync($"{Review}/{id}/choose", new { kind = "raga", name = "sumadyuti" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var chose = await curator.PostAsJsonAsync($"{Review}/{id}/choose", new { kind = "raga", name = "sumadyuti", entityId = "sharadhyuthi" }, Ct);
        chose.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await chose.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasksRequeued").GetInt64().ShouldBe(1);
        (await EngineHarness.RunUntilSettledAsync(f.Store.Db, batch, ReviewWorkflowTests.Handlers(fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
        (await viewer.GetFromJsonAsync<JsonElement>($"{Review}/{id}", Ct)).GetProperty("import").GetProperty("state").GetString().ShouldBe("ready");

        // A ready import: viewer 403 (before the body is looked at), no If-Match 428, stale 409, right version 200.
        var ready = (await viewer.GetFromJsonAsync<JsonElement>($"{Review}?batch={batch}&state=ready&noFlags=true&sort=-quality&limit=1", Ct)).GetProperty("items")[0];
        var readyId = ready.GetProperty("id").GetInt64();
        var version = ready.GetProperty("version").GetInt64();
        (await viewer.SendAsync(Post($"{Review}/{readyId}/approve", null, $"\"{version}\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await curator.SendAsync(Post($"{Review}/{readyId}/approve", null, null), Ct)).StatusCode.ShouldBe((HttpStatusCode)428);
        (await curator.SendAsync(Post($"{Review}/{readyId}/approve", null, "\"abc\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var stale = await curator.SendAsync(Post($"{Review}/{readyId}/approve", null, $"\"{version + 5}\""), Ct);
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await stale.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("currentVersion").GetInt64().ShouldBe(version);
        var bad = new HttpRequestMessage(HttpMethod.Post, $"{Review}/{readyId}/approve") { Content = new StringContent("{\"edits\": [", Encoding.UTF8, "application/json") };
        bad.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        (await curator.SendAsync(bad, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var unknownRaga = await curator.SendAsync(Post($"{Review}/{readyId}/approve", new { edits = new { ragaIds = new[] { "no-such-raga" } } }, $"\"{version}\""), Ct);
        unknownRaga.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "approval never creates a reference entity");
        var ok = await curator.SendAsync(Post($"{Review}/{readyId}/approve", new { reason = "looks right" }, $"W/\"{version}\""), Ct);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        ok.Headers.ETag!.Tag.ShouldBe($"\"{version + 1}\"");
        var outcome = await ok.Content.ReadFromJsonAsync<JsonElement>(Ct);
        outcome.GetProperty("state").GetString().ShouldBe("approved");
        var krithi = await viewer.GetFromJsonAsync<JsonElement>($"/v1/admin/krithis/{outcome.GetProperty("krithiId").GetInt64()}", Ct);
        krithi.GetProperty("sources")[0].GetProperty("approvedBy").GetString().ShouldBe("api:Curator");
        (await curator.SendAsync(Post($"{Review}/{readyId}/reject", new { reason = "" }, $"\"{version + 1}\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await curator.SendAsync(Post($"{Review}/999999/defer", null, "\"1\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The stored page: bytes as fetched, with a sandbox CSP that lets no script run and nothing load.
        var page = await viewer.GetAsync($"{Review}/{readyId}/page", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var csp = string.Join(" ", page.Headers.GetValues("Content-Security-Policy"));
        csp.ShouldContain("sandbox");
        csp.ShouldContain("default-src 'none'");
        page.Headers.GetValues("X-Content-Type-Options").ShouldContain("nosniff");
        // The reading view: the same page's text without what would run or load, under the same policy.
        var reading = await viewer.GetAsync($"{Review}/{readyId}/page?view=reading", Ct);
        reading.StatusCode.ShouldBe(HttpStatusCode.OK);
        string.Join(" ", reading.Headers.GetValues("Content-Security-Policy")).ShouldContain("sandbox");
        var text = await reading.Content.ReadAsStringAsync(Ct);
        text.ShouldNotContain("<script", Case.Insensitive);
        text.ShouldContain("<body", Case.Insensitive);
        (await viewer.GetAsync($"{Review}/{readyId}/page?view=raw", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // A task's stored page (the batch screen's task drawer): the FETCH task's page, the later stages' page of their URL.
        var tasks = (await f.Store.Db.ReadAsync(c => Dapper.SqlMapper.QueryAsync<(long Id, string Stage)>(c,
            "SELECT id, stage FROM stage_task WHERE batch_id = @batch AND state = 'SUCCEEDED' ORDER BY id", new { batch }), Ct)).ToList();
        foreach (var stage in new[] { "FETCH", "EXTRACT" })
        {
            var taskPage = await viewer.GetAsync($"/v1/admin/bulk-import/tasks/{tasks.First(t => t.Stage == stage).Id}/page?view=reading", Ct);
            taskPage.StatusCode.ShouldBe(HttpStatusCode.OK, stage);
            string.Join(" ", taskPage.Headers.GetValues("Content-Security-Policy")).ShouldContain("sandbox");
            (await taskPage.Content.ReadAsStringAsync(Ct)).ShouldNotContain("<script", Case.Insensitive);
        }
        var stored = await viewer.GetAsync($"/v1/admin/bulk-import/tasks/{tasks.First(t => t.Stage == "FETCH").Id}/page", Ct);
        (await stored.Content.ReadAsByteArrayAsync(Ct)).Length.ShouldBeGreaterThan(1000);
        var manifestTask = await viewer.GetAsync($"/v1/admin/bulk-import/tasks/{tasks.First(t => t.Stage == "MANIFEST").Id}/page", Ct);
        manifestTask.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await manifestTask.Content.ReadAsStringAsync(Ct)).ShouldContain("manifest file, not a page");
        (await viewer.GetAsync("/v1/admin/bulk-import/tasks/99999999/page", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await viewer.GetAsync($"/v1/admin/bulk-import/tasks/{tasks[0].Id}/page?view=raw", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await f.Client(null).GetAsync($"/v1/admin/bulk-import/tasks/{tasks[0].Id}/page", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // Curators review but do not run imports; operators do not delete.
        (await curator.PostAsync("/v1/admin/bulk-import/batches", ApiFixture.Upload("m.csv", "Krithi,Raga,Hyperlink\r\nx,y,http://a.test/x\r\n"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await f.Client(Role.Operator).DeleteAsync($"/v1/admin/bulk-import/batches/{batch}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // Bulk: the dry run first, then 202 with the approval batch.
        (await curator.PostAsJsonAsync($"{Review}/bulk-approve", new { }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await viewer.PostAsJsonAsync($"{Review}/bulk-approve", new { batch, dryRun = true }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var dry = await (await curator.PostAsJsonAsync($"{Review}/bulk-approve", new { batch, dryRun = true, policy = true }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        dry.GetProperty("criteria").GetString()!.ShouldContain("no flags");
        var wouldApprove = dry.GetProperty("wouldApprove").GetInt64();
        var start = await curator.PostAsJsonAsync($"{Review}/bulk-approve", new { batch, policy = true }, Ct);
        if (wouldApprove > 0)
        {
            start.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            var approvalBatch = (await start.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("approvalBatchId").GetInt64();
            (await EngineHarness.RunUntilSettledAsync(f.Store.Db, approvalBatch, ReviewWorkflowTests.Handlers(fetch), TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);
            var summary = await viewer.GetFromJsonAsync<JsonElement>($"{Review}/bulk-approve/{approvalBatch}", Ct);
            summary.GetProperty("approved").GetInt64().ShouldBe(wouldApprove);
        }
        else start.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
