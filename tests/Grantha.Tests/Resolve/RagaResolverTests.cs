using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Resolve;

public class RagaResolverTests
{
    static RagaResolver Small(params string[] names) =>
        new(new RagaCatalog(names.Select((n, i) => new RagaRow(n, null, $"Parent {i}", "S", "S"))));

    static readonly Lazy<RagaResolver> Reference = new(RagaResolver.CreateDefault);

    static RagaResolver Default()
    {
        Shared.Require();
        return Reference.Value;
    }

    [Theory]
    [InlineData("rAga mAlikA")]
    [InlineData("Ragamalika")]
    [InlineData("rAgamAlikA")]
    [InlineData("Raagamaalika")]
    public void Ragamalika_is_recognised_not_resolved(string input)
    {
        var r = Small("Kalyāni", "Mālavi").Resolve(input);
        r.Decision.ShouldBe(Decision.Ragamalika);
        r.Match.ShouldBeNull();
        r.Candidates.ShouldBeEmpty();
    }

    [Fact]
    public void A_spaced_dash_separates_two_ragas()
    {
        var cells = Small("Bhoopālam", "Bowli", "Reethigowla", "Abheri").ResolveCell("bhUpALaM - bhauLi");
        cells.Select(c => c.Match?.Name).ShouldBe(["Bhoopālam", "Bowli"]);
        cells.Select(c => c.Input).ShouldBe(["bhUpALaM", "bhauLi"]);
        Small("Bhoopālam", "Bowli", "Reethigowla", "Abheri").ResolveCell("rItigauLa - Abheri").Select(c => c.Match?.Name).ShouldBe(["Reethigowla", "Abheri"]);
    }

    [Fact]
    public void Bare_hyphens_split_only_when_the_whole_is_not_a_name_and_the_parts_are()
    {
        var resolver = Small("Rasāli", "Vanāvali", "Māyāmāḻavagouḻai", "Gowla", "Divyamaṇi", "Dundubi");
        var three = resolver.ResolveCell("rasALi-vanALi-vanAvaLi");
        three.Select(c => c.Input).ShouldBe(["rasALi", "vanALi", "vanAvaLi"]);
        three[0].Match!.Name.ShouldBe("Rasāli");
        three[1].Decision.ShouldBe(Decision.NeedsReview, "vanALi is a name this catalog lacks; Vanāvali is offered");
        three[2].Match!.Name.ShouldBe("Vanāvali");

        var one = resolver.ResolveCell("mAyA-mALava-gauLa");
        one.Count.ShouldBe(1, "the whole is a raga, although gauLa alone is one too");
        one[0].Match!.Name.ShouldBe("Māyāmāḻavagouḻai");

        resolver.ResolveCell("divya maNi-dundubhi").Select(c => c.Match?.Name).ShouldBe(["Divyamaṇi", "Dundubi"]);
        resolver.ResolveCell("qwx-zzv").Count.ShouldBe(1, "nothing resolves: the cell stays whole");
    }

    [Fact]
    public void Commas_and_slashes_separate_ragas_and_empty_cells_give_none()
    {
        var resolver = Small("Kalyāni", "Hanumatodi", "Mālavi");
        resolver.ResolveCell("kalyANi, mAlavi / hanumatODi").Select(c => c.Match?.Name).ShouldBe(["Kalyāni", "Mālavi", "Hanumatodi"]);
        resolver.ResolveCell("   ").ShouldBeEmpty();
        resolver.ResolveCell("rAga mAlikA").Single().Decision.ShouldBe(Decision.Ragamalika);
    }

    [Fact]
    public void A_curators_alias_resolves_the_same_input_afterwards()
    {
        var resolver = Small("Supradeepam", "Kalyāni");
        resolver.Resolve("supradIpaMa").Decision.ShouldBe(Decision.NeedsReview);
        var id = resolver.Catalog.FindByName("Supradeepam")!.Id;
        resolver.AddAlias("supradIpaMa", id);
        var r = resolver.Resolve("supradIpaMa");
        r.Decision.ShouldBe(Decision.Matched);
        r.Match!.Id.ShouldBe(id);
        r.Candidates[0].Reason.ShouldBe(MatchReason.Alias);
    }

