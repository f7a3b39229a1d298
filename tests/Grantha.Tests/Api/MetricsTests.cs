using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.Tests.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grantha.Tests.Api;

/// <summary>
/// /metrics from a running API host with workers, after a small batch: the series the SLOs and alerts of
/// docs/operations.md (ops/prometheus/grantha-rules.yml) read are there, with their Prometheus names and sane values.
/// </summary>
public partial class MetricsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();
    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    static List<Sample> Parse(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => SampleLine().Match(l)).Where(m => m.Success)
            .Select(m => new Sample(m.Groups["name"].Value,
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(p => p.Groups["k"].Value, p => p.Groups["v"].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();

    static IEnumerable<Sample> Series(List<Sample> all, string name, params (string Key, string Value)[] labels) =>
        all.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Metrics_after_a_small_batch_have_the_slo_series(string store)
    {
        await using var site = await TestSite.StartAsync(app =>
        {
            foreach (var page in new[] { "/a.html", "/b.html" })
                app.MapGet(page, () => Results.Content($"<html><head><title>{page}</title></head><body><p>{page}</p></body></html>", "text/html"));
        });
        await using var f = await ApiFixture.StartAsync(store, workers: true,
            worker: new WorkerOptions { PollInterval = TimeSpan.FromMilliseconds(20), WatchInterval = TimeSpan.FromMilliseconds(100) });
        await File.WriteAllTextAsync(Path.Combine(f.ImportDir, "m.csv"),
            $"Krithi,Raga,Hyperlink\nA,kalyANi,{site.Url("/a.html")}\nB,tODi,{site.Url("/b.html")}\n", Ct);
        // Host maps are an admin's, onto servers this process allows (#10 item 1).
        f.App.Services.GetRequiredService<OfflineSites>().Allow([site.BaseUrl.ToString().TrimEnd('/')]);
        var created = await f.Client(Role.Admin).PostAsJsonAsync(BulkImportApiTests.Batches, new
        {
            paths = new[] { "m.csv" }, allowOfflineSite = true, politeness = true,
            hostMap = new Dictionary<string, string> { [site.SourceHost] = site.BaseUrl.ToString().TrimEnd('/') },
        }, Ct);
        created.EnsureSuccessStatusCode();
        var batch = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();

        // Both pages fetched (politely: a second apart), whatever the later stages make of them.
        var until = DateTime.UtcNow.AddSeconds(60);
        while (await f.Store.Db.ReadAsync(c => c.ExecuteScalarAsync<long>(
                   "SELECT COUNT(*) FROM stage_task WHERE batch_id = @batch AND stage = 'FETCH' AND state = 'SUCCEEDED'", new { batch })) < 2)
        {
            DateTime.UtcNow.ShouldBeLessThan(until, "the batch's pages were not fetched in time");
            await Task.Delay(50, Ct);
        }

        // The watchdog reads its gauges every 100 ms here and the exporter keeps a scrape for a moment: look until they show.
        using var scrape = f.Client(null);
        List<Sample> m;
        do
        {
            await Task.Delay(150, Ct);
            var text = await scrape.GetStringAsync("/metrics", Ct);
            m = Parse(text);
        }
        while (!Series(m, "grantha_queue_oldest_due_age_seconds", ("stage", "FETCH")).Any() && DateTime.UtcNow < until);

        // Histograms in seconds, per stage: the queue wait (due -> claimed) and the handler's run time with its outcome.
        Series(m, "grantha_task_queue_wait_seconds_count", ("stage", "FETCH")).Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(2);
        Series(m, "grantha_task_queue_wait_seconds_bucket", ("stage", "FETCH"), ("le", "5")).ShouldNotBeEmpty();
        var waitSum = Series(m, "grantha_task_queue_wait_seconds_sum", ("stage", "FETCH")).Sum(s => s.Value);
        waitSum.ShouldBeGreaterThanOrEqualTo(0);
        Series(m, "grantha_task_duration_seconds_count", ("stage", "FETCH"), ("outcome", "succeeded")).Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(2);
        Series(m, "grantha_task_duration_seconds_sum", ("stage", "FETCH"), ("outcome", "succeeded")).Sum(s => s.Value).ShouldBeInRange(0, 3600);

        // Outcomes by stage, as the store took them.
        Series(m, "grantha_tasks_finished_total", ("stage", "FETCH"), ("outcome", "succeeded")).Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(2);
        Series(m, "grantha_tasks_finished_total", ("stage", "MANIFEST"), ("outcome", "succeeded")).Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(1);

        // Gauges the watchdog read from the store: every stage shows, ages in seconds. (Tests running at the same
        // time have stores and watchdogs of their own in this process: each series is there, values are sane.)
        static void Sane(IEnumerable<Sample> series, double max)
        {
            series.ShouldNotBeEmpty();
            foreach (var s in series) s.Value.ShouldBeInRange(0, max);
        }
        foreach (var stage in new[] { "MANIFEST", "FETCH", "EXTRACT", "RESOLVE" })
        {
            Sane(Series(m, "grantha_queue_oldest_due_age_seconds", ("stage", stage)), 3600);
            Sane(Series(m, "grantha_queue_depth", ("stage", stage)), 1e6);
        }
        Sane(Series(m, "grantha_task_lease_overdue_seconds"), 3600);
        Sane(Series(m, "grantha_batches_running"), 1e6);
        Sane(Series(m, "grantha_batch_oldest_running_age_seconds"), 3600);
        Sane(Series(m, "grantha_batches_stuck"), 1e6);

        // The claim loops' capacity and use, to tell "workers were free" in the queue-wait SLO.
        Series(m, "grantha_worker_slots", ("stage", "FETCH")).Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(FetchHandler.ConcurrencyDefault);
        Series(m, "grantha_worker_slots_busy", ("stage", "FETCH")).Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(0);

        // Politeness held: nothing counted as a start below a host's delay.
        Series(m, "grantha_fetch_politeness_violations_total").Sum(s => s.Value).ShouldBe(0);
    }
}
