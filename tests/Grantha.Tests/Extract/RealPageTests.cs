using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grantha.Extract;

namespace Grantha.Tests.Extract;

/// <summary>
/// The two real pages in ../shared/pages are the judge: every field the expected files hold must
/// come out exactly, and the lyric of every script equal after whitespace normalisation.
/// </summary>
public class RealPageTests
{
    public const string SyamaSastriPage = "catb_kamakshi_anudinamu";
    public const string TyagarajaPage = "tv_venkatesa_tamil_trailer";

    static readonly ConcurrentDictionary<string, (ExtractedPage Page, JsonElement Expected, JsonElement Root)> Cache = new();

    public static (ExtractedPage Page, JsonElement Expected, JsonElement Root) Load(string name)
    {
        Shared.Require();
        return Cache.GetOrAdd(name, n =>
        {
            var bytes = File.ReadAllBytes(Path.Combine(SharedFiles.PagesDir, n + ".html"));
            var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFiles.PagesDir, "expected", n + ".json"))).RootElement;
            return (Extractor.Extract(bytes, "UTF-8", root.GetProperty("url").GetString()), root.GetProperty("expected"), root);
        });
    }

    public static TheoryData<string> Pages => new(SyamaSastriPage, TyagarajaPage);

    public static TheoryData<string, string> PageScripts
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var page in new[] { SyamaSastriPage, TyagarajaPage })
                foreach (var script in new[] { "latin", "devanagari", "tamil", "telugu", "kannada", "malayalam" })
                    data.Add(page, script);
            return data;
        }
    }

    static string? Str(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();

    static string Normalise(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    [Theory, MemberData(nameof(Pages))]
    public void Metadata_is_exactly_what_the_page_states(string name)
    {
        var (page, expected, _) = Load(name);
        page.PostTitle.ShouldBe(Str(expected, "post_title"));
        page.Title.ShouldBe(Str(expected, "title"));
        page.Ragas.Select(r => r.Name).ShouldBe([Str(expected, "raga")!]);
        page.Tala.ShouldBe(Str(expected, "tala"));
        page.Composer.ShouldBe(Str(expected, "composer"));
        page.Form.ShouldBe(Str(expected, "form"));
        page.Deity.ShouldBe(Str(expected, "deity"));
        page.Kshetra.ShouldBe(Str(expected, "kshetra"));
        page.Published.ShouldBe(Str(expected, "published"));
    }

    [Theory, MemberData(nameof(Pages))]
    public void Section_sequence_is_the_expected_one(string name)
    {
        var (page, expected, _) = Load(name);
        var want = expected.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("type").GetString()).ToList();
        page.Sections.Select(s => s.Type.Code()).ShouldBe(want);
        page.Sections.Select(s => s.Order).ShouldBe(Enumerable.Range(1, want.Count));
    }

    [Theory, MemberData(nameof(Pages))]
    public void Scripts_are_the_expected_ones_in_page_order(string name)
    {
        var (page, expected, _) = Load(name);
        var want = expected.GetProperty("scripts").EnumerateArray()
            .Select(s => (s.GetProperty("language").GetString(), s.GetProperty("script").GetString())).ToList();
        page.Lyrics.Select(l => ((string?)l.Language, (string?)l.Script)).ShouldBe(want);
        page.Lyrics.ShouldAllBe(l => l.Sections.Count == page.Sections.Count);
    }

    [Theory, MemberData(nameof(PageScripts))]
    public void Lyric_text_is_page_faithful(string name, string script)
    {
        var (page, expected, _) = Load(name);
        var want = expected.GetProperty("lyrics").GetProperty(script).EnumerateArray().Select(e => e.GetString()!).ToList();
        var lyric = page.Lyric(script);
        lyric.ShouldNotBeNull($"no {script} lyric");
        lyric.Sections.Count.ShouldBe(want.Count);
        for (var i = 0; i < want.Count; i++)
            Normalise(lyric.Sections[i]).ShouldBe(Normalise(want[i]), $"{script} section {i + 1}");
    }

    [Theory, MemberData(nameof(Pages))]
    public void Manifest_raga_of_the_page_raises_no_warning(string name)
    {
        var (_, _, root) = Load(name);
        var bytes = File.ReadAllBytes(Path.Combine(SharedFiles.PagesDir, name + ".html"));
        foreach (var row in root.GetProperty("manifest_rows").EnumerateArray())
        {
            var page = Extractor.Extract(bytes, null, null, row.GetProperty("Raga").GetString());
            page.HasWarning(Warnings.CsvRagaDiffers).ShouldBeFalse();
        }
    }

    [Fact]
    public void A_different_manifest_raga_is_reported()
    {
        var (_, _, _) = Load(SyamaSastriPage);
        var bytes = File.ReadAllBytes(Path.Combine(SharedFiles.PagesDir, SyamaSastriPage + ".html"));
        var page = Extractor.Extract(bytes, null, null, "tODi");
        page.HasWarning(Warnings.CsvRagaDiffers).ShouldBeTrue();
        page.Confidence.ShouldBeLessThan(1.0);
    }

    [Fact]
    public void The_svara_jati_numbers_its_svara_sahityas()
    {
        var (page, _, _) = Load(SyamaSastriPage);
        page.Sections.Skip(1).Select(s => s.Number).ShouldBe(Enumerable.Range(1, 8).Select(i => (int?)i));
        page.Sections[0].Number.ShouldBeNull();
    }

    [Fact]
    public void The_tyagaraja_page_has_no_tala_and_says_so()
    {
        var (page, _, _) = Load(TyagarajaPage);
        page.Tala.ShouldBeNull();
        page.HasWarning(Warnings.TalaMissing).ShouldBeTrue();
        page.Sections.Select(s => s.Number).ShouldBe([null, null, 1, 2, 3]);
    }

    [Fact]
    public void The_unlabelled_tamil_prose_meaning_is_not_lyric_and_is_reported()
    {
        var (page, _, _) = Load(TyagarajaPage);
        page.Lyric("tamil")!.Sections[^1].ShouldNotContain("வேங்கடேசா!");
        page.HasWarning(Warnings.ProseTrimmed).ShouldBeTrue();
    }

    [Fact]
    public void The_labelled_tamil_prose_meaning_is_not_lyric()
    {
        var (page, _, _) = Load(SyamaSastriPage);
        page.Lyric("tamil")!.Sections.ShouldAllBe(s => !s.Contains("காமாட்சீ!"));
        page.Warnings.ShouldBeEmpty();
        page.Confidence.ShouldBe(1.0);
    }

    [Theory, MemberData(nameof(Pages))]
    public void Prose_parts_are_kept_apart_from_the_lyric(string name)
    {
        var (page, _, _) = Load(name);
        page.Gist.ShouldNotBeNullOrWhiteSpace();
        page.Meaning.ShouldNotBeNullOrWhiteSpace();
        page.Variations.ShouldNotBeNullOrWhiteSpace();
        page.Updated.ShouldNotBeNull();
        page.Labels.ShouldNotBeEmpty();
        page.DisplayTitle.ShouldNotBeNullOrWhiteSpace();
        page.Lyric("latin")!.Sections.ShouldAllBe(s => !s.Contains("Gist") && !s.Contains("(literally"));
    }

    [Fact]
    public void Meta_facts_of_the_shell_are_read()
    {
        var (ss, _, _) = Load(SyamaSastriPage);
        ss.Updated.ShouldBe("2011-05-22");
        ss.DisplayTitle.ShouldBe("Kamakshi Anudinamu");
        ss.Labels.ShouldContain("Bhairavi Raga");
        ss.References.ShouldNotBeNull().ShouldContain("kadamba");
        var (tv, _, _) = Load(TyagarajaPage);
        tv.Updated.ShouldBe("2009-02-22");
        tv.DisplayTitle.ShouldBe("Venkatesa");
        tv.Notes.ShouldNotBeNull().ShouldContain("sOpAna");
    }
}
