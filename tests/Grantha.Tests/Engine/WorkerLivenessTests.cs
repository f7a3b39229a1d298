using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.OfflineSite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grantha.Tests.Engine;

/// <summary>
/// On PostgreSQL a worker holds a session advisory lock while it lives (<see cref="Liveness"/>): the server
/// releases it when the worker's connection drops, and rescuers take its tasks back then, long before their
/// leases expire. A worker that still holds its lock keeps its tasks until the lease says otherwise.
/// </summary>
public class WorkerLivenessTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_process_killed_with_sigkill_has_its_tasks_rescued_before_their_leases_expire_and_none_done_twice()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var db = t.Db;
        // Pages that take 8 s to answer: the child worker holds its FETCH tasks when it is killed.
        var rows = Enumerable.Range(0, 12).Select(i => new SourceRow($"kriti {i}", "tODi", $"http://thyagaraja-vaibhavam.blogspot.com/2008/01/liveness-{i}.html")).ToList();
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Rows = rows, Faults = new SiteFaults { Slow = 1.0, SlowMinMs = 8_000, SlowMaxMs = 8_000 } }, Ct);
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var batch = await Batches.CreateAsync(db, "liveness", options, "test", [FetchHandler.Name], (c, tx, id) =>
            db.Queue.InsertAsync(c, tx, id, rows.Select(r => new NewTask(FetchHandler.Name, TaskKey.Of(id, FetchHandler.Name, r.Url), r.Url, new Uri(r.Url).Host)).ToList(), _ => 3, Db.NowMs()));

        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "grantha.dll"), "--db", t.Spec, "worker", "--stage", FetchHandler.Name, "--offline-site-allow" },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // The child worker may fetch from the site this test started, as its batch maps (and nothing else).
        foreach (var b in site.HostMap.Values) psi.ArgumentList.Add(b);
        using var child = Process.Start(psi)!;
        _ = child.StandardOutput.ReadToEndAsync(Ct);
        var stderr = child.StandardError.ReadToEndAsync(Ct);
        List<(long Id, string Owner, long Expires)> held = [];
        var wait = Stopwatch.StartNew();
        while (held.Count < 4 && wait.Elapsed < TimeSpan.FromSeconds(60) && !child.HasExited)
        {
            await Task.Delay(50, Ct);
            held = await HeldAsync(db, batch);
        }
        if (child.HasExited) throw new Xunit.Sdk.XunitException($"the worker exited before it was killed: {await stderr}");
        var owner = held.Select(h => h.Owner).Distinct().ShouldHaveSingleItem();
        (await db.ReadAsync(c => c.ExecuteScalarAsync<long?>("SELECT lock_key FROM worker WHERE id = @owner", new { owner }))).ShouldNotBeNull("the worker announced its liveness lock");

        child.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no lease handed back
        await child.WaitForExitAsync(Ct);
        var killedAt = Db.NowMs();
        // What it held when it died (it may have handed some back before: the host gate snoozes a task).
        held = await HeldAsync(db, batch);
        held.Count.ShouldBeGreaterThanOrEqualTo(1);
        held.ShouldAllBe(h => h.Expires > killedAt + 5_000, "the leases had time left");

        // Another worker (in this process) rescues them through its rescuer and finishes them.
        var handler = new ScriptedHandler(FetchHandler.Name, (_, _) => Task.FromResult(TaskResult.Empty));
        (await EngineHarness.RunUntilSettledAsync(db, batch, [handler], TimeSpan.FromSeconds(60))).ShouldBe(BatchStatus.Completed);

        var rescues = (await db.ReadAsync(c => c.QueryAsync<(long TaskId, long At, string Data)>(
            "SELECT task_id, at, data FROM event WHERE batch_id = @batch AND kind = 'task_rescued' ORDER BY id", new { batch }))).ToList();
        rescues.Select(r => r.TaskId).Order().ShouldBe(held.Select(h => h.Id).Order(), "each held task rescued once: " + string.Join(" | ", rescues.Select(r => $"{r.TaskId} {r.At - killedAt} {r.Data}")));
        foreach (var r in rescues)
        {
            var data = JsonDocument.Parse(r.Data).RootElement;
            data.GetProperty("reason").GetString().ShouldBe("worker_gone");
            data.GetProperty("lostOwner").GetString().ShouldBe(owner);
            r.At.ShouldBeLessThan(held.Single(h => h.Id == r.TaskId).Expires, "rescued while its lease still ran: the liveness lock, not the lease, told");
        }
        var done = (await db.ReadAsync(c => c.QueryAsync<(long TaskId, string Actor)>(
            "SELECT task_id, actor FROM event WHERE batch_id = @batch AND kind = 'task_succeeded'", new { batch }))).ToList();
        // Every task succeeded exactly once, none of them by the dead worker.
        done.Count.ShouldBe(rows.Count);
        done.Select(d => d.TaskId).ShouldBeUnique();
        done.ShouldAllBe(d => d.Actor != "worker:" + owner);
        (await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM worker WHERE id = @owner", new { owner }))).ShouldBe(0, "the dead worker's row went with it");
    }

    [Fact]
    public async Task A_worker_holding_its_lock_keeps_its_tasks_while_their_leases_last_however_slow_its_renewals()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var db = t.Db;
        var batch = await EngineHarness.BatchWithTasksAsync(db, 6, FetchHandler.Name);
        // A live worker whose lease renewals stall (it claimed and never renews), and a worker row without a
        // liveness lock (a process that does not announce one): neither is rescued while its leases run.
        var slow = await Liveness.TakeAsync(db.PostgresConnectionString!, NullLogger.Instance, Ct);
        await RegisterAsync(db, "slow-worker", slow.Key);
        await RegisterAsync(db, "lockless-worker", null);
        var now = Db.NowMs();
        await db.WriteAsync((c, tx) => db.Queue.ClaimAsync(c, tx, FetchHandler.Name, "slow-worker", 3, 60_000, now));
        await db.WriteAsync((c, tx) => db.Queue.ClaimAsync(c, tx, FetchHandler.Name, "lockless-worker", 3, 60_000, now));

        var rescuer = new Rescuer(db, db.Queue, new EngineSignals(), NullLogger.Instance, self: "rescuer") { GoneAfter = TimeSpan.FromMilliseconds(100) };
        for (var pass = 0; pass < 4; pass++)
        {
            (await rescuer.RescueOnceAsync(Ct)).ShouldBe(0);
            await Task.Delay(150, Ct);
        }
        (await EngineHarness.StatesAsync(db, batch))[TaskState.Running].ShouldBe(6);

        // Its connection drops (the process died): the lock is free, and stays free past GoneAfter.
        await slow.DisposeAsync();
        var passes = 0;
        var rescued = 0;
        while (rescued == 0 && passes < 100)
        {
            rescued = await rescuer.RescueOnceAsync(Ct);
            passes++;
            await Task.Delay(150, Ct);
        }
        rescued.ShouldBe(3);
        passes.ShouldBeGreaterThanOrEqualTo(2, "the first sighting of a free lock rescues nothing");
        var tasks = await Batches.TasksAsync(db, batch, new TaskFilter(), 0, 10);
        tasks.Where(x => x.State == TaskState.RetryWait).ShouldAllBe(x => x.ErrorCode == "worker_gone");
        tasks.Count(x => x.State == TaskState.Running && x.LeaseOwner == "lockless-worker").ShouldBe(3);
        (await db.ReadAsync(c => c.QueryAsync<string>("SELECT id FROM worker ORDER BY id"))).ShouldBe(["lockless-worker"]);
    }

    [Fact]
    public async Task A_worker_whose_connection_drops_takes_its_lock_again_and_announces_itself()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var db = t.Db;
        await using var alive = await Liveness.TakeAsync(db.PostgresConnectionString!, NullLogger.Instance, Ct);
        var retaken = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var run = alive.RunAsync((key, _) => { retaken.TrySetResult(); return Task.CompletedTask; }, stop.Token);

        // The server ends the lock's session (a restart, a proxy timing out): the lock is free for a moment.
        await using (var c = await db.OpenAsync(Ct))
            (await c.ExecuteScalarAsync<bool>("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @name AND datname = current_database()",
                new { name = Liveness.ApplicationName })).ShouldBeTrue();
        await retaken.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await using (var c = await db.OpenAsync(Ct))
            (await c.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@cls, @key)", new { cls = Liveness.LockClass, key = alive.Key })).ShouldBeFalse("held again");
        await stop.CancelAsync();
        await run;
    }

    static Task RegisterAsync(Db db, string id, int? lockKey) => db.WriteAsync((c, tx) => c.ExecuteAsync(
        "INSERT INTO worker (id, host_name, pid, stages, started_at, seen_at, lock_key) VALUES (@id, 'test', 1, 'FETCH', 0, 0, @lockKey)", new { id, lockKey }, tx));

    static async Task<List<(long, string, long)>> HeldAsync(Db db, long batch) =>
        (await db.ReadAsync(c => c.QueryAsync<(long, string, long)>(
            "SELECT id, lease_owner, lease_expires_at FROM stage_task WHERE batch_id = @batch AND state = 'RUNNING'", new { batch }))).ToList();
}
