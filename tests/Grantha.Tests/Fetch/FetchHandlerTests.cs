using System.IO.Compression;
using System.Text;
using Dapper;
using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grantha.Tests.Fetch;

public class FetchHandlerTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string Html(string title) =>
        $"<!DOCTYPE html><html><head><title>Blog: {title}</title></head><body><div class=\"post-body entry-content\">{title}</div></body></html>";

    static IResult Page(string title) => Results.Content(Html(title), "text/html; charset=UTF-8");

    static Task<long> CountAsync(TestDb t, string sql) => t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>(sql));

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_page_is_stored_by_sha256_with_an_evidence_row(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await using var site = await TestSite.StartAsync(app => app.MapGet("/2012/05/kamakshi.html", () => Page("Kamakshi")));
        using var handler = FetchTasks.Handler();

        var result = await handler.HandleAsync(FetchTasks.Context(t.Db, site.Url("/2012/05/kamakshi.html"), site.Batch()), Ct);

        var fetched = FetchResult.FromJson(result.ResultJson!);
        var body = Encoding.UTF8.GetBytes(Html("Kamakshi"));
        fetched.Status.ShouldBe(200);
        fetched.Sha256.ShouldBe(PageStore.Sha256Hex(body));
        fetched.Bytes.ShouldBe(body.Length);
        fetched.Url.ShouldBe(site.Url("/2012/05/kamakshi.html"));
        fetched.FinalUrl.ShouldBe(site.Url("/2012/05/kamakshi.html"));
        fetched.NotModified.ShouldBeFalse();
        fetched.ContentType.ShouldBe("text/html");
        result.FollowUps.ShouldBeNull();

        var pages = new PageStore(t.Db);
        (await pages.LoadBodyAsync(fetched.Sha256, Ct)).ShouldBe(body);
        var evidence = (await pages.EvidenceForUrlAsync(fetched.Url, Ct)).ShouldHaveSingleItem();
        evidence.Id.ShouldBe(fetched.EvidenceId);
        evidence.Status.ShouldBe(200);
        evidence.Sha256.ShouldBe(fetched.Sha256);
        evidence.TaskId.ShouldBe(1);
        evidence.BatchId.ShouldBe(1);
        evidence.Attempt.ShouldBe(1);
        evidence.ErrorCode.ShouldBeNull();
        evidence.Headers.ShouldContain("text/html");
        (await pages.GetLatestAsync(fetched.Url, Ct))!.Sha256.ShouldBe(fetched.Sha256);

        // The request went out as the crawler it is.
        site.RequestsFor("/2012/05/kamakshi.html").ShouldHaveSingleItem()["User-Agent"].ShouldStartWith("SangitaGrantha/");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_refetch_is_conditional_and_a_304_reuses_the_stored_page(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        const string etag = "\"v1\"";
        const string lastModified = "Tue, 01 May 2012 10:00:00 GMT";
        await using var site = await TestSite.StartAsync(app => app.MapGet("/p.html", (HttpContext ctx) =>
        {
            if (ctx.Request.Headers.IfNoneMatch == etag) return Results.StatusCode(304);
            ctx.Response.Headers.ETag = etag;
            ctx.Response.Headers.LastModified = lastModified;
            return Page("P");
        }));
        using var handler = FetchTasks.Handler();

        var first = await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/p.html"), site.Batch(), taskId: 1), Ct);
        var second = await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/p.html"), site.Batch(), taskId: 2), Ct);

        second.NotModified.ShouldBeTrue();
        second.Status.ShouldBe(304);
        second.Sha256.ShouldBe(first.Sha256);
        second.Bytes.ShouldBe(first.Bytes);
        second.EvidenceId.ShouldNotBe(first.EvidenceId);
        var requests = site.RequestsFor("/p.html");
        requests.Count.ShouldBe(2);
        requests[0].ContainsKey("If-None-Match").ShouldBeFalse();
        requests[1]["If-None-Match"].ShouldBe(etag);
        requests[1]["If-Modified-Since"].ShouldBe(lastModified);
        (await CountAsync(t, "SELECT COUNT(*) FROM page_blob")).ShouldBe(1);
        var rows = await new PageStore(t.Db).EvidenceForUrlAsync(site.Url("/p.html"), Ct);
        rows.Select(r => (r.Status, r.NotModified, r.Sha256)).ShouldBe([(200, false, first.Sha256), (304, true, first.Sha256)]);
    }

    [Fact]
    public async Task A_task_whose_page_is_already_stored_is_not_fetched_again()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app => app.MapGet("/once.html", () => Page("Once")));
        using var handler = FetchTasks.Handler();

        var first = await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/once.html"), site.Batch(), taskId: 7, attempt: 1), Ct);
        // The engine lost the completion and runs the same task again.
        var again = await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/once.html"), site.Batch(), taskId: 7, attempt: 2), Ct);

        again.Resumed.ShouldBeTrue();
        again.Sha256.ShouldBe(first.Sha256);
        again.EvidenceId.ShouldBe(first.EvidenceId);
        site.RequestsFor("/once.html").Count.ShouldBe(1);
        (await CountAsync(t, "SELECT COUNT(*) FROM fetch_evidence")).ShouldBe(1);
    }

    [Theory]
    [InlineData(404, ErrorKind.Permanent, "not_found")]
    [InlineData(410, ErrorKind.Permanent, "not_found")]
    [InlineData(403, ErrorKind.Permanent, "http_403")]
    [InlineData(500, ErrorKind.Transient, "server_error")]
    [InlineData(503, ErrorKind.Transient, "server_error")]
    public async Task Error_statuses_are_classified_and_recorded(int status, ErrorKind kind, string code)
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app => app.MapGet("/e.html", () => Results.StatusCode(status)));
        using var handler = FetchTasks.Handler();

        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/e.html"), site.Batch()), Ct));

        e.Kind.ShouldBe(kind);
        e.Code.ShouldBe(code);
        e.HttpStatus.ShouldBe(status);
        var row = (await new PageStore(t.Db).EvidenceForUrlAsync(site.Url("/e.html"), Ct)).ShouldHaveSingleItem();
        (row.Status, row.ErrorCode, row.Sha256).ShouldBe((status, code, null));
        (await new PageStore(t.Db).GetLatestAsync(site.Url("/e.html"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_429_is_transient_with_its_Retry_After_and_blocks_the_host()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app => app.MapGet("/busy.html", (HttpContext ctx) =>
        {
            ctx.Response.Headers.RetryAfter = "7";
            return Results.StatusCode(429);
        }));
        using var handler = FetchTasks.Handler();
        var before = Db.NowMs();

        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/busy.html"), site.Batch(politeness: true)), Ct));

        (e.Kind, e.Code, e.HttpStatus, e.RetryAfter).ShouldBe((ErrorKind.Transient, "rate_limited", 429, TimeSpan.FromSeconds(7)));
        var gate = new HostGate(t.Db, handler.Options.Gate);
        var state = (await gate.GetStateAsync(site.SourceHost, Ct))!;
        state.BlockedUntil.ShouldBeInRange(before + 7_000, Db.NowMs() + 7_000);
        // The next fetch of that host is given back to the engine instead of hitting the host.
        var snooze = await Should.ThrowAsync<TaskSnoozedException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/other.html"), site.Batch(politeness: true), taskId: 2), Ct));
        snooze.Delay.ShouldBeGreaterThan(TimeSpan.FromSeconds(5));
        site.RequestsFor("/other.html").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_5xx_slows_the_host_down_and_success_lets_it_recover()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        var fail = true;
        await using var site = await TestSite.StartAsync(app => app.MapGet("/flaky.html", () => fail ? Results.StatusCode(502) : Page("Flaky")));
        using var handler = FetchTasks.Handler(new FetchOptions { Gate = new HostGateOptions { MinDelay = TimeSpan.FromMilliseconds(200) } });
        var gate = new HostGate(t.Db, handler.Options.Gate);

        await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/flaky.html"), site.Batch(politeness: true), taskId: 1), Ct));
        (await gate.GetStateAsync(site.SourceHost, Ct))!.DelayMs.ShouldBe(400);
        fail = false;
        await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/flaky.html"), site.Batch(politeness: true), taskId: 2), Ct);
        (await gate.GetStateAsync(site.SourceHost, Ct))!.DelayMs.ShouldBe(300);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_is_a_transient_timeout()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/slow.html", async (HttpContext ctx) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
                return Page("Slow");
            });
            app.MapGet("/stall.html", async (HttpContext ctx) =>
            {
                ctx.Response.ContentType = "text/html";
                ctx.Response.ContentLength = 5000;
                await ctx.Response.WriteAsync("<html><body>", ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
            });
        });
        using var handler = FetchTasks.Handler(new FetchOptions { RequestTimeout = TimeSpan.FromMilliseconds(400) });

        var noAnswer = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/slow.html"), site.Batch(), 1), Ct));
        (noAnswer.Kind, noAnswer.Code, noAnswer.HttpStatus).ShouldBe((ErrorKind.Transient, "timeout", null));
        (await new PageStore(t.Db).EvidenceForUrlAsync(site.Url("/slow.html"), Ct)).ShouldBeEmpty();

        var stalled = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/stall.html"), site.Batch(), 2), Ct));
        (stalled.Kind, stalled.Code, stalled.HttpStatus).ShouldBe((ErrorKind.Transient, "timeout", 200));
        (await new PageStore(t.Db).EvidenceForUrlAsync(site.Url("/stall.html"), Ct)).ShouldHaveSingleItem().ErrorCode.ShouldBe("timeout");
    }

    [Fact]
    public async Task A_body_that_breaks_off_is_transient_truncated()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app => app.MapGet("/cut.html", async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/html";
            ctx.Response.ContentLength = 1000;
            await ctx.Response.WriteAsync(new string('x', 100));
            await ctx.Response.Body.FlushAsync();
            // Let the headers arrive first: an immediate reset may discard them unread.
            await Task.Delay(200);
            ctx.Abort();
        }));
        using var handler = FetchTasks.Handler();

        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/cut.html"), site.Batch()), Ct));

        (e.Kind, e.Code, e.HttpStatus).ShouldBe((ErrorKind.Transient, "truncated", 200));
        (await new PageStore(t.Db).EvidenceForUrlAsync(site.Url("/cut.html"), Ct)).ShouldHaveSingleItem().Sha256.ShouldBeNull();
        (await CountAsync(t, "SELECT COUNT(*) FROM page_blob")).ShouldBe(0);
    }

    [Fact]
    public async Task Redirects_are_followed_hop_by_hop_and_the_final_url_is_logical()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        TestSite? self = null;
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/a.html", () => Results.Redirect("/b.html"));
            // An absolute Location on the source host, as the real blogs send.
            app.MapGet("/b.html", () => Results.Redirect($"http://{self!.SourceHost}/c.html?m=1", permanent: true));
            app.MapGet("/c.html", () => Page("C"));
        });
        self = site;
        using var handler = FetchTasks.Handler();

        var result = await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/a.html"), site.Batch()), Ct);

        result.Url.ShouldBe(site.Url("/a.html"));
        result.FinalUrl.ShouldBe(site.Url("/c.html?m=1"));
        site.RequestsFor("/c.html?m=1").Count.ShouldBe(1);
        var row = (await new PageStore(t.Db).EvidenceForUrlAsync(site.Url("/a.html"), Ct)).ShouldHaveSingleItem();
        row.FinalUrl.ShouldBe(site.Url("/c.html?m=1"));
    }

    [Fact]
    public async Task Too_many_redirects_and_redirect_loops_fail_permanently()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/chain/{n:int}", (int n) => Results.Redirect($"/chain/{n + 1}"));
            app.MapGet("/x.html", () => Results.Redirect("/y.html"));
            app.MapGet("/y.html", () => Results.Redirect("/x.html"));
        });
        using var handler = FetchTasks.Handler(new FetchOptions { MaxRedirects = 3, Gate = new HostGateOptions { MinDelay = TimeSpan.Zero } });

        var chain = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/chain/0"), site.Batch(), 1), Ct));
        (chain.Kind, chain.Code, chain.HttpStatus).ShouldBe((ErrorKind.Permanent, "too_many_redirects", 302));
        site.RequestsFor("/chain/3").Count.ShouldBe(1);
        site.RequestsFor("/chain/4").ShouldBeEmpty();

        var loop = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/x.html"), site.Batch(), 2), Ct));
        loop.Code.ShouldBe("too_many_redirects");
        loop.Message.ShouldContain("loop");
        site.RequestsFor("/x.html").Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_permanently_too_large()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        var big = "<html>" + new string('a', 20_000) + "</html>";
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/declared.html", () => Results.Content(big, "text/html"));
            app.MapGet("/streamed.html", async (HttpContext ctx) =>
            {
                ctx.Response.ContentType = "text/html";
                for (var i = 0; i < 20; i++) { await ctx.Response.WriteAsync(big[..1000]); await ctx.Response.Body.FlushAsync(); }
            });
        });
        using var handler = FetchTasks.Handler(new FetchOptions { MaxBodyBytes = 10_000 });

        foreach (var path in new[] { "/declared.html", "/streamed.html" })
        {
            var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url(path), site.Batch()), Ct));
            (e.Kind, e.Code, e.HttpStatus).ShouldBe((ErrorKind.Permanent, "too_large", 200), path);
        }
        (await CountAsync(t, "SELECT COUNT(*) FROM page_blob")).ShouldBe(0);
    }

    [Fact]
    public async Task Only_html_is_kept()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/doc.pdf", () => Results.Bytes("%PDF-1.4"u8.ToArray(), "application/pdf"));
            app.MapGet("/untyped", async (HttpContext ctx) => await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("\n  " + Html("Untyped"))));
        });
        using var handler = FetchTasks.Handler();

        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/doc.pdf"), site.Batch(), 1), Ct));
        (e.Kind, e.Code, e.HttpStatus).ShouldBe((ErrorKind.Permanent, "not_html", 200));
        // No content type at all: a body that starts with markup is taken as HTML.
        (await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/untyped"), site.Batch(), 2), Ct)).Status.ShouldBe(200);
    }

    [Fact]
    public async Task A_compressed_answer_is_stored_decompressed()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        var html = Encoding.UTF8.GetBytes(Html("Gzip"));
        await using var site = await TestSite.StartAsync(app => app.MapGet("/gz.html", async (HttpContext ctx) =>
        {
            ctx.Request.Headers.AcceptEncoding.ToString().ShouldContain("gzip");
            using var packed = new MemoryStream();
            await using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) await gz.WriteAsync(html);
            ctx.Response.ContentType = "text/html";
            ctx.Response.Headers.ContentEncoding = "gzip";
            await ctx.Response.Body.WriteAsync(packed.ToArray());
        }));
        using var handler = FetchTasks.Handler();

        var result = await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/gz.html"), site.Batch()), Ct);

        result.Sha256.ShouldBe(PageStore.Sha256Hex(html));
        (await new PageStore(t.Db).LoadBodyAsync(result.Sha256, Ct)).ShouldBe(html);
    }

    [Fact]
    public async Task Loopback_is_refused_unless_the_batch_maps_a_host_onto_the_offline_site()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/page.html", () => Page("Page"));
            app.MapGet("/to-private.html", () => Results.Redirect("http://10.1.2.3/secret"));
            app.MapGet("/to-other-loopback.html", (HttpContext ctx) => Results.Redirect($"http://127.0.0.2:{ctx.Connection.LocalPort}/page.html"));
        });
        using var handler = FetchTasks.Handler();
        var direct = new Uri(site.BaseUrl, "/page.html").ToString();

        // A plain batch may not reach 127.0.0.1, nor a name that resolves to loopback.
        var refused = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, direct, new BatchOptions(), 1), Ct));
        (refused.Kind, refused.Code).ShouldBe((ErrorKind.Permanent, "address_refused"));
        var byName = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, $"http://localhost:{site.BaseUrl.Port}/page.html", new BatchOptions(), 2), Ct));
        byName.Code.ShouldBe("address_refused");
        // Allowing the offline site opens loopback only for the mapped base, not for any other loopback URL.
        (await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/page.html"), site.Batch(), 3), Ct)).Status.ShouldBe(200);
        var unmapped = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, $"http://localhost:{site.BaseUrl.Port}/page.html", site.Batch(), 4), Ct));
        unmapped.Code.ShouldBe("address_refused");
        // Every redirect hop is checked again.
        (await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/to-private.html"), site.Batch(), 5), Ct))).Code.ShouldBe("address_refused");
        (await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/to-other-loopback.html"), site.Batch(), 6), Ct))).Code.ShouldBe("address_refused");
        // Not http(s): refused before anything is sent.
        (await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, "file:///etc/passwd", site.Batch(), 7), Ct))).Code.ShouldBe("bad_url");
        site.RequestsFor("/page.html").Count.ShouldBe(1);
    }

    [Fact]
    public async Task Robots_txt_is_obeyed_cached_and_its_crawl_delay_applied()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/robots.txt", () => Results.Text("User-agent: *\nDisallow: /\n\nUser-agent: SangitaGrantha\nDisallow: /private/\nCrawl-delay: 0.05\n"));
            app.MapGet("/{**path}", () => Page("Any"));
        });
        using var handler = FetchTasks.Handler();

        (await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/public.html"), site.Batch(politeness: true), 1), Ct)).Status.ShouldBe(200);
        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/private/x.html"), site.Batch(politeness: true), 2), Ct));

        (e.Kind, e.Code).ShouldBe((ErrorKind.Blocked, "robots_disallowed"));
        site.RequestsFor("/private/x.html").ShouldBeEmpty();
        site.RequestsFor("/robots.txt").Count.ShouldBe(1);
        (await new HostGate(t.Db).GetStateAsync(site.SourceHost, Ct))!.CrawlDelayMs.ShouldBe(50);
        var cached = await t.Db.ReadAsync(c => c.QuerySingleAsync<(long Status, string Url)>("SELECT status, url FROM robots_cache WHERE host = @h", new { h = site.SourceHost }), Ct);
        cached.Status.ShouldBe(200);
        cached.Url.ShouldBe(new Uri(site.BaseUrl, "/robots.txt").AbsoluteUri);
        // A second handler (another worker process) uses the cached copy.
        using var other = FetchTasks.Handler();
        await Should.ThrowAsync<StageException>(() => other.FetchAsync(FetchTasks.Context(t.Db, site.Url("/private/y.html"), site.Batch(politeness: true), 3), Ct));
        site.RequestsFor("/robots.txt").Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_unreachable_robots_txt_disallows_for_now_and_a_missing_one_allows()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var down = await TestSite.StartAsync(app =>
        {
            app.MapGet("/robots.txt", () => Results.StatusCode(503));
            app.MapGet("/p.html", () => Page("P"));
        });
        await using var none = await TestSite.StartAsync(app => app.MapGet("/p.html", () => Page("P")));
        using var handler = FetchTasks.Handler();

        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, down.Url("/p.html"), down.Batch(), 1), Ct));
        (e.Kind, e.Code, e.HttpStatus).ShouldBe((ErrorKind.Transient, "robots_unavailable", 503));
        e.RetryAfter!.Value.ShouldBeGreaterThan(TimeSpan.FromMinutes(4));
        down.RequestsFor("/p.html").ShouldBeEmpty();

        (await handler.FetchAsync(FetchTasks.Context(t.Db, none.Url("/p.html"), none.Batch(), 2), Ct)).Status.ShouldBe(200);
        none.RequestsFor("/robots.txt").Count.ShouldBe(1);
    }

    [Fact]
    public async Task Metrics_count_answers_by_status_class_per_host()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/ok.html", () => Page("Ok"));
            app.MapGet("/gone.html", () => Results.StatusCode(404));
        });
        var responses = new System.Collections.Concurrent.ConcurrentBag<(string Class, long Value)>();
        var latencies = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == FetchMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var d = tags.ToArray().ToDictionary(x => x.Key, x => x.Value);
            if (instrument.Name == "grantha.fetch.responses" && Equals(d["host"], site.SourceHost)) responses.Add(((string)d["status_class"]!, value));
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "host" && Equals(tag.Value, site.SourceHost)) Interlocked.Increment(ref latencies);
        });
        listener.Start();
        using var handler = FetchTasks.Handler();

        await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/ok.html"), site.Batch(), 1), Ct);
        await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/gone.html"), site.Batch(), 2), Ct));

        responses.OrderBy(r => r.Class).ShouldBe([("2xx", 1L), ("4xx", 1L)]);
        latencies.ShouldBe(2);
    }
}
