using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grantha.Api;
using Grantha.Tests.Api;

namespace Grantha.Tests.Reference;

/// <summary>
/// /v1/admin/catalog on the real API host: the acceptance cases of issue #9 — a tie settled by a merge and a
/// missing raga added, each re-queueing the import blocked on it, which then resolves — the audit trail, the
/// refusals as problem details, and the roles.
/// </summary>
public class CurationApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Catalog = "/v1/admin/catalog";

    static object SumadyutiBody(string id = "sumadyuti", string name = "Sumadyuti", string parent = "simhendramadhyamam") => new
    {
        id, name, parent, arohanam = "S R2 G2 M2 P D1 N3 S", avarohanam = "S N3 D1 P M2 G2 R2 S", reason = "Dikshitar's raga, not in ragas.csv",
    };

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_curator_settles_a_tie_by_a_merge_and_adds_a_missing_raga_and_the_blocked_imports_resolve(string store)
    {
        Shared.Require();
        await using var f = await ApiFixture.StartAsync(store);
        var db = f.Store.Db;
        var batch = await BlockedImports.ImportAsync(db, Ct);
        var curator = f.Client(Role.Curator);
        var viewer = f.Client(Role.Viewer);

        // The review queue names both, with candidate ids a curator can act on.
        var summary = await viewer.GetFromJsonAsync<JsonElement>($"/v1/admin/bulk-import/batches/{batch}/resolution", Ct);
        var tie = summary.GetProperty("review").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "jIvantikA");
        tie.GetProperty("candidates").EnumerateArray().Take(2).Select(c => c.GetProperty("id").GetString()).ShouldBe(["jeevantika", "jeevanthika"], ignoreOrder: true);

        var merged = await curator.PostAsJsonAsync($"{Catalog}/raga/jeevanthika/merge", new { into = "jeevantika", reason = "one raga, two spellings" }, Ct);
        merged.StatusCode.ShouldBe(HttpStatusCode.OK);
        var m = await merged.Content.ReadFromJsonAsync<JsonElement>(Ct);
        m.GetProperty("change").GetProperty("action").GetString().ShouldBe("merge");
        m.GetProperty("change").GetProperty("actor").GetString().ShouldBe("api:Curator");
        var requeue = m.GetProperty("requeue");
        requeue.GetProperty("tasks").GetInt64().ShouldBe(1);
        requeue.GetProperty("batches")[0].GetProperty("batchId").GetInt64().ShouldBe(batch);
        var name = requeue.GetProperty("names").EnumerateArray().Single();
        (name.GetProperty("input").GetString(), name.GetProperty("before").GetString(), name.GetProperty("after").GetString(), name.GetProperty("entityId").GetString())
            .ShouldBe(("jIvantikA", "needs_review", "matched", "jeevantika"));
        requeue.GetProperty("next").GetString()!.ShouldStartWith("No worker is running on this database");

        var added = await curator.PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody(), Ct);
        added.StatusCode.ShouldBe(HttpStatusCode.Created);
        added.Headers.Location!.ToString().ShouldBe($"{Catalog}/raga/sumadyuti");
        (await added.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requeue").GetProperty("tasks").GetInt64().ShouldBe(1);

        await BlockedImports.SettleAsync(db, batch);
        (await viewer.GetFromJsonAsync<JsonElement>($"/v1/admin/bulk-import/batches/{batch}/resolution", Ct)).GetProperty("needsReview").GetInt64().ShouldBe(0);
        (await BlockedImports.StagedAsync(db, batch, BlockedImports.JivantikaUrl)).ShouldBe(("resolved", "jeevantika"));
        (await BlockedImports.StagedAsync(db, batch, BlockedImports.SumadyutiUrl)).ShouldBe(("resolved", "sumadyuti"));

        // Lists show where the duplicate went and who added what, when and why.
        var dup = await viewer.GetFromJsonAsync<JsonElement>($"{Catalog}/raga/jeevanthika", Ct);
        dup.GetProperty("entity").GetProperty("mergedInto").GetString().ShouldBe("jeevantika");
        dup.GetProperty("history")[0].GetProperty("detail").GetProperty("kept").GetString().ShouldBe("Jeevantikā");
        var ragas = await viewer.GetFromJsonAsync<JsonElement>($"{Catalog}/raga", Ct);
        ragas.EnumerateArray().Single(r => r.GetProperty("id").GetString() == "sumadyuti").GetProperty("origin").GetString().ShouldBe("curator");
        var history = (await viewer.GetFromJsonAsync<JsonElement>($"{Catalog}/history", Ct)).GetProperty("items").EnumerateArray().ToList();
        history.Select(h => (h.GetProperty("action").GetString(), h.GetProperty("entityId").GetString(), h.GetProperty("actor").GetString(), h.GetProperty("reason").GetString()))
            .ShouldBe([("merge", "jeevanthika", "api:Curator", "one raga, two spellings"), ("add", "sumadyuti", "api:Curator", "Dikshitar's raga, not in ragas.csv")]);
        history.ShouldAllBe(h => h.GetProperty("at").GetInt64() > 0);
        history[1].GetProperty("detail").GetProperty("parent").GetString().ShouldBe("simhendramadhyamam");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Refusals_are_problem_details_with_the_reason_never_a_server_error(string store)
    {
        Shared.Require();
        await using var f = await ApiFixture.StartAsync(store);
        var curator = f.Client(Role.Curator);
        (await curator.PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody(), Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);

        async Task Problem(Task<HttpResponseMessage> call, HttpStatusCode status, string detail)
        {
            var r = await call;
            r.StatusCode.ShouldBe(status);
            r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var body = await r.Content.ReadFromJsonAsync<JsonElement>(Ct);
            body.GetProperty("detail").GetString()!.ShouldContain(detail);
        }
        HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody(name: "Sumadyuti Navina"), Ct), HttpStatusCode.Conflict, "The raga id 'sumadyuti' is taken by Sumadyuti");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody("sumadhyuthi", "Sumadhyuthi"), Ct), HttpStatusCode.Conflict, "is already an own name of Sumadyuti (sumadyuti)");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody("navina", "Navina", "no-such-raga"), Ct), HttpStatusCode.BadRequest, "The parent raga 'no-such-raga' is not in the catalog");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody("Navina", "Navina"), Ct), HttpStatusCode.BadRequest, "not a slug");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga", new { id = "navina" }, Ct), HttpStatusCode.BadRequest, "Give id and name");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/tala", new { id = "navina", name = "Navina" }, Ct), HttpStatusCode.BadRequest, "aksharas");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/ragam", SumadyutiBody("navina", "Navina"), Ct), HttpStatusCode.NotFound, "Unknown kind 'ragam'");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga/sumadyuti/merge", new { into = "sumadyuti" }, Ct), HttpStatusCode.Conflict, "into itself");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga/sumadyuti/merge", new { into = "no-such-raga" }, Ct), HttpStatusCode.BadRequest, "There is no raga 'no-such-raga' to merge into");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga/no-such-raga/merge", new { into = "sumadyuti" }, Ct), HttpStatusCode.NotFound, "There is no raga 'no-such-raga'");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga/kanakangi/merge", new { into = "ratnangi" }, Ct), HttpStatusCode.Conflict, "are both melakartas");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/raga/sumadyuti/merge", new { }, Ct), HttpStatusCode.BadRequest, "Give into");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/synonyms", new { kind = "raga", name = "Kannada", entityId = "kanada" }, Ct), HttpStatusCode.Conflict, "keeps them apart");
        await Problem(curator.PostAsJsonAsync($"{Catalog}/synonyms", new { kind = "raga", name = "Navina", entityId = "no-such-raga" }, Ct), HttpStatusCode.NotFound, "There is no raga 'no-such-raga'");
        await Problem(curator.GetAsync($"{Catalog}/raga/no-such-raga", Ct), HttpStatusCode.NotFound, "There is no raga 'no-such-raga'");
        await Problem(curator.GetAsync($"{Catalog}/ragam", Ct), HttpStatusCode.NotFound, "Unknown kind");
        await Problem(curator.GetAsync($"{Catalog}/history?kind=ragam", Ct), HttpStatusCode.BadRequest, "Unknown kind");

        // A body that is no JSON, or JSON of the wrong shape.
        (await curator.PostAsync($"{Catalog}/raga", Json("{\"id\": \"navina\", "), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await curator.PostAsync($"{Catalog}/raga/sumadyuti/merge", Json("[1, 2]"), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await curator.PostAsync($"{Catalog}/raga", Json("{\"id\": \"navina\", \"name\": \"Navina\", \"melakarta\": \"many\"}"), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await curator.PostAsync($"{Catalog}/synonyms", Json(""), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Only the first add was written.
        (await curator.GetFromJsonAsync<JsonElement>($"{Catalog}/history", Ct)).GetProperty("items").GetArrayLength().ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Viewers_read_the_catalog_and_its_history_and_only_curators_and_up_change_it(string store)
    {
        Shared.Require();
        await using var f = await ApiFixture.StartAsync(store);
        (await f.Client(null).GetAsync($"{Catalog}/raga", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var viewer = f.Client(Role.Viewer);
        foreach (var path in new[] { "raga", "tala", "composer", "deity", "kshetra", "raga/kedaragowla", "synonyms?kind=raga", "aliases", "history" })
            (await viewer.GetAsync($"{Catalog}/{path}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, path);
        var forbidden = await viewer.PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody(), Ct);
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forbidden.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain("needs the curator role");
        (await viewer.PostAsJsonAsync($"{Catalog}/raga/jeevanthika/merge", new { into = "jeevantika" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.PostAsJsonAsync($"{Catalog}/synonyms", new { kind = "raga", name = "Mohanakam", entityId = "mohanam" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.GetFromJsonAsync<JsonElement>($"{Catalog}/history", Ct)).GetProperty("items").GetArrayLength().ShouldBe(0);

        (await f.Client(Role.Curator).PostAsJsonAsync($"{Catalog}/raga", SumadyutiBody(), Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await f.Client(Role.Operator).PostAsJsonAsync($"{Catalog}/raga/jeevanthika/merge", new { into = "jeevantika" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var synonym = await f.Client(Role.Admin).PostAsJsonAsync($"{Catalog}/synonyms", new { kind = "raga", name = "Mohanakam", entityId = "mohanam", note = "a Tamil name" }, Ct);
        synonym.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await synonym.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("change").GetProperty("actor").GetString().ShouldBe("api:Admin");
        (await viewer.GetFromJsonAsync<JsonElement>($"{Catalog}/history", Ct)).GetProperty("items").EnumerateArray().Select(h => h.GetProperty("actor").GetString())
            .ShouldBe(["api:Curator", "api:Operator", "api:Admin"]);
        (await viewer.GetFromJsonAsync<JsonElement>($"{Catalog}/synonyms?kind=raga", Ct)).EnumerateArray().ShouldContain(s => s.GetProperty("name").GetString() == "Mohanakam");

        var openapi = await f.Client(null).GetStringAsync("/openapi/v1.json", Ct);
        openapi.ShouldContain("/v1/admin/catalog/{kind}/{id}/merge");
    }
}
