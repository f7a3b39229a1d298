using System.Text;
using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class PageDecoderTests
{
    const string Indic = "<html><head><meta charset='ISO-8859-1'></head><body>पल&#2381;लव&#2367; பல்லவி</body></html>";

    [Fact]
    public void Valid_utf8_declared_latin1_is_decoded_as_utf8_with_a_warning()
    {
        var warnings = new List<ExtractWarning>();
        PageDecoder.Decode(Encoding.UTF8.GetBytes(Indic), "iso-8859-1", warnings).ShouldContain("பல்லவி");
        warnings.Single().Code.ShouldBe(Warnings.CharsetRepaired);
    }

    [Fact]
    public void A_meta_charset_is_used_when_no_header_is_given()
    {
        var latin1 = Encoding.Latin1.GetBytes("<html><head><meta charset=\"iso-8859-1\"></head><body>caf\u00e9</body></html>");
        var warnings = new List<ExtractWarning>();
        PageDecoder.Decode(latin1, null, warnings).ShouldContain("café");
        warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Windows_1252_bytes_declared_so_are_decoded_so()
    {
        var bytes = Encoding.Latin1.GetBytes("<p>it\u0092s</p>");
        PageDecoder.Decode(bytes, "windows-1252", new List<ExtractWarning>()).ShouldContain("it’s");
    }

    [Fact]
    public void Boms_win_over_labels()
    {
        var warnings = new List<ExtractWarning>();
        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("<p>பல்லவி</p>")).ToArray();
        PageDecoder.Decode(utf16, "iso-8859-1", warnings).ShouldBe("<p>பல்லவி</p>");
        var utf8 = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("<p>x</p>")).ToArray();
        PageDecoder.Decode(utf8, null, warnings).ShouldBe("<p>x</p>");
        warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Broken_utf8_is_replaced_and_reported()
    {
        var bytes = Encoding.UTF8.GetBytes("<p>ab</p>").Concat(new byte[] { 0xC3, 0x28, 0xA0, 0xA1 }).Concat(Encoding.UTF8.GetBytes("<p>cd</p>")).ToArray();
        var warnings = new List<ExtractWarning>();
        PageDecoder.Decode(bytes, "utf-8", warnings).ShouldContain("cd");
        warnings.Single().Code.ShouldBe(Warnings.EncodingErrors);
    }

    [Fact]
    public void An_unknown_label_falls_back_to_utf8_and_says_so()
    {
        var warnings = new List<ExtractWarning>();
        PageDecoder.Decode(Encoding.Latin1.GetBytes("<p>x\u00e9</p>"), "x-made-up", warnings).ShouldStartWith("<p>x");
        warnings.ShouldContain(w => w.Code == Warnings.CharsetRepaired);
    }

    [Theory]
    [InlineData("<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>", "UTF-8")]
    [InlineData("<meta charset=\"windows-1252\">", "windows-1252")]
    [InlineData("<meta name='x'>", null)]
    public void Meta_charset_is_sniffed(string head, string? charset) =>
        PageDecoder.SniffMetaCharset(Encoding.ASCII.GetBytes(head)).ShouldBe(charset);
}
