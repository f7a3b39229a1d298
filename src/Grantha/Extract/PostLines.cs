using System.Text;
using AngleSharp.Dom;

namespace Grantha.Extract;

[Flags]
public enum RunStyle
{
    None = 0,
    Sup = 1,
    Sub = 2,
    /// <summary>Font size of 150% or more (the compact Thyagaraja markers sit in a 180% span).</summary>
    Big = 4,
    Bold = 8,
}

/// <summary>A stretch of text with one style.</summary>
public readonly record struct Run(string Text, RunStyle Style);

/// <summary>
/// One visual line of the post body: what lies between two <c>&lt;br&gt;</c> or block boundaries.
/// Blank lines are kept (they separate paragraphs); a horizontal rule is a line of its own.
/// </summary>
public sealed class Line
{
    public Line(IReadOnlyList<Run> runs, bool isRule = false)
    {
        Runs = runs;
        IsRule = isRule;
        Text = LyricText.Render(runs, keepSup: true);
        Lyric = LyricText.Render(runs, keepSup: false);
    }

    public IReadOnlyList<Run> Runs { get; }
    public bool IsRule { get; }
    /// <summary>All the text, whitespace collapsed (footnote markers kept): for prose fields and headings.</summary>
    public string Text { get; }
    /// <summary>The text as lyric: footnote markers dropped, subscript digits glued to their letter.</summary>
    public string Lyric { get; }
    public bool IsBlank => !IsRule && Text.Length == 0;

    /// <summary>True when every letter of the line is bold (a heading).</summary>
    public bool IsBold => Runs.Any(r => r.Text.Any(char.IsLetter)) &&
                          Runs.Where(r => r.Text.Any(char.IsLetter)).All(r => (r.Style & RunStyle.Bold) != 0);

    /// <summary>The first run with visible text.</summary>
    public Run? FirstVisibleRun => Runs.FirstOrDefault(r => !string.IsNullOrWhiteSpace(r.Text)) is { Text: not null } run ? run : null;

    public override string ToString() => IsRule ? "<hr>" : Text;
}

/// <summary>
/// Turns the DOM of a post body into <see cref="Line"/>s. Walks the tree without recursion (a page
/// may nest deeply) and keeps only what the rules need: text, sup/sub, big and bold, line breaks.
/// </summary>
public static class PostLines
{
    /// <summary>A font size at or above this percentage marks a compact section marker.</summary>
    public const int BigFontPercentDefault = 150;

