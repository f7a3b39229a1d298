using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Reference;

/// <summary>The seed stores name keys as <see cref="ReferenceKinds"/> reads names; every resolver must read them alike.</summary>
public class ReferenceKindsTests
{
    [Theory]
    [InlineData("raga", "tODi rAgaM", "tODi")]
    [InlineData("tala", "Adi tALaM", "Adi")]
    [InlineData("deity", "Lord vEnkaTESa", "vEnkaTESa")]
    [InlineData("composer", "SrI tyAgarAja", "SrI tyAgarAja")]
    [InlineData("kshetra", "kAncI rAgaM", "kAncI rAgaM")]
    public void Each_kind_drops_only_its_own_generic_and_leading_words(string kind, string name, string kept) =>
        ReferenceKinds.Parse(kind, name).Key.ShouldBe(NameKey.Of(kept));

    [Fact]
    public void Every_resolver_reads_names_as_the_catalog_does()
    {
        Shared.Require();
        var set = ResolverSet.CreateDefault();
        foreach (var kind in ReferenceKinds.All)
            foreach (var name in new[] { "tODi rAgaM", "Adi tALaM", "SrI rAma", "Lord vEnkaTESa", "kAncIpuram" })
                set.For(kind).Parse(name).ShouldBe(ReferenceKinds.Parse(kind, name), $"{kind}: {name}");
    }

    [Fact]
    public void An_unknown_kind_is_named_with_the_known_ones()
    {
        ReferenceKinds.IsKind("raaga").ShouldBeFalse();
        ReferenceKinds.All.ShouldAllBe(k => ReferenceKinds.IsKind(k));
        ReferenceKinds.UnknownKindMessage("raaga").ShouldBe("Unknown kind 'raaga': use one of raga, tala, composer, deity, kshetra.");
    }
}
