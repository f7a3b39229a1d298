using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grantha.Api;
using Grantha.Fetch;
using Microsoft.Extensions.DependencyInjection;

namespace Grantha.Tests.Api;

/// <summary>
/// Holes of the same kinds as #10's, found after it: a viewer read the server's internal addresses in a batch's
/// options; a retry could name any number of tasks, a reason any length; every route took bodies up to the
/// manifest limit.
/// </summary>
public class BodyAndLeakTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Host = "thyagaraja-vaibhavam.blogspot.com";

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_batch_shows_which_hosts_are_mapped_never_where_to(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        File.WriteAllText(Path.Combine(f.ImportDir, "m.csv"), BulkImportApiTests.Csv);
        f.App.Services.GetRequiredService<OfflineSites>().Allow(["http://127.0.0.1:5081"]);
        var created = await f.Client(Role.Admin).PostAsJsonAsync(BulkImportApiTests.Batches,
            new { paths = new[] { "m.csv" }, allowOfflineSite = true, hostMap = new Dictionary<string, string> { [Host] = "http://127.0.0.1:5081" } }, Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();

        var body = await f.Client(Role.Viewer).GetStringAsync($"{BulkImportApiTests.Batches}/{id}", Ct);
        body.ShouldNotContain("127.0.0.1");
        body.ShouldNotContain("5081");
        using var doc = JsonDocument.Parse(body);
        doc.RootElement.GetProperty("options").GetProperty("hostMap").GetProperty(Host).GetString().ShouldBe(BatchView.MappedBase);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Too_many_task_ids_and_too_long_reasons_are_refused_with_what_to_do(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        (await f.Client(Role.Operator).PostAsync(BulkImportApiTests.Batches, ApiFixture.Upload("m.csv", BulkImportApiTests.Csv), Ct)).EnsureSuccessStatusCode();

        var ids = Enumerable.Range(1, BulkImportApi.TaskIdsMax + 1).Select(i => (long)i).ToList();
        var retry = await f.Client(Role.Operator).PostAsJsonAsync($"{BulkImportApiTests.Batches}/1/retry", new { taskIds = ids }, Ct);
        retry.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await retry.Content.ReadAsStringAsync(Ct)).ShouldContain("At most 10,000 task ids");
        (await f.Client(Role.Operator).PostAsJsonAsync($"{BulkImportApiTests.Batches}/1/retry", new { taskIds = ids.Take(10).ToList() }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var reason = new string('r', global::Grantha.Review.Reviews.ReasonMax + 1);
        var curator = f.Client(Role.Curator);
        foreach (var (path, body) in new (string, object)[]
        {
            ("/v1/admin/review/1/reject", new { reason }), ("/v1/admin/review/1/defer", new { reason }), ("/v1/admin/review/1/approve", new { reason }),
            ("/v1/admin/review/1/merge", new { krithiId = 1, reason }), ("/v1/admin/review/bulk-approve", new { batch = 1, reason }),
        })
        {
            // With a version, as a screen sends it: the reason is refused before the import is looked at.
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            var answer = await curator.SendAsync(request, Ct);
            answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest, path);
            (await answer.Content.ReadAsStringAsync(Ct)).ShouldContain("at most 2,000 characters", Case.Sensitive, path);
        }
    }

    [Fact]
    public async Task Only_the_manifest_upload_takes_a_large_body()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", kestrel: true);
        var large = "{\"reason\":\"" + new string('x', (int)ApiHost.BodyBytesMax + 10) + "\"}";
        var curator = f.Client(Role.Curator);
        var refused = await curator.PostAsync("/v1/admin/review/1/reject", new StringContent(large, Encoding.UTF8, "application/json"), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);

        // The upload route reads it (and finds no manifest path in it), as before.
        var upload = await f.Client(Role.Operator).PostAsync(BulkImportApiTests.Batches,
            new StringContent("{\"paths\":[],\"name\":\"" + new string('x', (int)ApiHost.BodyBytesMax + 10) + "\"}", Encoding.UTF8, "application/json"), Ct);
        upload.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await upload.Content.ReadAsStringAsync(Ct)).ShouldNotContain("too large", Case.Insensitive);
    }
}
