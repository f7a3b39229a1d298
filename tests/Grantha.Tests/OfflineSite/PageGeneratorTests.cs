using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Grantha.OfflineSite;

namespace Grantha.Tests.OfflineSite;

public class PageGeneratorTests
{
    static readonly HtmlParser Parser = new();

    static GeneratedPage Sample(int index, long seed = 42)
    {
        var groups = SiteManifest.BuiltInSample.GroupBy(r => r.Url).ToList();
        var g = groups[index % groups.Count];
        return PageGenerator.Generate(seed, g.Key, g.ToList());
    }

    /// <summary>Every page of the three Trinity manifests, generated once per test run.</summary>
    static readonly Lazy<IReadOnlyList<GeneratedPage>> Corpus = new(() =>
    {
        var rows = SharedFiles.TrinityManifests.SelectMany(SiteManifest.Read).ToList();
        var groups = rows.GroupBy(r => r.Url).ToList();
        // Two dedicated threads rather than the thread pool, so concurrent HTTP tests are not starved.
        var pages = new ConcurrentBag<GeneratedPage>();
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            for (var i = t; i < groups.Count; i += 2) pages.Add(PageGenerator.Generate(42, groups[i].Key, groups[i].ToList()));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return pages.OrderBy(p => p.Url, StringComparer.Ordinal).ToList();
    });

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_other_bytes()
    {
        for (var i = 0; i < 3; i++)
        {
            var a = Sample(i);
            var b = Sample(i);
            a.Bytes.ShouldBe(b.Bytes);
            a.ETag.ShouldBe(b.ETag);
            a.Truth.ToJson().ShouldBe(b.Truth.ToJson());
            Sample(i, seed: 7).Bytes.ShouldNotBe(a.Bytes);
        }
    }

    [Fact]
    public void Sample_pages_are_55_to_130_kb()
    {
        foreach (var i in Enumerable.Range(0, 11))
            Sample(i).Bytes.Length.ShouldBeInRange(PagePlanner.MinPageBytes, PagePlanner.MaxPageBytes);
    }

    [Fact]
    public void The_shell_carries_title_canonical_post_body_footer_and_noise()
    {
        for (var i = 0; i < 11; i++)
        {
            var page = Sample(i);
            var t = page.Truth;
            var doc = Parser.ParseDocument(page.Html);
            var blogName = Blog.ForHost(new Uri(t.Url).Host).Name;
            doc.Title.ShouldBe($"{blogName}: {t.Expected.PostTitle}");
            doc.QuerySelector("meta[property='og:title']")!.GetAttribute("content").ShouldBe(t.Expected.PostTitle);
            doc.QuerySelector("h3.post-title")!.TextContent.Trim().ShouldBe(t.Expected.PostTitle);
            doc.QuerySelector("link[rel=canonical]")!.GetAttribute("href").ShouldBe(t.Url);
            doc.QuerySelector("meta[property='og:url']")!.GetAttribute("content").ShouldBe(t.Url);
            var body = doc.QuerySelectorAll("div.post-body.entry-content").ShouldHaveSingleItem();
            body.Id.ShouldStartWith("post-body-");
            doc.QuerySelector("abbr.published")!.GetAttribute("title").ShouldBe(t.Expected.Published);
            doc.QuerySelectorAll("script").Length.ShouldBeInRange(9, 13);
            doc.QuerySelector("style")!.TextContent.Length.ShouldBeGreaterThan(4000);
            doc.QuerySelectorAll(".post-labels a").Select(a => a.TextContent).ShouldContain(l => l.EndsWith(" Raga") || l == "Ragamalika");
            body.TextContent.ShouldContain("Transliteration as per Modified Harvard-Kyoto (HK) Convention");
            body.TextContent.ShouldContain($"{t.Expected.Title}-{t.Expected.Raga}");
            body.TextContent.ShouldContain("Updated on ");
        }
    }

