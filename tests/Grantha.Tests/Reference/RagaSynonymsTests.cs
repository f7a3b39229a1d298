using System.Text;
using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Reference;

public class RagaSynonymsTests
{
    static RagaSynonyms FromJson(string json) => RagaSynonyms.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json");

    [Fact]
    public void The_shipped_table_is_beside_the_binaries_and_covers_the_common_short_names()
    {
        var table = RagaSynonyms.LoadDefault();
        table.All.Count.ShouldBeGreaterThan(80);
        var names = table.All.Select(s => s.Name).ToHashSet();
        foreach (var n in new[] { "Kalyani", "Todi", "Sankarabharanam", "Sri", "Nata", "Harikambodhi", "Kamavardhini", "Surati", "Kambodhi", "Sama" })
            names.ShouldContain(n);
        table.All.ShouldAllBe(s => !string.IsNullOrWhiteSpace(s.Note), "every synonym says why");
    }

    [Fact]
    public void Every_shipped_synonym_names_a_catalog_raga_and_resolves_to_it()
    {
        Shared.Require();
        var catalog = RagaCatalog.LoadShared();
        var resolver = new RagaResolver(catalog, RagaSynonyms.LoadDefault());
        resolver.SkippedSynonyms.ShouldBeEmpty();
        foreach (var s in RagaSynonyms.LoadDefault().All)
        {
            var r = resolver.Resolve(s.Name);
            r.Decision.ShouldBe(Decision.Matched, $"{s.Name}: {string.Join("; ", r.Candidates)}");
            catalog.SameRaga(r.Match!.Id, catalog.FindByName(s.Raga)!.Id).ShouldBeTrue($"{s.Name} -> {r.Match.Name}, expected {s.Raga}");
        }
    }

    [Fact]
    public void Curators_can_add_a_synonym_to_the_table_or_to_a_live_resolver()
    {
        var catalog = new RagaCatalog([new RagaRow("Mechakalyāni", 65, null, "S", "S"), new RagaRow("Shānthakalyāni", null, "Mechakalyāni", "S", "S")]);
        var table = new RagaSynonyms([]);
        table.Add("Mechakalyāni", "Kalyani", "melakarta 65");
        var resolver = new RagaResolver(catalog, table);
        resolver.Resolve("kalyANi").Match!.Name.ShouldBe("Mechakalyāni");

        resolver.Resolve("Mecha").Decision.ShouldNotBe(Decision.Matched);
        resolver.AddSynonym("Mecha", "mechakalyani").ShouldBeTrue();
        resolver.Resolve("Mecha").Candidates[0].Reason.ShouldBe(MatchReason.Synonym);
        resolver.AddSynonym("Santhakalyani", "mechakalyani").ShouldBeFalse("the catalog lists Shānthakalyāni as a raga of its own");
    }

    [Fact]
    public void A_synonym_for_a_raga_missing_from_the_catalog_is_a_clear_error()
    {
        var catalog = new RagaCatalog([new RagaRow("Mechakalyāni", 65, null, "S", "S")]);
        Should.Throw<InvalidDataException>(() => new RagaResolver(catalog, FromJson("""[{"raga":"Kalyaani","names":["Kalyani"],"note":"x"}]""")))
            .Message.ShouldContain("'Kalyaani', which is not a raga name");
    }

    [Theory]
    [InlineData("{not json", "not a valid synonym table")]
    [InlineData("""[{"raga":"Todi"}]""", "entry 1 needs")]
    public void A_broken_table_is_a_clear_error(string json, string message) =>
        Should.Throw<InvalidDataException>(() => FromJson(json)).Message.ShouldContain(message);
}
