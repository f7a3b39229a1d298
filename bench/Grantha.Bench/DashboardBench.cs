using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.OfflineSite;
using Microsoft.Playwright;

namespace Grantha.Bench;

/// <summary>
/// Issue #11's speed goals, measured in a real browser (Debian's chromium driven by Playwright) against a real
/// `grantha serve` child process on PostgreSQL:
/// <list type="bullet">
/// <item>batch100k: the batch screen of a batch of --tasks (default 100,000) tasks, from navigation to usable
/// (title, stage bars and the first task rows shown), --cold-loads times each in a new browser context (empty cache), then --loads times warm;</item>
/// <item>live: an event reaching the screen while the Trinity manifests are imported from the offline site with
/// politeness on (--delay-ms, default 100): every finished task's finished_at against the moment the batch screen
/// first showed a done count that includes it (rank by finish time per stage), p50/p95/max;</item>
/// <item>the dashboard's initial JavaScript (the scripts index.html loads), raw and gzip.</item>
/// </list>
/// The browser and the server run on the same machine, so their clocks are one clock.
/// </summary>
public static class DashboardBench
{
    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        var parts = (a.Str("parts") ?? "size,batch100k,live").Split(',');
        var chromium = Environment.GetEnvironmentVariable("GRANTHA_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
        var web = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(BenchApp.Dll)!, "..", "web"));
        if (!File.Exists(Path.Combine(web, "index.html"))) throw new InvalidOperationException("the dashboard is not built (artifacts/web): run ./grantha with Node.js 20");
        if (!File.Exists(chromium)) throw new InvalidOperationException($"no browser at {chromium}: apt-get install chromium, or set GRANTHA_CHROMIUM");

        var result = new Dictionary<string, object?>();
        if (parts.Contains("size"))
            foreach (var (k, v) in InitialJavaScript(web)) result[k] = v;

        await using var pg = await BenchDb.CreateAsync("dashboard");
        await using var db = Db.Open(pg.ConnectionString);
        await Migrations.ApplyAsync(db);
        var key = await ApiKeys.CreateAsync(db, "bench", Role.Operator, "bench");
        await using var site = parts.Contains("live")
            ? await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Manifests = SharedFiles.TrinityManifests, Pregenerate = true })
            : null;
        if (site is not null) await site.Ready;

        var url = $"http://127.0.0.1:{FreePort()}";
        var args = new List<string> { "serve", "--url", url, "--db", pg.ConnectionString };
        foreach (var b in site?.HostMap.Values.ToList() ?? []) { args.Add("--offline-site-allow"); args.Add(b); }
        using var serve = BenchApp.Start([.. args]);
        _ = serve.StandardOutput.ReadToEndAsync();
        _ = serve.StandardError.ReadToEndAsync();
        try
        {
            await WaitReadyAsync(url, serve);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(60_000);
            await page.GotoAsync(url + "/");
            await page.GetByLabel("API key").FillAsync(key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Batches" }).WaitForAsync();

            if (parts.Contains("batch100k"))
                foreach (var (k, v) in await BatchScreenAsync(db, page, url, a.Int("tasks", 100_000), a.Int("cold-loads", 3), a.Int("loads", 5))) result[k] = v;
            if (parts.Contains("live"))
                foreach (var (k, v) in await LiveAsync(db, page, url, site!, a.Int("delay-ms", 100))) result[k] = v;
        }
        finally
        {
            if (!serve.HasExited) { serve.Kill(entireProcessTree: true); await serve.WaitForExitAsync(); }
        }
        return result;
    }

    /// <summary>What index.html makes the browser download before the first screen: its module scripts and preloads.</summary>
    static Dictionary<string, object?> InitialJavaScript(string web)
    {
        var html = File.ReadAllText(Path.Combine(web, "index.html"));
        var files = Regex.Matches(html, """(?:src|href)="/?([^"]+\.js)" """.TrimEnd())
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        long raw = 0, gzip = 0;
        foreach (var f in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(web, f));
            raw += bytes.Length;
            var ms = new MemoryStream();
            using (var z = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(bytes);
            gzip += ms.Length;
        }
        return new() { ["initial_js_files"] = files.Count, ["initial_js_kb"] = Math.Round(raw / 1024.0, 1), ["initial_js_gzip_kb"] = Math.Round(gzip / 1024.0, 1) };
    }

    /// <summary>Navigation to a 100,000-task batch's screen until its title, stage bars and first task rows are shown.</summary>
    static async Task<Dictionary<string, object?>> BatchScreenAsync(Db db, IPage page, string url, int tasks, int colds, int loads)
    {
        var sw = Stopwatch.StartNew();
        var batch = await ReviewBench.SeedTasksAsync(db, tasks);
        await ReviewBench.AnalyzeAsync(db);
        var seed = sw.Elapsed.TotalSeconds;
        // The server's first answer of each route pays its JIT: one untimed load first, as a server in use has had.
        await page.GotoAsync($"{url}/batches/{batch}");
        await page.Locator(".tasklist [role=listitem]").First.WaitForAsync();
        var times = new List<double>();
        for (var i = 0; i < colds + loads; i++)
        {
            // The first timed loads are each in a new browser context (an empty cache: the JavaScript comes over the wire), signed in.
            if (i < colds)
            {
                // One tab at a time, as a curator opens it: the last cold load's tab (its chart, hosts and timeline
                // load after the screen is usable) is closed and its work given a moment to end first.
                var fresh = await SignedInPageAsync(page, url);
                if (i > 0) await page.Context.CloseAsync();
                page = fresh;
                await Task.Delay(1_000);
            }
            else await page.GotoAsync("about:blank");
            await page.GotoAsync($"{url}/batches/{batch}", new() { WaitUntil = WaitUntilState.Commit });
            // Milliseconds since the navigation started (performance.now() counts from it), read in the frame the rows appear.
            var at = await page.WaitForFunctionAsync("""
                () => document.querySelector('.stagelist li') && document.querySelector('.tasklist [role=listitem]')
                      && document.getElementById('batch-title') ? performance.now() : false
                """, null, new() { PollingInterval = null });
            times.Add(await at.JsonValueAsync<double>());
            // Where the cold load's time went (stderr): the document, then each request's start and end since the navigation.
            if (i < colds)
                Console.Error.WriteLine("cold load: " + await page.EvaluateAsync<string>("""
                    () => { const n = performance.getEntriesByType('navigation')[0];
                            const r = performance.getEntriesByType('resource').map(e => `${e.name.replace(location.origin, '')} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`);
                            return `document ${Math.round(n.responseEnd)}, dom ready ${Math.round(n.domContentLoadedEventEnd)}; ` + r.join('; '); }
                    """));
        }
        // Deep in the list: scroll the virtual list to its end five times; each time the next page of rows must appear.
        var scroll = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var before = await page.Locator(".tasklist [role=listitem]").Last.TextContentAsync();
            sw.Restart();
            await page.EvalOnSelectorAsync(".tasklist", "el => el.scrollTop = el.scrollHeight");
            await page.WaitForFunctionAsync("""
                before => { const rows = document.querySelectorAll('.tasklist [role=listitem]'); return rows.length && rows[rows.length - 1].textContent !== before; }
                """, before);
            scroll.Add(sw.Elapsed.TotalMilliseconds);
        }
        var cold = times.Take(colds).Order().ToList();
        var warm = times.Skip(colds).Order().ToList();
        return new()
        {
            ["batch_tasks"] = tasks,
            ["batch_seed_s"] = Math.Round(seed, 1),
            ["batch_screen_cold_median_ms"] = cold.Count == 0 ? null : Math.Round(cold[cold.Count / 2], 0),
            ["batch_screen_cold_max_ms"] = cold.Count == 0 ? null : Math.Round(cold[^1], 0),
            ["batch_screen_warm_median_ms"] = warm.Count == 0 ? null : Math.Round(warm[warm.Count / 2], 0),
            ["batch_screen_max_ms"] = Math.Round(times.Max(), 0),
            ["batch_screen_loads_ms"] = string.Join(" ", times.Select(t => Math.Round(t, 0))),
            ["task_list_scroll_next_page_max_ms"] = Math.Round(scroll.Max(), 0),
        };
    }

    /// <summary>A new browser context (nothing cached) whose tab starts signed in with the first page's key (sessionStorage).</summary>
    static async Task<IPage> SignedInPageAsync(IPage old, string url)
    {
        var session = await old.EvaluateAsync<string>("() => JSON.stringify([sessionStorage.getItem('grantha.apiKey'), sessionStorage.getItem('grantha.role')])");
        var context = await old.Context.Browser!.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await context.AddInitScriptAsync($"(([k, r]) => {{ sessionStorage.setItem('grantha.apiKey', k); sessionStorage.setItem('grantha.role', r); }})({session})");
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        return page;
    }

    sealed record Seen(string Stage, long Done, long At);

    /// <summary>
    /// The Trinity import with politeness on while its batch screen is open: the browser records each change of a
    /// stage's "N of M done"; task i of a stage (by finish time) reached the screen when N first reached i.
    /// </summary>
    static async Task<Dictionary<string, object?>> LiveAsync(Db db, IPage page, string url, SourceSite site, int delayMs)
    {
        await using var app = GranthaApp.Create(db);
        var manifests = SharedFiles.TrinityManifests.Select(f => new ManifestInput(Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        var options = new BatchOptions
        {
            AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = true, HostDelayMs = delayMs,
        };
        var sw = Stopwatch.StartNew();
        var batch = await ManifestBatches.CreateAsync(db, app.Pipeline, "dashboard live bench", manifests, options, "bench");
        await page.GotoAsync($"{url}/batches/{batch}");
        await page.Locator(".stagelist li").First.WaitForAsync();
        await page.EvaluateAsync("""
            () => {
              window.__seen = [];
              const last = {};
              const read = () => {
                for (const li of document.querySelectorAll('.stagelist li')) {
                  const stage = li.querySelector('h3')?.textContent ?? '';
                  const m = /([\d,]+) of ([\d,]+) done/.exec(li.querySelector('.stagehead .muted')?.textContent ?? '');
                  if (!m) continue;
                  const done = Number(m[1].replace(/,/g, ''));
                  if (last[stage] !== done) { last[stage] = done; window.__seen.push({ stage, done, at: Date.now() }); }
                }
              };
              read();
              new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
            }
            """);
        while ((await Batches.GetAsync(db, batch))!.Status is not (BatchStatus.Completed or BatchStatus.Cancelled))
            await Task.Delay(200);
        var importSeconds = sw.Elapsed.TotalSeconds;
        var finished = (await db.ReadAsync(c => c.QueryAsync<(string Stage, long FinishedAt)>(
            "SELECT stage, finished_at FROM stage_task WHERE batch_id = @batch AND finished_at IS NOT NULL ORDER BY stage, finished_at", new { batch })))
            .GroupBy(r => r.Stage).ToDictionary(g => g.Key, g => g.Select(r => r.FinishedAt).ToList());
        // The last changes reach the screen: wait until every stage shows its final count, for at most 20 s.
        List<Seen> seen = [];
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(250))
        {
            seen = JsonSerializer.Deserialize<List<Seen>>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__seen)"),
                new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            if (finished.All(f => seen.Where(v => v.Stage == f.Key).Select(v => v.Done).DefaultIfEmpty(0).Max() >= f.Value.Count)) break;
        }
        var lags = new List<double>();
        var missed = 0;
        var result = new Dictionary<string, object?> { ["live_delay_ms"] = delayMs, ["live_import_s"] = Math.Round(importSeconds, 1) };
        foreach (var (stage, times) in finished)
        {
            var views = seen.Where(s => s.Stage == stage).OrderBy(s => s.At).ToList();
            var stageLags = new List<double>();
            for (var i = 0; i < times.Count; i++)
            {
                var shown = views.FirstOrDefault(v => v.Done >= i + 1);
                if (shown is null) { missed++; continue; }
                // A count the page read before the task finished (a task that finished while its count was being read) is 0.
                stageLags.Add(Math.Max(0, shown.At - times[i]));
            }
            lags.AddRange(stageLags);
            if (stageLags.Count < times.Count)
                result[$"live_{stage.ToLowerInvariant()}_never_shown"] = $"{times.Count - stageLags.Count} (screen's last count {views.LastOrDefault()?.Done ?? 0} of {times.Count})";
            if (stageLags.Count > 0) result[$"live_{stage.ToLowerInvariant()}_p95_ms"] = Percentile(stageLags, 0.95);
        }
        result["live_tasks"] = lags.Count;
        result["live_never_shown"] = missed;
        result["live_screen_changes"] = seen.Count;
        if (lags.Count > 0)
        {
            result["live_p50_ms"] = Percentile(lags, 0.50);
            result["live_p95_ms"] = Percentile(lags, 0.95);
            result["live_max_ms"] = Math.Round(lags.Max(), 0);
        }
        return result;
    }

    static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 0);
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static async Task WaitReadyAsync(string url, Process serve)
    {
        using var http = new HttpClient();
        for (var i = 0; i < 600; i++)
        {
            if (serve.HasExited) throw new InvalidOperationException($"grantha serve exited with {serve.ExitCode}");
            try
            {
                if ((await http.GetAsync(url + "/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("grantha serve did not become ready in 60 s");
    }
}
