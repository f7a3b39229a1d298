using System.Diagnostics;
using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grantha.Tests.Fetch;

/// <summary>A request that missed its polite start is held at the socket: the host never sees it.</summary>
public class SendWindowTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly BodyRule Html = new(1 << 20, HtmlOnly: true);

    static Task<TestSite> Site() => TestSite.StartAsync(app => app.MapGet("/page", () => Results.Content("<html>ok</html>", "text/html")));

    /// <summary>A window that closed <paramref name="agoMs"/> ms ago (or, if negative, closes that far ahead).</summary>
    static SendWindow ClosedAgo(int agoMs) =>
        new(Stopwatch.GetTimestamp() - Stopwatch.Frequency, TimeSpan.FromMilliseconds(1_000 - agoMs - 25), TimeSpan.FromMilliseconds(25));

    [Fact]
    public async Task A_late_request_is_not_written_on_a_new_or_a_pooled_connection()
    {
        await using var site = await Site();
        using var client = new FetchClient(new FetchOptions());
        var page = new Uri(site.BaseUrl, "/page");

        // New connection: nothing reaches the site.
        using (SendWindow.Enter(ClosedAgo(50)))
        {
            var late = await Should.ThrowAsync<LateSendException>(() => client.SendAsync(page, offline: true, null, Html, Ct));
            late.Late.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(40));
        }
        site.RequestsFor("/page").Count.ShouldBe(0);

        // An open window sends; the connection goes back to the pool.
        using (SendWindow.Enter(ClosedAgo(-5_000)))
            (await client.SendAsync(page, offline: true, null, Html, Ct)).Status.ShouldBe(200);
        site.RequestsFor("/page").Count.ShouldBe(1);

        // Pooled connection: still held back.
        using (SendWindow.Enter(ClosedAgo(50)))
            await Should.ThrowAsync<LateSendException>(() => client.SendAsync(page, offline: true, null, Html, Ct));
        site.RequestsFor("/page").Count.ShouldBe(1);

        // Outside any window (politeness off) requests go out as usual.
        (await client.SendAsync(page, offline: true, null, Html, Ct)).Status.ShouldBe(200);
        site.RequestsFor("/page").Count.ShouldBe(2);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_late_send_gives_its_start_back_and_asks_again(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        // A delay longer than the in-process wait: had the first start not been given back, the
        // second ask would be a whole delay out and the task would snooze instead of sending.
        var gate = new HostGate(t.Db, new HostGateOptions { MinDelay = TimeSpan.FromSeconds(30), MaxInProcessWait = TimeSpan.FromSeconds(5) });
        var starts = new List<long>();

        var result = await gate.SendAsync("late.test", "w/1", permit =>
        {
            starts.Add(permit.StartAt);
            // The first try misses its window at the socket; the second goes out.
            return starts.Count == 1 ? throw new HttpRequestException("send failed", new LateSendException(TimeSpan.FromMilliseconds(30))) : Task.FromResult("sent");
        }, Ct);

        result.ShouldBe("sent");
        starts.Count.ShouldBe(2);
        // The unused start was given back, so the second try did not wait a whole delay behind it
        // (a bound far above any scheduling delay on a loaded machine, far below the delay).
        (starts[1] - starts[0]).ShouldBeLessThan(5_000);
        (await gate.GetStateAsync("late.test", Ct))!.InFlight.ShouldBe(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_process_that_keeps_missing_its_window_snoozes_the_task(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var gate = new HostGate(t.Db, new HostGateOptions { MinDelay = TimeSpan.Zero, MaxInProcessWait = TimeSpan.FromSeconds(5) });
        var tries = 0;

        var e = await Should.ThrowAsync<TaskSnoozedException>(() => gate.SendAsync<string>("starved.test", "w/1", _ =>
        {
            tries++;
            throw new LateSendException(TimeSpan.FromMilliseconds(100));
        }, Ct));

        tries.ShouldBe(3);
        e.Message.ShouldContain("starved.test");
        (await gate.GetStateAsync("starved.test", Ct))!.InFlight.ShouldBe(0);
    }
}
