using Grantha.Reference;

namespace Grantha.Tests.Reference;

public class NameKeyTests
{
    [Theory]
    // HK capitals against IAST and anglicised spellings
    [InlineData("kEdAra gauLa", "Kedāragowla")]
    [InlineData("SankarAbharaNaM", "Shankarabharanam")]
    [InlineData("SankaraAbharaNaM", "Sankarabharanam")]
    [InlineData("tODi", "Thodi")]
    [InlineData("SrI", "Shree")]
    [InlineData("SrI", "Sri")]
    [InlineData("SrI", "Śrī")]
    [InlineData("kalyANi", "Kalyāni")]
    [InlineData("kalyANi", "Kalyaani")]
    // w/v, ee/ī, oo/ū, th/t, dh/d, bh/b, sh/ś/ṣ/S
    [InlineData("haMsa dhvani", "Hamsadhwani")]
    [InlineData("nIlAmbari", "Neelāmbari")]
    [InlineData("bhUpALaM", "Bhoopālam")]
    [InlineData("madhyamAvati", "Madhyamāvathi")]
    [InlineData("Suddha sImantini", "Shuddha Seemantini")]
    [InlineData("shaNmukha priya", "Śanmukhapriyā")]
    [InlineData("Saila dESAkshi", "Shailadeshākshhi")]
    // ow / au / ou, zh / ḻ, Tamil -ai ending, doubled stops
    [InlineData("mAyA mALava gauLa", "Māyāmāḻavagouḻai")]
    [InlineData("Mayamalavagowla", "Māyāmāḻavagouḻai")]
    [InlineData("mayamalavagouzhai", "Māyāmāḻavagouḻai")]
    [InlineData("gauri", "Gowri")]
    [InlineData("nATa", "Nāṭṭai")]
    [InlineData("cala nATa", "Chalanāṭṭai")]
    [InlineData("citta ranjani", "Chittaranjani")]
    // final -m / -M / -am / -aM / Telugu -amu
    [InlineData("cakravAkaM", "Chakravākam")]
    [InlineData("hindOLaM", "Hindolam")]
    [InlineData("hindOLaM", "Hindola")]
    [InlineData("rAga panjaraM", "Rāgapanjaramu")]
    // vocalic r: HK R, IAST ṛ, anglicised ri / ru
    [InlineData("amRta varshiNi", "Amritavarshini")]
    [InlineData("amṛtavarṣiṇi", "Amritavarshini")]
    [InlineData("bRndAvani", "Brindāvani")]
    [InlineData("dEvAmRta", "Devāmrutha")]
    // anusvara / m / n before a consonant; spaces, hyphens, case
    [InlineData("haMsa", "hamsa")]
    [InlineData("Hamsa", "hansa")]
    [InlineData("kAmbhOji", "Kambhoji")]
    [InlineData("yadukula-kAmbhOji", "Yadukula Kāmbhoji")]
    [InlineData("ANANDA BHAIRAVI", "Anandabhairavi")]
    // a vowel doubled across words
    [InlineData("Hamsa ābheri", "haMsAbhEri")]
    // ITRANS
    [InlineData("ShaNmukhapriyaa", "Śanmukhapriyā")]
    [InlineData("ma~njarI", "Manjari")]
    [InlineData("amRRitavarShiNI", "Amritavarshini")]
    // Title-case R is not vocalic r; a word-initial vocalic r reads "ri"
    [InlineData("Rāmapriyā", "rAma priya")]
    [InlineData("Rshabhapriya", "Rishabhapriya")]
    public void Spellings_of_one_name_share_a_key(string a, string b) =>
        NameKey.Of(a).ShouldBe(NameKey.Of(b), $"'{a}' -> {NameKey.Of(a)}, '{b}' -> {NameKey.Of(b)}");

    [Theory]
    [InlineData("Kanada", "Kannada")]
    [InlineData("kAnaDa", "kannaDa")]
    [InlineData("Bhairavi", "Bhairavam")]
    [InlineData("bhairavi", "bhairavaM")]
    [InlineData("Bhogi", "Abhogi")]
    [InlineData("Saveri", "Asaveri")]
    [InlineData("Kapi", "Karnataka Kapi")]
    [InlineData("Sāranga", "Sārang")]
    [InlineData("Dharmavati", "Dhāmavathi")]
    [InlineData("Vāchaspati", "Vanaspati")]
    [InlineData("Sowrasenā", "Surasena")]
    [InlineData("Kalyani", "Kalyana")]
    [InlineData("Mohanam", "Mohanangi")]
    [InlineData("Jaganmohini", "Jaganmohinam")]
    [InlineData("Srimati", "Shreemani")]
    [InlineData("Punnagavarali", "Punagavarali")]
    [InlineData("Gowla", "Gowri")]
    public void Different_ragas_keep_different_keys(string a, string b) =>
        NameKey.Of(a).ShouldNotBe(NameKey.Of(b), $"both -> {NameKey.Of(a)}");

    [Fact]
    public void A_trailing_generic_word_is_stripped_only_when_another_word_remains()
    {
        var sri = NameKey.Parse("SrI rAgaM", NameKey.RagaGenericWords);
        sri.Key.ShouldBe(NameKey.Of("Sri"));
        sri.Key.ShouldNotBe(NameKey.Of("ragam"));
        sri.FullKey.ShouldBe(NameKey.Of("SrIrAgaM"));
        NameKey.Parse("Kalyani raga", NameKey.RagaGenericWords).Key.ShouldBe(NameKey.Of("Kalyani"));
        NameKey.Parse("SrI rAgam", NameKey.RagaGenericWords).Key.ShouldBe(NameKey.Of("Sri"));
        NameKey.Parse("rAgaM", NameKey.RagaGenericWords).Key.ShouldBe(NameKey.Of("raga"));
        // A leading "raga" is part of names such as Rāgachoodāmani.
        NameKey.Parse("rAga cUDAmaNi", NameKey.RagaGenericWords).Key.ShouldBe(NameKey.Of("Rāgachoodāmani"));
        NameKey.Parse("Adi tALaM", NameKey.TalaGenericWords).Key.ShouldBe(NameKey.Of("Adi"));
        NameKey.Parse("SrI rAgaM").Key.ShouldBe(sri.FullKey, "without generic words nothing is stripped");
    }

    [Fact]
    public void Notes_in_braces_or_brackets_become_the_qualifier()
    {
        var p = NameKey.Parse("Brindāvana Sāranga{Hindustani}");
        p.Key.ShouldBe(NameKey.Of("Brindavana Saranga"));
        p.Qualifier.ShouldBe("Hindustani");
        NameKey.Parse("Adi (2 kalai)").Qualifier.ShouldBe("2 kalai");
        NameKey.Parse("Kalyani").Qualifier.ShouldBeNull();
    }

    [Fact]
    public void Spelling_is_the_written_form_without_case_diacritics_or_spaces()
    {
        NameKey.SpellingOf("SrI").ShouldBe("sri");
        NameKey.SpellingOf("Kānaḍā").ShouldBe("kanada");
        NameKey.SpellingOf("Poornashađjam").ShouldBe("poornashadjam");
        NameKey.SpellingOf("Yadukula Kāmbhoji").ShouldBe("yadukulakambhoji");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{Hindustani}")]
    [InlineData("- , 123")]
    public void Input_without_letters_has_an_empty_key(string input) => NameKey.Parse(input).IsEmpty.ShouldBeTrue();
}
