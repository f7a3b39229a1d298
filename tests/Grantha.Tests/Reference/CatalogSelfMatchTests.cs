using System.Globalization;
using System.Text;
using Grantha.Resolve;

namespace Grantha.Tests.Reference;

/// <summary>Every catalog raga, typed as the list writes it or without diacritics, finds itself (or, for a name the list gives twice, goes to review).</summary>
public class CatalogSelfMatchTests
{
    static string Plain(string s) => new(s.Normalize(NormalizationForm.FormD).Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark).ToArray());

    [Fact]
    public void Every_catalog_name_resolves_to_its_own_raga_or_to_review_never_to_another()
    {
        Shared.Require();
        var resolver = RagaResolver.CreateDefault();
        var review = 0;
        foreach (var raga in resolver.Catalog.All)
            foreach (var input in new[] { raga.Name, Plain(raga.Name) })
            {
                var r = resolver.Resolve(input);
                r.Decision.ShouldNotBe(Decision.Unknown, input);
                if (r.Decision == Decision.Matched) resolver.Catalog.SameRaga(r.Match!.Id, raga.Id).ShouldBeTrue($"{input} -> {r.Match.Name}");
                else
                {
                    review++;
                    r.Candidates.Take(2).ShouldContain(c => resolver.Catalog.SameRaga(c.Id, raga.Id), input);
                }
            }
        review.ShouldBeLessThan(40);
    }
}
