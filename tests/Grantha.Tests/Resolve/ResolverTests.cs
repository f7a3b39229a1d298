using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Resolve;

/// <summary>The generic mechanism, on small hand-made catalogs (no shared files needed).</summary>
public class ResolverTests
{
    static Resolver Over(params string[] names) =>
        new("raga", names.Select(n => new ResolverEntry(RagaCatalog.Slug(n), n, [n], NameKey.Parse(n).Qualifier)), NameKey.RagaGenericWords);

    static string Id(string name) => RagaCatalog.Slug(name);

    [Fact]
    public void An_own_name_in_any_spelling_is_matched_with_reason_exact_key()
    {
        var r = Over("Kedāragowla", "Kalyāni", "Bhairavi").Resolve("kEdAra gauLa");
        r.Decision.ShouldBe(Decision.Matched);
        r.Match.ShouldBe(new EntityRef(Id("Kedāragowla"), "Kedāragowla"));
        r.Candidates[0].Reason.ShouldBe(MatchReason.ExactKey);
        r.Candidates[0].Score.ShouldBe(1.0);
        r.Kind.ShouldBe("raga");
        r.Input.ShouldBe("kEdAra gauLa");
    }

    [Theory]
    [InlineData("Kannada", "kAnaDa")]
    [InlineData("Kanada", "kannaDa")]
    [InlineData("Bhogi", "AbhOgi")]
    [InlineData("Abhogi", "bhOgi")]
    [InlineData("Bhairavam", "bhairavi")]
    [InlineData("Bhairavi", "bhairavaM")]
    [InlineData("Sāranga", "Sarang")]
    [InlineData("Asāveri", "sAvEri")]
    public void Fuzzy_scoring_never_auto_matches_a_different_raga(string onlyRagaInCatalog, string input)
    {
        var r = Over(onlyRagaInCatalog).Resolve(input);
        r.Decision.ShouldNotBe(Decision.Matched);
        r.Match.ShouldBeNull();
    }

    [Theory]
    [InlineData("kAnaDa", "Kanadā")]
    [InlineData("kannaDa", "Kannada")]
    [InlineData("AbhOgi", "Abhogi")]
    [InlineData("bhOgi", "Bhogi")]
    [InlineData("bhairavi", "Bhairavi")]
    [InlineData("bhairavaM", "Bhairavam")]
    public void With_both_in_the_catalog_each_input_matches_its_own_raga(string input, string expected)
    {
        var r = Over("Kanadā", "Kannada", "Abhogi", "Bhogi", "Bhairavi", "Bhairavam").Resolve(input);
        r.Decision.ShouldBe(Decision.Matched);
        r.Match!.Name.ShouldBe(expected);
    }

    [Fact]
    public void A_single_edit_in_a_long_name_is_matched_with_its_distance()
    {
        var r = Over("Ravi Chandrikā", "Kalyāni").Resolve("ravi candirka");
        r.Decision.ShouldBe(Decision.Matched);
        r.Candidates[0].Reason.ShouldBe(MatchReason.Fuzzy);
        r.Candidates[0].Distance.ShouldBe(1);
    }

    [Fact]
    public void Two_edits_go_to_review_with_candidates()
    {
        var r = Over("Supradeepam", "Kalyāni").Resolve("supradIpaMa");
        r.Decision.ShouldBe(Decision.NeedsReview);
        r.Candidates[0].Name.ShouldBe("Supradeepam");
        r.Candidates[0].Distance.ShouldBe(2);
    }

    [Fact]
    public void A_close_runner_up_sends_the_input_to_review()
    {
        var catalog = Over("Gamakakriyā", "Gamakapriyā");
        catalog.Resolve("gamaka kriyA").Decision.ShouldBe(Decision.Matched, "exact beats a one-edit neighbour by more than the margin");
        var r = catalog.Resolve("gamaka driyA");
        r.Decision.ShouldBe(Decision.NeedsReview, "one edit from both");
        r.Candidates.Count.ShouldBe(2);
    }

    [Fact]
    public void Two_ragas_with_one_key_go_to_review()
    {
        var r = Over("Kalāvati", "Kalāvathi").Resolve("kalAvati");
        r.Decision.ShouldBe(Decision.NeedsReview);
        r.Candidates.Take(2).Select(c => c.Score).ShouldBe([1.0, 1.0]);
    }

    [Fact]
    public void Nothing_close_is_unknown()
    {
        var r = Over("Kalyāni", "Todi").Resolve("xyzzyqq");
        r.Decision.ShouldBe(Decision.Unknown);
        r.Candidates.ShouldBeEmpty();
        Over("Kalyāni").Resolve("  ").Decision.ShouldBe(Decision.Unknown);
    }

