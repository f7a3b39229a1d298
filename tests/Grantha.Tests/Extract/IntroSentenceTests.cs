using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class IntroSentenceTests
{
    [Fact]
    public void The_syama_sastri_intro_states_form_title_raga_tala_composer_and_deity()
    {
        var i = IntroSentence.Parse("In this svara jati ‘kAmAkshi anudinamu’ – rAga bhairavi (tALa cApu), SrI SyAmA Sastry prays to Mother kAmAkshi.");
        (i.Form, i.Title, i.Raga, i.Tala, i.Composer, i.Deity, i.Kshetra)
            .ShouldBe(("svara jati", "kAmAkshi anudinamu", "bhairavi", "cApu", Composers.SyamaSastri, "kAmAkshi", (string?)null));
    }

    [Fact]
    public void A_missing_tala_is_null()
    {
        var i = IntroSentence.Parse("In the kRti ‘vEnkaTESa ninu’ – rAga madhyamAvati, SrI tyAgarAja states one needs a thousand eyes to behold the Lord.");
        (i.Form, i.Raga, i.Tala, i.Composer, i.Deity).ShouldBe(("kriti", "madhyamAvati", (string?)null, Composers.Tyagaraja, (string?)null));
    }

    [Fact]
    public void Deity_and_kshetra_are_read_when_stated()
    {
        var i = IntroSentence.Parse("In the kRti ‘tyAgarAja yOga vaibhavaM’ – rAga Ananda bhairavi (tALa rUpakaM), SrI muttusvAmi dIkshitar sings the praise of Lord tyAgarAja of tiruvArUr.");
        (i.Raga, i.Tala, i.Composer, i.Deity, i.Kshetra).ShouldBe(("Ananda bhairavi", "rUpakaM", Composers.Dikshitar, "tyAgarAja", "tiruvArUr"));
    }

    [Fact]
    public void A_ragamalika_is_named_as_such()
    {
        var i = IntroSentence.Parse("In the kRti ‘SrI viSvanAthaM bhajEhaM’ – rAga mAlikA (tALa Adi), SrI muttusvAmi dIkshitar sings praises of Lord viSvanAtha.");
        i.Raga.ShouldBe("rAga mAlikA");
        new PreambleFacts(null, i.Raga, null, null, null, null, null, null).IsRagamalika.ShouldBeTrue();
    }

    [Fact]
    public void The_dikshitar_meta_line_is_read()
    {
        var m = IntroSentence.ParseMetaLine("kamalAmbikE - rAgaM tODi - tALaM rUpakaM").ShouldNotBeNull();
        (m.Title, m.Raga, m.Tala).ShouldBe(("kamalAmbikE", "tODi", "rUpakaM"));
        IntroSentence.ParseMetaLine("In this svara jati ‘x’ – rAga bhairavi").ShouldBeNull();
    }

    [Theory]
    [InlineData("O SrI kAmAkshi of kAncIpura! O Jasmine teethed!", "kAmAkshi")]
    [InlineData("O Lord vEnkaTESa - who has taken an auspicious divine form", "vEnkaTESa")]
    [InlineData("O Lotus Eyed! O Lord who governs sages!", null)]
    public void The_gist_names_the_deity_it_addresses(string gist, string? deity) =>
        IntroSentence.DeityInGist(gist).ShouldBe(deity);

    [Theory]
    [InlineData("kRti", "kriti")]
    [InlineData("kriti", "kriti")]
    [InlineData("svara jati", "svara jati")]
    [InlineData("swarajati", "svara jati")]
    [InlineData("tAna varNam", "varnam")]
    [InlineData("divya nAma kIrtana", "divya nama kirtana")]
    [InlineData("tillAna", "tillana")]
    public void Forms_are_normalised(string raw, string form) => Forms.Normalise(raw).ShouldBe(form);

    [Theory]
    [InlineData("kAmAkshi anudinamu-bhairavi", "bhairavi", "kAmAkshi anudinamu", "bhairavi")]
    [InlineData("vEnkaTESa-madhyamAvati", null, "vEnkaTESa", "madhyamAvati")]
    [InlineData("nAda tanum-anisam-cittaranjani", "cittaranjani", "nAda tanum-anisam", "cittaranjani")]
    [InlineData("sogasu jUDa taramA-rasALi-vanALi", "rasALi-vanALi", "sogasu jUDa taramA", "rasALi-vanALi")]
    public void The_heading_splits_into_title_and_raga(string heading, string? knownRaga, string title, string raga) =>
        PreambleFacts.SplitHeading(heading, knownRaga).ShouldBe((title, raga));

    [Theory]
    [InlineData("Syama Sastry Kriti - Kamakshi Anudinamu - Raga Bhairavi", "Kamakshi Anudinamu")]
    [InlineData("Thyagaraja Kriti - Venkatesa - Raga Madhyamavathi", "Venkatesa")]
    [InlineData("Dikshitar Kriti - Tyagaraja Yoga Vaibhavam - Raga Ananda Bhairavi", "Tyagaraja Yoga Vaibhavam")]
    [InlineData("Syama Sastry - Kamakshi - Bhairavi Raga - Svara Jati", "Kamakshi")]
    public void Display_title_comes_from_the_post_title(string postTitle, string display) =>
        PageHead.DisplayTitleOf(postTitle).ShouldBe(display);

    [Fact]
    public void Composers_are_named_by_host_and_mudra()
    {
        Composers.OfHost("guru-guha.blogspot.com").ShouldBe(Composers.Dikshitar);
        Composers.OfHost("thyagaraja-vaibhavam.blogspot.com").ShouldBe(Composers.Tyagaraja);
        Composers.OfHost("syamakrishnavaibhavam.blogspot.com").ShouldBe(Composers.SyamaSastri);
        Composers.OfHost("example.com").ShouldBeNull();
        Composers.ByMudra("SyAma kRshNa sahOdarI").ShouldBe(Composers.SyamaSastri);
        Composers.ByMudra("SrI guruguha mUrtE").ShouldBe(Composers.Dikshitar);
        Composers.ByMudra("tyAgarAja nuta").ShouldBe(Composers.Tyagaraja);
    }
}
