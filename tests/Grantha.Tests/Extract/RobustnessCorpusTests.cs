using Grantha.Fetch;
using System.Diagnostics;
using System.Text;
using Grantha.Engine;
using Grantha.Extract;

namespace Grantha.Tests.Extract;

/// <summary>
/// A fault-injected corpus (truncated, unclosed, lying charset, BOM, empty post, 1 MB, unknown
/// template, random damage) run through the extractor and through the EXTRACT stage: every input
/// ends as a record with warnings or a permanent error with a known code, in bounded time.
/// </summary>
public class RobustnessCorpusTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Generous: a 1 MB page takes well under a second; a hang would take forever.</summary>
    static readonly TimeSpan PerPageLimit = TimeSpan.FromSeconds(5);

    static readonly string[] PermanentCodes = [ExtractException.EmptyDocument, ExtractException.NotHtml, ExtractException.HtmlTooDeep];

    /// <summary>An input and what it must give: <paramref name="Expect"/> is a warning code or a permanent error code; null = the clean page's warnings only.</summary>
    public sealed record Case(string Name, byte[] Bytes, string? Charset, string? Expect = null);

    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static IReadOnlyList<Case> Corpus()
    {
        var page = TestPages.Blogger(TestPages.SimpleKritiBody);
        var bytes = Utf8(page);
        var filler = string.Concat(Enumerable.Repeat("<p>filler text of a long note, repeated to make the page big.</p>\n", 16_000));
        return
        [
            new("clean", bytes, "UTF-8"),
            new("truncated at 30%", bytes[..(bytes.Length * 3 / 10)], "UTF-8", Warnings.PageTruncated),
            new("truncated at 70%", bytes[..(bytes.Length * 7 / 10)], "UTF-8", Warnings.PageTruncated),
            new("truncated mid-tag", Utf8(page[..page.IndexOf("<span style=\"font-size:180%;\">A", StringComparison.Ordinal)] + "<span sty"), null, Warnings.PageTruncated),
            new("unclosed elements", Utf8(TestPages.Blogger(TestPages.SimpleKritiBody.Replace("</span>", "").Replace("</strong>", ""))), "UTF-8", Warnings.ProseTrimmed),
            new("charset says latin-1, bytes are UTF-8", Utf8(page.Replace("rAma rAma-tODi", "rAma rAma-tODi – ©")), "ISO-8859-1", Warnings.CharsetRepaired),
            new("UTF-8 BOM", [0xEF, 0xBB, 0xBF, .. bytes], "UTF-8"),
            new("UTF-16 with BOM", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(page)).ToArray(), null),
            new("empty post", Utf8(TestPages.Blogger("<div style='clear: both;'></div>")), "UTF-8", Warnings.EmptyPost),
            new("1 MB page", Utf8(TestPages.Blogger(TestPages.SimpleKritiBody + filler)), "UTF-8"),
            new("unknown template", Utf8("<html><head><title>x</title></head><body><article><p>P rAma rAma nI<br/>A nATi</p></article></body></html>"), null, Warnings.UnknownTemplate),
            new("empty", [], null, ExtractException.EmptyDocument),
            new("whitespace", Utf8("   \n\t  "), null, ExtractException.EmptyDocument),
            new("binary", Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 256)).ToArray(), null, ExtractException.NotHtml),
            new("absurd nesting", Utf8("<html><body>" + string.Concat(Enumerable.Repeat("<div>", 50_000)) + "</body></html>"), null, ExtractException.HtmlTooDeep),
            new("no post footer, no </html>", Utf8(TestPages.Blogger(TestPages.SimpleKritiBody, closed: false).Split("<div class='post-footer'>")[0]), null, Warnings.PageTruncated),
        ];
    }

    public static TheoryData<string> CaseNames => new(Corpus().Select(c => c.Name));

    /// <summary>Runs one input; returns the record or the permanent error, failing on anything else or on time.</summary>
    static (ExtractedPage? Page, ExtractException? Error, TimeSpan Took) Run(byte[] bytes, string? charset)
    {
        var sw = Stopwatch.StartNew();
        var run = Task.Run(() =>
        {
            try { return ((ExtractedPage?)Extractor.Extract(bytes, charset, "http://thyagaraja-vaibhavam.blogspot.com/x.html"), (ExtractException?)null); }
            catch (ExtractException e) { return (null, e); }
        });
        run.Wait(PerPageLimit).ShouldBeTrue($"extraction did not finish within {PerPageLimit}");
        var (page, error) = run.Result;
        return (page, error, sw.Elapsed);
    }

    [Theory, MemberData(nameof(CaseNames))]
    public void Every_fault_gives_warnings_or_a_permanent_error(string name)
    {
        var c = Corpus().Single(x => x.Name == name);
        var (page, error, _) = Run(c.Bytes, c.Charset);
        if (error is not null)
        {
            error.Code.ShouldBe(c.Expect, error.Message);
            error.Message.ShouldNotBeNullOrWhiteSpace();
            error.ToStageException().Kind.ShouldBe(ErrorKind.Permanent);
            return;
        }
        page.ShouldNotBeNull();
        page.Lyrics.ShouldAllBe(l => l.Sections.Count == page.Sections.Count);
        page.Warnings.ShouldAllBe(w => !string.IsNullOrWhiteSpace(w.Code) && !string.IsNullOrWhiteSpace(w.Message));
        if (c.Expect is null)
        {
            // Damage that costs nothing (a BOM, UTF-16, size) leaves the clean page's one note: its
            // Tamil lyric ends with an unlabelled prose meaning.
            page.Warnings.Select(w => w.Code).ShouldBe([Warnings.ProseTrimmed]);
            page.Sections.Count.ShouldBe(3);
            return;
        }
        page.Warnings.Select(w => w.Code).ShouldContain(c.Expect);
        page.Confidence.ShouldBeLessThan(1.0);
    }

    [Fact]
    public void Random_damage_never_crashes()
    {
        var bytes = Utf8(TestPages.Blogger(TestPages.SimpleKritiBody));
        var random = new Random(20261202);
        for (var i = 0; i < 200; i++)
        {
            var damaged = (byte[])bytes.Clone();
            // Flip, delete or duplicate a few bytes, then maybe cut.
            for (var k = 0; k < 1 + i % 8; k++) damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            var cut = i % 3 == 0 ? damaged[..random.Next(1, damaged.Length)] : damaged;
            var (page, error, _) = Run(cut, i % 2 == 0 ? "UTF-8" : null);
            (page is not null || error is not null).ShouldBeTrue();
            if (error is not null) error.Code.ShouldBeOneOf(PermanentCodes);
            if (page is not null) page.Lyrics.ShouldAllBe(l => l.Sections.Count == page.Sections.Count);
        }
    }

    [Fact]
    public async Task The_stage_turns_the_whole_corpus_into_rows_or_permanent_errors()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        var batch = await ExtractStageTests.BatchAsync(t.Db, FetchHandler.Name, ExtractHandler.Name);
        var handler = new ExtractHandler();
        var corpus = Corpus().Where(c => c.Bytes.Length > 0).ToList(); // an empty body is never stored by FETCH
        var i = 0;
        foreach (var c in corpus)
        {
            var url = $"http://thyagaraja-vaibhavam.blogspot.com/fault-{i++}.html";
            var evidence = await ExtractStageTests.StorePageAsync(t.Db, batch, url, c.Bytes, c.Charset is null ? "text/html" : $"text/html; charset={c.Charset}");
            try
            {
                await handler.HandleAsync(ExtractStageTests.Context(t.Db, batch, url, evidence), Ct);
            }
            catch (StageException e)
            {
                e.Kind.ShouldBe(ErrorKind.Permanent, c.Name);
                e.Code.ShouldBeOneOf(PermanentCodes);
            }
        }
        var summary = await ExtractQueries.SummaryAsync(t.Db, batch, Ct);
        summary.Pages.ShouldBe(corpus.Count);
        (summary.Extracted + summary.Failed).ShouldBe(corpus.Count);
        summary.Warnings.Keys.ShouldContain(Warnings.PageTruncated);
        summary.Warnings.Keys.ShouldContain(Warnings.EmptyPost);
        summary.Warnings.Keys.ShouldContain(Warnings.UnknownTemplate);
    }
}
