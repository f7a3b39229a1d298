using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Tests.Fetch;

public class HostMappingTests
{
    static HostMapping Map(bool allow, params (string Host, string Base)[] entries) => new(new BatchOptions
    {
        AllowOfflineSite = allow,
        HostMap = entries.ToDictionary(e => e.Host, e => e.Base, StringComparer.OrdinalIgnoreCase),
    }, new OfflineSites(entries.Select(e => e.Base).Where(b => OfflineSites.ParseBase(b) is not null)));

    [Fact]
    public void Source_urls_go_to_the_mapped_base_and_redirects_come_back_logical()
    {
        var map = Map(true, ("guru-guha.blogspot.com", "http://127.0.0.1:5081"));
        var logical = new Uri("http://guru-guha.blogspot.com/2008/01/x.html?m=1");

        var (wire, offline) = map.ToWire(logical);

        wire.ShouldBe(new Uri("http://127.0.0.1:5081/2008/01/x.html?m=1"));
        offline.ShouldBeTrue();
        map.ResolveRedirect(logical, wire, "/2008/01/y.html").ShouldBe(new Uri("http://guru-guha.blogspot.com/2008/01/y.html"));
        map.ResolveRedirect(logical, wire, "http://127.0.0.1:5081/z.html").ShouldBe(new Uri("http://guru-guha.blogspot.com/z.html"));
        map.ResolveRedirect(logical, wire, "https://www.blogger.com/a").ShouldBe(new Uri("https://www.blogger.com/a"));
        map.ToWire(new Uri("http://example.org/a")).ShouldBe((new Uri("http://example.org/a"), false));
    }

    [Fact]
    public void Bases_with_a_path_prefix_keep_hosts_apart()
    {
        var map = Map(true, ("a.blogspot.com", "http://127.0.0.1:5081/a"), ("b.blogspot.com", "http://127.0.0.1:5081/b/"));

        map.ToWire(new Uri("http://b.blogspot.com/p.html")).Wire.ShouldBe(new Uri("http://127.0.0.1:5081/b/p.html"));
        map.ToLogical(new Uri("http://127.0.0.1:5081/a/q.html"), new Uri("http://b.blogspot.com/p.html")).ShouldBe(new Uri("http://a.blogspot.com/q.html"));
    }

    [Fact]
    public void Without_the_offline_site_nothing_is_rewritten()
    {
        var map = Map(false, ("guru-guha.blogspot.com", "http://127.0.0.1:5081"));
        map.IsEmpty.ShouldBeTrue();
        map.ToWire(new Uri("http://guru-guha.blogspot.com/x")).ShouldBe((new Uri("http://guru-guha.blogspot.com/x"), false));
    }

    [Fact]
    public void A_base_that_is_not_an_http_url_is_a_clear_error()
    {
        Should.Throw<ArgumentException>(() => Map(true, ("x.blogspot.com", "ftp://127.0.0.1"))).Message.ShouldContain("x.blogspot.com");
    }

    [Fact]
    public void A_base_this_process_does_not_allow_is_refused_without_naming_it()
    {
        var options = new BatchOptions
        {
            AllowOfflineSite = true,
            HostMap = new(StringComparer.OrdinalIgnoreCase) { ["guru-guha.blogspot.com"] = "http://127.0.0.1:5432" },
        };
        // Another port of the same machine, or nothing allowed at all: a batch row alone opens no loopback.
        foreach (var allowed in new[] { new OfflineSites(["http://127.0.0.1:5081"]), new OfflineSites() })
        {
            var e = Should.Throw<BatchOptionException>(() => new HostMapping(options, allowed));
            e.Message.ShouldContain("guru-guha.blogspot.com");
            e.Message.ShouldNotContain("5432");
            e.Field.ShouldBe("hostMap.guru-guha.blogspot.com");
        }
        new HostMapping(options, new OfflineSites(["http://127.0.0.1:5432/"])).Maps(new Uri("http://guru-guha.blogspot.com/x")).ShouldBeTrue();
    }
}