    static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul",
    };

    static readonly HashSet<string> SkippedTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "iframe", "object", "embed", "template", "head", "select", "textarea",
        "svg", "math", "button", "input", "img", "video", "audio", "canvas", "map",
    };

    public static List<Line> From(INode root)
    {
        // Children are walked by index: AngleSharp's NextSibling scans the parent's child list,
        // which is quadratic on a post body with thousands of <br> siblings.
        var builder = new Builder();
        var stack = new Stack<(INodeList Children, int Next, RunStyle Style, IElement? Element)>();
        stack.Push((root.ChildNodes, 0, RunStyle.None, null));
        var pre = 0;
        while (stack.Count > 0)
        {
            var (children, next, style, element) = stack.Pop();
            if (next >= children.Length)
            {
                if (element is not null) Leave(builder, element, ref pre);
                continue;
            }
            stack.Push((children, next + 1, style, element));
            var node = children[next];
            if (node is IText text)
            {
                builder.Append(text.Data, style, pre > 0);
                continue;
            }
            if (node is not IElement el) continue;
            var tag = el.LocalName;
            if (tag == "br") builder.EndLine();
            else if (tag == "hr") builder.Rule();
            else if (!Skipped(el))
            {
                if (BlockTags.Contains(tag)) builder.SoftBreak();
                if (el.HasChildNodes)
                {
                    if (tag == "pre") pre++;
                    stack.Push((el.ChildNodes, 0, style | StyleOf(el), el));
                }
                else if (tag == "p") builder.Paragraph();
            }
        }
        builder.SoftBreak();
        return builder.Lines;
    }

    static void Leave(Builder builder, IElement el, ref int pre)
    {
        var tag = el.LocalName;
        if (tag == "pre") pre = Math.Max(0, pre - 1);
        if (tag == "p") builder.Paragraph();
        else if (BlockTags.Contains(tag)) builder.SoftBreak();
    }

    /// <summary>
    /// Elements whose text is never page content: scripts, styles, and in-page navigation links
    /// (<c>&lt;a href="#..."&gt;</c>: the Dikshitar language-switch tables and <c>Back</c> links).
    /// </summary>
    static bool Skipped(IElement el)
    {
        if (SkippedTags.Contains(el.LocalName)) return true;
        if (el.LocalName == "a" && el.GetAttribute("href") is { } href && href.StartsWith('#')) return true;
        return false;
    }

    static RunStyle StyleOf(IElement el)
    {
        var s = el.LocalName switch
        {
            "sup" => RunStyle.Sup,
            "sub" => RunStyle.Sub,
            "b" or "strong" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" => RunStyle.Bold,
            "big" => RunStyle.Big,
            "font" => FontTagSize(el.GetAttribute("size")),
            _ => RunStyle.None,
        };
        if (el.GetAttribute("style") is { Length: > 0 } css)
        {
            if (IsBigFontSize(css)) s |= RunStyle.Big;
            if (css.Contains("font-weight:bold", StringComparison.OrdinalIgnoreCase) ||
                css.Contains("font-weight: bold", StringComparison.OrdinalIgnoreCase) ||
                css.Contains("font-weight:700", StringComparison.OrdinalIgnoreCase) ||
                css.Contains("font-weight: 700", StringComparison.OrdinalIgnoreCase)) s |= RunStyle.Bold;
        }
        return s;
    }

    static RunStyle FontTagSize(string? size) =>
        size is not null && int.TryParse(size.Trim().TrimStart('+'), out var n) && n >= 5 ? RunStyle.Big : RunStyle.None;

    /// <summary>Reads <c>font-size: 180%</c>, <c>x-large</c> or an em size from inline CSS, linearly.</summary>
    internal static bool IsBigFontSize(string css)
    {
        var i = css.IndexOf("font-size", StringComparison.OrdinalIgnoreCase);
        if (i < 0) return false;
        i += "font-size".Length;
        while (i < css.Length && (css[i] == ' ' || css[i] == ':')) i++;
        var start = i;
        while (i < css.Length && (char.IsDigit(css[i]) || css[i] == '.')) i++;
        if (i == start)
        {
            var rest = css.AsSpan(start);
            return rest.StartsWith("x-large", StringComparison.OrdinalIgnoreCase) ||
                   rest.StartsWith("xx-large", StringComparison.OrdinalIgnoreCase) ||
                   rest.StartsWith("large", StringComparison.OrdinalIgnoreCase);
        }
        if (!double.TryParse(css.AsSpan(start, i - start), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var value)) return false;
        var unit = css.AsSpan(i);
        if (unit.StartsWith("%")) return value >= BigFontPercentDefault;
        if (unit.StartsWith("em", StringComparison.OrdinalIgnoreCase)) return value * 100 >= BigFontPercentDefault;
        return false;
    }

    sealed class Builder
    {
        public readonly List<Line> Lines = new();
        readonly List<Run> current = new();
        readonly StringBuilder pending = new();
        RunStyle pendingStyle;

        public void Append(string data, RunStyle style, bool preformatted)
        {
            if (preformatted && data.Contains('\n'))
            {
                var parts = data.Split('\n');
                for (var i = 0; i < parts.Length; i++)
                {
                    if (i > 0) EndLine();
                    Append(parts[i], style, false);
                }
                return;
            }
            if (data.Length == 0) return;
            if (style != pendingStyle && pending.Length > 0) FlushRun();
            pendingStyle = style;
            pending.Append(data);
        }

        void FlushRun()
        {
            if (pending.Length == 0) return;
            current.Add(new Run(pending.ToString(), pendingStyle));
            pending.Clear();
        }

        /// <summary>A <c>&lt;br&gt;</c>: ends the line, even an empty one (two in a row make a blank line).</summary>
        public void EndLine()
        {
            FlushRun();
            Lines.Add(new Line(current.ToArray()));
            current.Clear();
        }

        /// <summary>A block boundary: ends the line only if it has text.</summary>
        public void SoftBreak()
        {
            FlushRun();
            if (current.Count == 0) return;
            if (current.All(r => string.IsNullOrWhiteSpace(r.Text))) { current.Clear(); return; }
            EndLine();
        }

        /// <summary>The end of a paragraph: a line break and a blank line.</summary>
        public void Paragraph()
        {
            SoftBreak();
            if (Lines.Count > 0 && !Lines[^1].IsBlank) Lines.Add(new Line(Array.Empty<Run>()));
        }

        public void Rule()
        {
            SoftBreak();
            Lines.Add(new Line(Array.Empty<Run>(), isRule: true));
        }
    }
}
