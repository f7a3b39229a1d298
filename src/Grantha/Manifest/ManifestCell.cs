using System.Buffers;
using System.Text;

namespace Grantha.Manifest;

/// <summary>One cell of a manifest row: RFC 4180 unquoting, the checks on its text, and cleaning.</summary>
static class ManifestCell
{
    public enum Quoting { Ok, BadQuotes, Unbalanced }

    /// <summary>
    /// Unquotes a raw cell as the CSV parser split it. <see cref="Quoting.Unbalanced"/> means the
    /// parser ran past a line end inside quotes that were never properly closed, so the rows after
    /// it cannot be trusted; <see cref="Quoting.BadQuotes"/> is a cell on one line whose quotes are
    /// malformed (e.g. text after the closing quote); <paramref name="value"/> is then the raw text.
    /// </summary>
    public static Quoting Unquote(ReadOnlySpan<char> raw, out string value)
    {
        if (!raw.Contains('"'))
        {
            value = raw.ToString();
            return Quoting.Ok;
        }
        value = raw.ToString();
        // An odd number of quotes leaves the parser in quoted mode up to the end of the file.
        if (raw.Count('"') % 2 != 0) return Quoting.Unbalanced;
        var hasNewline = raw.ContainsAny('\r', '\n');
        var trimmed = raw.Trim(' ');
        if (trimmed.Length < 2 || trimmed[0] != '"')
            // Quotes inside an unquoted cell (say "hi") are kept as text, unless they swallowed a line end.
            return hasNewline ? Quoting.Unbalanced : Quoting.Ok;

        var text = new StringBuilder(trimmed.Length);
        for (var i = 1; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (c != '"') { text.Append(c); continue; }
            if (i + 1 < trimmed.Length && trimmed[i + 1] == '"') { text.Append('"'); i++; continue; }
            if (i == trimmed.Length - 1)
            {
                value = text.ToString();
                return Quoting.Ok;
            }
            // Text after the closing quote: malformed. Over a line end the structure is lost.
            return hasNewline ? Quoting.Unbalanced : Quoting.BadQuotes;
        }
        return Quoting.Unbalanced;
    }

    /// <summary>The first problem of a cell's unquoted text as (code, what is wrong), or null.</summary>
    public static (string Code, string Why)? Problem(string value, bool isText, int maxChars)
    {
        if (value.Length > maxChars)
            return (ManifestErrorCode.CellTooLong, $"is {value.Length:N0} characters long, more than the limit of {maxChars:N0}");
        // Spreadsheets run a cell starting with these as a formula (CSV injection).
        if (isText && value.Length > 0 && value[0] is '=' or '+' or '@' or '\t' or '\r')
            return (ManifestErrorCode.FormulaLikeCell, $"starts with '{Visible(value[0])}', which a spreadsheet would run as a formula");
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            return (ManifestErrorCode.NewlineInCell, "has a line break inside it; put the text on one line");
        var at = value.AsSpan().IndexOfAny(Refused);
        if (at >= 0)
            return (ManifestErrorCode.ControlCharacter, $"contains the invisible control character U+{(int)value[at]:X4}; retype the text");
        return null;
    }

    /// <summary>A cleaned text that a spreadsheet would still run as a formula, or null.</summary>
    public static string? FormulaProblem(string cleaned) =>
        cleaned.Length > 0 && (cleaned[0] is '=' or '+' or '@' || (cleaned[0] == '-' && cleaned.Length > 1))
            ? $"starts with '{cleaned[0]}', which a spreadsheet would run as a formula"
            : null;

    /// <summary>Trims the text and collapses each inner run of whitespace to one space.</summary>
    public static string Clean(string value)
    {
        var span = value.AsSpan().Trim();
        // Most cells are already clean: no whitespace but single spaces.
        if (span.IndexOfAny(OtherWhitespace) < 0 && span.IndexOf("  ") < 0)
            return span.Length == value.Length ? value : span.ToString();

        var text = new StringBuilder(span.Length);
        var inSpace = false;
        foreach (var c in span)
        {
            if (char.IsWhiteSpace(c)) { inSpace = true; continue; }
            if (inSpace) text.Append(' ');
            inSpace = false;
            text.Append(c);
        }
        return text.ToString();
    }

    public static bool IsBlank(string value) => value.AsSpan().Trim().IsEmpty;

    // Control characters other than tab (inner tabs are whitespace), and the direction overrides and
    // invisible marks that make a title display as, or look up as, something else. ZWJ/ZWNJ
    // (U+200C/U+200D) are not among them: Indic scripts need them.
    static readonly SearchValues<char> Refused = SearchValues.Create(
        Chars('\0', '\u0008') + Chars('\u000A', '\u001F') + Chars('\u007F', '\u009F') +
        "\u200B\u200E\u200F\u2060\uFEFF" + Chars('\u202A', '\u202E') + Chars('\u2066', '\u2069'));

    static readonly SearchValues<char> OtherWhitespace = SearchValues.Create(
        string.Concat(Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(c => char.IsWhiteSpace(c) && c != ' ')));

    static string Chars(char from, char to) => string.Concat(Enumerable.Range(from, to - from + 1).Select(i => (char)i));

    static string Visible(char c) => c switch { '\t' => "\\t (tab)", '\r' => "\\r (carriage return)", _ => c.ToString() };
}
