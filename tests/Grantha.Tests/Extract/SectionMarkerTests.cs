using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class SectionMarkerTests
{
    [Theory]
    [InlineData("pallavi", SectionType.Pallavi, null)]
    [InlineData("pallavi ", SectionType.Pallavi, null)]
    [InlineData("Anupallavi:", SectionType.Anupallavi, null)]
    [InlineData("caraNam", SectionType.Charanam, null)]
    [InlineData("caraNam 2", SectionType.Charanam, 2)]
    [InlineData("charaNam - 3", SectionType.Charanam, 3)]
    [InlineData("caraNam1", SectionType.Charanam, 1)]
    [InlineData("samashTi caraNam", SectionType.SamashtiCharanam, null)]
    [InlineData("svara sAhitya 5", SectionType.SwaraSahitya, 5)]
    [InlineData("chittaswaram", SectionType.Chittaswaram, null)]
    [InlineData("पल्लवि", SectionType.Pallavi, null)]
    [InlineData("अनुपल्लवि", SectionType.Anupallavi, null)]
    [InlineData("चरणम् 2", SectionType.Charanam, 2)]
    [InlineData("स्वर साहित्य 3", SectionType.SwaraSahitya, 3)]
    [InlineData("பல்லவி", SectionType.Pallavi, null)]
    [InlineData("ஸ்வர ஸாஹித்ய 1", SectionType.SwaraSahitya, 1)]
    [InlineData("சரணம் 4", SectionType.Charanam, 4)]
    [InlineData("సమష్టి చరణం", SectionType.SamashtiCharanam, null)]
    [InlineData("చరణం 2", SectionType.Charanam, 2)]
    [InlineData("ಸ್ವರ ಸಾಹಿತ್ಯ 8", SectionType.SwaraSahitya, 8)]
    [InlineData("ಅನುಪಲ್ಲವಿ", SectionType.Anupallavi, null)]
    [InlineData("പല്ലവി", SectionType.Pallavi, null)]
    [InlineData("ചരണം 1", SectionType.Charanam, 1)]
    [InlineData("পল্লবি", SectionType.Pallavi, null)] // Bengali: any Indic script shares the letter layout
    public void Full_word_headers_are_recognised_in_every_script(string text, SectionType type, int? number)
    {
        var m = SectionMarkers.Read(text).ShouldNotBeNull();
        m.Type.ShouldBe(type);
        m.Number.ShouldBe(number);
        m.Form.ShouldBe(MarkerForm.FullWord);
        m.Rest.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("kAmAkshi anudinamu maravakanE nI")]
    [InlineData("pallavi anupallavi caraNam svara sAhitya")] // too many words for a header
    [InlineData("In this svara jati ‘kAmAkshi anudinamu’ – rAga bhairavi")]
    [InlineData("Anumati")]
    [InlineData("Comments -")]
    [InlineData("ப 4க்த ஜன")] // Tamil lyric starting like pallavi, no period
    [InlineData("ப4க்த ஜன கல்ப")]
    [InlineData("पल्लविं नमामि सततम्")]
    public void Lyric_and_prose_lines_are_not_headers(string text) => SectionMarkers.Read(text).ShouldBeNull();

    [Theory]
    [InlineData("प. वेंकटेश निनु", SectionType.Pallavi, null, "वेंकटेश निनु")]
    [InlineData("अ. पंक(जा)क्ष", SectionType.Anupallavi, null, "पंक(जा)क्ष")]
    [InlineData("च1. ऎक्कुव", SectionType.Charanam, 1, "ऎक्कुव")]
    [InlineData("ச1. எக்குவ", SectionType.Charanam, 1, "எக்குவ")]
    [InlineData("ச 12. எக்குவ", SectionType.Charanam, 12, "எக்குவ")]
    [InlineData("ప. వేంకటేశ", SectionType.Pallavi, null, "వేంకటేశ")]
    [InlineData("ಚ3. ಯೋಗಿ", SectionType.Charanam, 3, "ಯೋಗಿ")]
    [InlineData("ച. യോഗി", SectionType.Charanam, null, "യോഗി")]
    public void Compact_indic_markers_need_their_period(string text, SectionType type, int? number, string rest)
    {
        var m = SectionMarkers.Read(text).ShouldNotBeNull();
        (m.Type, m.Number, m.Form, m.Rest).ShouldBe((type, number, MarkerForm.IndicCompact, rest));
    }

    [Theory]
    [InlineData("P vEnkaTESa ninu", SectionType.Pallavi, null, "vEnkaTESa ninu")]
    [InlineData("A pankaj(A)ksha", SectionType.Anupallavi, null, "pankaj(A)ksha")]
    [InlineData("C ekkuva", SectionType.Charanam, null, "ekkuva")]
    [InlineData("C1 ekkuva", SectionType.Charanam, 1, "ekkuva")]
    [InlineData("C 1 ekkuva", SectionType.Charanam, 1, "ekkuva")]
    [InlineData("C12 yOgi", SectionType.Charanam, 12, "yOgi")]
    [InlineData("C2", SectionType.Charanam, 2, "")]
    public void Compact_latin_markers_are_read(string text, SectionType type, int? number, string rest)
    {
        var m = SectionMarkers.Read(text).ShouldNotBeNull();
        (m.Type, m.Number, m.Rest).ShouldBe((type, number, rest));
        m.Form.ShouldBe(MarkerForm.CompactPlain);
    }

    [Fact]
    public void A_compact_marker_in_a_big_font_span_is_styled()
    {
        var big = new Run("C1", RunStyle.Big);
        SectionMarkers.Read("C1 ekkuva", big)!.Form.ShouldBe(MarkerForm.CompactStyled);
        // A big span holding the whole line (an unclosed span) does not vouch for the marker.
        SectionMarkers.Read("A nATi mATa", new Run("A nATi mATa", RunStyle.Big))!.Form.ShouldBe(MarkerForm.CompactPlain);
    }

    [Theory]
    [InlineData("(madhyama kAla sAhityam)")]
    [InlineData("madhyama kAla sAhityam")]
    [InlineData("(मध्यम काल साहित्यम्)")]
    [InlineData("(மத்4யம கால ஸாஹித்யம்)")]
    public void Madhyama_kala_lines_are_recognised(string text) => SectionMarkers.IsMadhyamaKala(text).ShouldBeTrue();

    [Theory]
    [InlineData("1. SrI rAgaM", "SrI")]
    [InlineData("2. Arabhi rAgaM", "Arabhi")]
    [InlineData("vilOma - mOhana rAgaM", "mOhana")]
    [InlineData("(bEgaDa rAgaM)", "bEgaDa")]
    public void Ragamalika_raga_lines_are_read(string text, string raga) =>
        SectionMarkers.ReadRagaLine(text, ragamalika: false).ShouldBe(raga);

    [Fact]
    public void A_lyric_line_ending_in_raga_is_not_a_raga_line_unless_the_page_is_a_ragamalika()
    {
        SectionMarkers.ReadRagaLine("SrI rAgaM", ragamalika: false).ShouldBeNull();
        SectionMarkers.ReadRagaLine("SrI rAgaM", ragamalika: true).ShouldBe("SrI");
        SectionMarkers.ReadRagaLine("nAda sudhA rasa rUpa rAga bhAva", ragamalika: true).ShouldBeNull();
    }
}