    [Theory]
    [InlineData("SrI rAgaM", "Sri", MatchReason.ExactKey)]
    [InlineData("SrI rAgam", "Sri", MatchReason.ExactKey)]
    [InlineData("Shree", "Shree", MatchReason.ExactKey)]
    [InlineData("kalyANi", "Mechakalyāni", MatchReason.Synonym)]
    [InlineData("Kalyani ragam", "Mechakalyāni", MatchReason.Synonym)]
    [InlineData("tODi", "Hanumatodi", MatchReason.Synonym)]
    [InlineData("SankarAbharaNaM", "Dhīraśankarābharaṇam", MatchReason.Synonym)]
    [InlineData("kEdAra gauLa", "Kedāragowla", MatchReason.ExactKey)]
    [InlineData("nATa", "Nāṭṭai", MatchReason.ExactKey)]
    [InlineData("Nattai", "Nāṭṭai", MatchReason.ExactKey)]
    [InlineData("pantuvarALi", "Panthuvarāli", MatchReason.ExactKey)]
    [InlineData("Kamavardhini", "Panthuvarāli", MatchReason.Synonym)]
    [InlineData("Harikambodhi", "Harikāmbhōji", MatchReason.Synonym)]
    [InlineData("kAnaDa", "Kanadā", MatchReason.ExactKey)]
    [InlineData("kannaDa", "Kannada", MatchReason.ExactKey)]
    [InlineData("bhairavi", "Bhairavi", MatchReason.ExactKey)]
    [InlineData("bhairavaM", "Bhairavam", MatchReason.ExactKey)]
    [InlineData("bhOgi", "Bhogi", MatchReason.ExactKey)]
    [InlineData("AbhOgi", "Abhogi", MatchReason.ExactKey)]
    [InlineData("Kapi", "Kāpi", MatchReason.ExactKey)]
    [InlineData("karnATaka kApi", "Karnātaka Kāpi", MatchReason.ExactKey)]
    [InlineData("suraTi", "Surutti", MatchReason.Synonym)]
    [InlineData("mArga hindOLaM", "mArgahindOLaM", MatchReason.ExactKey)]
    [InlineData("Malkauns", "Malkosh /Malkauns", MatchReason.ExactKey)]
    public void Reference_catalog_examples(string input, string expected, string reason)
    {
        var r = Default().Resolve(input);
        r.Decision.ShouldBe(Decision.Matched, string.Join("; ", r.Candidates));
        r.Match!.Name.ShouldBe(expected);
        r.Candidates[0].Reason.ShouldBe(reason);
    }

    [Fact]
    public void SrI_rAgaM_is_Sri_not_a_raga_called_ragam()
    {
        var r = Default().Resolve("SrI rAgaM");
        r.Match!.Name.ShouldBe("Sri");
        r.Candidates.ShouldNotContain(c => c.Name.StartsWith("Shree"), "Shree is the same raga listed twice: one candidate");
        Default().Catalog.SameRaga(r.Match.Id, Default().Catalog.FindByName("Shree")!.Id).ShouldBeTrue();
    }

    [Theory]
    [InlineData("kalAvati")]
    [InlineData("jIvantikA")]
    [InlineData("sumadyuti")]
    [InlineData("supradIpaMa")]
    public void Ambiguous_or_unlisted_names_go_to_review(string input) =>
        Default().Resolve(input).Decision.ShouldBe(Decision.NeedsReview);

    [Fact]
    public void The_shipped_synonyms_all_load()
    {
        var r = Default();
        r.SkippedSynonyms.ShouldBeEmpty();
    }
}
