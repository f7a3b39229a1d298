using System.Text;
using System.Text.Unicode;

namespace Grantha.Extract;

/// <summary>
/// Bytes to text. A BOM wins; otherwise the declared charset (HTTP header) or the page's meta
/// charset is used, except that bytes which are valid UTF-8 (with non-ASCII in them) are decoded
/// as UTF-8 whatever a single-byte label claims: the blogs are UTF-8, a header that says
/// ISO-8859-1 lies, and the repair is reported (<c>charset_repaired</c>).
/// </summary>
public static class PageDecoder
{
    /// <summary>How far into the bytes a <c>&lt;meta charset&gt;</c> is looked for (the HTML spec says 1024; Blogger puts it later).</summary>
    public const int MetaSniffBytesDefault = 4096;

    static PageDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static string Decode(byte[] body, string? declaredCharset, ICollection<ExtractWarning> warnings)
    {
        if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
            return DecodeUtf8(body.AsSpan(3), warnings);
        if (body.Length >= 2 && body[0] == 0xFF && body[1] == 0xFE)
            return Encoding.Unicode.GetString(body, 2, body.Length - 2);
        if (body.Length >= 2 && body[0] == 0xFE && body[1] == 0xFF)
            return Encoding.BigEndianUnicode.GetString(body, 2, body.Length - 2);

        var label = Normalise(declaredCharset) ?? Normalise(SniffMetaCharset(body));
        var ascii = Ascii.IsValid(body);
        var utf8 = ascii || Utf8.IsValid(body);
        if (label is null or "utf-8" or "utf8")
            return DecodeUtf8(body, warnings);
        if (ascii) return Encoding.ASCII.GetString(body);
        if (utf8)
        {
            warnings.Add(Warnings.Make(Warnings.CharsetRepaired,
                $"the page declares charset '{label}' but its bytes are valid UTF-8: decoded as UTF-8"));
            return Encoding.UTF8.GetString(body);
        }
        try
        {
            var encoding = label is "iso-8859-1" or "latin1" or "latin-1" or "us-ascii" or "ascii"
                ? Encoding.GetEncoding("windows-1252") // what browsers do for these labels
                : Encoding.GetEncoding(label);
            return encoding.GetString(body);
        }
        catch (ArgumentException)
        {
            warnings.Add(Warnings.Make(Warnings.CharsetRepaired, $"unknown charset '{label}': decoded as UTF-8"));
            return DecodeUtf8(body, warnings);
        }
    }

    static string DecodeUtf8(ReadOnlySpan<byte> bytes, ICollection<ExtractWarning> warnings)
    {
        if (!Utf8.IsValid(bytes))
        {
            // A download cut inside a multi-byte letter leaves at most 3 stray bytes at the end:
            // page_truncated reports that; anything else is damage worth its own warning.
            var validPrefix = bytes.Length - 3 > 0 && Utf8.IsValid(bytes[..^3]) ||
                              bytes.Length - 2 > 0 && Utf8.IsValid(bytes[..^2]) ||
                              bytes.Length - 1 > 0 && Utf8.IsValid(bytes[..^1]);
            if (!validPrefix)
                warnings.Add(Warnings.Make(Warnings.EncodingErrors, "the page is not valid UTF-8: invalid bytes replaced"));
        }
        return Encoding.UTF8.GetString(bytes);
    }

    static string? Normalise(string? label)
    {
        if (string.IsNullOrWhiteSpace(label)) return null;
        var l = label.Trim().Trim('"', '\'').ToLowerInvariant();
        var semi = l.IndexOf(';');
        if (semi >= 0) l = l[..semi].Trim();
        return l.Length == 0 ? null : l;
    }

    /// <summary>The charset of <c>&lt;meta charset=...&gt;</c> or <c>content="text/html; charset=..."</c>, read from ASCII bytes.</summary>
    public static string? SniffMetaCharset(ReadOnlySpan<byte> body)
    {
        var head = body[..Math.Min(body.Length, MetaSniffBytesDefault)];
        var text = Encoding.Latin1.GetString(head);
        var i = 0;
        while ((i = text.IndexOf("charset", i, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            i += "charset".Length;
            var j = i;
            while (j < text.Length && text[j] is ' ') j++;
            if (j >= text.Length || text[j] != '=') continue;
            j++;
            while (j < text.Length && text[j] is ' ' or '"' or '\'') j++;
            var start = j;
            while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] is '-' or '_' or ':' or '.')) j++;
            if (j > start) return text[start..j];
        }
        return null;
    }
}
