using System.Diagnostics;
using System.Text;
using Grantha.Extract;

namespace Grantha.Tests.Extract;

/// <summary>Broken input gives a result with warnings or a clear ExtractException: never a crash or a hang.</summary>
public class RobustnessTests
{
    static byte[] RealPage(string name)
    {
        Shared.Require();
        return File.ReadAllBytes(Path.Combine(SharedFiles.PagesDir, name + ".html"));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.35)]
    [InlineData(0.5)]
    [InlineData(0.62)]
    [InlineData(0.8)]
    [InlineData(0.97)]
    public void A_truncated_real_page_gives_a_result_with_page_truncated(double keep)
    {
        var bytes = RealPage(RealPageTests.SyamaSastriPage);
        var cut = bytes[..(int)(bytes.Length * keep)];
        var page = Extractor.Extract(cut, "utf-8", null);
        page.HasWarning(Warnings.PageTruncated).ShouldBeTrue();
        page.Confidence.ShouldBeLessThan(1.0);
    }

    [Fact]
    public void A_page_cut_inside_a_multibyte_letter_still_decodes()
    {
        var bytes = RealPage(RealPageTests.TyagarajaPage);
        // Find a byte in the middle of a 3-byte Indic letter, inside the post body.
        var at = bytes.Length / 2;
        while ((bytes[at] & 0xC0) != 0x80) at++;
        var page = Extractor.Extract(bytes[..at], null, null);
        page.HasWarning(Warnings.PageTruncated).ShouldBeTrue();
        page.HasWarning(Warnings.EncodingErrors).ShouldBeFalse();
        page.Lyric("latin").ShouldNotBeNull();
    }

    [Fact]
    public void A_truncated_page_keeps_the_lyric_it_has()
    {
        var bytes = RealPage(RealPageTests.SyamaSastriPage);
        var html = Encoding.UTF8.GetString(bytes);
        var cut = html[..html.IndexOf("Telugu<br />", StringComparison.Ordinal)];
        var page = Extractor.Extract(cut);
        page.Sections.Count.ShouldBe(9);
        page.Lyrics.Select(l => l.Script).ShouldBe(["latin", "devanagari", "tamil"]);
        page.HasWarning(Warnings.PageTruncated).ShouldBeTrue();
    }

    [Fact]
    public void An_empty_body_is_a_clear_permanent_error()
    {
        var ex = Should.Throw<ExtractException>(() => Extractor.Extract([], null, null));
        ex.Code.ShouldBe(ExtractException.EmptyDocument);
        ex.ToStageException().Kind.ShouldBe(Grantha.Engine.ErrorKind.Permanent);
        Should.Throw<ExtractException>(() => Extractor.Extract("  \r\n\t ")).Code.ShouldBe(ExtractException.EmptyDocument);
    }

    [Fact]
    public void Bytes_that_are_not_html_are_a_clear_permanent_error()
    {
        Should.Throw<ExtractException>(() => Extractor.Extract("just some words, no markup at all")).Code.ShouldBe(ExtractException.NotHtml);
        var binary = new byte[4096];
        new Random(7).NextBytes(binary);
        for (var i = 0; i < binary.Length; i += 50) binary[i] = 0;
        Should.Throw<ExtractException>(() => Extractor.Extract(binary, null, null)).Code.ShouldBe(ExtractException.NotHtml);
    }

    [Fact]
    public void An_empty_post_gives_empty_post_and_zero_confidence()
    {
        var page = Extractor.Extract(TestPages.Blogger("<br /><br />&nbsp;"));
        page.HasWarning(Warnings.EmptyPost).ShouldBeTrue();
        page.Confidence.ShouldBe(0.0);
        page.PostTitle.ShouldBe("Thyagaraja Kriti - Rama Rama - Raga Todi");
        page.Sections.ShouldBeEmpty();
    }

    [Fact]
    public void A_one_megabyte_page_is_extracted_quickly()
    {
        var body = new StringBuilder(TestPages.SimpleKritiBody.Replace("Updated on 5 Jan 2009", ""));
        body.Append("<br />Comments -<br />");
        while (body.Length < 1_100_000)
            body.Append("A reader wrote: this kRti is sung in many concerts, in rAga tODi - with <b>great</b> feeling!<br />");
        var html = TestPages.Blogger(body.ToString());
        Encoding.UTF8.GetByteCount(html).ShouldBeGreaterThan(1_000_000);
        var sw = Stopwatch.StartNew();
        var page = Extractor.Extract(Encoding.UTF8.GetBytes(html), "utf-8", null);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        page.Sections.Count.ShouldBe(3);
        page.Lyrics.Count.ShouldBe(3);
    }

    [Fact]
    public void A_one_megabyte_line_without_breaks_does_not_hang_the_rules()
    {
        var line = string.Concat(Enumerable.Repeat("caraNam - rAga tALa In the kRti ‘x’ – (", 30_000));
        var sw = Stopwatch.StartNew();
        var page = Extractor.Extract(TestPages.Blogger("<strong>" + line + "</strong><br />" + line));
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        page.ShouldNotBeNull();
    }

    [Fact]
    public void A_charset_header_that_lies_is_repaired_and_reported()
    {
        var bytes = Encoding.UTF8.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody));
        var page = Extractor.Extract(bytes, "ISO-8859-1", null);
        page.HasWarning(Warnings.CharsetRepaired).ShouldBeTrue();
        page.Lyric("devanagari")!.Sections[0].ShouldStartWith("राम राम");
    }

    [Fact]
    public void A_meta_charset_that_lies_is_repaired_too()
    {
        var html = TestPages.Blogger(TestPages.SimpleKritiBody).Replace("charset=UTF-8", "charset=windows-1252");
        var page = Extractor.Extract(Encoding.UTF8.GetBytes(html), null, null);
        page.HasWarning(Warnings.CharsetRepaired).ShouldBeTrue();
        page.Lyric("tamil")!.Sections[0].ShouldStartWith("ராம ராம");
    }

    [Fact]
    public void A_byte_order_mark_is_honoured_and_not_kept()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody))).ToArray();
        var page = Extractor.Extract(bytes, "ISO-8859-1", null);
        page.HasWarning(Warnings.CharsetRepaired).ShouldBeFalse();
        page.Lyric("latin")!.Sections[0].ShouldStartWith("rAma rAma");
        page.PostTitle!.ShouldNotContain("\uFEFF");
    }

    [Fact]
    public void An_unknown_template_is_read_from_the_body_with_a_warning()
    {
        const string html = """
            <html><head><title>My krithis</title></head><body>
            <h1>kAmAkshi-bhairavi</h1>
            <p>In this svara jati ‘kAmAkshi’ – rAga bhairavi (tALa cApu), SrI SyAmA Sastry prays to Mother kAmAkshi.</p>
            <p>pallavi<br>kAmAkshi anudinamu</p>
            <p>svara sAhitya 1<br>kunda radanA</p>
            </body></html>
            """;
        var page = Extractor.Extract(html);
        page.HasWarning(Warnings.UnknownTemplate).ShouldBeTrue();
        page.Sections.Select(s => s.Type).ShouldBe([SectionType.Pallavi, SectionType.SwaraSahitya]);
        page.Lyric("latin")!.Sections.ShouldBe(["kAmAkshi anudinamu", "kunda radanA"]);
        page.Composer.ShouldBe(Composers.SyamaSastri);
        page.Tala.ShouldBe("cApu");
        page.Confidence.ShouldBeLessThan(0.8);
    }

    [Fact]
    public void Unclosed_elements_do_not_swallow_the_structure()
    {
        var body = TestPages.SimpleKritiBody
            .Replace("<span style=\"font-size:180%;\">A</span>", "<span style=\"font-size:180%;\">A")
            .Replace("<b>rAma rAma-tODi</b>", "<b>rAma rAma-tODi");
        var page = Extractor.Extract(TestPages.Blogger(body));
        page.Sections.Select(s => s.Type).ShouldBe([SectionType.Pallavi, SectionType.Anupallavi, SectionType.Charanam]);
        page.Lyric("devanagari")!.Sections.Count.ShouldBe(3);
    }

    [Fact]
    public void Absurd_nesting_is_refused_quickly_instead_of_hanging()
    {
        var html = "<html><body>" + string.Concat(Enumerable.Repeat("<div><b>", 20_000)) + "x";
        var sw = Stopwatch.StartNew();
        Should.Throw<ExtractException>(() => Extractor.Extract(html)).Code.ShouldBe(ExtractException.HtmlTooDeep);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Moderate_unclosed_nesting_is_parsed()
    {
        var html = TestPages.Blogger(string.Concat(Enumerable.Repeat("<span>", 300)) + TestPages.SimpleKritiBody);
        var page = Extractor.Extract(html);
        page.Sections.Count.ShouldBe(3);
    }

    [Fact]
    public void A_page_without_closing_tags_is_reported_truncated()
    {
        var page = Extractor.Extract(TestPages.Blogger(TestPages.SimpleKritiBody, closed: false));
        page.HasWarning(Warnings.PageTruncated).ShouldBeTrue();
        page.Sections.Count.ShouldBe(3);
    }
}
