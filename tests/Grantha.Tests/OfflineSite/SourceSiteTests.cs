using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grantha.OfflineSite;

namespace Grantha.Tests.OfflineSite;

public class SourceSiteTests
{
    static readonly IReadOnlyList<SourceRow> Rows = SiteManifest.BuiltInSample;

    static Task<SourceSite> Start(SiteFaults? faults = null, string? logFile = null, string? truthDir = null) =>
        SourceSite.StartAsync(new SourceSiteOptions
        {
            Seed = 42, BasePort = 0, Rows = Rows, Faults = faults ?? SiteFaults.None, LogFile = logFile, TruthDir = truthDir,
        }, TestContext.Current.CancellationToken);

    static HttpClient Client(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = timeout ?? TimeSpan.FromSeconds(10) };

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string FirstUrl(string host) => Rows.First(r => r.Url.Contains(host)).Url;

    [Fact]
    public async Task Serves_every_row_on_its_own_loopback_port_and_404s_unknown_paths()
    {
        await using var site = await Start();
        site.HostMap.Count.ShouldBe(3);
        site.HostMap.Values.ShouldAllBe(v => v.StartsWith("http://127.0.0.1:"));
        site.HostMap.Values.Distinct().Count().ShouldBe(3);
        site.Urls.Count.ShouldBe(11);
        using var http = Client();
        foreach (var url in site.Urls)
        {
            using var res = await http.GetAsync(site.Rewrite(url), Ct);
            res.StatusCode.ShouldBe(HttpStatusCode.OK);
            res.Content.Headers.ContentType!.CharSet.ShouldBe("UTF-8");
            (await res.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(site.Page(url)!.Bytes);
        }
        var dikshitar = site.HostMap[Blog.DikshitarHost];
        var tyagarajaPath = new Uri(FirstUrl(Blog.TyagarajaHost)).AbsolutePath;
        (await http.GetAsync(dikshitar + tyagarajaPath, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync(dikshitar + "/2099/01/no-such-post.html", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        site.Truth(FirstUrl(Blog.DikshitarHost))!.Url.ShouldBe(FirstUrl(Blog.DikshitarHost));
        site.Truth(site.Rewrite(FirstUrl(Blog.DikshitarHost)))!.Url.ShouldBe(FirstUrl(Blog.DikshitarHost));
        site.Truth("http://guru-guha.blogspot.com/nope.html").ShouldBeNull();
    }

    [Fact]
    public async Task Trinity_hosts_keep_their_conventional_port_order()
    {
        await using var site = await Start();
        var ports = new[] { Blog.DikshitarHost, Blog.TyagarajaHost, Blog.SyamaSastriHost }
            .Select(h => new Uri(site.HostMap[h]).Port).ToList();
        site.Stats().Hosts.Select(h => h.Host).ShouldBe(new[] { Blog.DikshitarHost, Blog.TyagarajaHost, Blog.SyamaSastriHost });
        ports.Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task Robots_txt_allows_posts_and_disallows_search()
    {
        await using var site = await Start();
        using var http = Client();
        var robots = await http.GetStringAsync(site.HostMap[Blog.SyamaSastriHost] + "/robots.txt", Ct);
        robots.ShouldContain("User-agent: *");
        robots.ShouldContain("Disallow: /search");
        robots.ShouldContain("Allow: /");
    }

    [Fact]
    public async Task Conditional_gets_are_answered_with_304()
    {
        await using var site = await Start();
        using var http = Client();
        var url = site.Rewrite(FirstUrl(Blog.TyagarajaHost));
        using var first = await http.GetAsync(url, Ct);
        var etag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;

        using var byEtag = new HttpRequestMessage(HttpMethod.Get, url);
        byEtag.Headers.IfNoneMatch.Add(etag);
        (await http.SendAsync(byEtag, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotModified);

        using var byDate = new HttpRequestMessage(HttpMethod.Get, url);
        byDate.Headers.IfModifiedSince = lastModified;
        (await http.SendAsync(byDate, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotModified);

        using var older = new HttpRequestMessage(HttpMethod.Get, url);
        older.Headers.IfModifiedSince = lastModified.AddDays(-1);
        (await http.SendAsync(older, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var otherTag = new HttpRequestMessage(HttpMethod.Get, url);
        otherTag.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\""));
        (await http.SendAsync(otherTag, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_404_url_always_404s()
    {
        await using var site = await Start(new SiteFaults { NotFound = 1 });
        using var http = Client();
        var url = site.Rewrite(FirstUrl(Blog.DikshitarHost));
        for (var i = 0; i < 4; i++)
            (await http.GetAsync(url, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        site.RequestLog.ShouldAllBe(e => e.Fault == "404" && e.Status == 404);
    }

    /// <summary>Retries a URL until it answers 200; returns the failed statuses on the way.</summary>
    static async Task<List<int>> UntilOk(HttpClient http, string url, int maxAttempts = 3)
    {
        var failures = new List<int>();
        for (var i = 0; i < maxAttempts; i++)
        {
            try
            {
                using var res = await http.GetAsync(url, Ct);
                if (res.StatusCode == HttpStatusCode.OK) return failures;
                failures.Add((int)res.StatusCode);
            }
            catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
            {
                failures.Add(0);
            }
        }
        throw new ShouldAssertException($"{url} did not recover in {maxAttempts} attempts: {string.Join(",", failures)}");
    }

    [Fact]
    public async Task Server_errors_hit_the_first_requests_only_and_then_recover()
    {
        await using var site = await Start(new SiteFaults { ServerError = 1 });
        using var http = Client();
        foreach (var url in site.Urls.Take(5))
        {
            var failures = await UntilOk(http, site.Rewrite(url));
            failures.Count.ShouldBe(site.Fault(url).FailingRequests);
            failures.ShouldAllBe(s => s == 500 || s == 502 || s == 503);
            (await http.GetAsync(site.Rewrite(url), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Too_many_requests_carries_retry_after_and_then_recovers()
    {
        await using var site = await Start(new SiteFaults { TooManyRequests = 1, RetryAfterSeconds = 3 });
        using var http = Client();
        var url = site.Rewrite(FirstUrl(Blog.SyamaSastriHost));
        using (var res = await http.GetAsync(url, Ct))
        {
            res.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            res.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(3));
        }
        (await UntilOk(http, url)).ShouldAllBe(s => s == 429);
    }

    [Fact]
    public async Task A_time_out_holds_the_request_until_the_client_gives_up_and_then_recovers()
    {
        await using var site = await Start(new SiteFaults { Timeout = 1, TimeoutHold = TimeSpan.FromSeconds(60) });
        using var http = Client(TimeSpan.FromMilliseconds(300));
        var original = FirstUrl(Blog.TyagarajaHost);
        var watch = Stopwatch.StartNew();
        var failures = await UntilOk(http, site.Rewrite(original));
        failures.Count.ShouldBe(site.Fault(original).FailingRequests);
        failures.ShouldAllBe(s => s == 0);
        watch.Elapsed.ShouldBeLessThan(SiteFaults.DefaultTimeoutHold / 2);
        // The held requests end when the client disconnects and are logged as 499.
        for (var i = 0; i < 50 && site.RequestLog.Count(e => e.Status == 499) < failures.Count; i++) await Task.Delay(20, Ct);
        site.RequestLog.Count(e => e.Status == 499 && e.Fault == "timeout").ShouldBe(failures.Count);
    }

    [Fact]
    public async Task A_truncated_body_is_cut_mid_document_with_an_honest_length_then_recovers()
    {
        await using var site = await Start(new SiteFaults { Truncate = 1 });
        using var http = Client();
        var original = FirstUrl(Blog.DikshitarHost);
        var full = site.Page(original)!.Bytes;
        using var res = await http.GetAsync(site.Rewrite(original), Ct);
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        var cut = await res.Content.ReadAsByteArrayAsync(Ct);
        res.Content.Headers.ContentLength.ShouldBe(cut.Length);
        cut.Length.ShouldBeInRange(full.Length / 5, full.Length * 4 / 5);
        full.AsSpan(0, cut.Length).SequenceEqual(cut).ShouldBeTrue();
        System.Text.Encoding.UTF8.GetString(cut).ShouldNotContain("</html>");
        await UntilOk(http, site.Rewrite(original));
        (await http.GetByteArrayAsync(site.Rewrite(original), Ct)).ShouldBe(full);
    }

    [Fact]
    public async Task A_redirect_points_to_the_same_post_which_is_then_served()
    {
        await using var site = await Start(new SiteFaults { Redirect = 1 });
        using var http = Client();
        var original = FirstUrl(Blog.SyamaSastriHost);
        var url = site.Rewrite(original);
        using var res = await http.GetAsync(url, Ct);
        res.StatusCode.ShouldBe(HttpStatusCode.MovedPermanently);
        var location = res.Headers.Location!.ToString();
        location.ShouldBe(url + "?m=1");
        (await http.GetByteArrayAsync(location, Ct)).ShouldBe(site.Page(original)!.Bytes);
        (await http.GetAsync(url, Ct)).StatusCode.ShouldBe(HttpStatusCode.MovedPermanently);
    }

    [Fact]
    public async Task A_wrong_charset_header_comes_with_utf8_bytes()
    {
        await using var site = await Start(new SiteFaults { Charset = 1 });
        using var http = Client();
        var original = FirstUrl(Blog.TyagarajaHost);
        using var res = await http.GetAsync(site.Rewrite(original), Ct);
        res.Content.Headers.ContentType!.CharSet.ShouldBe("ISO-8859-1");
        (await res.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(site.Page(original)!.Bytes);
    }

    [Fact]
    public async Task A_slow_url_is_delayed()
    {
        await using var site = await Start(new SiteFaults { Slow = 1, SlowMinMs = 150, SlowMaxMs = 150 });
        using var http = Client();
        var watch = Stopwatch.StartNew();
        (await http.GetAsync(site.Rewrite(FirstUrl(Blog.DikshitarHost)), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        watch.ElapsedMilliseconds.ShouldBeGreaterThanOrEqualTo(140);
        site.RequestLog.ShouldHaveSingleItem().Fault.ShouldBe("slow");
    }

    [Fact]
    public async Task Request_log_and_stats_are_accurate_under_concurrent_requests()
    {
        var logFile = Path.Combine(Path.GetTempPath(), $"grantha-site-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var site = await Start(new SiteFaults { Slow = 1, SlowMinMs = 150, SlowMaxMs = 150 }, logFile))
            {
                using var http = Client();
                var dikshitar = site.Urls.Where(u => u.Contains(Blog.DikshitarHost)).ToList();
                var tyagaraja = site.Urls.Where(u => u.Contains(Blog.TyagarajaHost)).ToList();
                var burst = Enumerable.Range(0, 12).Select(i => http.GetAsync(site.Rewrite(dikshitar[i % dikshitar.Count]), Ct))
                    .Concat(Enumerable.Range(0, 4).Select(i => http.GetAsync(site.Rewrite(tyagaraja[i % tyagaraja.Count]), Ct)));
                var responses = await Task.WhenAll(burst);
                responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);

                // Sequential requests 60 ms apart on the third host: the minimum gap shows it.
                var syama = site.Rewrite(FirstUrl(Blog.SyamaSastriHost));
                for (var i = 0; i < 3; i++)
                {
                    (await http.GetAsync(syama, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
                    await Task.Delay(60, Ct);
                }

                var stats = site.Stats();
                stats.Requests.ShouldBe(19);
                var d = stats.For(Blog.DikshitarHost);
                d.Requests.ShouldBe(12);
                d.MaxInFlight.ShouldBeInRange(2, 12);
                d.MinGapMs!.Value.ShouldBeLessThan(150);
                d.Statuses["200"].ShouldBe(12);
                d.Faults["slow"].ShouldBe(12);
                stats.For(Blog.TyagarajaHost).Requests.ShouldBe(4);
                var s = stats.For(Blog.SyamaSastriHost);
                s.Requests.ShouldBe(3);
                s.MaxInFlight.ShouldBe(1);
                s.MinGapMs!.Value.ShouldBeGreaterThanOrEqualTo(200);

                site.RequestLog.Count.ShouldBe(19);
                site.RequestLog.ShouldAllBe(e => e.Ended >= e.Started && e.Method == "GET" && e.Status == 200);
                site.RequestLog.Where(e => e.Host == Blog.DikshitarHost).ShouldAllBe(e => e.Port == new Uri(site.HostMap[Blog.DikshitarHost]).Port);

                // The same numbers over HTTP; admin calls are not logged themselves.
                var json = await http.GetStringAsync(site.HostMap[Blog.TyagarajaHost] + "/__site/stats", Ct);
                var root = JsonDocument.Parse(json).RootElement;
                root.GetProperty("requests").GetInt32().ShouldBe(19);
                root.GetProperty("hosts")[0].GetProperty("max_in_flight").GetInt32().ShouldBe(d.MaxInFlight);
                var log = JsonDocument.Parse(await http.GetStringAsync(site.HostMap[Blog.DikshitarHost] + "/__site/log?host=" + Blog.TyagarajaHost, Ct)).RootElement;
                log.GetArrayLength().ShouldBe(4);
                site.RequestLog.Count.ShouldBe(19);
            }
            var lines = await File.ReadAllLinesAsync(logFile, Ct);
            lines.Length.ShouldBe(19);
            JsonDocument.Parse(lines[0]).RootElement.GetProperty("status").GetInt32().ShouldBe(200);
        }
        finally
        {
            File.Delete(logFile);
        }
    }

    [Fact]
    public async Task Truth_is_served_over_http_and_written_to_a_folder()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"grantha-truth-{Guid.NewGuid():N}");
        try
        {
            await using var site = await Start(truthDir: dir);
            Directory.GetFiles(dir, "*.json").Length.ShouldBe(11);
            using var http = Client();
            var original = FirstUrl(Blog.SyamaSastriHost);
            var json = await http.GetStringAsync($"{site.HostMap[Blog.SyamaSastriHost]}/__site/truth?url={Uri.EscapeDataString(original)}", Ct);
            var truth = JsonDocument.Parse(json).RootElement;
            truth.GetProperty("url").GetString().ShouldBe(original);
            truth.GetProperty("expected").GetProperty("composer").GetString().ShouldBe("Syama Sastri");
            var file = Path.Combine(dir, Path.ChangeExtension(site.Truth(original)!.Page, ".json"));
            (await File.ReadAllTextAsync(file, Ct)).ShouldBe(site.Truth(original)!.ToJson());
            (await http.GetAsync($"{site.HostMap[Blog.SyamaSastriHost]}/__site/truth?url=http://x/y.html", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            site.RequestLog.ShouldBeEmpty();
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Cli_prints_the_host_map_runs_until_cancelled_and_reports_a_busy_port()
    {
        using var cts = new CancellationTokenSource();
        var output = new StringWriter();
        var run = SourceSite.RunCliAsync(new SourceSiteOptions { BasePort = 0, Rows = Rows }, cts.Token, output);
        for (var i = 0; i < 200 && !output.ToString().Contains(Blog.SyamaSastriHost); i++) await Task.Delay(20, Ct);
        var text = output.ToString();
        text.ShouldContain($"{Blog.DikshitarHost} -> http://127.0.0.1:");
        text.ShouldContain($"{Blog.TyagarajaHost} -> http://127.0.0.1:");
        run.IsCompleted.ShouldBeFalse();
        await cts.CancelAsync();
        (await run).ShouldBe(0);

        await using var busy = await Start();
        var port = new Uri(busy.HostMap[Blog.DikshitarHost]).Port;
        var error = new StringWriter();
        (await SourceSite.RunCliAsync(new SourceSiteOptions { BasePort = port, Rows = Rows }, Ct, new StringWriter(), error)).ShouldBe(2);
        error.ToString().ShouldContain("could not bind");
    }

    [Fact]
    public async Task Head_and_other_methods()
    {
        await using var site = await Start();
        using var http = Client();
        var url = site.Rewrite(FirstUrl(Blog.DikshitarHost));
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.ShouldBe(site.Page(FirstUrl(Blog.DikshitarHost))!.Bytes.Length);
        using var post = await http.PostAsync(url, new StringContent("x"), Ct);
        post.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }
}
