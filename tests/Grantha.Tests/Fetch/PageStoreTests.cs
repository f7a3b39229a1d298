using System.Text;
using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Tests.Fetch;

/// <summary>The page store's one-round-trip reads and writes give what the plain lookups give.</summary>
public class PageStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static FetchEvidence Evidence(string url, long? taskId, string? etag = null) => new()
    {
        BatchId = null, TaskId = taskId, Url = url, FinalUrl = url, Status = 200, ETag = etag,
        Headers = new Dictionary<string, string> { ["content-type"] = "text/html" }, Attempt = 1, ElapsedMs = 12,
    };

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_stored_page_is_returned_as_a_read_would_give_it(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var pages = new PageStore(t.Db);
        var body = Encoding.UTF8.GetBytes("<html>same content</html>");

        var first = await pages.StorePageAsync(Evidence("http://a.test/1", null, "\"v1\""), body, "text/html; charset=utf-8", Ct);
        first.ShouldBe((await pages.GetEvidenceAsync(first.EvidenceId, Ct))!);
        first.Size.ShouldBe(body.Length);

        // The same content served again under another type: the blob (and so the read) keeps the first type.
        var again = await pages.StorePageAsync(Evidence("http://a.test/2", null), body, "text/plain", Ct);
        again.ShouldBe((await pages.GetEvidenceAsync(again.EvidenceId, Ct))!);
        again.ContentType.ShouldBe("text/html; charset=utf-8");

        // A 304: no body, the stored page's hash.
        var unchanged = await pages.StorePageAsync(Evidence("http://a.test/1", null, "\"v1\"") with { Sha256 = first.Sha256, NotModified = true, Status = 304 }, ct: Ct);
        unchanged.ShouldBe((await pages.GetEvidenceAsync(unchanged.EvidenceId, Ct))!);
        unchanged.NotModified.ShouldBeTrue();
        unchanged.Size.ShouldBe(body.Length);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_start_of_a_fetch_reads_the_tasks_own_page_and_the_newest_for_the_url_together(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var pages = new PageStore(t.Db);
        const string url = "http://a.test/p";

        (await pages.GetStartAsync(7, url, Ct)).ShouldBe((null, null));

        var older = await pages.StorePageAsync(Evidence(url, 7), Encoding.UTF8.GetBytes("one"), "text/html", Ct);
        var newer = await pages.StorePageAsync(Evidence(url, 8), Encoding.UTF8.GetBytes("two"), "text/html", Ct);
        await pages.RecordAsync(Evidence(url, 9) with { Status = 503, ErrorCode = "http_503" }, ct: Ct); // no page: never a start

        var (forTask, latest) = await pages.GetStartAsync(7, url, Ct);
        forTask.ShouldBe(older);
        latest.ShouldBe(newer);
        (await pages.GetStartAsync(9, url, Ct)).ShouldBe((null, newer));
        (await pages.GetStartAsync(0, url, Ct)).ShouldBe((null, newer));
        forTask.ShouldBe(await pages.GetForTaskAsync(7, Ct));
        latest.ShouldBe(await pages.GetLatestAsync(url, Ct));
    }
}
