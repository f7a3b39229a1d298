using Grantha.Extract;

namespace Grantha.Tests.Extract;

/// <summary>The layout and alignment rules, end to end on small pages built in code.</summary>
public class ExtractorRuleTests
{
    static ExtractedPage Simple() => Extractor.Extract(TestPages.Blogger(TestPages.SimpleKritiBody), $"http://{TestPages.Host}/2008/01/rama.html");

    [Fact]
    public void A_compact_marker_kriti_is_read_in_every_script()
    {
        var page = Simple();
        page.Sections.Select(s => (s.Type, s.Number)).ShouldBe([(SectionType.Pallavi, (int?)null), (SectionType.Anupallavi, null), (SectionType.Charanam, null)]);
        page.Lyrics.Select(l => l.Script).ShouldBe(["latin", "devanagari", "tamil"]);
        page.Lyric("latin")!.Sections.ShouldBe([
            "rAma rAma nI vAramu\nA nATi mATa marava (rAma)",
            "kAma janaka nI\nnAma smaraNa (rAma)",
            "tyAgarAja nuta\nbhAgadhEya (rAma)",
        ]);
        page.Lyric("devanagari")!.Sections[0].ShouldBe("राम राम नी वारमु\nआ नाटि माट मरव (राम)");
        page.Lyric("tamil")!.Sections[2].ShouldBe("த்யாக3ராஜ நுத\nபா4க3தே4ய (ராம)");
    }

    [Fact]
    public void Metadata_comes_from_heading_intro_and_shell()
    {
        var page = Simple();
        (page.Title, page.Tala, page.Composer, page.Form, page.Deity).ShouldBe(("rAma rAma", "Adi", Composers.Tyagaraja, "kriti", "rAma"));
        page.Ragas.ShouldBe([new ExtractedRaga("tODi")]);
        page.Published.ShouldBe("2008-01-02T03:04:00+05:30");
        page.Updated.ShouldBe("2009-01-05");
        page.Gist.ShouldBe("O Lord rAma! Please protect me.");
        page.Variations.ShouldBe("1 – vAramu – vAramE.");
        page.Meaning.ShouldNotBeNull().ShouldContain("O rAma");
    }

    [Fact]
    public void A_tamil_meaning_glued_under_the_last_section_is_cut()
    {
        var page = Simple();
        page.Lyric("tamil")!.Sections[2].ShouldNotContain("காப்பாய்");
        page.HasWarning(Warnings.ProseTrimmed).ShouldBeTrue();
    }

    [Fact]
    public void Plain_markers_count_only_at_a_paragraph_start_and_in_sequence()
    {
        const string body = """
            <b>rAma-tODi</b><br /><br />In the kRti ‘rAma’ – rAga tODi, SrI tyAgarAja prays.<br /><br />
            P rAma rAma<br />A nATi mATa<br /><br />
            A kAma janaka<br />nAma smaraNa<br /><br />
            A vEda SAstra<br />purANa<br /><br />
            C1 tyAgarAja nuta<br /><br />
            C2 bhAgadhEya<br />
            """;
        var page = Extractor.Extract(TestPages.Blogger(body));
        page.Sections.Select(s => (s.Type, s.Number)).ShouldBe([(SectionType.Pallavi, (int?)null), (SectionType.Anupallavi, null), (SectionType.Charanam, 1), (SectionType.Charanam, 2)]);
        var latin = page.Lyric("latin")!.Sections;
        latin[0].ShouldBe("rAma rAma\nA nATi mATa");
        latin[1].ShouldBe("kAma janaka\nnAma smaraNa\nA vEda SAstra\npurANa");
    }

    [Fact]
    public void On_a_page_with_big_font_markers_a_plain_A_is_lyric()
    {
        const string body = """
            <span style="font-size:180%;">P</span> rAma rAma<br /><br />
            A nATi mATa<br /><br />
            <span style="font-size:180%;">A</span> kAma janaka<br />
            """;
        var page = Extractor.Extract(TestPages.Blogger(body));
        page.Sections.Select(s => s.Type).ShouldBe([SectionType.Pallavi, SectionType.Anupallavi]);
        page.Lyric("latin")!.Sections[0].ShouldBe("rAma rAma\nA nATi mATa");
    }

