using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Grantha.Extract;

namespace Grantha.Review;

/// <summary>
/// A stored page as a curator reads it beside the extracted record: its text and structure, without what would run,
/// load or be refused in the dashboard's sandboxed frame (scripts, styles, stylesheets, frames, other hosts' images,
/// handlers, refreshes). The stored bytes stay as they were; this is a view of them. The frame's sandbox and the
/// policies stay the guarantee; this keeps the browser from refusing (and reporting) each element.
/// </summary>
public static class ReadingPage
{
    static readonly string[] Dropped =
        ["script", "noscript", "link", "base", "meta", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "template", "svg", "math"];

    static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase) { "src", "srcset", "poster", "data", "background", "action", "formaction", "ping", "lowsrc", "href", "xlink:href", "cite", "longdesc", "usemap" };

    public static string Render(byte[] body)
    {
        var html = PageDecoder.Decode(body, null, new List<ExtractWarning>());
        var doc = new HtmlParser().ParseDocument(html);
        foreach (var el in doc.QuerySelectorAll(string.Join(", ", Dropped)).ToList()) el.Remove();
        foreach (var el in doc.All.ToList())
            foreach (var a in el.Attributes.ToList())
            {
                var name = a.Name;
                // Inline images stay; any address that would be fetched or navigated to goes (a link keeps its text).
                if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || name.Equals("style", StringComparison.OrdinalIgnoreCase)
                    || (UrlAttributes.Contains(name) && !a.Value.TrimStart().StartsWith("data:image/", StringComparison.OrdinalIgnoreCase)))
                    el.RemoveAttribute(name);
            }
        return "<!doctype html>\n" + doc.DocumentElement.OuterHtml;
    }
}
