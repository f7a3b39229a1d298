using Grantha.Extract;

namespace Grantha.Tests.Extract;

public class HtmlDepthTests
{
    [Fact]
    public void Balanced_markup_is_shallow()
    {
        HtmlDepth.Estimate("<html><body><div><p>a<b>b</b></p><br/><hr><img src=x></div></body></html>").ShouldBe(2);
    }

    [Fact]
    public void Script_and_comment_contents_are_not_markup()
    {
        HtmlDepth.Estimate("<div><script>var s = '<span><span><span>';</script><!-- <b><b><b> --></div>").ShouldBe(1);
    }

    [Fact]
    public void Unclosed_nesting_counts_and_stops_early()
    {
        var deep = string.Concat(Enumerable.Repeat("<div><b>", 5000));
        HtmlDepth.Estimate(deep, limit: 100).ShouldBe(101);
        HtmlDepth.Estimate(string.Concat(Enumerable.Repeat("<li>x", 5000))).ShouldBe(0);
    }
}
