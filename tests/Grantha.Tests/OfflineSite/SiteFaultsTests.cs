using Grantha.OfflineSite;

namespace Grantha.Tests.OfflineSite;

public class SiteFaultsTests
{
    const string Cli = "5xx=0.10,429=0.05,retry-after=2,timeout=0.02,404=0.01,slow=0.05,truncate=0.02,redirect=0.03,charset=0.02";

    [Fact]
    public void Parses_the_cli_form_and_round_trips()
    {
        var f = SiteFaults.Parse(Cli);
        f.ServerError.ShouldBe(0.10);
        f.TooManyRequests.ShouldBe(0.05);
        f.RetryAfterSeconds.ShouldBe(2);
        f.Timeout.ShouldBe(0.02);
        f.NotFound.ShouldBe(0.01);
        f.Slow.ShouldBe(0.05);
        f.Truncate.ShouldBe(0.02);
        f.Redirect.ShouldBe(0.03);
        f.Charset.ShouldBe(0.02);
        SiteFaults.Parse(f.ToString()).ShouldBe(f);
        SiteFaults.Parse("none").Any.ShouldBeFalse();
        SiteFaults.Parse("").Any.ShouldBeFalse();
    }

    [Theory]
    [InlineData("5xx", "key=value")]
    [InlineData("bogus=0.1", "Unknown fault 'bogus'")]
    [InlineData("5xx=abc", "not a non-negative number")]
    [InlineData("5xx=1.5", "at most 1")]
    [InlineData("5xx=0.6,429=0.6", "add up to")]
    public void Rejects_bad_switches_with_a_clear_message(string text, string message)
    {
        var e = Should.Throw<Exception>(() => SiteFaults.Parse(text));
        e.Message.ShouldContain(message);
    }

    [Fact]
    public void Decisions_are_deterministic_per_seed_and_url_and_follow_the_probabilities()
    {
        var f = SiteFaults.Parse(Cli);
        var urls = Enumerable.Range(0, 4000).Select(i => $"http://example.blogspot.com/2008/01/post-{i}.html").ToList();
        var a = urls.Select(u => f.Decide(42, u)).ToList();
        var b = urls.Select(u => f.Decide(42, u)).ToList();
        a.ShouldBe(b);
        urls.Select(u => f.Decide(7, u)).ShouldNotBe(a);

        double Share(FaultKind k) => a.Count(p => p.Kind == k) / (double)urls.Count;
        Share(FaultKind.ServerError).ShouldBeInRange(0.08, 0.12);
        Share(FaultKind.TooManyRequests).ShouldBeInRange(0.035, 0.065);
        Share(FaultKind.None).ShouldBeInRange(0.65, 0.75);
        a.Where(p => p.IsTransient).ShouldAllBe(p => p.FailingRequests >= 1 && p.FailingRequests <= 2);
        a.Where(p => p.Kind == FaultKind.Slow).ShouldAllBe(p => p.SlowMs >= SiteFaults.DefaultSlowMinMs && p.SlowMs <= SiteFaults.DefaultSlowMaxMs);
        a.Where(p => p.Kind == FaultKind.Truncate).ShouldAllBe(p => p.CutFraction > 0.2 && p.CutFraction < 0.8);
    }

    [Fact]
    public void No_faults_means_no_fault_for_any_url() =>
        SiteFaults.None.Decide(42, "http://x.blogspot.com/a.html").ShouldBe(FaultPlan.None);
}