    [Fact]
    public void Indic_marks_in_the_post_body_are_decimal_references()
    {
        var html = Sample(0).Html;
        var start = html.IndexOf("<div class='post-body", StringComparison.Ordinal);
        var end = html.IndexOf("<div class='post-footer'>", start, StringComparison.Ordinal);
        var body = html[start..end];
        body.ShouldContain("&#23");
        body.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark).ShouldBeEmpty();
    }

    [Fact]
    public void Every_truth_lyric_line_is_on_the_page_in_its_script()
    {
        for (var i = 0; i < 11; i++) AssertLyricsOnPage(Sample(i));
    }

    static void AssertLyricsOnPage(GeneratedPage page)
    {
        var doc = Parser.ParseDocument(page.Html);
        var body = doc.QuerySelector("div.post-body")!;
        foreach (var sup in body.QuerySelectorAll("sup").ToList()) sup.Remove();
        var text = body.TextContent;
        var t = page.Truth.Expected;
        t.Lyrics.Keys.ShouldBe(t.Scripts.Select(s => s.Script), ignoreOrder: false);
        foreach (var (script, sections) in t.Lyrics)
        {
            sections.Count.ShouldBe(t.Sections.Count, $"{script} of {page.Url}");
            foreach (var line in sections.SelectMany(s => s.Split('\n')))
                text.ShouldContain(line, customMessage: $"{script} line of {page.Url}");
        }
    }

    [Fact]
    public void Truth_has_the_shape_of_the_real_expected_files()
    {
        Shared.Require();
        var truth = JsonDocument.Parse(Sample(8).Truth.ToJson()).RootElement;
        foreach (var file in Directory.GetFiles(Path.Combine(SharedFiles.PagesDir, "expected"), "*.json"))
        {
            var real = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            foreach (var p in new[] { "page", "url", "manifest_rows", "expected" })
                truth.TryGetProperty(p, out _).ShouldBeTrue(p);
            foreach (var p in real.GetProperty("expected").EnumerateObject())
                truth.GetProperty("expected").TryGetProperty(p.Name, out _).ShouldBeTrue($"expected.{p.Name}");
            foreach (var p in real.GetProperty("expected").GetProperty("lyrics").EnumerateObject())
                truth.GetProperty("expected").GetProperty("lyrics").TryGetProperty(p.Name, out _).ShouldBeTrue($"lyrics.{p.Name}");
            foreach (var p in real.GetProperty("manifest_rows")[0].EnumerateObject())
                truth.GetProperty("manifest_rows")[0].TryGetProperty(p.Name, out _).ShouldBeTrue($"manifest_rows.{p.Name}");
        }
    }

    [Fact]
    public void Every_trinity_manifest_row_gets_a_page_of_55_to_130_kb()
    {
        Shared.Require();
        var rows = SharedFiles.TrinityManifests.SelectMany(SiteManifest.Read).ToList();
        rows.Count.ShouldBe(1240);
        var pages = Corpus.Value;
        pages.Count.ShouldBe(1239);
        pages.Select(p => p.Url).ShouldBe(rows.Select(r => r.Url).Distinct().Order(StringComparer.Ordinal));
        pages.ShouldAllBe(p => p.Bytes.Length >= PagePlanner.MinPageBytes && p.Bytes.Length <= PagePlanner.MaxPageBytes);
        var twoRows = pages.Single(p => p.Truth.ManifestRows.Count == 2);
        twoRows.Url.ShouldContain("kamakshi-anudinamu");
        twoRows.Truth.Expected.Title.ShouldBe("kAmAkshi anudinamu");
        twoRows.Truth.Traps.ShouldContain("several_manifest_rows");
    }

    [Fact]
    public void Corpus_lyrics_are_on_their_pages_for_a_spread_of_pages()
    {
        Shared.Require();
        foreach (var page in Corpus.Value.Where((_, i) => i % 40 == 0)) AssertLyricsOnPage(page);
    }

    static readonly string[] AllTraps =
    [
        "footnote_sup", "sandhi_parens", "refrain_cue", "tamil_digits_inline", "tamil_digits_sub",
        "latin_line_starts_with_long_vowel", "tamil_line_starts_pa4", "tamil_prose_labelled", "tamil_prose_unlabelled",
        "several_charanams", "madhyama_kala", "missing_tala", "ragamalika", "composite_raga", "samashti_charanam",
        "chittaswaram", "svara_sahitya", "compact_markers_span", "compact_markers_plain", "compact_marker_c_space",
        "compact_marker_c10_plus", "dikshitar_meta_and_language_table", "word_division", "mso_word_notes",
        "missing_scripts", "several_manifest_rows", "intro_title_differs", "no_deity",
    ];

    [Fact]
    public void Every_trap_appears_in_the_corpus_with_matching_ground_truth()
    {
        Shared.Require();
        var pages = Corpus.Value;
        foreach (var trap in AllTraps)
            pages.ShouldContain(p => p.Truth.Traps.Contains(trap), $"no page exercises {trap}");

        GeneratedPage With(string trap, int nth = 0) => pages.Where(p => p.Truth.Traps.Contains(trap)).ElementAt(nth);
        static IEnumerable<string> Lines(GeneratedPage p, string script) => p.Truth.Expected.Lyrics[script].SelectMany(s => s.Split('\n'));

        var footnote = With("footnote_sup");
        footnote.Html.ShouldMatch(@"<sup>1</sup>[^\s<]");
        Lines(footnote, "latin").ShouldAllBe(l => !l.Contains("<sup>"));

        var sub = With("tamil_digits_sub");
        sub.Html.ShouldContain("<sub>3</sub>");
        Lines(sub, "tamil").ShouldContain(l => l.Contains('3') && !l.Contains("<sub>"));

        var inline = With("tamil_digits_inline");
        Lines(inline, "tamil").ShouldContain(l => l.Any(char.IsAsciiDigit));

        Lines(With("tamil_line_starts_pa4"), "tamil").ShouldContain(l => l.StartsWith("ப 4"));
        Lines(With("latin_line_starts_with_long_vowel"), "latin").ShouldContain(l => l.StartsWith("A ") || l.StartsWith("E "));
        Lines(With("sandhi_parens"), "latin").ShouldContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\w\([a-zA-Z]+\)\w"));
        Lines(With("refrain_cue"), "latin").ShouldContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @" \(\w+\)$"));

        var noTala = With("missing_tala");
        noTala.Truth.Expected.Tala.ShouldBeNull();
        noTala.Html.ShouldNotContain("(tALa ");
        noTala.Html.ShouldNotContain("tALaM ");

        var malika = With("ragamalika");
        malika.Truth.Expected.Raga.ShouldBe("rAga mAlikA");
        var ragas = malika.Truth.Expected.Ragas!;
        ragas.Count.ShouldBeGreaterThan(2);
        foreach (var r in ragas.Where(r => !r.Viloma))
        {
            malika.Html.ShouldContain($"{r.Order}. {r.Raga} rAgaM");
            r.Section.ShouldBeInRange(1, malika.Truth.Expected.Sections.Count);
        }

        var madhyama = With("madhyama_kala");
        madhyama.Html.ShouldContain("(madhyama kAla sAhityam)");
        foreach (var s in madhyama.Truth.Expected.Sections.Where(s => s.MadhyamaKala == true))
            s.MadhyamaKalaLine!.Value.ShouldBeLessThan(madhyama.Truth.Expected.Lyrics["latin"][s.Order - 1].Split('\n').Length);

        var svara = With("svara_sahitya");
        var swara = svara.Truth.Expected.Sections.Where(s => s.Type == "SWARA_SAHITYA").ToList();
        swara.Select(s => s.Number).ShouldBe(Enumerable.Range(1, swara.Count).Select(n => (int?)n));
        svara.Truth.Expected.Form.ShouldBe("svara jati");

        With("samashti_charanam").Truth.Expected.Sections.Select(s => s.Type).ShouldBe(new[] { "PALLAVI", "SAMASHTI_CHARANAM" });
        With("compact_marker_c10_plus").Html.ShouldMatch(@"C ?1[0-2]</span>|C ?1[0-2] ");
        With("compact_marker_c_space").Html.ShouldMatch(@"C \d");
        With("tamil_prose_unlabelled").Truth.Expected.Composer.ShouldBe("Tyagaraja");
        With("dikshitar_meta_and_language_table").Html.ShouldContain(" - rAgaM ");
        With("mso_word_notes").Html.ShouldContain("MsoNormal");
        With("missing_scripts").Truth.Expected.Scripts.Count.ShouldBeLessThan(6);
        With("composite_raga").Truth.Expected.Raga.ShouldContain("-");
    }

    [Fact]
    public void Truth_sections_are_the_same_in_every_script()
    {
        var page = Sample(5);
        var t = page.Truth.Expected;
        foreach (var (_, sections) in t.Lyrics)
        {
            sections.Count.ShouldBe(t.Sections.Count);
            for (var i = 0; i < sections.Count; i++)
                sections[i].Split('\n').Length.ShouldBe(t.Lyrics["latin"][i].Split('\n').Length);
        }
        t.Sections.Select(s => s.Order).ShouldBe(Enumerable.Range(1, t.Sections.Count));
    }

    [Fact]
    public void Title_comes_from_the_manifest_without_parenthesised_words()
    {
        PagePlanner.CleanTitle("(ambA) kAmAkshi anudinamu").ShouldBe("kAmAkshi anudinamu");
        PagePlanner.CleanTitle("kAmAkshi anudinamu (ambA)").ShouldBe("kAmAkshi anudinamu");
        PagePlanner.Ascii("kAmAkshi anudinamu").ShouldBe("Kamakshi Anudinamu");
    }
}
