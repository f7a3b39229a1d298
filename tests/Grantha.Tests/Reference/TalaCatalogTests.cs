using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Tests.Reference;

public class TalaCatalogTests
{
    static readonly Resolver Talas = ResolverSet.CreateResolver(TalaCatalog.Kind);

    [Fact]
    public void Has_35_suladi_talas_4_chapu_talas_and_the_Adi_variants()
    {
        TalaCatalog.All.Count(t => t.Family != "Chapu" && t.Jati != null).ShouldBe(35);
        TalaCatalog.All.Count(t => t.Family == "Chapu").ShouldBe(4);
        TalaCatalog.All.Select(t => t.Id).ShouldBeUnique();
        TalaCatalog.Find("desadi").ShouldNotBeNull();
        TalaCatalog.Find("madhyadi").ShouldNotBeNull();
    }

    [Theory]
    [InlineData("triputa-chatusra", "Adi", 8)]
    [InlineData("rupaka-chatusra", "Rupaka", 6)]
    [InlineData("triputa-tisra", "Tisra Jati Triputa", 7)]
    [InlineData("jhampa-misra", "Misra Jati Jhampa", 10)]
    [InlineData("ata-khanda", "Khanda Jati Ata", 14)]
    [InlineData("dhruva-chatusra", "Chatusra Jati Dhruva", 14)]
    [InlineData("matya-chatusra", "Chatusra Jati Matya", 10)]
    [InlineData("eka-chatusra", "Chatusra Jati Eka", 4)]
    [InlineData("eka-sankeerna", "Sankeerna Jati Eka", 9)]
    [InlineData("chapu-misra", "Misra Chapu", 7)]
    [InlineData("chapu-khanda", "Khanda Chapu", 5)]
    public void Names_and_beats_follow_the_angas(string id, string name, int aksharas)
    {
        var t = TalaCatalog.Find(id)!;
        t.Name.ShouldBe(name);
        t.Aksharas.ShouldBe(aksharas);
    }

    [Theory]
    [InlineData("Adi", "triputa-chatusra")]
    [InlineData("Adi tALaM", "triputa-chatusra")]
    [InlineData("Chatusra Jati Triputa", "triputa-chatusra")]
    [InlineData("rUpakaM", "rupaka-chatusra")]
    [InlineData("Rupakam", "rupaka-chatusra")]
    [InlineData("cApu", "chapu-misra")]
    [InlineData("miSra cApu", "chapu-misra")]
    [InlineData("Mishra Chapu", "chapu-misra")]
    [InlineData("khaNDa cApu", "chapu-khanda")]
    [InlineData("tiSra cApu", "chapu-tisra")]
    [InlineData("sankIrNa cApu", "chapu-sankeerna")]
    [InlineData("tripuTa", "triputa-tisra")]
    [InlineData("tiSra tripuTa", "triputa-tisra")]
    [InlineData("khaNDa tripuTa", "triputa-khanda")]
    [InlineData("jhampa", "jhampa-misra")]
    [InlineData("miSra jhampa", "jhampa-misra")]
    [InlineData("aTa", "ata-khanda")]
    [InlineData("Ata tala", "ata-khanda")]
    [InlineData("dhruva", "dhruva-chatusra")]
    [InlineData("maTya", "matya-chatusra")]
    [InlineData("Eka", "eka-chatusra")]
    [InlineData("khaNDa Eka", "eka-khanda")]
    [InlineData("dESAdi", "desadi")]
    [InlineData("madhyAdi", "madhyadi")]
    [InlineData("Adi (2 kaLai)", "triputa-chatusra")]
    public void Resolves_HK_and_anglicised_tala_names(string input, string id)
    {
        var r = Talas.Resolve(input);
        r.Kind.ShouldBe("tala");
        r.Decision.ShouldBe(Decision.Matched, string.Join("; ", r.Candidates));
        r.Match!.Id.ShouldBe(id);
    }

    [Theory]
    [InlineData("tALaM")]
    [InlineData("xyz")]
    public void Not_a_tala_is_not_matched(string input) => Talas.Resolve(input).Decision.ShouldNotBe(Decision.Matched);
}
