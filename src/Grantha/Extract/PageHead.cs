using System.Globalization;
using AngleSharp.Dom;

namespace Grantha.Extract;

/// <summary>What the page shell (outside the post body) says: post title, URL, dates, labels.</summary>
public sealed record PageHead(string? PostTitle, string? BlogName, string? CanonicalUrl, string? Published, IReadOnlyList<string> Labels)
{
    public static PageHead Read(IDocument doc)
    {
        string? blogName = null;
        var titleTag = doc.Title?.Trim();
        var postTitle = Meta(doc, "og:title");
        postTitle ??= doc.QuerySelector("h3.post-title")?.TextContent;
        postTitle ??= doc.QuerySelector(".post-title")?.TextContent;
        if (!string.IsNullOrWhiteSpace(titleTag))
        {
            // <title> is "<Blog name>: <Post title>".
            var colon = titleTag.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                blogName = titleTag[..colon].Trim();
                postTitle ??= titleTag[(colon + 2)..];
            }
            else postTitle ??= titleTag;
        }
        postTitle = postTitle is null ? null : LyricText.CollapseSpaces(postTitle);
        if (string.IsNullOrEmpty(postTitle)) postTitle = null;

        var canonical = doc.QuerySelector("link[rel=canonical]")?.GetAttribute("href") ?? Meta(doc, "og:url");

        var published =
            doc.QuerySelector("abbr.published")?.GetAttribute("title") ??
            doc.QuerySelector("time.published")?.GetAttribute("datetime");
        if (published is null && doc.QuerySelector("[itemprop=datePublished]") is { } dp)
            published = dp.GetAttribute("title") ?? dp.GetAttribute("content") ?? dp.GetAttribute("datetime");
        published ??= doc.QuerySelector("meta[property='article:published_time']")?.GetAttribute("content");
        published ??= doc.QuerySelector("time[datetime]")?.GetAttribute("datetime");
        published = string.IsNullOrWhiteSpace(published) ? null : published.Trim();

        var labels = doc.QuerySelectorAll(".post-labels a")
            .Select(a => LyricText.CollapseSpaces(a.TextContent))
            .Where(s => s.Length > 0)
            .Distinct()
            .ToList();
        return new PageHead(postTitle, blogName, canonical?.Trim(), published, labels);
    }

    static string? Meta(IDocument doc, string property) =>
        doc.QuerySelector($"meta[property='{property}']")?.GetAttribute("content") is { Length: > 0 } v ? v.Trim() : null;

    static readonly string[] UpdatedFormats =
    [
        "d MMM yyyy", "d MMMM yyyy", "dd MMM yyyy", "dd MMMM yyyy", "MMMM d, yyyy", "MMM d, yyyy", "d MMM, yyyy",
        "d MMMM, yyyy", "yyyy-MM-dd", "d-MMM-yyyy", "d/M/yyyy",
    ];

    /// <summary><c>22 May 2011</c> → <c>2011-05-22</c>; null when it is not a date.</summary>
    public static string? ParseUpdated(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40) return null;
        var t = text.Trim().TrimEnd('.');
        return DateTime.TryParseExact(t, UpdatedFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var d)
            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>
    /// The title as the post title spells it for readers: <c>Syama Sastry Kriti - Kamakshi Anudinamu -
    /// Raga Bhairavi</c> → <c>Kamakshi Anudinamu</c>. Parts naming the blog's kind of post, the raga
    /// or the form are dropped.
    /// </summary>
    public static string? DisplayTitleOf(string? postTitle)
    {
        if (string.IsNullOrWhiteSpace(postTitle)) return null;
        var parts = postTitle.Split([" - ", " – ", " — "], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var lower = part.ToLowerInvariant();
            var words = lower.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Contains("raga") || words.Contains("ragam") || words.Contains("ragamalika")) continue;
            if (words.Any(w => w is "kriti" or "krithi" or "kirtana" or "kirtanam" or "composition" or "varnam" or "jati" or "swarajati" or "svarajati")) continue;
            if (i == 0 && parts.Length > 1 && Composers.InText(part) is not null) continue;
            return part;
        }
        return null;
    }
}
