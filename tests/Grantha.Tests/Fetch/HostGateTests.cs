using System.Collections.Concurrent;
using System.Diagnostics;
using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Tests.Fetch;

public class HostGateTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Callers_in_several_processes_never_exceed_the_slots_and_start_at_least_the_delay_apart(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        const int delayMs = 40, slots = 2, callers = 24;
        var options = new HostGateOptions
        {
            MinDelay = TimeSpan.FromMilliseconds(delayMs), MaxConcurrent = slots,
            MaxInProcessWait = TimeSpan.FromMinutes(1), BusyPoll = TimeSpan.FromMilliseconds(10),
            WireMargin = TimeSpan.FromMilliseconds(5), // keeps the run short; the mechanism is the same
        };
        // Three worker "processes": each its own handle (own pool; on SQLite its own write lock) on one database.
        await using var second = Db.Open(t.Spec);
        await using var third = Db.Open(t.Spec);
        Db[] processes = [t.Db, second, third];
        int inFlight = 0, maxInFlight = 0;
        var starts = new ConcurrentBag<(long Reserved, long Actual)>();

        await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var gate = new HostGate(processes[i % processes.Length], options);
            // As a fetch sends: the window is checked where the request would leave (the socket, in
            // FetchClient), and a late one is not sent but asks again. A process the machine starves
            // three times snoozes, and the engine runs the task again later; so does this caller.
            while (true)
            {
                try
                {
                    await gate.SendAsync("polite.test", $"worker-{i % 3}/task {i}", async permit =>
                    {
                        var late = permit.Window!.Lateness;
                        if (late > TimeSpan.Zero) throw new LateSendException(late);
                        starts.Add((permit.StartAt, Db.NowMs()));
                        var now = Interlocked.Increment(ref inFlight);
                        int seen;
                        while ((seen = Volatile.Read(ref maxInFlight)) < now && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen) { }
                        // Held longer than the spacing of starts (delay + window + margin), so the slot limit
                        // (not only the delay) is what holds callers back.
                        await Task.Delay(150, Ct);
                        Interlocked.Decrement(ref inFlight);
                        return true;
                    }, Ct);
                    break;
                }
                catch (TaskSnoozedException e) { await Task.Delay(e.Delay, Ct); }
            }
        }, Ct)));

        maxInFlight.ShouldBe(slots);
        starts.Count.ShouldBe(callers);
        var reserved = starts.Select(s => s.Reserved).Order().ToList();
        reserved.Zip(reserved.Skip(1), (a, b) => b - a).Min().ShouldBeGreaterThanOrEqualTo(delayMs);
        // Nobody starts before its reserved time (a millisecond of clock rounding aside). The store
        // runs on this machine, so its clock is this one.
        starts.ShouldAllBe(s => s.Actual >= s.Reserved - 2);
        // What the host sees: the starts themselves are the delay apart, because a caller that
        // misses its start window asks again instead of crowding the next one (ms clock rounding aside).
        var actual = starts.Select(s => s.Actual).Order().ToList();
        actual.Zip(actual.Skip(1), (a, b) => b - a).Min().ShouldBeGreaterThanOrEqualTo(delayMs - 3);
        (await new HostGate(t.Db, options).GetStateAsync("polite.test", Ct))!.InFlight.ShouldBe(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_start_further_off_than_the_in_process_wait_snoozes_the_task(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var gate = new HostGate(t.Db, new HostGateOptions { MinDelay = TimeSpan.FromSeconds(3), MaxInProcessWait = TimeSpan.FromMilliseconds(500) });

        await using (await gate.EnterAsync("slow.test", "w/1", Ct)) { }
        var e = await Should.ThrowAsync<TaskSnoozedException>(() => gate.EnterAsync("slow.test", "w/2", Ct));

        e.Delay.ShouldBeInRange(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        e.Message.ShouldContain("slow.test");
        // Other hosts are not held up.
        await using (await gate.EnterAsync("other.test", "w/3", Ct)) { }
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_killed_workers_slot_comes_back_when_its_lease_ends(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var options = new HostGateOptions
        {
            MinDelay = TimeSpan.Zero, MaxConcurrent = 1, SlotLease = TimeSpan.FromMilliseconds(600),
            MaxInProcessWait = TimeSpan.FromMilliseconds(100), BusyPoll = TimeSpan.FromMilliseconds(20),
            WireMargin = TimeSpan.Zero, // about slots, not spacing
        };
        var gate = new HostGate(t.Db, options);

        _ = await gate.EnterAsync("crash.test", "dead-worker/1", Ct); // never released: the worker died
        var busy = await Should.ThrowAsync<TaskSnoozedException>(() => gate.EnterAsync("crash.test", "w/2", Ct));
        busy.Message.ShouldContain("in flight");

        var patient = new HostGate(t.Db, options with { MaxInProcessWait = TimeSpan.FromSeconds(5) });
        var clock = Stopwatch.StartNew();
        await using (await patient.EnterAsync("crash.test", "w/3", Ct))
            clock.ElapsedMilliseconds.ShouldBeGreaterThan(300);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Slow_down_multiplies_the_delay_up_to_a_cap_and_success_decays_it_to_the_base(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var gate = new HostGate(t.Db, new HostGateOptions
        {
            MinDelay = TimeSpan.FromMilliseconds(300), MaxDelay = TimeSpan.FromMilliseconds(1000), SlowDownFloor = TimeSpan.FromMilliseconds(250),
        });
        async Task<long> Delay() => (await gate.GetStateAsync("adaptive.test", Ct))!.DelayMs;

        await gate.SlowDownAsync("adaptive.test", null, Ct);
        (await Delay()).ShouldBe(450);
        await gate.SlowDownAsync("adaptive.test", null, Ct, rateLimited: true);
        (await Delay()).ShouldBe(900);
        await gate.SlowDownAsync("adaptive.test", null, Ct);
        (await Delay()).ShouldBe(1000);
        await gate.RecoverAsync("adaptive.test", Ct);
        (await Delay()).ShouldBe(700);
        for (var i = 0; i < 10; i++) await gate.RecoverAsync("adaptive.test", Ct);
        (await Delay()).ShouldBe(300);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Retry_After_blocks_the_host_until_then_within_a_cap(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var gate = new HostGate(t.Db, new HostGateOptions { MinDelay = TimeSpan.Zero, MaxBlock = TimeSpan.FromMinutes(10) });

        await gate.SlowDownAsync("blocked.test", TimeSpan.FromSeconds(4), Ct);
        var e = await Should.ThrowAsync<TaskSnoozedException>(() => gate.EnterAsync("blocked.test", "w/1", Ct));
        e.Delay.ShouldBeInRange(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));

        var before = Db.NowMs();
        await gate.SlowDownAsync("blocked.test", TimeSpan.FromDays(2), Ct);
        (await gate.GetStateAsync("blocked.test", Ct))!.BlockedUntil.ShouldBeLessThanOrEqualTo(Db.NowMs() + 10 * 60_000 + 1_000);
        (await gate.GetStateAsync("blocked.test", Ct))!.BlockedUntil.ShouldBeGreaterThanOrEqualTo(before + 10 * 60_000 - 1_000);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_crawl_delay_raises_the_gap_between_starts(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var gate = new HostGate(t.Db, new HostGateOptions { MinDelay = TimeSpan.FromMilliseconds(10), MaxInProcessWait = TimeSpan.FromSeconds(5) });

        await gate.SetCrawlDelayAsync("crawl.test", TimeSpan.FromMilliseconds(250), Ct);
        long first, second;
        await using (var p = await gate.EnterAsync("crawl.test", "w/1", Ct)) first = p.StartAt;
        await using (var p = await gate.EnterAsync("crawl.test", "w/2", Ct)) second = p.StartAt;

        (second - first).ShouldBeGreaterThanOrEqualTo(250);
        (await gate.GetStateAsync("crawl.test", Ct))!.CrawlDelayMs.ShouldBe(250);
    }
}
