using Grantha.Fetch;
using Grantha.Manifest;
using System.Text;
using Grantha.Engine;
using Grantha.Extract;

namespace Grantha.Tests.Extract;

/// <summary>What EXTRACT reads for a page: the stored body, the declared charset and the manifest's ragas.</summary>
public class PageInputTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Url = "http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama.html";

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_page_comes_with_its_charset_and_the_distinct_ragas_of_its_accepted_rows(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await ExtractStageTests.BatchAsync(t.Db, ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name);
        await ExtractStageTests.AddManifestRowsAsync(t.Db, batch,
            (2, "accepted", null, "tODi", Url), (3, "accepted", null, "bhairavi", Url), (4, "accepted", null, "tODi", Url),
            (5, "accepted", null, "", Url), (6, "rejected", null, "kalyANi", Url), (7, "accepted", null, "mOhanaM", "http://other.test/"));
        var body = Encoding.UTF8.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody));
        var evidence = await ExtractStageTests.StorePageAsync(t.Db, batch, Url, body, "text/html; charset=windows-1252");

        var input = await PageInput.LoadAsync(t.Db, batch, Url, evidence, Ct);
        input.Body.ShouldBe(body);
        input.Page.EvidenceId.ShouldBe(evidence);
        input.DeclaredCharset.ShouldBe("windows-1252");
        input.ManifestRagas.ShouldBe(["bhairavi", "tODi"]);

        // Without an evidence id: the newest stored page for the URL.
        (await PageInput.LoadAsync(t.Db, batch, Url, null, Ct)).Page.EvidenceId.ShouldBe(evidence);
        // Nothing stored: a permanent page_missing.
        (await Should.ThrowAsync<StageException>(() => PageInput.LoadAsync(t.Db, batch, "http://nothing.test/", null, Ct))).Code.ShouldBe(PageInput.PageMissing);
    }
}
