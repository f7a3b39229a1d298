using Grantha.Fetch;
using Grantha.Extract;
using System.Collections.Concurrent;
using Dapper;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

public class WorkerTests
{
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_worker_stopped_before_it_started_returns_and_leaves_no_registration(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        using var stopped = new CancellationTokenSource();
        await stopped.CancelAsync();
        // Stopping a host while its worker registers is a stop, not an error (it threw OperationCanceledException).
        await new Worker(t.Db, EngineHarness.Stages, EngineHarness.FastWorker).RunAsync(stopped.Token);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM worker"))).ShouldBe(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Runs_every_task_once_and_completes_the_batch(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var seen = new ConcurrentDictionary<long, int>();
        var handler = new ScriptedHandler(FetchHandler.Name, (ctx, _) => { seen.AddOrUpdate(ctx.Task.Id, 1, (_, n) => n + 1); return Task.FromResult(TaskResult.Empty); });
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 300, FetchHandler.Name);

        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [handler])).ShouldBe(BatchStatus.Completed);

        seen.Count.ShouldBe(300);
        seen.Values.ShouldAllBe(n => n == 1);
        (await EngineHarness.StatesAsync(t.Db, batch)).ShouldBe(new Dictionary<string, long> { [TaskState.Succeeded] = 300 });
        (await EngineHarness.EventCountAsync(t.Db, batch, "task_succeeded")).ShouldBe(300);
        (await Batches.JobsAsync(t.Db, batch)).Single().Status.ShouldBe(JobStatus.Completed);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Follow_up_tasks_run_in_the_next_stage_and_the_batch_settles_after_both(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var first = new ScriptedHandler(FetchHandler.Name, (ctx, _) => Task.FromResult(new TaskResult("{\"ok\":true}",
            [new NewTask(ExtractHandler.Name, $"{ctx.Task.BatchId}:EXTRACT:{ctx.Task.Subject}", ctx.Task.Subject)])));
        var second = new ScriptedHandler(ExtractHandler.Name, (_, _) => Task.FromResult(TaskResult.Empty));
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 50, FetchHandler.Name, ExtractHandler.Name);

        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [first, second])).ShouldBe(BatchStatus.Completed);

        second.Calls.ShouldBe(50);
        var counts = await Batches.CountsAsync(t.Db, batch);
        counts[FetchHandler.Name][TaskState.Succeeded].ShouldBe(50);
        counts[ExtractHandler.Name][TaskState.Succeeded].ShouldBe(50);
        (await Batches.JobsAsync(t.Db, batch)).ShouldAllBe(j => j.Status == JobStatus.Completed);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Transient_errors_retry_with_backoff_permanent_fail_at_once_blocked_waits(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var handler = new ScriptedHandler(FetchHandler.Name, (ctx, _) => ctx.Task.Subject switch
        {
            "t1" when ctx.Task.Attempt < 3 => throw StageException.Transient("server_error", "503", 503),
            "t2" => throw StageException.Permanent("not_found", "404", 404),
            "t3" => throw StageException.Blocked("robots_disallowed", "robots.txt"),
            "t4" => throw new InvalidOperationException("boom"),
            _ => Task.FromResult(TaskResult.Empty),
        });
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 5, FetchHandler.Name);

        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [handler])).ShouldBe(BatchStatus.Completed);

        var tasks = (await Batches.TasksAsync(t.Db, batch, new TaskFilter(), 0, 100)).ToDictionary(x => x.Subject);
        tasks["t1"].State.ShouldBe(TaskState.Succeeded);
        tasks["t1"].Attempt.ShouldBe(3);
        tasks["t2"].State.ShouldBe(TaskState.Failed);
        tasks["t2"].Attempt.ShouldBe(1);
        tasks["t2"].ErrorCode.ShouldBe("not_found");
        tasks["t2"].ErrorHttpStatus.ShouldBe(404);
        tasks["t3"].State.ShouldBe(TaskState.Blocked);
        tasks["t4"].State.ShouldBe(TaskState.Failed);
        tasks["t4"].Attempt.ShouldBe(3);
        tasks["t4"].ErrorCode.ShouldBe("unexpected");
        (await EngineHarness.EventCountAsync(t.Db, batch, "task_retry_scheduled")).ShouldBe(4);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_snoozed_task_does_not_use_an_attempt(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var snoozes = 0;
        var handler = new ScriptedHandler(FetchHandler.Name, (_, _) =>
            Interlocked.Increment(ref snoozes) <= 4 ? throw new TaskSnoozedException(TimeSpan.FromMilliseconds(5), "host busy") : Task.FromResult(TaskResult.Empty));
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 1, FetchHandler.Name);
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [handler])).ShouldBe(BatchStatus.Completed);
        var task = (await Batches.TasksAsync(t.Db, batch, new TaskFilter(), 0, 10)).Single();
        task.Attempt.ShouldBe(1);
        task.State.ShouldBe(TaskState.Succeeded);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_whole_host_snooze_moves_that_hosts_waiting_tasks_and_no_other(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var queue = t.Db.Queue;
        var batch = await Batches.CreateAsync(t.Db, "test", new BatchOptions(), "test", [FetchHandler.Name], async (c, tx, id) =>
        {
            NewTask Task(string host, int i) => new(FetchHandler.Name, $"{id}:FETCH:{host}/{i}", $"http://{host}/{i}", host);
            await queue.InsertAsync(c, tx, id, [Task("slow.test", 1), Task("slow.test", 2), Task("slow.test", 3), Task("other.test", 1)], _ => 3, Db.NowMs());
        });
        var now = Db.NowMs();
        var claimed = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, FetchHandler.Name, "w1", 1, 5000, now));
        claimed.Single().Host.ShouldBe("slow.test");
        await t.Db.WriteAsync((c, tx) => queue.SnoozeAsync(c, tx, claimed[0], "w1", TimeSpan.FromMinutes(1), "slow.test: next polite start in 60000 ms", now, wholeHost: true));

        // The snoozed task's siblings step aside with it; the next claim gets the other host's task.
        var tasks = await Batches.TasksAsync(t.Db, batch, new TaskFilter(), 0, 10);
        tasks.Where(x => x.Host == "slow.test").ShouldAllBe(x => x.State == TaskState.Pending && x.DueAt == now + 60_000 && x.Attempt == 0);
        var next = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, FetchHandler.Name, "w1", 10, 5000, now + 1));
        next.Single().Host.ShouldBe("other.test");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Expired_leases_are_rescued_and_the_late_completion_is_discarded(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 3, FetchHandler.Name);
        var q = t.Db.Queue;
        // A worker claims with a short lease and dies (never renews).
        var claimed = await t.Db.WriteAsync((c, tx) => q.ClaimAsync(c, tx, FetchHandler.Name, "dead-worker", 10, 100, Db.NowMs()));
        claimed.Count.ShouldBe(3);
        await Task.Delay(150);
        var rescuer = new Rescuer(t.Db, q, new EngineSignals(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        (await rescuer.RescueOnceAsync()).ShouldBe(3);
        (await EngineHarness.StatesAsync(t.Db, batch))[TaskState.RetryWait].ShouldBe(3);
        (await EngineHarness.EventCountAsync(t.Db, batch, "task_rescued")).ShouldBe(3);
        // The dead worker's late completion does not count.
        var done = await t.Db.WriteAsync((c, tx) => q.SucceedAsync(c, tx, "dead-worker", claimed.Select(x => (x.Id, (string?)null)).ToList(), Db.NowMs()));
        done.ShouldBeEmpty();
        // Another worker finishes them; the lost attempt was counted.
        var handler = new ScriptedHandler(FetchHandler.Name, (_, _) => Task.FromResult(TaskResult.Empty));
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [handler])).ShouldBe(BatchStatus.Completed);
        (await Batches.TasksAsync(t.Db, batch, new TaskFilter(), 0, 10)).ShouldAllBe(x => x.Attempt == 2 && x.State == TaskState.Succeeded);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Inserting_the_same_idempotency_key_twice_creates_one_task(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 0 + 1, FetchHandler.Name);
        var q = t.Db.Queue;
        var again = await t.Db.WriteAsync((c, tx) => q.InsertAsync(c, tx, batch, [new NewTask(FetchHandler.Name, $"{batch}:{FetchHandler.Name}:t1", "t1")], _ => 3, Db.NowMs()));
        again.ShouldBe(0);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_task"))).ShouldBe(1);
    }
}
