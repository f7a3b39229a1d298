using System.Text;
using Grantha.Manifest;

namespace Grantha.Tests.Manifest;

/// <summary>
/// A 100,000-row manifest (over 10 MB) goes through the reader row by row. How fast is the
/// benchmark's business (`bench/run.sh ingest100k`, docs/benchmarks.md), not a test's: a timed
/// test measures the neighbours on a shared machine.
/// </summary>
public class ManifestReaderVolumeTests
{
    const int Rows = 100_000;

    [Fact]
    public async Task A_hundred_thousand_rows_stream_through_the_reader()
    {
        var bytes = Sample(Rows);
        bytes.Length.ShouldBeGreaterThan(10_000_000);
        (await CountAsync(bytes)).ShouldBe(Rows);
    }

    static byte[] Sample(int rows)
    {
        var text = new StringWriter();
        ManifestSample.Generate(rows, seed: 42, text);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    static async Task<int> CountAsync(byte[] bytes)
    {
        var count = 0;
        await foreach (var line in ManifestReader.ReadAsync(new MemoryStream(bytes), "big.csv", ct: TestContext.Current.CancellationToken))
        {
            if (line is not ManifestRow) Assert.Fail(line.ToString());
            count++;
        }
        return count;
    }
}
