using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dapper;
using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grantha.Tests.Fetch;

/// <summary>Issue #10 items 1 (the worker's own check of a host map), 4, 10 (task errors), 12 and 12c (the fetch stage's part).</summary>
public class FetchSecurityTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static IResult Page(string title) => Results.Content($"<html><head><title>{title}</title></head><body><div class=\"post-body\">{title}</div></body></html>", "text/html");

    static BatchOptions MapOnto(string sourceHost, Uri baseUrl, bool? politeness = false) => new()
    {
        AllowOfflineSite = true,
        HostMap = new(StringComparer.OrdinalIgnoreCase) { [sourceHost] = baseUrl.ToString().TrimEnd('/') },
        Politeness = politeness,
    };

    static FetchOptions Fast(OfflineSites allowed) => new()
    {
        RequestTimeout = TimeSpan.FromSeconds(10),
        Gate = new HostGateOptions { MinDelay = TimeSpan.Zero },
        OfflineSites = allowed,
    };

    /// <summary>A batch row that maps a host onto loopback, written by any process: this worker allows no such server, so nothing is fetched.</summary>
    [Fact]
    public async Task A_host_map_is_checked_again_by_the_worker_against_what_its_process_allows()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app => app.MapGet("/secret.html", () => Page("internal")));
        using var handler = new FetchHandler(Fast(new OfflineSites(["http://127.0.0.1:1"])));

        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/secret.html"), site.Batch()), Ct));

        (e.Kind, e.Code).ShouldBe((ErrorKind.Permanent, FetchErrors.AddressRefused));
        e.Message.ShouldContain(site.SourceHost);
        e.Message.ShouldNotContain(site.BaseUrl.Port.ToString());
        site.RequestsFor("/robots.txt").ShouldBeEmpty();
        site.RequestsFor("/secret.html").ShouldBeEmpty();
    }

    /// <summary>
    /// A page stored from server A with ETag "planted": a later batch that maps the same host onto server B must not
    /// send A's validators (B answers 304 to them, as a hostile or simply different server may) and stores B's page.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Validators_go_back_only_to_the_origin_that_gave_them(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        const string planted = "\"planted\"";
        IResult Serve(HttpContext ctx, string title)
        {
            if (ctx.Request.Headers.IfNoneMatch == planted) return Results.StatusCode(304);
            ctx.Response.Headers.ETag = planted;
            return Page(title);
        }
        await using var a = await TestSite.StartAsync(app => app.MapGet("/p.html", (HttpContext ctx) => Serve(ctx, "from A")));
        await using var b = await TestSite.StartAsync(app => app.MapGet("/p.html", (HttpContext ctx) => Serve(ctx, "from B")));
        const string host = "blog.example.test";
        var url = $"http://{host}/p.html";
        using var handler = FetchTasks.Handler();

        var first = await handler.FetchAsync(FetchTasks.Context(t.Db, url, MapOnto(host, a.BaseUrl), taskId: 1), Ct);
        var fromB = await handler.FetchAsync(FetchTasks.Context(t.Db, url, MapOnto(host, b.BaseUrl), taskId: 2), Ct);

        b.RequestsFor("/p.html").ShouldHaveSingleItem().ContainsKey("If-None-Match").ShouldBeFalse();
        fromB.NotModified.ShouldBeFalse();
        fromB.Status.ShouldBe(200);
        fromB.Sha256.ShouldNotBe(first.Sha256);
        Encoding.UTF8.GetString((await new PageStore(t.Db).LoadBodyAsync(fromB.Sha256, Ct))!).ShouldContain("from B");
        (await new PageStore(t.Db).EvidenceForUrlAsync(url, Ct)).Select(e => e.Origin).ShouldBe([OfflineSites.Origin(a.BaseUrl), OfflineSites.Origin(b.BaseUrl)]);

        // The same origin again: conditional, as before.
        var again = await handler.FetchAsync(FetchTasks.Context(t.Db, url, MapOnto(host, b.BaseUrl), taskId: 3), Ct);
        again.NotModified.ShouldBeTrue();
        b.RequestsFor("/p.html")[^1]["If-None-Match"].ShouldBe(planted);

        // A row from before V0017 has no origin: it never makes a request conditional.
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE fetch_evidence SET origin = NULL", transaction: tx), Ct);
        var old = await handler.FetchAsync(FetchTasks.Context(t.Db, url, MapOnto(host, b.BaseUrl), taskId: 4), Ct);
        old.NotModified.ShouldBeFalse();
        b.RequestsFor("/p.html")[^1].ContainsKey("If-None-Match").ShouldBeFalse();
    }

    /// <summary>A mapped host whose server does not answer: the task error names the manifest's URL, not this machine's address.</summary>
    [Fact]
    public async Task Task_errors_name_the_manifest_url_never_the_mapped_address()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var closed = new Uri($"http://127.0.0.1:{port}");
        const string host = "down.example.test";
        using var handler = new FetchHandler(Fast(new OfflineSites([closed.ToString()])));

        var e = await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, $"http://{host}/p.html", MapOnto(host, closed)), Ct));

        e.Code.ShouldBe(FetchErrors.RobotsUnavailable);
        e.Message.ShouldContain(host);
        e.Message.ShouldNotContain("127.0.0.1");
        e.Message.ShouldNotContain(port.ToString());
        // The page request itself (robots.txt allows): a connection the server drops before answering.
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/robots.txt", () => Results.NotFound());
            app.MapGet("/p.html", (HttpContext ctx) => { ctx.Abort(); return Results.Empty; });
        });
        using var allowed = FetchTasks.Handler();
        var dropped = await Should.ThrowAsync<StageException>(() => allowed.FetchAsync(FetchTasks.Context(t.Db, site.Url("/p.html"), site.Batch()), Ct));
        dropped.Kind.ShouldBe(ErrorKind.Transient);
        dropped.Message.ShouldStartWith(site.Url("/p.html"));
        dropped.Message.ShouldNotContain("127.0.0.1");
        dropped.Message.ShouldNotContain(site.BaseUrl.Port.ToString());
    }

    /// <summary>
    /// Two fetches to one host reserved their starts before the first answer came: the first gets 429 with
    /// Retry-After 2 s. The second, already reserved, must not go on the wire before the block ends: it is given
    /// back (snoozed, no attempt counted) until then, and its request comes after the block.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_Retry_After_holds_requests_already_reserved_for_the_host(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var clock = Stopwatch.StartNew();
        var pages = new ConcurrentQueue<(string Path, long AtMs)>();
        var answered429 = 0;
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/robots.txt", () => Results.NotFound());
            app.MapGet("/{page}.html", (HttpContext ctx, string page) =>
            {
                pages.Enqueue((page, clock.ElapsedMilliseconds));
                if (Interlocked.Exchange(ref answered429, 1) == 1) return Page(page);
                ctx.Response.Headers.RetryAfter = "2";
                return Results.StatusCode(429);
            });
        });
        using var handler = FetchTasks.Handler(new FetchOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            Gate = new HostGateOptions { MinDelay = TimeSpan.FromMilliseconds(400), MaxConcurrent = 2, MaxInProcessWait = TimeSpan.FromSeconds(3) },
        });
        var batch = site.Batch(politeness: true);

        var outcomes = await Task.WhenAll(new[] { "a", "b" }.Select((p, i) => Outcome(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url($"/{p}.html"), batch, taskId: i + 1), Ct))));

        var first = pages.ShouldHaveSingleItem("the reserved second request did not go out during the block");
        var limited = outcomes.Single(o => o is StageException { Code: FetchErrors.RateLimited });
        var snoozed = outcomes.OfType<TaskSnoozedException>().ShouldHaveSingleItem();
        snoozed.WholeHost.ShouldBeTrue();
        snoozed.Delay.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(500));

        // Given back for that long (the engine would), the task's request comes after the block.
        await Task.Delay(snoozed.Delay, Ct);
        var secondPath = first.Path == "a" ? "b" : "a";
        (await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url($"/{secondPath}.html"), batch, taskId: secondPath == "a" ? 1 : 2), Ct)).Status.ShouldBe(200);
        var second = pages.Last();
        second.Path.ShouldBe(secondPath);
        (second.AtMs - first.AtMs).ShouldBeGreaterThanOrEqualTo(2000 - 50, "a request started before the host's Retry-After ran out");
        limited.ShouldNotBeNull();
    }

    static async Task<Exception?> Outcome(Func<Task> run)
    {
        try { await run(); return null; }
        catch (Exception e) { return e; }
    }

    /// <summary>A batch with politeness off (written by any process) still gets the gate for a host it does not map onto the offline site.</summary>
    [Fact]
    public async Task Politeness_off_applies_only_to_hosts_mapped_onto_the_offline_site()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app => app.MapGet("/p.html", () => Page("p")));
        using var handler = FetchTasks.Handler(new FetchOptions { Gate = new HostGateOptions { MinDelay = TimeSpan.FromSeconds(30) } });
        var gate = new HostGate(t.Db);

        // Mapped and politeness off: no gate, no host state.
        (await handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/p.html"), site.Batch(politeness: false), taskId: 1), Ct)).Status.ShouldBe(200);
        (await gate.GetStateAsync(site.SourceHost, Ct)).ShouldBeNull();

        // A real host that the batch does not map: the gate holds whatever the batch says. Reserve its next start far
        // ahead, as a polite fetch of it would have: the fetch is given back instead of being sent at once.
        const string real = "real-host.example.test";
        await gate.SlowDownAsync(real, TimeSpan.FromSeconds(30), Ct);
        var e = await Should.ThrowAsync<TaskSnoozedException>(() =>
            handler.FetchAsync(FetchTasks.Context(t.Db, $"http://{real}/p.html", site.Batch(politeness: false), taskId: 2), Ct));
        e.WholeHost.ShouldBeTrue();
    }
}