    [Fact]
    public void Candidates_are_at_most_five_best_first()
    {
        var r = Over("Vasanta", "Vasanti", "Vasanthā", "Basanta", "Vasantha Bhairavi", "Hasanta", "Rasanta").Resolve("vasanto");
        r.Candidates.Count.ShouldBeLessThanOrEqualTo(ResolverThresholds.MaxCandidatesDefault);
        r.Candidates.Select(c => c.Score).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public void A_note_that_differs_costs_a_little_and_decides_between_listings()
    {
        var catalog = Over("Shankara", "Shankara{Hindustani}");
        var plain = catalog.Resolve("Shankara");
        plain.Decision.ShouldBe(Decision.Matched);
        plain.Match!.Name.ShouldBe("Shankara");
        plain.Candidates[1].Score.ShouldBe(1.0 - ResolverThresholds.QualifierMismatchPenalty);
        catalog.Resolve("Shankara {Hindustani}").Match!.Name.ShouldBe("Shankara{Hindustani}");
        Over("Pharaju {Hindustani}").Resolve("paraju").Decision.ShouldBe(Decision.Matched, "the only raga of that name");
    }

    [Fact]
    public void Listings_of_one_thing_count_as_one_candidate_and_the_closest_spelling_is_returned()
    {
        var resolver = new Resolver("raga",
        [
            new ResolverEntry("shree", "Shree", ["Shree"], null, "shree"),
            new ResolverEntry("sri", "Sri", ["Sri"], null, "shree"),
        ], NameKey.RagaGenericWords);
        var r = resolver.Resolve("SrI rAgaM");
        r.Decision.ShouldBe(Decision.Matched);
        r.Match!.Id.ShouldBe("sri");
        r.Candidates.Count.ShouldBe(1);
        resolver.Resolve("Shree").Match!.Id.ShouldBe("shree");
    }

    [Fact]
    public void A_synonym_matches_and_an_own_name_of_another_raga_wins_over_none()
    {
        var resolver = Over("Mechakalyāni", "Hanumatodi", "Todi Kalyani");
        resolver.AddSynonym("Kalyani", Id("Mechakalyāni")).ShouldBeTrue();
        var r = resolver.Resolve("kalyANi");
        r.Decision.ShouldBe(Decision.Matched);
        r.Candidates[0].Reason.ShouldBe(MatchReason.Synonym);
        r.Candidates[0].MatchedName.ShouldBe("Kalyani");
        r.Candidates[0].Score.ShouldBe(ResolverThresholds.SynonymScore);

        resolver.AddSynonym("Todi Kalyani", Id("Hanumatodi")).ShouldBeFalse("the catalog lists Todi Kalyani as its own raga");
        resolver.Resolve("Todi Kalyani").Match!.Name.ShouldBe("Todi Kalyani");
        Should.Throw<ArgumentException>(() => resolver.AddSynonym("X", "no-such-id")).Message.ShouldContain("no-such-id");
    }

    [Fact]
    public void An_alias_is_a_curators_choice_and_wins()
    {
        var resolver = Over("Kalāvati", "Kalāvathi", "Kokilapriyā");
        resolver.Resolve("kalAvati").Decision.ShouldBe(Decision.NeedsReview);
        resolver.AddAlias("kalAvati", Id("Kalāvathi"));
        var r = resolver.Resolve("kalAvati");
        r.Decision.ShouldBe(Decision.Matched);
        r.Match!.Name.ShouldBe("Kalāvathi");
        r.Candidates[0].Reason.ShouldBe(MatchReason.Alias);
        r.Candidates.ShouldContain(c => c.Name == "Kalāvati", "the other reading stays visible");
        resolver.Resolve("Kalaavati").Candidates[0].Reason.ShouldBe(MatchReason.Alias, "any spelling with the same key");

        resolver.AddAlias("kOila priya", Id("Kokilapriyā"));
        resolver.Resolve("kOila priya").Candidates[0].Reason.ShouldBe(MatchReason.Alias);
        Should.Throw<ArgumentException>(() => resolver.AddAlias("x", "nope")).Message.ShouldContain("no raga with id 'nope'");
        Should.Throw<ArgumentException>(() => resolver.AddAlias("--", Id("Kalāvati")));
    }

    [Fact]
    public void Thresholds_are_the_named_constants_and_can_be_tightened()
    {
        ResolverThresholds.Default.MatchScoreMin.ShouldBe(ResolverThresholds.MatchScoreMinDefault);
        ResolverThresholds.Default.MatchMarginMin.ShouldBe(ResolverThresholds.MatchMarginMinDefault);
        // One edit: a 9-letter key can be matched, a 7-letter key cannot, and an edit at the edge never.
        ResolverThresholds.FuzzyScore("sanagrani", "senagrani", 1).ShouldBeGreaterThanOrEqualTo(ResolverThresholds.MatchScoreMinDefault);
        ResolverThresholds.FuzzyScore("kanada", "kannada", 1).ShouldBeLessThan(ResolverThresholds.MatchScoreMinDefault);
        ResolverThresholds.FuzzyScore("sankarabaranax", "sankarabaranay", 1).ShouldBeLessThan(ResolverThresholds.MatchScoreMinDefault);

        var strict = new Resolver("raga", [new ResolverEntry("k", "Kalyāni", ["Kalyāni"])], null,
            new ResolverThresholds { MatchScoreMin = 1.01 });
        strict.Resolve("kalyANi").Decision.ShouldBe(Decision.NeedsReview);
        var picky = new Resolver("raga", [new ResolverEntry("k", "Kalyāni", ["Kalyāni"])], null,
            new ResolverThresholds { ReviewScoreMin = 0.99 });
        picky.Resolve("kalyANa").Decision.ShouldBe(Decision.Unknown);
    }

    [Fact]
    public void Duplicate_ids_are_refused()
    {
        Should.Throw<ArgumentException>(() => new Resolver("tala", [new ResolverEntry("a", "A", ["A"]), new ResolverEntry("a", "B", ["B"])]))
            .Message.ShouldContain("Duplicate tala id 'a'");
    }

    [Fact]
    public void Resolution_serialises_with_snake_case_decisions()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Over("Kalāvati", "Kalāvathi").Resolve("kalAvati"));
        json.ShouldContain("\"Decision\":\"needs_review\"");
        Decision.Matched.ToWire().ShouldBe("matched");
        Decision.Ragamalika.ToWire().ShouldBe("ragamalika");
    }
}
