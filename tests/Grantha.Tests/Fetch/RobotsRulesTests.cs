using Grantha.Fetch;

namespace Grantha.Tests.Fetch;

public class RobotsRulesTests
{
    static RobotsRules Parse(string text) => RobotsRules.Parse(text, FetchOptions.AgentToken);

    [Fact]
    public void Our_group_wins_over_the_star_group()
    {
        var rules = Parse("""
            User-agent: *
            Disallow: /

            User-agent: Googlebot
            Allow: /

            User-agent: sangitagrantha/2.0
            Disallow: /search
            """);
        rules.IsAllowed("/2012/05/kamakshi.html").ShouldBeTrue();
        rules.IsAllowed("/search?q=raga").ShouldBeFalse();
    }

    [Fact]
    public void The_star_group_applies_when_none_names_us_and_no_group_allows_all()
    {
        Parse("User-agent: *\nDisallow: /private/\n").IsAllowed("/private/a").ShouldBeFalse();
        Parse("User-agent: *\nDisallow: /private/\n").IsAllowed("/public/a").ShouldBeTrue();
        Parse("User-agent: OtherBot\nDisallow: /\n").IsAllowed("/anything").ShouldBeTrue();
        Parse("").IsAllowed("/anything").ShouldBeTrue();
        // Rules before any user-agent line belong to no group.
        Parse("Disallow: /\n").IsAllowed("/x").ShouldBeTrue();
    }

    [Fact]
    public void The_longest_match_wins_and_allow_wins_a_tie()
    {
        var rules = Parse("""
            User-agent: *
            Disallow: /2012/
            Allow: /2012/05/
            Disallow: /2012/05/private
            Allow: /tie
            Disallow: /tie
            """);
        rules.IsAllowed("/2012/01/a.html").ShouldBeFalse();
        rules.IsAllowed("/2012/05/a.html").ShouldBeTrue();
        rules.IsAllowed("/2012/05/private.html").ShouldBeFalse();
        rules.IsAllowed("/tie").ShouldBeTrue();
    }

    [Fact]
    public void Wildcards_and_end_anchors_match()
    {
        var rules = Parse("""
            User-agent: *
            Disallow: /*.pdf$
            Disallow: /*?updated-max=
            Disallow: /feeds/*/comments
            """);
        rules.IsAllowed("/files/a.pdf").ShouldBeFalse();
        rules.IsAllowed("/files/a.pdf?x=1").ShouldBeTrue();
        rules.IsAllowed("/search?updated-max=2012").ShouldBeFalse();
        rules.IsAllowed("/feeds/123/comments/default").ShouldBeFalse();
        rules.IsAllowed("/feeds/posts/default").ShouldBeTrue();
        rules.IsAllowed("/2012/05/a.html").ShouldBeTrue();
    }

    [Fact]
    public void Groups_with_several_agents_merge_and_comments_and_case_are_ignored()
    {
        var rules = Parse("""
            # a comment
            USER-AGENT: foo
            user-agent: SangitaGrantha   # us
            DISALLOW: /a   # trailing comment
            User-agent: SangitaGrantha
            Disallow: /b
            """);
        rules.IsAllowed("/a/1").ShouldBeFalse();
        rules.IsAllowed("/b/1").ShouldBeFalse();
        rules.IsAllowed("/c/1").ShouldBeTrue();
    }

    [Fact]
    public void Empty_disallow_allows_everything_and_robots_txt_itself_is_always_allowed()
    {
        Parse("User-agent: *\nDisallow:\n").IsAllowed("/x").ShouldBeTrue();
        Parse("User-agent: *\nDisallow: /\n").IsAllowed("/robots.txt").ShouldBeTrue();
        RobotsRules.DisallowAll.IsAllowed("/").ShouldBeFalse();
        RobotsRules.AllowAll.IsAllowed("/").ShouldBeTrue();
    }

    [Fact]
    public void Percent_escapes_and_non_ascii_compare_in_one_spelling()
    {
        var rules = Parse("User-agent: *\nDisallow: /tag/rāga\nDisallow: /a%3cb\n");
        rules.IsAllowed("/tag/r%C4%81ga/1").ShouldBeFalse();
        rules.IsAllowed("/a%3Cb").ShouldBeFalse();
    }

    [Fact]
    public void Crawl_delay_comes_from_the_matching_group()
    {
        Parse("User-agent: *\nCrawl-delay: 9\n\nUser-agent: SangitaGrantha\nCrawl-delay: 2.5\nDisallow: /x\n")
            .CrawlDelay.ShouldBe(TimeSpan.FromSeconds(2.5));
        Parse("User-agent: *\nCrawl-delay: nonsense\n").CrawlDelay.ShouldBeNull();
        Parse("User-agent: *\nDisallow: /x\n").CrawlDelay.ShouldBeNull();
    }
}
