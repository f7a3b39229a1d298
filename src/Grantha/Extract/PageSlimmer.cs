using System.Text;

namespace Grantha.Extract;

/// <summary>
/// Drops what no rule reads before the page is parsed: <c>&lt;script&gt;</c> and <c>&lt;style&gt;</c>
/// blocks and HTML comments (Blogger pages carry 9-13 scripts and several KB of CSS; Word-pasted
/// notes carry conditional comments). Parsing is most of an extraction's cost, so this roughly
/// halves it. Plain forward scans: linear in the page, and an unclosed block ends the slimming
/// (the rest is kept as is, so a truncated page loses nothing).
/// </summary>
public static class PageSlimmer
{
    public static string Slim(string html)
    {
        StringBuilder? sb = null;
        var pos = 0;
        var scan = 0;
        while (scan < html.Length)
        {
            var lt = html.IndexOf('<', scan);
            if (lt < 0 || lt + 3 >= html.Length) break;
            var (close, skip) = Block(html, lt);
            if (close is null) { scan = lt + 1; continue; }
            var end = html.IndexOf(close, lt + skip, StringComparison.OrdinalIgnoreCase);
            if (end < 0) break; // unclosed: keep the rest
            sb ??= new StringBuilder(html.Length);
            sb.Append(html, pos, lt - pos);
            pos = scan = end + close.Length;
        }
        if (sb is null) return html;
        sb.Append(html, pos, html.Length - pos);
        return sb.ToString();
    }

    /// <summary>The end marker of a droppable block starting at <paramref name="lt"/>, and how far its opening runs at least.</summary>
    static (string? Close, int Skip) Block(string html, int lt)
    {
        var rest = html.AsSpan(lt);
        if (rest.StartsWith("<!--")) return ("-->", 4);
        if (StartsTag(rest, "<script")) return ("</script>", 7);
        if (StartsTag(rest, "<style")) return ("</style>", 6);
        return (null, 0);
    }

    static bool StartsTag(ReadOnlySpan<char> rest, string tag) =>
        rest.Length > tag.Length && rest.StartsWith(tag, StringComparison.OrdinalIgnoreCase) &&
        rest[tag.Length] is ' ' or '>' or '\t' or '\n' or '\r' or '/';
}
