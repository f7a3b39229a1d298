using System.Text;
using Grantha.Manifest;

namespace Grantha.Tests.Manifest;

public class ManifestInputStreamTests
{
    [Fact]
    public void Reads_synchronously_without_the_BOM()
    {
        byte[] file = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("Krithi,Raga,Hyperlink\nवातापि,x,y\n")];
        using var reader = new StreamReader(new ManifestInputStream(new MemoryStream(file), "a.csv", 1_000), detectEncodingFromByteOrderMarks: false);
        reader.ReadToEnd().ShouldBe("Krithi,Raga,Hyperlink\nवातापि,x,y\n");
    }

    [Fact]
    public void Refuses_a_bad_byte_synchronously_too()
    {
        byte[] file = [.. Encoding.UTF8.GetBytes("Krithi\nab"), 0xFF];
        using var input = new ManifestInputStream(new MemoryStream(file), "a.csv", 1_000);
        Should.Throw<ManifestException>(() => input.CopyTo(Stream.Null)).Code.ShouldBe(ManifestErrorCode.NotUtf8);
    }

    [Fact]
    public void Counts_CR_only_lines_in_messages()
    {
        byte[] file = [.. Encoding.UTF8.GetBytes("Krithi\rab\rcd"), 0xFF];
        using var input = new ManifestInputStream(new MemoryStream(file), "a.csv", 1_000);
        Should.Throw<ManifestException>(() => input.CopyTo(Stream.Null)).Message.ShouldContain("line 3, byte 12");
    }

    [Fact]
    public void Finds_a_NUL_past_the_first_chunk()
    {
        var file = Encoding.UTF8.GetBytes("Krithi\n" + new string('a', 20_000) + "\n\0");
        using var input = new ManifestInputStream(new MemoryStream(file), "a.csv", 100_000);
        var error = Should.Throw<ManifestException>(() => input.CopyTo(Stream.Null));
        error.Code.ShouldBe(ManifestErrorCode.BinaryFile);
        error.Message.ShouldContain("line 3, byte 20008");
    }
}
