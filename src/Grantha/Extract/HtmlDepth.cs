namespace Grantha.Extract;

/// <summary>
/// A linear pre-scan of the markup that estimates how deeply elements nest. The HTML parser's
/// cost grows with depth times length (8,000 unclosed <c>&lt;li&gt;</c> take seconds), so a page
/// nested beyond <see cref="MaxDepthDefault"/> is refused before parsing instead of hanging a worker.
/// Real pages, even truncated ones, stay far below it.
/// </summary>
public static class HtmlDepth
{
    public const int MaxDepthDefault = 1000;

    static readonly HashSet<string> Void = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        "basefont", "bgsound", "frame", "keygen",
    };

    /// <summary>Elements the parser closes by itself when a sibling starts: they do not deepen the tree.</summary>
    static readonly HashSet<string> SelfClosing = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "rp", "rt",
        "colgroup", "caption", "html", "head", "body",
    };

    static readonly string[] RawText = ["script", "style", "textarea", "title", "xmp", "noscript"];

    /// <summary>The estimated maximum depth, stopping early once it exceeds <paramref name="limit"/>.</summary>
    public static int Estimate(string html, int limit = MaxDepthDefault)
    {
        var depth = 0;
        var max = 0;
        var i = 0;
        var n = html.Length;
        while (i < n)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0 || lt + 1 >= n) break;
            i = lt + 1;
            var c = html[i];
            if (c == '!')
            {
                if (string.CompareOrdinal(html, i, "!--", 0, 3) == 0)
                {
                    var endComment = html.IndexOf("-->", i + 3, StringComparison.Ordinal);
                    i = endComment < 0 ? n : endComment + 3;
                }
                continue;
            }
            var closing = c == '/';
            if (closing) i++;
            var start = i;
            while (i < n && char.IsAsciiLetterOrDigit(html[i])) i++;
            if (i == start) continue;
            var name = html.AsSpan(start, i - start);
            var gt = html.IndexOf('>', i);
            if (gt < 0) break;
            var selfClosed = gt > 0 && html[gt - 1] == '/';
            i = gt + 1;
            var nameText = name.ToString();
            if (closing)
            {
                if (!Void.Contains(nameText) && !SelfClosing.Contains(nameText) && depth > 0) depth--;
                continue;
            }
            foreach (var raw in RawText)
            {
                if (!name.Equals(raw, StringComparison.OrdinalIgnoreCase)) continue;
                var end = html.IndexOf("</" + raw, i, StringComparison.OrdinalIgnoreCase);
                i = end < 0 ? n : end;
                goto next;
            }
            if (selfClosed || Void.Contains(nameText) || SelfClosing.Contains(nameText)) continue;
            depth++;
            if (depth > max)
            {
                max = depth;
                if (max > limit) return max;
            }
            next: ;
        }
        return max;
    }
}
