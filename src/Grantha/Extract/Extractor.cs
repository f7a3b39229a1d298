using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Grantha.Extract;

/// <summary>
/// The extractor: page bytes in, one <see cref="ExtractedPage"/> out. Pure (no I/O, no clock), so
/// the same bytes always give the same record; <see cref="Version"/> names the rules that made it.
/// </summary>
public static class Extractor
{
    /// <summary>Bump when a rule changes what a page extracts to.</summary>
    public const string Version = "1.0.0";

    /// <summary>Beyond this many characters without a tag the input is not read as HTML.</summary>
    const int HtmlSniffChars = 65536;

    static readonly ThreadLocal<HtmlParser> Parser = new(() => new HtmlParser());

    /// <summary>
    /// Extracts a page from its bytes. <paramref name="declaredCharset"/> is the HTTP header's
    /// charset, if any; <paramref name="sourceUrl"/> the URL it came from (the manifest URL);
    /// <paramref name="manifestRaga"/> the manifest's raga, compared with the page's (<c>csv_raga_differs</c>).
    /// </summary>
    /// <exception cref="ExtractException">The bytes are not a page at all (permanent).</exception>
    public static ExtractedPage Extract(byte[] body, string? declaredCharset, string? sourceUrl, string? manifestRaga = null) =>
        Extract(body, declaredCharset, sourceUrl, manifestRaga is null ? [] : [manifestRaga]);

    /// <summary>
    /// As above, with every raga the manifest gives for this URL (two rows may point at one page):
    /// <c>csv_raga_differs</c> only when none of them matches the page.
    /// </summary>
    public static ExtractedPage Extract(byte[] body, string? declaredCharset, string? sourceUrl, IReadOnlyList<string> manifestRagas)
    {
        ArgumentNullException.ThrowIfNull(body);
        var warnings = new List<ExtractWarning>();
        if (body.Length == 0) throw new ExtractException(ExtractException.EmptyDocument, "the page is empty (0 bytes)");
        var html = PageDecoder.Decode(body, declaredCharset, warnings);
        return Extract(html, sourceUrl, manifestRagas, warnings);
    }

    /// <summary>Extracts a page already decoded to text.</summary>
    public static ExtractedPage Extract(string html, string? sourceUrl = null, string? manifestRaga = null) =>
        Extract(html, sourceUrl, manifestRaga is null ? [] : [manifestRaga], new List<ExtractWarning>());

