using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class ScriptsTests
{
    [Theory]
    [InlineData("pallavi", "palapi")]
    [InlineData("पल्लवि", "palapi")]
    [InlineData("பல்லவி", "palapi")]
    [InlineData("పల్లవి", "palapi")]
    [InlineData("ಪಲ್ಲವಿ", "palapi")]
    [InlineData("പല്ലവി", "palapi")]
    [InlineData("caraNam", "caranam")]
    [InlineData("charaNam", "caranam")]
    [InlineData("சரணம்", "caranam")]
    [InlineData("ചരണം", "caranam")]
    [InlineData("svara sAhitya", "spara sahitya")]
    [InlineData("swara sahityam", "spara sahityam")]
    [InlineData("ஸ்வர ஸாஹித்ய", "spara sahitya")]
    [InlineData("madhyama kAla", "matyama kala")]
    [InlineData("மத்4யம கால", "matyama kala")]
    public void Skeleton_folds_every_script_to_one_key(string text, string key) => Scripts.Skeleton(text).ShouldBe(key);

    [Theory]
    [InlineData("kAmAkshi anudinamu", Script.Latin)]
    [InlineData("कामाक्षि अनुदिनमु", Script.Devanagari)]
    [InlineData("காமாக்ஷி அனுதி3னமு", Script.Tamil)]
    [InlineData("కామాక్షి", Script.Telugu)]
    [InlineData("ಕಾಮಾಕ್ಷಿ", Script.Kannada)]
    [InlineData("കാമാക്ഷി", Script.Malayalam)]
    [InlineData("কামাক্ষি", Script.Bengali)]
    [InlineData("1 - 2 (3)", Script.Unknown)]
    public void Dominant_script_is_found(string text, Script script) => Scripts.Dominant(text).ShouldBe(script);

    [Fact]
    public void Script_names_and_languages_match_the_expected_files()
    {
        (Script.Latin.Name(), Script.Latin.Language()).ShouldBe(("latin", "en"));
        (Script.Devanagari.Name(), Script.Devanagari.Language()).ShouldBe(("devanagari", "sa"));
        (Script.Tamil.Name(), Script.Tamil.Language()).ShouldBe(("tamil", "ta"));
        (Script.Telugu.Name(), Script.Telugu.Language()).ShouldBe(("telugu", "te"));
        (Script.Kannada.Name(), Script.Kannada.Language()).ShouldBe(("kannada", "kn"));
        (Script.Malayalam.Name(), Script.Malayalam.Language()).ShouldBe(("malayalam", "ml"));
    }
}