    [Fact]
    public void A_sequence_that_starts_over_is_a_word_division_not_lyric()
    {
        const string body = """
            pallavi<br />kAmAkshi anudinamu<br /><br />caraNam<br />kunda radanA<br /><br />
            Devanagari<br /><br />पल्लवि<br />कामाक्षि अनुदिनमु<br /><br />चरणम्<br />कुन्द रदना<br /><br />
            पल्लवि<br />कामाक्षि अनु-दिनमु<br /><br />चरणम्<br />कुन्द-रदना<br />
            """;
        var page = Extractor.Extract(TestPages.Blogger(body));
        page.Lyric("devanagari")!.Sections.ShouldBe(["कामाक्षि अनुदिनमु", "कुन्द रदना"]);
        page.HasWarning(Warnings.SectionCountMismatch).ShouldBeFalse();
    }

    [Fact]
    public void A_script_missing_a_section_is_aligned_and_reported()
    {
        const string body = """
            pallavi<br />kAmAkshi<br /><br />anupallavi<br />kunda<br /><br />caraNam<br />kambu<br /><br />
            Devanagari<br />पल्लवि<br />कामाक्षि<br /><br />अनुपल्लवि<br />कुन्द<br /><br />चरणम्<br />कम्बु<br /><br />
            Telugu<br />పల్లవి<br />కామాక్షి<br /><br />అనుపల్లవి<br />కుంద<br /><br />చరణం<br />కంబు<br /><br />
            Tamil<br />பல்லவி<br />காமாக்ஷி<br /><br />சரணம்<br />கம்பு<br />
            """;
        var page = Extractor.Extract(TestPages.Blogger(body));
        page.Sections.Count.ShouldBe(3);
        page.Lyric("tamil")!.Sections.ShouldBe(["காமாக்ஷி", "", "கம்பு"]);
        page.HasWarning(Warnings.SectionCountMismatch).ShouldBeTrue();
    }

    [Fact]
    public void A_dikshitar_page_with_meta_line_madhyama_kala_and_navigation()
    {
        const string body = """
            <table><tr><td><a href="#English">English</a></td><td><a href="#Devanagari">Devanagari</a></td></tr></table>
            kamalAmbikE - rAgaM tODi - tALaM rUpakaM<br /><br />
            <a name="English"></a>English<br /><br />
            pallavi<br />kamalAmbikE ASrita kalpa latikE<br /><br />
            anupallavi<br />vimala hRdaya<br /><br />
            caraNam<br />sakala lOka nAyikE<br /><br />(madhyama kAla sAhityam)<br />guruguha janani<br /><br />
            Variations -<br />latikE - latE<br /><a href="#top">Back</a><br /><br />
            <a name="Devanagari"></a>Devanagari<br /><br />
            पल्लवि<br />कमलाम्बिके आश्रित कल्प लतिके<br /><br />
            अनुपल्लवि<br />विमल हृदय<br /><br />
            चरणम्<br />सकल लोक नायिके<br /><br />(मध्यम काल साहित्यम्)<br />गुरुगुह जननि<br /><br />
            Devanagari - Word Division<br />पल्लवि<br />कमलाम्बिके आश्रित कल्प-लतिके<br />
            """;
        var page = Extractor.Extract(TestPages.Blogger(body, "Dikshitar Kriti - Kamalambike - Raga Todi"), "http://guru-guha.blogspot.com/2008/01/kamalambike.html");
        (page.Title, page.Tala, page.Composer).ShouldBe(("kamalAmbikE", "rUpakaM", Composers.Dikshitar));
        page.Ragas.ShouldBe([new ExtractedRaga("tODi")]);
        page.Sections.Select(s => (s.Type, s.HasMadhyamaKala)).ShouldBe([(SectionType.Pallavi, false), (SectionType.Anupallavi, false), (SectionType.Charanam, true)]);
        page.Lyric("latin")!.Sections[2].ShouldBe("sakala lOka nAyikE\n(madhyama kAla sAhityam)\nguruguha janani");
        page.Lyric("devanagari")!.Sections[0].ShouldBe("कमलाम्बिके आश्रित कल्प लतिके");
        page.Variations.ShouldBe("latikE - latE");
        page.Warnings.Select(w => w.Code).ShouldNotContain(Warnings.SectionCountMismatch);
    }

