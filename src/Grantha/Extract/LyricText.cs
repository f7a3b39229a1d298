using System.Text;

namespace Grantha.Extract;

/// <summary>
/// The page-faithful text rules: footnote markers out, Tamil pronunciation digits glued to their
/// letter, whitespace collapsed; sandhi parentheses and refrain cues are plain text and stay.
/// </summary>
public static class LyricText
{
    /// <summary>Longest superscript still read as a footnote marker (<c>12</c>, <c>*</c>, <c>1,2</c>).</summary>
    public const int FootnoteMarkerMaxLength = 8;

    /// <summary>Joins the runs of one line. Without <paramref name="keepSup"/>, footnote markers are dropped.</summary>
    public static string Render(IReadOnlyList<Run> runs, bool keepSup)
    {
        if (runs.Count == 0) return "";
        var sb = new StringBuilder();
        foreach (var run in runs)
        {
            if ((run.Style & RunStyle.Sup) != 0 && !keepSup && IsFootnoteMarker(run.Text)) continue;
            if ((run.Style & RunStyle.Sub) != 0)
            {
                // A subscript digit belongs to the letter before it (Tamil க<sub>3</sub> is க3).
                while (sb.Length > 0 && IsSpace(sb[^1])) sb.Length--;
                sb.Append(run.Text.Trim());
                continue;
            }
            sb.Append(run.Text);
        }
        return CollapseSpaces(sb.ToString());
    }

    /// <summary>A superscript that only numbers a footnote: digits and a few symbols, short.</summary>
    public static bool IsFootnoteMarker(string text)
    {
        var t = text.AsSpan().Trim();
        if (t.Length == 0) return true;
        if (t.Length > FootnoteMarkerMaxLength) return false;
        foreach (var c in t)
            if (!(char.IsDigit(c) || c is '*' or '†' or '‡' or '#' or ',' or ' ' or '(' or ')' or '[' or ']')) return false;
        return true;
    }

    /// <summary>Whitespace (including no-break spaces from MS Word pastes) collapsed to one space; invisible marks removed.</summary>
    public static string CollapseSpaces(string s)
    {
        var sb = new StringBuilder(s.Length);
        var space = false;
        foreach (var c in s)
        {
            if (c is '\u200B' or '\uFEFF' or '\u00AD') continue; // zero-width space, BOM, soft hyphen
            if (IsSpace(c)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    static bool IsSpace(char c) => char.IsWhiteSpace(c) || c == '\u00A0';

    /// <summary>
    /// Script-specific finishing of one lyric line. Nothing is changed today: a Tamil digit the page
    /// writes apart from its letter (a line starting <c>ப 4...</c>) stays where the page put it,
    /// because the lyric is page-faithful; digits in <c>&lt;sub&gt;</c> are glued by <see cref="Render"/>.
    /// </summary>
    public static string ForScript(string line, Script script) => line;

}
