using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grantha.Tests.Fetch;

/// <summary>The politeness series of docs/operations.md: hosts that told us to back off, and starts closer than a host's delay.</summary>
public class PolitenessMetricsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_host_that_says_back_off_is_counted_by_its_manifest_host_and_reason()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var site = await TestSite.StartAsync(app =>
        {
            app.MapGet("/busy.html", (HttpContext ctx) =>
            {
                ctx.Response.Headers.RetryAfter = "1";
                return Results.StatusCode(429);
            });
            app.MapGet("/down.html", () => Results.StatusCode(503));
        });
        var blocks = new ConcurrentBag<(string Reason, long N)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FetchMetrics.MeterName && i.Name == "grantha.fetch.host.blocks") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, n, tags, _) =>
        {
            var d = tags.ToArray().ToDictionary(x => x.Key, x => x.Value);
            if (Equals(d["host"], site.SourceHost)) blocks.Add(((string)d["reason"]!, n));
        });
        listener.Start();
        using var handler = FetchTasks.Handler();

        await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/busy.html"), site.Batch(politeness: true)), Ct));
        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct); // the Retry-After
        await Should.ThrowAsync<StageException>(() => handler.FetchAsync(FetchTasks.Context(t.Db, site.Url("/down.html"), site.Batch(politeness: true), taskId: 2), Ct));

        blocks.OrderBy(b => b.Reason).ShouldBe([("retry_after", 1L), ("status_503", 1L)]);
    }

    [Fact]
    public void Two_starts_to_one_host_closer_than_its_delay_are_a_violation()
    {
        long violations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FetchMetrics.MeterName && i.Name == "grantha.fetch.politeness.violations") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, n, _, _) => Interlocked.Add(ref violations, n));
        listener.Start();
        var host = $"store|src-{Guid.NewGuid():n}.test";

        Starts.Record(host, gapMs: 0);
        Starts.Record(host, gapMs: 60_000); // the first promised no gap: not a violation
        Interlocked.Read(ref violations).ShouldBe(0);
        Starts.Record(host, gapMs: 0);      // the second promised a minute
        Interlocked.Read(ref violations).ShouldBe(1);
    }
}
