using System.Diagnostics.Metrics;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grantha.Tests.Engine;

/// <summary>The watchdog (docs/operations.md): stuck batches as events and a gauge, and the gauges it reads from the store.</summary>
public class WatchdogTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly ScriptedHandler Succeeds = new("A", (_, _) => Task.FromResult(TaskResult.Empty));

    static Watchdog Watch(Db db, TimeSpan stuckAfter, params StageHandler[] stages) =>
        new(db, stages.Length == 0 ? [Succeeds] : stages, NullLogger.Instance) { StuckAfter = stuckAfter };

    static Task<List<string>> MarkersAsync(Db db, long batchId) =>
        db.ReadAsync(async c => (await c.QueryAsync<string>(
            "SELECT data FROM event WHERE batch_id = @batchId AND kind IN ('batch_stuck', 'batch_unstuck') ORDER BY id", new { batchId })).AsList());

    static Task ExpireLeasesAsync(Db db, long at) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE stage_task SET lease_expires_at = @at WHERE state = 'RUNNING'", new { at }, tx));

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_batch_with_due_work_and_no_outcome_is_stuck_once_and_unstuck_when_it_moves(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 3, "A");
        var stuckAfter = TimeSpan.FromMilliseconds(300);
        var watch = Watch(t.Db, stuckAfter);

        (await watch.PassAsync(Ct)).StuckBatches.ShouldBeEmpty("just created: not stuck yet");
        await Task.Delay(stuckAfter + TimeSpan.FromMilliseconds(100), Ct);
        var pass = await watch.PassAsync(Ct);
        pass.StuckBatches.ShouldBe([batch]);
        pass.Batches.Stuck.ShouldBe(1);
        pass.Batches.Running.ShouldBe(1);

        // Once per stuck period: later passes, and another process's watchdog, add nothing.
        (await watch.PassAsync(Ct)).StuckBatches.ShouldBe([batch]);
        await using (var other = Db.Open(t.Spec))
            (await Watch(other, stuckAfter).PassAsync(Ct)).StuckBatches.ShouldBe([batch]);
        var markers = await MarkersAsync(t.Db, batch);
        markers.Count.ShouldBe(1);
        using (var stuck = JsonDocument.Parse(markers[0]))
        {
            var due = stuck.RootElement.GetProperty("due")[0];
            due.GetProperty("stage").GetString().ShouldBe("A");
            due.GetProperty("tasks").GetInt64().ShouldBe(3);
        }
        (await EngineHarness.EventCountAsync(t.Db, batch, Watchdog.Stuck)).ShouldBe(1);

        // The batch moves: a worker records its tasks' outcomes (and the completer notes when).
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [Succeeds])).ShouldBe(BatchStatus.Completed);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long?>("SELECT moved_at FROM batch WHERE id = @batch", new { batch }))).ShouldNotBeNull();
        pass = await watch.PassAsync(Ct);
        pass.StuckBatches.ShouldBeEmpty();
        pass.Batches.Stuck.ShouldBe(0);
        markers = await MarkersAsync(t.Db, batch);
        markers.Count.ShouldBe(2);
        (await EngineHarness.EventCountAsync(t.Db, batch, Watchdog.Unstuck)).ShouldBe(1);
        using var unstuck = JsonDocument.Parse(markers[1]);
        unstuck.RootElement.GetProperty("reason").GetString().ShouldBe("moved");
        (await watch.PassAsync(Ct)).StuckBatches.ShouldBeEmpty();
        (await MarkersAsync(t.Db, batch)).Count.ShouldBe(2, "unstuck once");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_stuck_batch_that_gets_an_outcome_is_unstuck_and_can_be_stuck_again(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 2, "A");
        var stuckAfter = TimeSpan.FromMilliseconds(200);
        var watch = Watch(t.Db, stuckAfter);
        await Task.Delay(stuckAfter + TimeSpan.FromMilliseconds(50), Ct);
        (await watch.PassAsync(Ct)).StuckBatches.ShouldBe([batch]);

        // One task's outcome is recorded by a completer, the other stays due: it moved, then stands still again.
        var task = (await t.Db.WriteAsync((c, tx) => t.Db.Queue.ClaimAsync(c, tx, "A", "w", 1, 60_000, Db.NowMs()), Ct)).Single();
        var completer = new Completer(t.Db, t.Db.Queue, "w", _ => Succeeds.Settings, new RetryPolicy(), new EngineSignals(), NullLogger.Instance);
        var run = completer.RunAsync(Ct);
        completer.Add(new Outcome.Succeeded(task, TaskResult.Empty));
        completer.Complete();
        await run;
        (await watch.PassAsync(Ct)).StuckBatches.ShouldBeEmpty();
        await Task.Delay(stuckAfter + TimeSpan.FromMilliseconds(50), Ct);
        (await watch.PassAsync(Ct)).StuckBatches.ShouldBe([batch]);
        (await EngineHarness.EventCountAsync(t.Db, batch, Watchdog.Stuck)).ShouldBe(2);
        (await EngineHarness.EventCountAsync(t.Db, batch, Watchdog.Unstuck)).ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_batch_that_only_waits_is_not_stuck(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var blocked = await EngineHarness.BatchWithTasksAsync(t.Db, 2, "A");
        var later = await EngineHarness.BatchWithTasksAsync(t.Db, 2, "A");
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE stage_task SET state = 'BLOCKED' WHERE batch_id = @blocked", new { blocked }, tx), Ct);
        // Snoozed for a host's Retry-After: due in an hour.
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE stage_task SET due_at = @due WHERE batch_id = @later", new { later, due = Db.NowMs() + 3_600_000 }, tx), Ct);
        await Task.Delay(50, Ct);

        var pass = await Watch(t.Db, TimeSpan.FromMilliseconds(10)).PassAsync(Ct);
        pass.StuckBatches.ShouldBeEmpty();
        pass.Batches.Running.ShouldBe(2);
        (await MarkersAsync(t.Db, blocked)).ShouldBeEmpty();
        (await MarkersAsync(t.Db, later)).ShouldBeEmpty();
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Reads_the_oldest_due_task_per_stage_and_the_rescuers_lag(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 3, "A");
        var now = Db.NowMs();
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE stage_task SET due_at = @due WHERE batch_id = @batch", new { batch, due = now - 5_000 }, tx), Ct);
        // A claimed task whose lease expired 10 s ago and that nobody rescued.
        await t.Db.WriteAsync((c, tx) => t.Db.Queue.ClaimAsync(c, tx, "A", "gone", 1, 60_000, now), Ct);
        await ExpireLeasesAsync(t.Db, now - 10_000);

        var pass = await Watch(t.Db, TimeSpan.FromMinutes(10), Succeeds, new ScriptedHandler("B", (_, _) => Task.FromResult(TaskResult.Empty))).PassAsync(Ct);
        pass.Queue["A"].Depth.ShouldBe(2);
        pass.Queue["A"].OldestDueAgeMs.ShouldBeInRange(5_000, 60_000);
        pass.Queue["B"].ShouldBe(new EngineMetrics.QueueGauge(0, 0), "every stage of the process is shown");
        pass.LeaseOverdueMs.ShouldBeInRange(9_000, 60_000);

        // Rescued: nothing is overdue; tasks due in the future are waiting but not due.
        await new Rescuer(t.Db, t.Db.Queue, new EngineSignals(), NullLogger.Instance).RescueOnceAsync(Ct);
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE stage_task SET due_at = @due WHERE batch_id = @batch", new { batch, due = Db.NowMs() + 60_000 }, tx), Ct);
        pass = await Watch(t.Db, TimeSpan.FromMinutes(10)).PassAsync(Ct);
        pass.LeaseOverdueMs.ShouldBe(0);
        pass.Queue["A"].ShouldBe(new EngineMetrics.QueueGauge(3, 0));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Rescues_are_counted_by_reason(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await EngineHarness.BatchWithTasksAsync(t.Db, 2, "A");
        await t.Db.WriteAsync((c, tx) => t.Db.Queue.ClaimAsync(c, tx, "A", "gone", 2, 60_000, Db.NowMs()), Ct);
        await ExpireLeasesAsync(t.Db, Db.NowMs() - 1_000);
        var reasons = new System.Collections.Concurrent.ConcurrentBag<(string? Reason, long N)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == EngineMetrics.MeterName && i.Name == "grantha.tasks.rescued") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, n, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "reason") reasons.Add((tag.Value as string, n));
        });
        listener.Start();

        (await new Rescuer(t.Db, t.Db.Queue, new EngineSignals(), NullLogger.Instance).RescueOnceAsync(Ct)).ShouldBe(2);
        // Other tests rescue too: at least ours, with their reason.
        reasons.Where(r => r.Reason == "lease_expired").Sum(r => r.N).ShouldBeGreaterThanOrEqualTo(2);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Fetch_shows_the_politeness_of_manifest_hosts_with_open_work(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var host = $"src-{Guid.NewGuid():n}.test";
        var idle = $"idle-{Guid.NewGuid():n}.test";
        var blockedUntil = Db.NowMs() + 600_000;
        await Batches.CreateAsync(t.Db, "hosts", new BatchOptions(), "test", [FetchHandler.Name], (c, tx, id) =>
            t.Db.Queue.InsertAsync(c, tx, id, [new NewTask(FetchHandler.Name, $"{id}:FETCH:1", $"http://{host}/a.html", host)], _ => 3, Db.NowMs()));
        await t.Db.WriteAsync(async (c, tx) =>
        {
            // The gate's rows: a slowed-down host blocked by a Retry-After, and a host with no open work (not shown).
            await c.ExecuteAsync("INSERT INTO host_state (host, delay_ms, crawl_delay_ms, next_start_at, blocked_until, updated_at) VALUES (@host, 3000, 0, 0, @blockedUntil, 0)", new { host, blockedUntil }, tx);
            await c.ExecuteAsync("INSERT INTO host_state (host, delay_ms, crawl_delay_ms, next_start_at, blocked_until, updated_at) VALUES (@idle, 1000, 5000, 0, 0, 0)", new { idle }, tx);
        }, Ct);
        using var fetch = new FetchHandler();

        var seen = new System.Collections.Concurrent.ConcurrentDictionary<(string Name, string Host), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FetchMetrics.MeterName && i.Name.StartsWith("grantha.fetch.host.")) l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "host" && tag.Value is string h && (h == host || h == idle)) seen[(i.Name, h)] = v;
        });
        listener.Start();
        await Watch(t.Db, TimeSpan.FromMinutes(10), fetch).PassAsync(Ct);
        listener.RecordObservableInstruments();

        seen[("grantha.fetch.host.delay", host)].ShouldBe(3.0);
        seen[("grantha.fetch.host.blocked_until", host)].ShouldBe(blockedUntil / 1000.0);
        seen.Keys.ShouldNotContain(k => k.Host == idle, "a host without open fetch work is not shown");
    }
}