    static ExtractedPage Extract(string html, string? sourceUrl, IReadOnlyList<string> manifestRagas, List<ExtractWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(html);
        if (string.IsNullOrWhiteSpace(html))
            throw new ExtractException(ExtractException.EmptyDocument, "the page has no content (only whitespace)");
        if (!LooksLikeHtml(html))
            throw new ExtractException(ExtractException.NotHtml, "the content is not HTML (no markup found)");
        var depth = HtmlDepth.Estimate(html);
        if (depth > HtmlDepth.MaxDepthDefault)
            throw new ExtractException(ExtractException.HtmlTooDeep,
                $"the page nests elements more than {HtmlDepth.MaxDepthDefault} deep; refusing to parse it");

        var doc = Parser.Value!.ParseDocument(html);
        var head = PageHead.Read(doc);
        var url = string.IsNullOrWhiteSpace(sourceUrl) ? head.CanonicalUrl : sourceUrl;

        var postBody = FindPostBody(doc, warnings);
        var truncated = IsTruncated(html, doc);
        if (truncated is not null) warnings.Add(Warnings.Make(Warnings.PageTruncated, truncated));

        var lines = postBody is null ? new List<Line>() : PostLines.From(postBody);
        if (!lines.Any(l => l.Text.Any(char.IsLetter)))
        {
            warnings.Add(Warnings.Make(Warnings.EmptyPost, "the post body has no text"));
            return new ExtractedPage
            {
                SourceUrl = url,
                PostTitle = head.PostTitle,
                DisplayTitle = PageHead.DisplayTitleOf(head.PostTitle),
                Published = head.Published,
                Labels = head.Labels,
                Warnings = warnings,
                Confidence = Warnings.Confidence(warnings),
            };
        }

        var layout = PostLayout.Read(lines);
        var facts = PreambleFacts.Read(layout.Preamble);
        var gist = ProseText(layout, ProseKind.Gist);
        var ragamalika = facts.IsRagamalika;
        var assembly = LyricAssembly.Build(layout.Regions, ragamalika, warnings);

        // Ragas: the intro's, else the heading's, the meta line's, then the post title's.
        var ragas = new List<ExtractedRaga>();
        if (ragamalika && assembly.SectionRagas.Count > 0) ragas.AddRange(assembly.SectionRagas);
        else if (facts.Raga is { } raga) ragas.Add(new ExtractedRaga(raga));
        else if (RagaOfPostTitle(head.PostTitle) is { } titleRaga) ragas.Add(new ExtractedRaga(titleRaga));
        if (ragamalika && assembly.SectionRagas.Count == 0)
            warnings.Add(Warnings.Make(Warnings.RagamalikaUnresolved, "a ragamalika whose sections name no raga"));

        var latin = assembly.Lyrics.FirstOrDefault(l => l.Script == Script.Latin.Name());
        var host = HostOf(url);
        var hostComposer = Composers.OfHost(host);
        var composer = facts.Composer ?? hostComposer ?? Composers.InText(head.PostTitle) ??
                       Composers.ByMudra(latin is null ? null : string.Join('\n', latin.Sections));
        if (facts.Composer is not null && hostComposer is not null && facts.Composer != hostComposer)
            warnings.Add(Warnings.Make(Warnings.ComposerConflict,
                $"the intro names {facts.Composer} but {host} is the {hostComposer} blog"));

        var form = facts.Form ?? FormOfPostTitle(head.PostTitle);
        var deity = facts.Deity ?? IntroSentence.DeityInGist(gist);
        var title = facts.Title;
        var displayTitle = PageHead.DisplayTitleOf(head.PostTitle) ?? title;

        if (title is null) warnings.Add(Warnings.Make(Warnings.TitleMissing, "no title heading, intro or meta line"));
        if (ragas.Count == 0) warnings.Add(Warnings.Make(Warnings.RagaMissing, "the page names no raga"));
        if (facts.Tala is null) warnings.Add(Warnings.Make(Warnings.TalaMissing, "the page names no tala"));
        if (composer is null) warnings.Add(Warnings.Make(Warnings.ComposerMissing, "no composer in intro, host, post title or mudra"));
        if (form is null) warnings.Add(Warnings.Make(Warnings.FormMissing, "the page names no form"));
        if (head.Published is null) warnings.Add(Warnings.Make(Warnings.PublishedMissing, "no publication date"));
        if (assembly.Sections.Count == 0) warnings.Add(Warnings.Make(Warnings.NoLyrics, "no section headers found: no lyric extracted"));
        else if (latin is null) warnings.Add(Warnings.Make(Warnings.LatinLyricsMissing, "no lyric in Latin (HK) script"));
        if (manifestRagas.Count > 0 && ragas.Count > 0 && !manifestRagas.Any(m => RagaMatches(m, ragas, ragamalika)))
            warnings.Add(Warnings.Make(Warnings.CsvRagaDiffers,
                $"the manifest says raga '{string.Join("' / '", manifestRagas)}', the page says '{string.Join(", ", ragas.Select(r => r.Name))}'"));

        return new ExtractedPage
        {
            SourceUrl = url,
            PostTitle = head.PostTitle,
            Title = title,
            DisplayTitle = displayTitle,
            Ragas = ragas,
            Tala = facts.Tala,
            Composer = composer,
            Form = form,
            Deity = deity,
            Kshetra = facts.Kshetra,
            Published = head.Published,
            Updated = PageHead.ParseUpdated(layout.UpdatedText),
            Labels = head.Labels,
            Intro = facts.Intro,
            Sections = assembly.Sections,
            Lyrics = assembly.Lyrics,
            Gist = gist,
            Meaning = ProseText(layout, ProseKind.Meaning),
            Notes = JoinProse(ProseText(layout, ProseKind.Notes), ProseText(layout, ProseKind.Comments)),
            Variations = ProseText(layout, ProseKind.Variations),
            References = ProseText(layout, ProseKind.References),
            Warnings = warnings,
            Confidence = Warnings.Confidence(warnings),
        };
    }

    static bool LooksLikeHtml(string html)
    {
        var span = html.AsSpan(0, Math.Min(html.Length, HtmlSniffChars));
        if (span.IndexOf('\0') >= 0 && span.Count('\0') > 16) return false;
        // Binary data decodes to text full of control characters; a page has next to none.
        var controls = 0;
        foreach (var ch in span)
            if (ch < ' ' && ch is not ('\t' or '\n' or '\r' or '\f')) controls++;
        if (controls > 8 && controls * 50 > span.Length) return false;
        var lt = span.IndexOf('<');
        return lt >= 0 && lt + 1 < span.Length && (char.IsAsciiLetter(span[lt + 1]) || span[lt + 1] is '!' or '/' or '?');
    }

