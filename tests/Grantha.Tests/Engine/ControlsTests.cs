using Grantha.Extract;
using Grantha.Fetch;
using Dapper;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

public class ControlsTests
{
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Pause_resume_cancel_follow_the_state_machine(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 10, FetchHandler.Name);

        (await Controls.PauseAsync(t.Db, batch, "test")).Tasks.ShouldBe(10);
        (await EngineHarness.StatesAsync(t.Db, batch))[TaskState.Paused].ShouldBe(10);
        await Should.ThrowAsync<IllegalTransitionException>(() => Controls.PauseAsync(t.Db, batch, "test"));
        (await Controls.ResumeAsync(t.Db, batch, "test")).Status.ShouldBe(BatchStatus.Running);
        (await EngineHarness.StatesAsync(t.Db, batch))[TaskState.Pending].ShouldBe(10);
        (await Controls.CancelAsync(t.Db, batch, "test")).Tasks.ShouldBe(10);
        var e = await Should.ThrowAsync<IllegalTransitionException>(() => Controls.ResumeAsync(t.Db, batch, "test"));
        e.Message.ShouldContain("CANCELLED");
        await Should.ThrowAsync<IllegalTransitionException>(() => Controls.RetryAsync(t.Db, batch, new TaskFilter(), "test"));
        await Should.ThrowAsync<BatchNotFoundException>(() => Controls.PauseAsync(t.Db, 9999, "test"));
        (await EngineHarness.EventCountAsync(t.Db, batch, "batch_paused")).ShouldBe(1);
    }

    public static TheoryData<string, string> StoresAndControls => new()
    {
        { "sqlite", "pause" }, { "sqlite", "cancel" }, { "postgres", "pause" }, { "postgres", "cancel" },
    };

    /// <summary>
    /// Pausing or cancelling a batch stops its work, also what was running at that moment: a task that then succeeds
    /// hands on its follow-up paused (cancelled), one that fails for a while or is snoozed waits paused (is cancelled)
    /// instead of being claimed again, and nothing more runs until the batch resumes.
    /// </summary>
    [Theory, MemberData(nameof(StoresAndControls))]
    public async Task What_was_running_when_the_batch_stopped_does_not_run_again(string store, string control)
    {
        await using var t = await TestDb.CreateAsync(store);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var fetch = new ScriptedHandler(FetchHandler.Name, async (ctx, ct) =>
        {
            // A snooze does not count an attempt: the first run of each task is told by the subject.
            if (!first.TryAdd(ctx.Task.Subject, true)) return TaskResult.Empty;
            await gate.Task.WaitAsync(ct);
            return ctx.Task.Subject switch
            {
                "t1" => new TaskResult(null, [new NewTask(ExtractHandler.Name, $"{ctx.Task.BatchId}:EXTRACT:t1", "t1")]),
                "t2" => throw StageException.Transient("server_error", "503", 503),
                _ => throw new TaskSnoozedException(TimeSpan.FromMilliseconds(5), "host busy"),
            };
        });
        var extract = new ScriptedHandler(ExtractHandler.Name, (_, _) => Task.FromResult(TaskResult.Empty));
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 3, FetchHandler.Name, ExtractHandler.Name);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = new Worker(t.Db, new Pipeline(fetch, extract), EngineHarness.FastWorker).RunAsync(cts.Token);
        while (fetch.Calls < 3) await Task.Delay(10, cts.Token);
        if (control == "pause") await Controls.PauseAsync(t.Db, batch, "test");
        else await Controls.CancelAsync(t.Db, batch, "test");
        gate.SetResult();
        while ((await EngineHarness.StatesAsync(t.Db, batch)).ContainsKey(TaskState.Running)) await Task.Delay(10, cts.Token);
        await Task.Delay(500, cts.Token); // time enough for the worker (20 ms polls, 10 ms backoff) to claim anything claimable

        fetch.Calls.ShouldBe(3);
        extract.Calls.ShouldBe(0);
        var held = control == "pause" ? TaskState.Paused : TaskState.Cancelled;
        var tasks = (await Batches.TasksAsync(t.Db, batch, new TaskFilter(), 0, 10)).ToDictionary(x => (x.Stage, x.Subject));
        tasks[(FetchHandler.Name, "t1")].State.ShouldBe(TaskState.Succeeded);
        tasks[(ExtractHandler.Name, "t1")].State.ShouldBe(held);
        tasks[(FetchHandler.Name, "t2")].State.ShouldBe(held);
        tasks[(FetchHandler.Name, "t2")].ErrorCode.ShouldBe("server_error");
        tasks[(FetchHandler.Name, "t3")].State.ShouldBe(held);

        if (control == "pause")
        {
            await Controls.ResumeAsync(t.Db, batch, "test");
            while ((await Batches.GetAsync(t.Db, batch))!.Status == BatchStatus.Running) await Task.Delay(20, cts.Token);
            (await Batches.GetAsync(t.Db, batch))!.Status.ShouldBe(BatchStatus.Completed);
            extract.Calls.ShouldBe(1);
            fetch.Calls.ShouldBe(5);
        }
        else (await Batches.GetAsync(t.Db, batch))!.Status.ShouldBe(BatchStatus.Cancelled);
        await cts.CancelAsync();
        await run;
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_finished_batch_cannot_be_paused_and_retry_by_code_requeues_exactly_those_tasks(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var failNow = true;
        var handler = new ScriptedHandler(FetchHandler.Name, (ctx, _) => failNow && ctx.Task.Subject is "t1" or "t2" ? throw StageException.Permanent("not_found", "gone", 404)
            : failNow && ctx.Task.Subject == "t3" ? throw StageException.Permanent("http_403", "forbidden", 403)
            : Task.FromResult(TaskResult.Empty));
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 6, FetchHandler.Name);
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [handler])).ShouldBe(BatchStatus.Completed);
        await Should.ThrowAsync<IllegalTransitionException>(() => Controls.PauseAsync(t.Db, batch, "test"));
        // Resume is for a paused batch only: on a finished one it would change nothing and look like success.
        (await Should.ThrowAsync<IllegalTransitionException>(() => Controls.ResumeAsync(t.Db, batch, "test"))).Message.ShouldContain("only a PAUSED batch resumes");
        (await Batches.GetAsync(t.Db, batch))!.Status.ShouldBe(BatchStatus.Completed);

        var r = await Controls.RetryAsync(t.Db, batch, new TaskFilter { ErrorCode = "not_found" }, "test");
        r.Tasks.ShouldBe(2);
        r.Status.ShouldBe(BatchStatus.Running);
        var states = await EngineHarness.StatesAsync(t.Db, batch);
        states[TaskState.Pending].ShouldBe(2);
        states[TaskState.Failed].ShouldBe(1);
        states[TaskState.Succeeded].ShouldBe(3);
        await AssertCountsMatchRowsAsync(t.Db, batch);

        failNow = false;
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, [handler])).ShouldBe(BatchStatus.Completed);
        (await EngineHarness.StatesAsync(t.Db, batch))[TaskState.Succeeded].ShouldBe(5);
        await AssertCountsMatchRowsAsync(t.Db, batch);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Delete_records_an_audit_row_and_removes_the_batch_with_its_events(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 3, FetchHandler.Name);
        await Should.ThrowAsync<IllegalTransitionException>(() => Controls.DeleteAsync(t.Db, batch, "test"));
        await Controls.CancelAsync(t.Db, batch, "test");
        (await Controls.DeleteAsync(t.Db, batch, "admin:alice")).Tasks.ShouldBe(3);
        (await Batches.GetAsync(t.Db, batch)).ShouldBeNull();
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event WHERE batch_id = @batch", new { batch }))).ShouldBe(0);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT actor FROM batch_deletion WHERE batch_id = @batch", new { batch }))).ShouldBe("admin:alice");
    }

    [Fact]
    public void The_task_machine_has_no_edge_out_of_cancelled_and_every_state_is_reachable()
    {
        StateMachine.Task.Allows(TaskState.Cancelled, TaskState.Pending).ShouldBeFalse();
        StateMachine.Batch.Allows(BatchStatus.Cancelled, BatchStatus.Running).ShouldBeFalse();
        StateMachine.Batch.Allows(BatchStatus.Completed, BatchStatus.Paused).ShouldBeFalse();
        foreach (var s in TaskState.All.Where(s => s != TaskState.Pending))
            StateMachine.Task.From(s).ShouldNotBeEmpty(s);
    }

    static async Task AssertCountsMatchRowsAsync(Db db, long batch)
    {
        var counts = await Batches.CountsAsync(db, batch);
        var rows = await Batches.TasksAsync(db, batch, new TaskFilter(), 0, 10_000);
        counts.SelectMany(s => s.Value).Sum(kv => kv.Value).ShouldBe(rows.Count);
        foreach (var g in rows.GroupBy(r => (r.Stage, r.State))) counts[g.Key.Stage][g.Key.State].ShouldBe(g.Count());
    }
}
