using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class PageSlimmerTests
{
    [Theory]
    [InlineData("<p>a</p><script>var x = '<div>';</script><p>b</p>", "<p>a</p><p>b</p>")]
    [InlineData("<style type='text/css'>.post-body { x }</style><b>t</b>", "<b>t</b>")]
    [InlineData("<p>a<!--[if gte mso 9]><xml>w</xml><![endif]-->b</p>", "<p>ab</p>")]
    [InlineData("<SCRIPT src='x.js'></SCRIPT><p>a</p>", "<p>a</p>")]
    [InlineData("<p>a</p><scripture>kept</scripture>", "<p>a</p><scripture>kept</scripture>")] // not a script tag
    [InlineData("<p>a</p><script>var cut = 1;", "<p>a</p><script>var cut = 1;")] // unclosed: the rest is kept
    [InlineData("<p>plain</p>", "<p>plain</p>")]
    public void Drops_scripts_styles_and_comments_only(string html, string slim) => PageSlimmer.Slim(html).ShouldBe(slim);

    [Fact]
    public void A_page_extracts_the_same_with_or_without_its_scripts()
    {
        var page = TestPages.Blogger(TestPages.SimpleKritiBody);
        var noisy = page.Replace("</head>", "<script>document.write('<div class=\"post-body\">fake</div>');</script><style>p{}</style></head>");
        ExtractJson.Serialize(Extractor.Extract(noisy)).ShouldBe(ExtractJson.Serialize(Extractor.Extract(page)));
    }
}
