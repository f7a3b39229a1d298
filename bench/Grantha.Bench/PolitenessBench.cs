using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.OfflineSite;

namespace Grantha.Bench;

/// <summary>
/// How close a polite import comes to its politeness limit (issue #8): the first --rows rows of each
/// Trinity manifest (default 150) fetched from the offline site with politeness on, a short delay
/// (--delay-ms, default 200) and --per-host in flight (default 2), one worker in this process. The
/// limit is the busiest host's requests times the delay (its starts cannot be closer); the ratio is
/// the batch's time over that limit. The site's log gives the gaps between request starts per host:
/// the smallest must not be below the delay.
/// </summary>
public static class PolitenessBench
{
    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        var rows = a.Int("rows", 150);
        var delayMs = a.Int("delay-ms", 200);
        var perHost = a.Int("per-host", 2);
        var manifests = SharedFiles.TrinityManifests.Select(f => new ManifestInput(Path.GetFileName(f), Head(File.ReadAllBytes(f), rows))).ToList();
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Manifests = SharedFiles.TrinityManifests, Pregenerate = true });
        await site.Ready;

        // Why callers waited or gave their task back (grantha.fetch.throttled by reason), over the run.
        var throttled = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FetchMetrics.MeterName && i.Name == "grantha.fetch.throttled") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var t in tags) if (t.Key == "reason") throttled.AddOrUpdate(t.Value?.ToString() ?? "?", value, (_, n) => n + value);
        });
        listener.Start();
        var store = a.Str("store") ?? "postgres";
        await using var pg = store == "postgres" ? await BenchDb.CreateAsync("polite") : null;
        var dir = store == "sqlite" ? Directory.CreateTempSubdirectory("grantha-polite").FullName : null;
        var db = pg is not null ? Db.Open(pg.ConnectionString) : Db.Open("sqlite:" + Path.Combine(dir!, "polite.db"));
        double seconds;
        await using (db)
        {
            await Migrations.ApplyAsync(db);
            await using var app = GranthaApp.Create(db);
            app.Services.GetRequiredService<OfflineSites>().Allow(site.HostMap.Values);
            using var cts = new CancellationTokenSource();
            var run = app.NewWorker().RunAsync(cts.Token);
            var before = site.RequestLog.Count;
            var options = new BatchOptions
            {
                AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = true,
                HostDelayMs = delayMs, HostConcurrency = perHost, Stages = [ManifestHandler.Name, FetchHandler.Name],
            };
            var sw = Stopwatch.StartNew();
            var batch = await ManifestBatches.CreateAsync(db, app.Pipeline, "politeness", manifests, options, "bench");
            while ((await Batches.GetAsync(db, batch))!.Status != BatchStatus.Completed) await Task.Delay(25);
            seconds = sw.Elapsed.TotalSeconds;
            await cts.CancelAsync();
            await run;
            if (site.RequestLog.Count == before) throw new InvalidOperationException("the site saw no request");
        }
        if (dir is not null) Directory.Delete(dir, true);

        var result = new Dictionary<string, object?> { ["store"] = store, ["rows_per_manifest"] = rows, ["delay_ms"] = delayMs, ["per_host"] = perHost };
        var byHost = site.RequestLog.GroupBy(r => r.Port).OrderBy(g => g.Key).ToList();
        var busiest = byHost.Max(g => g.Count());
        var limit = (busiest - 1) * delayMs / 1000.0;
        result["requests"] = site.RequestLog.Count;
        result["busiest_host_requests"] = busiest;
        result["limit_s"] = Math.Round(limit, 2);
        result["batch_s"] = Math.Round(seconds, 2);
        result["ratio"] = Math.Round(seconds / limit, 3);
        var below = 0;
        var all = new List<double>();
        foreach (var g in byHost)
        {
            var starts = g.Select(r => r.Started).Order().ToList();
            var gaps = starts.Zip(starts.Skip(1), (x, y) => (y - x).TotalMilliseconds).Order().ToList();
            if (gaps.Count == 0) continue;
            all.AddRange(gaps);
            below += gaps.Count(x => x < delayMs);
            result[$"host{g.Key}_requests"] = g.Count();
            result[$"host{g.Key}_span_s"] = Math.Round((starts[^1] - starts[0]).TotalSeconds, 2);
            result[$"host{g.Key}_gap_min_ms"] = Math.Round(gaps[0], 1);
            result[$"host{g.Key}_gap_median_ms"] = Math.Round(gaps[gaps.Count / 2], 1);
            result[$"host{g.Key}_gap_mean_ms"] = Math.Round(gaps.Average(), 1);
            result[$"host{g.Key}_gap_p95_ms"] = Math.Round(gaps[(int)Math.Ceiling(gaps.Count * 0.95) - 1], 1);
        }
        result["throttled"] = string.Join(" ", throttled.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));
        result["gaps_below_delay"] = below;
        result["gap_min_ms"] = Math.Round(all.Min(), 1);
        result["gap_mean_ms"] = Math.Round(all.Average(), 1);
        return result;
    }

    /// <summary>The header and the first <paramref name="rows"/> data lines of a manifest.</summary>
    static byte[] Head(byte[] csv, int rows)
    {
        var lines = Encoding.UTF8.GetString(csv).Split('\n');
        return Encoding.UTF8.GetBytes(string.Join('\n', lines.Take(rows + 1)) + "\n");
    }
}
