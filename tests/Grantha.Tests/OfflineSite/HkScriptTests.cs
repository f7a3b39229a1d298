using Grantha.OfflineSite;

namespace Grantha.Tests.OfflineSite;

public class HkScriptTests
{
    [Theory]
    [InlineData(Script.Devanagari, "kAmAkshi anudinamu", "कामाक्षि अनुदिनमु")]
    [InlineData(Script.Devanagari, "dikk(a)nucu SrI kanci", "दि(क्क)नुचु श्री कञ्चि")]
    [InlineData(Script.Devanagari, "mRg(E)ndr(A)Srita", "मृ(गे)(न्द्रा)श्रित")]
    [InlineData(Script.Devanagari, "gati(y)anu jnAna", "गति(य)नु ज्ञान")]
    [InlineData(Script.Tamil, "anudinamu nammitini", "அனுதி3னமு நம்மிதினி")]
    [InlineData(Script.Tamil, "dikk(a)nucu", "தி3(க்க)னுசு")]
    [InlineData(Script.Tamil, "padma bhava vidhRta Sambhu", "பத்3ம ப4வ வித்4ரு2த ஸ1ம்பு4")]
    [InlineData(Script.Telugu, "dikk(a)nucu SrI kanci Sambhu santata", "దిక్కనుచు శ్రీ కంచి శంభు సంతత")]
    [InlineData(Script.Kannada, "dikk(a)nucu kanci", "ದಿಕ್ಕನುಚು ಕಂಚಿ")]
    [InlineData(Script.Malayalam, "dikk(a)nucu Sankara", "ദിക്കനുചു ശങ്കര")]
    public void Transliterates_hk_consistently_with_the_blogs(Script script, string hk, string expected) =>
        HkScript.To(script, hk).ShouldBe(expected);

    [Theory]
    [InlineData(Script.Devanagari, "(कामाक्षि)")]
    [InlineData(Script.Tamil, "(காமாக்ஷி)")]
    [InlineData(Script.Telugu, "(కామాక్షి)")]
    [InlineData(Script.Malayalam, "(കാമാക്ഷി)")]
    public void Keeps_the_parentheses_of_a_refrain_cue_in_every_script(Script script, string expected) =>
        HkScript.To(script, "(kAmAkshi)").ShouldBe(expected);

    [Fact]
    public void Latin_is_left_as_it_is() =>
        HkScript.To(Script.Latin, "dikk(a)nucu (kAmAkshi)").ShouldBe("dikk(a)nucu (kAmAkshi)");

    [Fact]
    public void Html_writes_signs_and_viramas_as_decimal_references_and_base_letters_literally()
    {
        HkScript.ToHtml("पल्लवि").ShouldBe("पल&#2381;लव&#2367;");
        HkScript.ToHtml("a < b & c").ShouldBe("a &lt; b &amp; c");
    }

    [Fact]
    public void Html_can_write_tamil_digits_as_subscripts_but_not_digits_after_a_space()
    {
        var text = HkScript.To(Script.Tamil, "padma");
        HkScript.ToHtml(text, tamilDigitsAsSub: true).ShouldBe("பத&#3021;<sub>3</sub>ம");
        HkScript.ToHtml("ப 4", tamilDigitsAsSub: true).ShouldBe("ப 4");
        HkScript.ToHtml(text).ShouldBe("பத&#3021;3ம");
    }
}
