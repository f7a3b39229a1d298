using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class ProseDetectorTests
{
    [Theory]
    [InlineData("வேங்கடேசா! உன்னை சேவிக்க")]
    [InlineData("1. மேலோன் நீயென நாற்றிசையும் புகழ,")]
    [InlineData("சேடாத்திரி - வேங்கடேச பெருமாளின் கோயிலுள்ள மலை")]
    [InlineData("தாயே! காப்பாய்.")]
    [InlineData("புனிதமாக்குபவள் அன்றோ? முறையீட்டினைக் கேளாயோ?")]
    [InlineData("பாவங்களைக் களைபவளே! 'எவ்வமயமும், பணிந்தோருக்கு, பயன்")]
    public void Tamil_prose_is_prose(string line) => ProseDetector.IsProse(line).ShouldBeTrue();

    [Theory]
    [InlineData("வேங்கடேஸ1 நினு ஸேவிம்பனு பதி3")]
    [InlineData("பாத3முலே தி3(க்க)னுசு நம்மிதினி ஸ்ரீ கஞ்சி (காமாக்ஷி)")]
    [InlineData("நா(கா3)சலமுபை பா3கு3க3 நெலகொன்ன (வேங்க)")]
    [InlineData("वेल कनुलु कावलॆ(न)य्य (वॆंक)")]
    [InlineData("")]
    public void Lyric_is_not_prose(string line) => ProseDetector.IsProse(line).ShouldBeFalse();

    [Fact]
    public void A_paragraph_is_prose_when_any_line_is()
    {
        ProseDetector.IsProse(["வேங்கடேசா உன்னை சேவிக்க", "பதினாயிரம் கண்கள் வேணுமய்யா!"]).ShouldBeTrue();
        ProseDetector.IsProse(["வேல கனுலு காவலெ(ன)ய்ய"]).ShouldBeFalse();
    }
}
