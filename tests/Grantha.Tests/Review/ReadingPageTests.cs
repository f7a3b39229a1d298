using System.Text;
using Grantha.Review;

namespace Grantha.Tests.Review;

/// <summary>The stored page as the review screen shows it: the text stays, nothing that would run, load or be refused.</summary>
public class ReadingPageTests
{
    [Fact]
    public void Keeps_the_text_and_drops_scripts_styles_frames_handlers_and_addresses_that_would_be_fetched()
    {
        const string page = """
            <html><head><meta http-equiv="refresh" content="0;url=http://evil.example/"><base href="http://evil.example/">
            <link rel="stylesheet" href="https://www.blogger.com/static/v1/widgets/css_bundle_v2.css"><style>p { color: red }</style>
            <script>document.write('x')</script></head>
            <body onload="steal()"><h3 style="color:red">Pallavi</h3><p>sri gananatham bhajeham</p>
            <img src="http://host.example/icon18_email.gif" alt="email"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="dot">
            <iframe src="http://host.example/frame"></iframe><noscript><img src="http://host.example/track.gif"></noscript>
            <form action="http://host.example/post"><button formaction="http://host.example/b">go</button></form>
            <a href="http://host.example/next" onclick="x()">next krithi</a><svg><script>alert(1)</script></svg></body></html>
            """;
        var html = ReadingPage.Render(Encoding.UTF8.GetBytes(page));

        html.ShouldContain("sri gananatham bhajeham");
        html.ShouldContain("Pallavi");
        html.ShouldContain("alt=\"email\"");
        html.ShouldContain("src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\"");
        html.ShouldContain(">next krithi</a>");
        foreach (var gone in new[] { "<script", "document.write", "alert(1)", "<link", "blogger.com", "<style", "style=", "onload", "onclick", "<iframe",
                     "<base", "refresh", "evil.example", "host.example/icon18", "track.gif", "host.example/post", "formaction", "host.example/next", "<svg" })
            html.ShouldNotContain(gone, Case.Insensitive, gone);
    }

    [Fact]
    public void Reads_a_page_in_its_own_charset()
    {
        var latin1 = Encoding.Latin1.GetBytes("<html><head><meta charset=\"iso-8859-1\"></head><body><p>Tyāgarāja café</p></body></html>".Replace("ā", "a"));
        ReadingPage.Render(latin1).ShouldContain("café");
    }
}
