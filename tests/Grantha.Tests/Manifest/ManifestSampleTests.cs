using Grantha.Manifest;

namespace Grantha.Tests.Manifest;

public class ManifestSampleTests
{
    static string Generate(int rows, int seed)
    {
        var text = new StringWriter();
        ManifestSample.Generate(rows, seed, text);
        return text.ToString();
    }

    [Fact]
    public void The_same_seed_gives_the_same_file()
    {
        Generate(500, seed: 1).ShouldBe(Generate(500, seed: 1));
        Generate(500, seed: 1).ShouldNotBe(Generate(500, seed: 2));
    }

    [Fact]
    public async Task Every_row_is_accepted_with_a_distinct_URL_on_the_three_blogs()
    {
        var run = (await ManifestRun.ReadAsync(Generate(5_000, seed: 3))).ShouldBeReadable();
        run.Errors.ShouldBeEmpty();
        run.Accepted.Count.ShouldBe(5_000);
        run.Accepted.Select(r => r.NormalizedUrl).Distinct().Count().ShouldBe(5_000);
        run.Accepted.Select(r => r.Host).Distinct().Order().ShouldBe(
            ["guru-guha.blogspot.com", "syamakrishnavaibhavam.blogspot.com", "thyagaraja-vaibhavam.blogspot.com"]);
        run.Accepted.ShouldAllBe(r => r.Raga != null && r.Krithi.Length > 0);
    }

    [Fact]
    public void Zero_rows_is_a_header_only()
    {
        Generate(0, seed: 1).ShouldBe("Krithi,Raga,Hyperlink\r\n");
    }
}
