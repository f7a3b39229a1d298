using System.Text;
using CsCheck;
using Grantha.Extract;
using Grantha.OfflineSite;

namespace Grantha.Tests.Extract;

/// <summary>
/// Property tests of the extractor (issue #10 item 15): mutated pages (look-alikes of the three blogs, the
/// Blogger test page, random bytes) give a page or the stage's own <see cref="ExtractException"/>, never
/// another exception and never a hang. Needs no shared files; CsCheck shrinks a failure and prints its seed.
/// </summary>
public class ExtractorFuzzTests
{
    static readonly byte[][] Pages =
    [
        PageGenerator.Generate(SourceSiteOptions.DefaultSeed, "http://guru-guha.blogspot.com/2007/06/dikshitar-kriti-sri-nathadi-guruguho.html",
            [new SourceRow("Sri Nathadi Guruguho", "Mayamalavagowla", "http://guru-guha.blogspot.com/2007/06/dikshitar-kriti-sri-nathadi-guruguho.html")]).Bytes,
        PageGenerator.Generate(SourceSiteOptions.DefaultSeed, "http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama-rama.html",
            [new SourceRow("Rama Rama", "Todi", "http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama-rama.html")]).Bytes,
        PageGenerator.Generate(SourceSiteOptions.DefaultSeed, "http://syamakrishnavaibhavam.blogspot.com/2009/02/devi-brova.html",
            [new SourceRow("Devi Brova", "Chintamani", "http://syamakrishnavaibhavam.blogspot.com/2009/02/devi-brova.html")]).Bytes,
        Encoding.UTF8.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody)),
    ];

    /// <summary>Fragments that steer a parser and the lyric rules: tags, comments, deep nesting, entities, section markers, script letters.</summary>
    static readonly string[] Fragments =
    [
        "<", ">", "</div>", "<div class='post-body entry-content'>", "<!--", "-->", "<script>", "</script>", "<style>", "<![CDATA[",
        string.Concat(Enumerable.Repeat("<div>", 300)), string.Concat(Enumerable.Repeat("<b><i>", 200)), "&#8216;", "&#xFFFF;", "&#0;", "&amp",
        "<br />", "<br /><br />", "pallavi", "anupallavi", "caraNam 1", "P ", "A ", "C1 ", "<meta charset='shift_jis'>", "<meta http-equiv='Content-Type' content='text/html; charset=utf-16'>",
        "ராம", "राम", "రామ", "ರಾಮ", "രാമ", "\u200d", "\u0000", "\uFEFF", "\r\n",
    ];

    static readonly Gen<Func<byte[], byte[]>> Mutation = Gen.OneOf(
        Gen.Select(Gen.Int.NonNegative, Gen.Byte, (at, b) => (Func<byte[], byte[]>)(s => { if (s.Length == 0) return s; var c = (byte[])s.Clone(); c[at % c.Length] = b; return c; })),
        Gen.Select(Gen.Int.NonNegative, Gen.Int[0, Fragments.Length - 1], (at, i) => (Func<byte[], byte[]>)(s =>
        {
            var a = at % (s.Length + 1);
            return [.. s[..a], .. Encoding.UTF8.GetBytes(Fragments[i]), .. s[a..]];
        })),
        Gen.Select(Gen.Int.NonNegative, Gen.Int[1, 2_000], (at, n) => (Func<byte[], byte[]>)(s => { var a = at % (s.Length + 1); var e = Math.Min(s.Length, a + n); return [.. s[..a], .. s[e..]]; })),
        Gen.Select(Gen.Int.NonNegative, Gen.Int[1, 3_000], (at, n) => (Func<byte[], byte[]>)(s => { var a = at % (s.Length + 1); var e = Math.Min(s.Length, a + n); return [.. s[..e], .. s[a..e], .. s[e..]]; })),
        Gen.Int.NonNegative.Select(at => (Func<byte[], byte[]>)(s => s[..(at % (s.Length + 1))])));

    static readonly string?[] Charsets = [null, "utf-8", "UTF-8", "iso-8859-1", "windows-1252", "utf-16", "bogus", ""];

    /// <summary>Extracts; any exception but <see cref="ExtractException"/> fails, and so does an input still running after the bound.</summary>
    static void Extract(byte[] bytes, string? charset)
    {
        var run = Task.Run(() =>
        {
            try
            {
                var page = Extractor.Extract(bytes, charset, "http://guru-guha.blogspot.com/2007/06/fuzz.html", "Todi");
                page.Confidence.ShouldBeInRange(0.0, 1.0);
            }
            catch (ExtractException e)
            {
                e.Code.ShouldNotBeNullOrWhiteSpace();
                e.Message.ShouldNotBeNullOrWhiteSpace();
            }
        });
        // A hang shows as a timeout: a page of this size extracts in milliseconds.
        if (!run.Wait(TimeSpan.FromSeconds(20))) throw new Exception($"the extractor did not finish within 20 s on a {bytes.Length}-byte input");
        run.GetAwaiter().GetResult();
    }

    [Fact]
    public void Mutated_pages_give_a_page_or_an_extract_error()
    {
        Gen.Select(Gen.Int[0, Pages.Length - 1], Mutation.Array[1, 6], Gen.Int[0, Charsets.Length - 1])
            .Sample((page, edits, charset) => Extract(edits.Aggregate(Pages[page], (s, edit) => edit(s)), Charsets[charset]),
                iter: 600, threads: 2, print: t => $"page {t.Item1}, {t.Item2.Length} edits, charset {Charsets[t.Item3] ?? "none"}");
    }

    [Fact]
    public void Random_bytes_give_a_page_or_an_extract_error()
    {
        Gen.Select(Gen.Byte.Array[0, 4_000], Gen.Int[0, Charsets.Length - 1])
            .Sample((bytes, charset) => Extract(bytes, Charsets[charset]), iter: 600, threads: 2);
    }
}
