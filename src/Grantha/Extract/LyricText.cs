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
    /// Script-specific finishing of one lyric line. Tamil: a pronunciation digit (1-4) written
    /// apart from its letter (<c>ப 4க்த</c>, or a subscript the source spaced out) is glued back.
    /// </summary>
    public static string ForScript(string line, Script script)
    {
        if (script != Script.Tamil || line.Length < 3) return line;
        StringBuilder? sb = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == ' ' && i > 0 && i + 1 < line.Length && IsTamilLetterOrSign(line[i - 1]) &&
                line[i + 1] is >= '1' and <= '4' && (i + 2 >= line.Length || GluedDigitFollower(line[i + 2])))
            {
                sb ??= new StringBuilder(line, 0, i, line.Length);
                continue;
            }
            sb?.Append(c);
        }
        return sb?.ToString() ?? line;
    }

    static bool IsTamilLetterOrSign(char c) => c >= 0x0B80 && c <= 0x0BFF && !(c >= 0x0BE6 && c <= 0x0BFA);

    /// <summary>What may follow a pronunciation digit: a Tamil letter, a space, a parenthesis or the line end.</summary>
    static bool GluedDigitFollower(char c) => IsTamilLetterOrSign(c) || c is ' ' or '(' or ')';
}
