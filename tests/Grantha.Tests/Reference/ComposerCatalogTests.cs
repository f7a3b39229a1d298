using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Reference;

public class ComposerCatalogTests
{
    static readonly Resolver Composers = ResolverSet.CreateResolver(ComposerCatalog.Kind);

    [Theory]
    [InlineData("Tyagaraja", "tyagaraja")]
    [InlineData("Thyagaraja", "tyagaraja")]
    [InlineData("Tyagayya", "tyagaraja")]
    [InlineData("tyAgarAja", "tyagaraja")]
    [InlineData("Muthuswami Dikshitar", "muthuswami-dikshitar")]
    [InlineData("Muthuswamy Dikshitar", "muthuswami-dikshitar")]
    [InlineData("Dikshitar", "muthuswami-dikshitar")]
    [InlineData("muttusvAmi dIkshitar", "muthuswami-dikshitar")]
    [InlineData("Syama Sastri", "syama-sastri")]
    [InlineData("Syama Sastry", "syama-sastri")]
    [InlineData("Shyama Shastri", "syama-sastri")]
    [InlineData("SyAma SAstri", "syama-sastri")]
    [InlineData("Purandara Dasa", "purandaradasa")]
    [InlineData("Swathi Thirunal", "swati-tirunal")]
    [InlineData("Papanasam Sivan", "papanasam-sivan")]
    [InlineData("Gopalakrishna Bharathi", "gopalakrishna-bharati")]
    [InlineData("Annamayya", "annamacharya")]
    [InlineData("Oothukkadu Venkata Kavi", "oothukkadu-venkata-kavi")]
    [InlineData("Mysore Vasudevachar", "mysore-vasudevachar")]
    [InlineData("Patnam Subramanya Iyer", "patnam-subramania-iyer")]
    [InlineData("Muthiah Bhagavatar", "muthiah-bhagavatar")]
    [InlineData("Neelakanta Sivan", "neelakanta-sivan")]
    [InlineData("Subbaraya Sastri", "subbaraya-sastri")]
    [InlineData("Ramaswami Dikshitar", "ramaswami-dikshitar")]
    public void Resolves_composers_by_their_many_names(string input, string id)
    {
        var r = Composers.Resolve(input);
        r.Kind.ShouldBe("composer");
        r.Decision.ShouldBe(Decision.Matched, string.Join("; ", r.Candidates));
        r.Match!.Id.ShouldBe(id);
    }

    [Fact]
    public void Every_composer_has_a_unique_id_and_its_name_first()
    {
        ComposerCatalog.All.Select(c => c.Id).ShouldBeUnique();
        ComposerCatalog.All.ShouldAllBe(c => c.Names[0] == c.Name);
        ComposerCatalog.Find("tyagaraja")!.Name.ShouldBe("Tyagaraja");
    }

    [Fact]
    public void An_unknown_composer_is_not_matched() =>
        Composers.Resolve("Anonymous").Decision.ShouldNotBe(Decision.Matched);
}