    /// <summary>The Blogger post body; other templates fall back to article/main/body with <c>unknown_template</c>.</summary>
    static IElement? FindPostBody(IDocument doc, List<ExtractWarning> warnings)
    {
        var bodies = doc.QuerySelectorAll("div.post-body");
        if (bodies.Length == 0) bodies = doc.QuerySelectorAll("[id^='post-body-'], .entry-content, [itemprop~='articleBody']");
        if (bodies.Length > 0)
        {
            if (bodies.Length > 1)
                warnings.Add(Warnings.Make(Warnings.MultiplePosts, $"{bodies.Length} post bodies on the page: the first is read"));
            return bodies[0];
        }
        var fallback = doc.QuerySelector("article") ?? doc.QuerySelector("main") ?? doc.Body;
        warnings.Add(Warnings.Make(Warnings.UnknownTemplate,
            $"no Blogger post body (div.post-body): reading <{fallback?.LocalName ?? "nothing"}> instead"));
        return fallback;
    }

    /// <summary>A page cut short: no closing html tag, or a Blogger post with no footer after its body.</summary>
    static string? IsTruncated(string html, IDocument doc)
    {
        var tail = html.AsSpan(Math.Max(0, html.Length - 4096));
        if (tail.IndexOf("</html", StringComparison.OrdinalIgnoreCase) < 0)
        {
            var inPost = doc.QuerySelector("div.post-body") is not null && doc.QuerySelector(".post-footer") is null;
            return inPost ? "the page ends inside the post body (no post footer, no </html>)" : "the page has no closing </html> tag";
        }
        return null;
    }

    static string? ProseText(PostLayout layout, ProseKind kind)
    {
        if (!layout.Prose.TryGetValue(kind, out var lines)) return null;
        var text = string.Join('\n', lines).Trim('\n', ' ');
        return text.Length == 0 ? null : text;
    }

    static string? JoinProse(string? a, string? b) => a is null ? b : b is null ? a : a + "\n\n" + b;

    static string? HostOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Host : null;

    /// <summary><c>... - Raga Bhairavi</c> or <c>... - Todi Raga</c>: the raga as the post title spells it.</summary>
    static string? RagaOfPostTitle(string? postTitle)
    {
        if (postTitle is null) return null;
        foreach (var part in postTitle.Split([" - ", " – "], StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("Raga ", StringComparison.OrdinalIgnoreCase)) return part[5..].Trim();
            if (part.EndsWith(" Raga", StringComparison.OrdinalIgnoreCase)) return part[..^5].Trim();
        }
        return null;
    }

    static string? FormOfPostTitle(string? postTitle)
    {
        if (postTitle is null) return null;
        var parts = postTitle.Split([" - ", " – "], StringSplitOptions.TrimEntries);
        // A suffix (- Svara Jati, - Varnam) says more than the blog's generic "Kriti" prefix.
        foreach (var part in parts.Skip(1).Reverse())
            if (Forms.Normalise(part) is { } f && f is Forms.SvaraJati or Forms.Varnam) return f;
        foreach (var part in parts)
            if (part.Contains("kriti", StringComparison.OrdinalIgnoreCase) || part.Contains("krithi", StringComparison.OrdinalIgnoreCase))
                return Forms.Kriti;
        return null;
    }

    /// <summary>
    /// The manifest raga matches when its key equals a page raga's, or one part of a composite
    /// (<c>bhUpALaM - bhauLi</c>) does, or both name a ragamalika.
    /// </summary>
    internal static bool RagaMatches(string manifestRaga, IReadOnlyList<ExtractedRaga> ragas, bool ragamalika)
    {
        static string Key(string s)
        {
            var k = Scripts.Skeleton(s).Replace(" ", "");
            return k.EndsWith('m') ? k[..^1] : k; // rAgaM/rAgam/rAga: the final anusvara is optional
        }
        var mk = Key(manifestRaga);
        if (mk is "rakamalika" or "rakamalik") return ragamalika || ragas.Count > 1;
        var pageKeys = ragas.Select(r => Key(r.Name)).ToList();
        if (pageKeys.Contains(mk)) return true;
        var parts = manifestRaga.Split(['-', '–', '/', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Key).ToList();
        if (parts.Any(pageKeys.Contains)) return true;
        return pageKeys.Any(p => p.Length > 3 && (mk.Contains(p) || p.Contains(mk)));
    }
}
