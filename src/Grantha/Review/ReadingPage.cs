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

    /// <summary>A view (<c>stored</c>, the default, or <c>reading</c>) a request may ask for; null when it names another.</summary>
    public static bool IsView(string? view) => view is null or "" or "stored" or "reading";

    public const string ViewProblem = "view is stored (the bytes as fetched, the default) or reading (text and structure only).";

    /// <summary>
    /// A stored page as an answer, made inert: a sandbox CSP with nothing allowed but inline styles and inline
    /// images, no referrer, no sniffing, not framable by others. Scripts do not run and the browser fetches
    /// nothing from the source host (nor from anywhere).
    /// </summary>
    public static IResult Serve(HttpContext http, byte[] body, string? view)
    {
        var h = http.Response.Headers;
        h.ContentSecurityPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'";
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        h.CacheControl = "private, max-age=300";
        return view == "reading" ? Results.Text(Render(body), "text/html; charset=utf-8") : Results.Bytes(body, "text/html; charset=utf-8");
    }

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