    [Fact]
    public void A_ragamalika_names_its_ragas_by_section()
    {
        const string body = """
            <b>SrI viSvanAthaM-rAgamAlikA</b><br />
            In the kRti ‘SrI viSvanAthaM bhajEhaM’ – rAga mAlikA (tALa Adi), SrI muttusvAmi dIkshitar sings praises of Lord viSvanAtha.<br /><br />
            pallavi<br />1. SrI rAgaM<br />SrI viSvanAthaM bhajEhaM<br /><br />
            anupallavi<br />2. Arabhi rAgaM<br />pAvana tara<br /><br />
            caraNam<br />3. gauri rAgaM<br />sadASiva<br />vilOma - mOhana rAgaM<br />Siva Siva<br />
            """;
        var page = Extractor.Extract(TestPages.Blogger(body, "Dikshitar Kriti - Sri Visvanatham - Ragamalika"));
        page.Ragas.ShouldBe([new ExtractedRaga("SrI", 1), new ExtractedRaga("Arabhi", 2), new ExtractedRaga("gauri", 3), new ExtractedRaga("mOhana", 3)]);
        page.Lyric("latin")!.Sections.ShouldBe(["SrI viSvanAthaM bhajEhaM", "pAvana tara", "sadASiva\nSiva Siva"]);
        page.Title.ShouldBe("SrI viSvanAthaM");
        page.Composer.ShouldBe(Composers.Dikshitar);
        page.Deity.ShouldBe("viSvanAtha");
    }

    [Fact]
    public void A_script_without_its_heading_is_found_by_its_letters()
    {
        const string body = """
            pallavi<br />kAmAkshi<br /><br />samashTi caraNam<br />kunda<br /><br />
            पल्लवि<br />कामाक्षि<br /><br />समष्टि चरणम्<br />कुन्द<br />
            """;
        var page = Extractor.Extract(TestPages.Blogger(body));
        page.Sections.Select(s => s.Type).ShouldBe([SectionType.Pallavi, SectionType.SamashtiCharanam]);
        page.Lyric("devanagari")!.Sections.ShouldBe(["कामाक्षि", "कुन्द"]);
        page.Lyric("latin")!.Sections.ShouldBe(["kAmAkshi", "kunda"]);
    }

    [Fact]
    public void Ms_word_notes_are_cleaned()
    {
        const string body = """
            pallavi<br />kAmAkshi<br /><br />
            Notes –<br />
            <p class="MsoNormal"><span style="font-family:Arial">This kRti is
            sung&nbsp;&nbsp;&nbsp; in
            many concerts.<o:p></o:p></span></p>
            <p class="MsoNormal"><span>Second&nbsp;paragraph.</span></p>
            """;
        var page = Extractor.Extract(TestPages.Blogger(body));
        page.Notes.ShouldBe("This kRti is sung in many concerts.\n\nSecond paragraph.");
    }

    [Fact]
    public void A_page_with_no_headers_has_no_lyric_and_says_so()
    {
        var page = Extractor.Extract(TestPages.Blogger("Just a note about concerts.<br />Nothing else."));
        page.Sections.ShouldBeEmpty();
        page.HasWarning(Warnings.NoLyrics).ShouldBeTrue();
        page.Confidence.ShouldBeLessThanOrEqualTo(0.4);
    }

    [Fact]
    public void Extraction_is_deterministic()
    {
        ExtractJson.Serialize(Simple()).ShouldBe(ExtractJson.Serialize(Simple()));
    }
}
