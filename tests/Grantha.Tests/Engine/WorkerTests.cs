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

    /// <summary>
    /// Running tasks are read job by job (no index holds them all: V0026), in the jobs that are not COMPLETED. A
    /// running batch's, a paused batch's and a cancelled batch's running tasks are all found and rescued, and the
    /// watchdog sees their overdue leases, beside a completed batch whose jobs are skipped. A paused batch's rescued
    /// tasks wait paused, a cancelled batch's are cancelled: neither is claimed again.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Expired_leases_are_rescued_in_running_paused_and_cancelled_batches(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var q = t.Db.Queue;
        var done = await EngineHarness.BatchWithTasksAsync(t.Db, 2, FetchHandler.Name);
        (await EngineHarness.RunUntilSettledAsync(t.Db, done, [new ScriptedHandler(FetchHandler.Name, (_, _) => Task.FromResult(TaskResult.Empty))])).ShouldBe(BatchStatus.Completed);
        var batches = new List<long>();
        foreach (var _ in new[] { "running", "paused", "cancelled" })
        {
            var b = await EngineHarness.BatchWithTasksAsync(t.Db, 2, FetchHandler.Name, ExtractHandler.Name);
            batches.Add(b);
            // Claimed by a worker that dies (the earlier batches' tasks are all claimed already).
            (await t.Db.WriteAsync((c, tx) => q.ClaimAsync(c, tx, FetchHandler.Name, "dead-worker", 2, 60_000, Db.NowMs()))).Count.ShouldBe(2);
        }
        await Controls.PauseAsync(t.Db, batches[1], "test");
        await Controls.CancelAsync(t.Db, batches[2], "test");
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE stage_task SET lease_expires_at = @at WHERE lease_owner = 'dead-worker'", new { at = Db.NowMs() - 5_000 }, tx));

        var watchdog = new Watchdog(t.Db, [new ScriptedHandler(FetchHandler.Name, (_, _) => Task.FromResult(TaskResult.Empty))], Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        (await watchdog.PassAsync()).LeaseOverdueMs.ShouldBeInRange(4_000, 60_000);
        var rescuer = new Rescuer(t.Db, q, new EngineSignals(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        (await rescuer.RescueOnceAsync()).ShouldBe(6);
        foreach (var b in batches)
            (await EngineHarness.EventCountAsync(t.Db, b, "task_rescued")).ShouldBe(2);
        // Each waits as its batch does: to be retried, paused (it runs when the batch resumes), or cancelled.
        (await EngineHarness.StatesAsync(t.Db, batches[0])).ShouldBe(new Dictionary<string, long> { [TaskState.RetryWait] = 2 });
        (await EngineHarness.StatesAsync(t.Db, batches[1])).ShouldBe(new Dictionary<string, long> { [TaskState.Paused] = 2 });
        (await EngineHarness.StatesAsync(t.Db, batches[2])).ShouldBe(new Dictionary<string, long> { [TaskState.Cancelled] = 2 });
        (await EngineHarness.EventCountAsync(t.Db, batches[1], "tasks_paused")).ShouldBe(1);
        (await EngineHarness.EventCountAsync(t.Db, batches[2], "tasks_cancelled")).ShouldBe(1);
        (await watchdog.PassAsync()).LeaseOverdueMs.ShouldBe(0);
        (await rescuer.RescueOnceAsync()).ShouldBe(0);
    }

    /// <summary>
    /// The rescuer's read of running tasks probes stage_task_batch job by job and does not scan the task table, with
    /// statistics never gathered (a new store, a bulk load the autovacuum has not seen yet) or fresh, with one large
    /// batch or many. (Statistics that say most of a job's tasks are running make a scan of the table right, and
    /// they stay that way only until the autovacuum sees the change.)
    /// </summary>
    [Fact]
    public async Task Running_tasks_are_read_through_the_batch_index_whatever_the_statistics()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var q = t.Db.Queue;
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 5_000, FetchHandler.Name, ExtractHandler.Name);
        await t.Db.WriteAsync((c, tx) => q.ClaimAsync(c, tx, FetchHandler.Name, "w", 300, 60_000, Db.NowMs()));
        var sql = t.Db.Dialect.RunningTasks("t.id", "t.lease_expires_at < @now") + " ORDER BY t.lease_expires_at LIMIT 500";
        async Task CheckPlanAsync(string statistics)
        {
            var plan = string.Join("\n", await t.Db.ReadAsync(c => c.QueryAsync<string>("EXPLAIN " + sql, new { now = Db.NowMs() })));
            plan.ShouldNotContain("Seq Scan on stage_task", customMessage: statistics + ":\n" + plan);
            plan.ShouldContain("stage_task_batch", customMessage: statistics + ":\n" + plan);
        }
        await CheckPlanAsync("never gathered");
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("ANALYZE stage_task; ANALYZE job", transaction: tx));
        await CheckPlanAsync("fresh");
        (await t.Db.ReadAsync(c => c.QueryAsync<long>(sql, new { now = Db.NowMs() + 120_000 }))).Count().ShouldBe(300);
        for (var i = 0; i < 60; i++)
        {
            await EngineHarness.BatchWithTasksAsync(t.Db, 50, FetchHandler.Name, ExtractHandler.Name);
            await t.Db.WriteAsync((c, tx) => q.ClaimAsync(c, tx, FetchHandler.Name, "w", 5, 60_000, Db.NowMs()));
        }
        await CheckPlanAsync("61 batches, statistics of one");
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("ANALYZE stage_task; ANALYZE job", transaction: tx));
        await CheckPlanAsync("61 batches, fresh");
    }

    /// <summary>
    /// One bulk completion gives each task its own result (the store looks each up by task id, with no join the
    /// planner could turn quadratic), leaves a null result null, and does not touch a task another worker holds.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_bulk_completion_gives_each_task_its_own_result(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 40, FetchHandler.Name);
        var q = t.Db.Queue;
        var mine = await t.Db.WriteAsync((c, tx) => q.ClaimAsync(c, tx, FetchHandler.Name, "worker-a", 30, 60_000, Db.NowMs()));
        var theirs = await t.Db.WriteAsync((c, tx) => q.ClaimAsync(c, tx, FetchHandler.Name, "worker-b", 10, 60_000, Db.NowMs()));
        mine.Count.ShouldBe(30);
        // Every third without a result; one of worker-b's tasks passed off as worker-a's.
        var outcomes = mine.Select((x, i) => (x.Id, i % 3 == 0 ? null : $"{{\"n\":{x.Id},\"text\":\"r\u00e9sultat {x.Id}\"}}")).ToList();
        outcomes.Add((theirs[0].Id, "{\"n\":-1}"));
        var done = await t.Db.WriteAsync((c, tx) => q.SucceedAsync(c, tx, "worker-a", outcomes, Db.NowMs()));
        done.Select(d => d.Id).Order().ShouldBe(mine.Select(x => x.Id).Order());
        var rows = (await t.Db.ReadAsync(c => c.QueryAsync<(long Id, string State, string? Result)>(
            "SELECT id, state, result FROM stage_task WHERE batch_id = @batch", new { batch }))).ToDictionary(r => r.Id);
        foreach (var (id, result) in outcomes.Take(30))
        {
            rows[id].State.ShouldBe(TaskState.Succeeded);
            rows[id].Result.ShouldBe(result);
        }
        rows[theirs[0].Id].State.ShouldBe(TaskState.Running);
        rows[theirs[0].Id].Result.ShouldBeNull();
        (await EngineHarness.EventCountAsync(t.Db, batch, "task_succeeded")).ShouldBe(30);
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

    /// <summary>
    /// The idempotency key lives in stage_task_key (V0025), written with the task: a key given twice in one call or
    /// again later makes one task, each task has its key row, and the keys go with their batch.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_key_given_twice_in_one_call_makes_one_task_and_keys_go_with_their_batch(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var q = t.Db.Queue;
        var batch = await Batches.CreateAsync(t.Db, "keys", new BatchOptions(), "test", [FetchHandler.Name], async (c, tx, id) =>
        {
            var inserted = await q.InsertAsync(c, tx, id,
                [new NewTask(FetchHandler.Name, $"{id}:FETCH:a", "first"), new NewTask(FetchHandler.Name, $"{id}:FETCH:b", "b"), new NewTask(FetchHandler.Name, $"{id}:FETCH:a", "second")],
                _ => 3, Db.NowMs());
            inserted.ShouldBe(2);
        });
        var again = await t.Db.WriteAsync((c, tx) => q.InsertAsync(c, tx, batch, [new NewTask(FetchHandler.Name, $"{batch}:FETCH:b", "b"), new NewTask(FetchHandler.Name, $"{batch}:FETCH:c", "c")], _ => 3, Db.NowMs()));
        again.ShouldBe(1);
        var tasks = (await t.Db.ReadAsync(c => c.QueryAsync<(long Id, string Key, string Subject)>("SELECT id, idem_key, subject FROM stage_task WHERE batch_id = @batch ORDER BY id", new { batch }))).ToList();
        tasks.Select(x => x.Subject).ShouldBe(["first", "b", "c"]);
        var keys = (await t.Db.ReadAsync(c => c.QueryAsync<(long TaskId, string Key)>("SELECT task_id, idem_key FROM stage_task_key WHERE batch_id = @batch ORDER BY task_id", new { batch }))).ToList();
        keys.ShouldBe(tasks.Select(x => (x.Id, x.Key)).ToList());

        await Controls.CancelAsync(t.Db, batch, "test");
        await Controls.DeleteAsync(t.Db, batch, "test");
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_task_key WHERE batch_id = @batch", new { batch }))).ShouldBe(0);
    }

    /// <summary>
    /// Two transactions insert the same key at once: the second waits for the first and, once it commits, skips the
    /// key (ON CONFLICT on stage_task_key), as the unique index on the task row did.
    /// </summary>
    [Fact]
    public async Task The_same_key_inserted_by_two_transactions_at_once_makes_one_task()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 1, FetchHandler.Name);
        var key = $"{batch}:FETCH:shared";
        await using var second = Db.Open(t.Spec);
        var firstInserted = new TaskCompletionSource();
        var first = t.Db.WriteAsync(async (c, tx) =>
        {
            var n = await t.Db.Queue.InsertAsync(c, tx, batch, [new NewTask(FetchHandler.Name, key, "one")], _ => 3, Db.NowMs());
            firstInserted.SetResult();
            await Task.Delay(300);
            return n;
        });
        await firstInserted.Task;
        var other = await second.WriteAsync((c, tx) => second.Queue.InsertAsync(c, tx, batch, [new NewTask(FetchHandler.Name, key, "two")], _ => 3, Db.NowMs()));
        (await first).ShouldBe(1);
        other.ShouldBe(0);
        (await t.Db.ReadAsync(c => c.QueryAsync<string>("SELECT subject FROM stage_task WHERE idem_key = @key", new { key }))).ShouldBe(["one"]);
    }

    /// <summary>
    /// No update of stage_task is HOT (state is in its indexes), so each update writes every index of the table: on
    /// PostgreSQL none of them may be a unique index on the key (V0025), only the primary key is unique.
    /// </summary>
    [Fact]
    public async Task The_task_row_has_no_unique_index_but_its_id()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var unique = await t.Db.ReadAsync(c => c.QueryAsync<string>(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'stage_task'::regclass AND indisunique"));
        unique.ShouldBe(["stage_task_pkey"]);
    }
}
