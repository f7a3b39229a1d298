using Grantha.Extract;
using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Resolve;

/// <summary>PageResolver without a database: manifest raga vs page raga, ragamalika, composite cells, blocking, quality.</summary>
public class PageResolverTests
{
    static readonly Lazy<ResolverSet> Set = new(ResolverSet.CreateDefault);

    static ExtractedPage Page(string? raga, string? tala = "Adi", string? composer = "Tyagaraja", string? deity = null, string? kshetra = null, params (string Raga, int Section)[] ragamalika) => new()
    {
        Title = "rAma nIvE gati",
        Ragas = ragamalika.Length > 0 ? ragamalika.Select(r => new ExtractedRaga(r.Raga, r.Section)).ToList() : raga is null ? [] : [new ExtractedRaga(raga)],
        Tala = tala,
        Composer = composer,
        Deity = deity,
        Kshetra = kshetra,
        Confidence = 1.0,
    };

    static IReadOnlyList<ManifestSource> Rows(params string[] ragas) => ragas.Select((r, i) => new ManifestSource(i + 1, "m.csv", i + 2, "rAma nIvE gati", r)).ToList();

    [Fact]
    public void Agreeing_sources_resolve_every_entity_kind()
    {
        Shared.Require();
        var r = PageResolver.Resolve(Set.Value, Page("madhyamAvati", "rUpakaM", "Tyagaraja", "SrI rAma", "bhadrAcalam"), Rows("madhyamAvati"));
        r.NeedsReview.ShouldBeFalse();
        r.Ragas.Select(x => x.Name).ShouldBe(["Madhyamāvathi"]);
        r.TalaId.ShouldBe("rupaka-chatusra");
        r.ComposerId.ShouldBe("tyagaraja");
        r.DeityId.ShouldBe("rama");
        r.KshetraId.ShouldBe("bhadrachalam");
        r.Quality.ShouldBe(1.0);
        r.QualityReasons.ShouldBeEmpty();
        r.WorkKey.ShouldBe($"tyagaraja|{NameKey.Of("rAma nIvE gati")}|madhyamavathi");
    }

    [Fact]
    public void Disagreeing_sources_keep_the_manifest_raga_and_lower_quality()
    {
        Shared.Require();
        var r = PageResolver.Resolve(Set.Value, Page("tODi"), Rows("kalyANi"));
        r.NeedsReview.ShouldBeFalse();
        r.Ragas.Single().Name.ShouldBe("Mechakalyāni");
        r.QualityReasons.ShouldContain(q => q.Code == "raga_disagreement");
        r.Quality.ShouldBe(1.0 - PageResolver.Penalty.RagaDisagreement, 1e-9);
    }

    [Fact]
    public void An_unresolved_manifest_raga_is_superseded_by_a_resolved_page_raga()
    {
        Shared.Require();
        var r = PageResolver.Resolve(Set.Value, Page("bEgaDa"), Rows("sumadyuti"));
        r.NeedsReview.ShouldBeFalse();
        r.Ragas.Single().Name.ShouldBe("Begada");
        r.Decisions.Single(d => d.Source == NameSource.Manifest).Status.ShouldBe(NameStatus.Superseded);
        r.QualityReasons.ShouldContain(q => q.Code == "manifest_raga_unresolved");
    }

    [Fact]
    public void A_name_that_resolves_nowhere_blocks_with_its_candidates_and_no_work_key()
    {
        Shared.Require();
        var r = PageResolver.Resolve(Set.Value, Page("sumadyuti", tala: null), Rows("sumadyuti", "sumadyuti"));
        r.NeedsReview.ShouldBeTrue();
        r.WorkKey.ShouldBeNull();
        var blocking = r.Decisions.Where(d => d.Blocking).ToList();
        blocking.ShouldAllBe(d => d.Kind == "raga" && d.Input == "sumadyuti");
        blocking.Single(d => d.Source == NameSource.Manifest).Rows.ShouldBe(2);
        blocking[0].Resolution.Candidates.ShouldNotBeEmpty();
        r.QualityReasons.Select(q => q.Code).ShouldContain("needs_review");
        r.QualityReasons.Select(q => q.Code).ShouldContain("no_tala");
    }

    [Fact]
    public void A_ragamalika_takes_the_pages_ragas_in_section_order_and_without_them_goes_to_review()
    {
        Shared.Require();
        var r = PageResolver.Resolve(Set.Value, Page(null, ragamalika: [("SrI", 1), ("Arabhi", 2), ("mOhana", 3)]), Rows("rAga mAlikA"));
        r.NeedsReview.ShouldBeFalse();
        r.Ragas.Select(x => x.Id).ShouldBe(["sri", "arabhi", "mohanam"]);
        r.RagaSet.ShouldBe("arabhi+mohanam+sri");

        var none = PageResolver.Resolve(Set.Value, Page(null), Rows("rAga mAlikA"));
        none.NeedsReview.ShouldBeTrue();
        none.Decisions.Single(d => d.Blocking).Input.ShouldBe("rAga mAlikA");
    }

    [Fact]
    public void A_composite_cell_gives_two_ragas()
    {
        Shared.Require();
        var r = PageResolver.Resolve(Set.Value, Page("bhUpALaM - bhauLi"), Rows("bhUpALaM - bhauLi"));
        r.NeedsReview.ShouldBeFalse();
        r.Ragas.Select(x => x.Name).ShouldBe(["Bhoopālam", "Bowli"]);
    }

    [Fact]
    public void An_unknown_deity_blocks_a_missing_one_does_not()
    {
        Shared.Require();
        PageResolver.Resolve(Set.Value, Page("tODi", deity: "xyzzyqwert"), Rows("tODi")).NeedsReview.ShouldBeTrue();
        PageResolver.Resolve(Set.Value, Page("tODi", deity: null), Rows("tODi")).NeedsReview.ShouldBeFalse();
    }

    [Fact]
    public void Quality_says_what_lowered_it_and_counts_a_blocking_name_once()
    {
        Shared.Require();
        var page = Page("sumadyuti") with { Confidence = 0.9, Warnings = [new ExtractWarning("no_gist", "no gist", 0.1)] };
        var r = PageResolver.Resolve(Set.Value, page, Rows("sumadyuti"));
        r.QualityReasons.Select(q => q.Code).ShouldBe(["extraction", "needs_review"]);
        r.QualityReasons[0].Message.ShouldContain("no_gist");
        r.QualityReasons[0].Penalty.ShouldBe(0.1, 1e-9);
        r.Quality.ShouldBe(1 - 0.1 - PageResolver.Penalty.NeedsReview, 1e-9);
    }
}
