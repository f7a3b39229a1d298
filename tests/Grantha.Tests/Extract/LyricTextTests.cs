using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class LyricTextTests
{
    [Fact]
    public void Footnote_markers_are_removed_from_lyric_and_kept_in_prose()
    {
        Run[] runs = [new(" ", RunStyle.None), new("1", RunStyle.Sup), new("kAmAkshi anudinamu ", RunStyle.None), new("12", RunStyle.Sup), new("nI", RunStyle.None)];
        LyricText.Render(runs, keepSup: false).ShouldBe("kAmAkshi anudinamu nI");
        LyricText.Render(runs, keepSup: true).ShouldBe("1kAmAkshi anudinamu 12nI");
    }

    [Fact]
    public void A_superscript_that_is_text_is_kept()
    {
        Run[] runs = [new("x ", RunStyle.None), new("th century", RunStyle.Sup)];
        LyricText.Render(runs, keepSup: false).ShouldBe("x th century");
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData(" 12 ", true)]
    [InlineData("*", true)]
    [InlineData("1,2", true)]
    [InlineData("rd", false)]
    [InlineData("123456789", false)]
    public void Footnote_marker_shape(string text, bool marker) => LyricText.IsFootnoteMarker(text).ShouldBe(marker);

    [Fact]
    public void Subscript_tamil_digits_are_glued_to_their_letter()
    {
        Run[] runs = [new("அனுதி", RunStyle.None), new("3", RunStyle.Sub), new("னமு ம்ரு", RunStyle.None), new("2", RunStyle.Sub),
            new("(கே", RunStyle.None), new(" 3 ", RunStyle.Sub), new(")", RunStyle.None)];
        LyricText.Render(runs, keepSup: false).ShouldBe("அனுதி3னமு ம்ரு2(கே3)");
    }

    [Theory]
    [InlineData("ப 4க்த ஜன", "ப4க்த ஜன")]
    [InlineData("க 3ணிம்ப தரமா", "க3ணிம்ப தரமா")]
    [InlineData("விது 4 வத3னா", "விது4 வத3னா")]
    [InlineData("காமாக்ஷி அனுதி3னமு", "காமாக்ஷி அனுதி3னமு")]
    [InlineData("ஸ்வர ஸாஹித்ய 12", "ஸ்வர ஸாஹித்ய 12")] // a two-digit number is not a pronunciation digit
    [InlineData("நீ 5 ராம", "நீ 5 ராம")] // only 1-4 mark pronunciation
    public void Inline_tamil_digits_stay_glued(string line, string expected) =>
        LyricText.ForScript(line, Script.Tamil).ShouldBe(expected);

    [Fact]
    public void Digit_glue_applies_only_to_tamil()
    {
        LyricText.ForScript("caraNam 2", Script.Latin).ShouldBe("caraNam 2");
        LyricText.ForScript("चरणम् 2", Script.Devanagari).ShouldBe("चरणम् 2");
    }

    [Fact]
    public void Ms_word_spaces_collapse()
    {
        LyricText.CollapseSpaces("  a\u00A0\u00A0\u00A0b \n c\u200B d\t").ShouldBe("a b c d");
    }

    [Fact]
    public void Sandhi_parentheses_and_refrain_cues_are_plain_text()
    {
        Run[] runs = [new("pAdamulE dikk(a)nucu nammitini SrI kanci (kAmAkshi)", RunStyle.None)];
        LyricText.Render(runs, keepSup: false).ShouldBe("pAdamulE dikk(a)nucu nammitini SrI kanci (kAmAkshi)");
    }
}
