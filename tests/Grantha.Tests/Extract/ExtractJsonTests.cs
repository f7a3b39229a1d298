using System.Text.Json;
using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class ExtractJsonTests
{
    static readonly string[] Fields =
    [
        "sourceUrl", "extractorVersion", "postTitle", "title", "displayTitle", "ragas", "tala", "composer", "form",
        "deity", "kshetra", "published", "sections", "lyrics", "gist", "meaning", "notes", "variations", "warnings",
        "confidence",
    ];

    [Fact]
    public void Output_has_exactly_the_agreed_fields_in_order_and_unescaped_utf8()
    {
        var (page, _, _) = RealPageTests.Load(RealPageTests.SyamaSastriPage);
        var json = ExtractJson.Serialize(page);
        using var doc = JsonDocument.Parse(json);
        doc.RootElement.EnumerateObject().Select(p => p.Name).ShouldBe(Fields);
        json.ShouldContain("कामाक्षि");
        json.ShouldContain("‘"); // not \u2018
        json.ShouldNotContain("\\u0");
        doc.RootElement.GetProperty("extractorVersion").GetString().ShouldBe(Extractor.Version);
        doc.RootElement.GetProperty("sections")[1].GetProperty("type").GetString().ShouldBe("SWARA_SAHITYA");
        doc.RootElement.GetProperty("sections")[1].GetProperty("number").GetInt32().ShouldBe(1);
        var sections = doc.RootElement.GetProperty("sections").GetArrayLength();
        foreach (var lyric in doc.RootElement.GetProperty("lyrics").EnumerateArray())
            lyric.GetProperty("sections").GetArrayLength().ShouldBe(sections);
        doc.RootElement.GetProperty("confidence").GetDouble().ShouldBe(1.0);
    }

    [Fact]
    public void Absent_facts_are_null_not_missing_and_warnings_carry_their_penalty()
    {
        var (page, _, _) = RealPageTests.Load(RealPageTests.TyagarajaPage);
        using var doc = JsonDocument.Parse(ExtractJson.Serialize(page));
        doc.RootElement.GetProperty("tala").ValueKind.ShouldBe(JsonValueKind.Null);
        doc.RootElement.GetProperty("kshetra").ValueKind.ShouldBe(JsonValueKind.Null);
        var warning = doc.RootElement.GetProperty("warnings").EnumerateArray().Single(w => w.GetProperty("code").GetString() == "tala_missing");
        warning.GetProperty("penalty").GetDouble().ShouldBe(Warnings.Penalty(Warnings.TalaMissing));
        doc.RootElement.GetProperty("ragas")[0].GetProperty("name").GetString().ShouldBe("madhyamAvati");
    }

    [Fact]
    public void A_synthetic_page_serialises_without_shared_files()
    {
        var page = Extractor.Extract(TestPages.Blogger(TestPages.SimpleKritiBody));
        var json = ExtractJson.Serialize(page);
        using var doc = JsonDocument.Parse(json);
        doc.RootElement.EnumerateObject().Select(p => p.Name).ShouldBe(Fields);
        json.ShouldContain("राम राम नी वारमु");
    }
}
