using Grantha.Resolve;

namespace Grantha.Tests.Resolve;

public class EditDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("kanada", "kannada", 1)]
    [InlineData("ravicandirka", "ravicandrika", 1)]
    [InlineData("abogi", "bogi", 1)]
    [InlineData("kitten", "sitting", 3)]
    public void Counts_insertions_deletions_substitutions_and_transpositions(string a, string b, int d)
    {
        EditDistance.Osa(a, b).ShouldBe(d);
        EditDistance.Osa(b, a).ShouldBe(d);
    }

    [Fact]
    public void Stops_early_past_the_bound() => EditDistance.Osa("kalyani", "todi", 2).ShouldBe(3);
}
