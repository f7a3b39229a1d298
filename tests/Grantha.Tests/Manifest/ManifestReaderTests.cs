using System.Text;
using Grantha.Manifest;

namespace Grantha.Tests.Manifest;

public class ManifestReaderTests
{
    [Fact]
    public async Task The_three_Trinity_manifests_give_1240_rows_and_1239_pages()
    {
        Shared.Require();
        var accepted = new List<ManifestRow>();
        foreach (var path in SharedFiles.TrinityManifests)
        {
            await using var file = File.OpenRead(path);
            var run = (await ManifestRun.ReadAsync(file)).ShouldBeReadable();
            run.Errors.ShouldBeEmpty(string.Join("\n", run.Errors));
            accepted.AddRange(run.Accepted);
        }
        accepted.Count.ShouldBe(1_240);
        accepted.Select(r => r.NormalizedUrl).Distinct().Count().ShouldBe(1_239);
        accepted.Select(r => r.Host).Distinct().Order().ShouldBe(
            ["guru-guha.blogspot.com", "syamakrishnavaibhavam.blogspot.com", "thyagaraja-vaibhavam.blogspot.com"]);
    }

    [Fact]
    public async Task The_Syama_Sastri_post_listed_twice_is_accepted_under_both_titles()
    {
        Shared.Require();
        await using var file = File.OpenRead(SharedFiles.TrinityManifests[2]);
        var run = (await ManifestRun.ReadAsync(file)).ShouldBeReadable();
        var twice = run.Accepted.GroupBy(r => r.NormalizedUrl).Single(g => g.Count() > 1).ToList();
        twice.Count.ShouldBe(2);
        twice[0].Krithi.ShouldNotBe(twice[1].Krithi);
    }

    [Fact]
    public async Task Row_numbers_are_spreadsheet_rows()
    {
        const string csv = "Krithi,Raga,Hyperlink\r\n" +
            "abhayAmbA jagadambA,kalyANi,http://guru-guha.blogspot.com/a.html\r\n" +
            "\"two\r\nlines\",kalyANi,http://guru-guha.blogspot.com/b.html\r\n" +
            "\r\n" +
            "sahAna kriti,sahAna,http://guru-guha.blogspot.com/c.html\r\n";
        var run = (await ManifestRun.ReadAsync(csv)).ShouldBeReadable();
        run.Accepted.Select(r => r.RowNumber).ShouldBe([2, 5]);
        run.Errors.Single().RowNumber.ShouldBe(3);
    }

    [Fact]
    public async Task A_row_error_carries_the_cells_for_display()
    {
        var run = await ManifestRun.ReadAsync("Krithi,Raga,Hyperlink\n  nannu brOva , kalyANi ,javascript:alert(1)\n");
        var error = run.Errors.Single();
        error.ShouldBe(error with { RowNumber = 2, Code = ManifestErrorCode.UnsupportedScheme, Krithi = "nannu brOva", Raga = "kalyANi", RawUrl = "javascript:alert(1)" });
        error.Message.ShouldContain("only http:// and https://");
    }

    [Fact]
    public async Task Streams_rows_before_the_whole_file_is_read()
    {
        var bytes = SampleBytes(50_000);
        var stream = new ForwardOnlyStream(new MemoryStream(bytes));
        await using var rows = ManifestReader.ReadAsync(stream, "big.csv", ct: TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        (await rows.MoveNextAsync()).ShouldBeTrue();
        rows.Current.ShouldBeOfType<ManifestRow>().RowNumber.ShouldBe(2);
        stream.MaxPosition.ShouldBeLessThan(256 * 1024, "the first row must come out after reading a buffer or two, not the whole file");
    }

    [Fact]
    public async Task Stops_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in ManifestReader.ReadAsync(new MemoryStream(SampleBytes(20_000)), "big.csv", ct: cts.Token))
                if (++seen == 10) await cts.CancelAsync();
        });
        seen.ShouldBeLessThan(20_000);
    }

    [Fact]
    public async Task Leaves_the_stream_open()
    {
        var stream = new MemoryStream(SampleBytes(3));
        (await ManifestRun.ReadAsync(stream)).ShouldBeReadable().Accepted.Count.ShouldBe(3);
        stream.CanRead.ShouldBeTrue();
    }

    [Fact]
    public void The_default_limits_are_64_MiB_and_2000_chars()
    {
        ManifestLimits.Default.MaxBytes.ShouldBe(64L * 1024 * 1024);
        ManifestLimits.Default.MaxCellChars.ShouldBe(2_000);
    }

    [Fact]
    public async Task A_non_UTF8_byte_split_across_reads_is_still_found()
    {
        // A 3-byte character cut by every read: the reader must join the pieces, and still catch a bad one.
        var good = Encoding.UTF8.GetBytes("Krithi,Raga,Hyperlink\nवातापि,x,http://guru-guha.blogspot.com/a.html\n");
        (await ManifestRun.ReadAsync(new OneByteStream(good))).ShouldBeReadable().Accepted.Single().Krithi.ShouldBe("वातापि");

        byte[] bad = [.. Encoding.UTF8.GetBytes("Krithi,Raga,Hyperlink\nव"), 0xE0, 0xA4, 0x41, .. Encoding.UTF8.GetBytes(",x,http://a.example/\n")];
        (await ManifestRun.ReadAsync(new OneByteStream(bad))).FileError!.Code.ShouldBe(ManifestErrorCode.NotUtf8);
    }

    static byte[] SampleBytes(int rows)
    {
        var text = new StringWriter();
        ManifestSample.Generate(rows, seed: 42, text);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Hands out one byte per read, the worst case for a reader that validates chunks.</summary>
    sealed class OneByteStream(byte[] bytes) : Stream
    {
        int at;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (at == bytes.Length || buffer.IsEmpty) return 0;
            buffer[0] = bytes[at++];
            return 1;
        }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => ValueTask.FromResult(Read(buffer.Span));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
