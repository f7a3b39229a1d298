using Grantha.Fetch;
using Dapper;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

public class SettlerTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Two worker processes record the last two open tasks of a batch at the same moment. Each
    /// transaction must not settle on a view in which the other's task is still running, or
    /// neither completes the batch and it stays RUNNING with nothing left to do.
    /// </summary>
    [Fact]
    public async Task Two_workers_finishing_the_last_tasks_together_complete_the_batch()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 2, FetchHandler.Name);
        var queue = t.Db.Queue;
        var a = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, FetchHandler.Name, "worker-a", 1, 60_000, Db.NowMs()), Ct);
        var b = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, FetchHandler.Name, "worker-b", 1, 60_000, Db.NowMs()), Ct);
        await using var second = Db.Open(t.Spec); // the other process

        // Both record their success and settle; the first holds its transaction open a moment, so they overlap.
        var firstRecorded = new TaskCompletionSource();
        var first = t.Db.WriteAsync(async (c, tx) =>
        {
            await t.Db.Dialect.LockBatchesAsync(c, tx, [batch]);
            await queue.SucceedAsync(c, tx, "worker-a", [(a[0].Id, null)], Db.NowMs());
            await Settler.SettleAsync(c, tx, [batch], Db.NowMs());
            firstRecorded.SetResult();
            await Task.Delay(500, Ct);
        }, Ct);
        await firstRecorded.Task;
        await second.WriteAsync(async (c, tx) =>
        {
            await t.Db.Dialect.LockBatchesAsync(c, tx, [batch]);
            await queue.SucceedAsync(c, tx, "worker-b", [(b[0].Id, null)], Db.NowMs());
            await Settler.SettleAsync(c, tx, [batch], Db.NowMs());
        }, Ct);
        await first;

        (await Batches.GetAsync(t.Db, batch, Ct))!.Status.ShouldBe(BatchStatus.Completed);
    }

    /// <summary>
    /// While a completer holds its batch's row, stage output that references the batch (every
    /// insert checks its foreign key with a KEY SHARE lock on that row) is written without waiting.
    /// The lock once was FOR UPDATE, and each page's insert queued behind every flush.
    /// </summary>
    [Fact]
    public async Task Holding_the_batch_row_does_not_hold_up_rows_that_reference_the_batch()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 1, FetchHandler.Name);
        await using var second = Db.Open(t.Spec);
        var locked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var holder = t.Db.WriteAsync(async (c, tx) =>
        {
            await t.Db.Dialect.LockBatchesAsync(c, tx, [batch]);
            locked.SetResult();
            await release.Task;
        }, Ct);
        await locked.Task;
        try
        {
            await second.WriteAsync(async (c, tx) =>
            {
                await c.ExecuteAsync("SET LOCAL lock_timeout = '2s'", transaction: tx);
                await c.ExecuteAsync("INSERT INTO manifest_file (batch_id, name, sha256, size, content, created_at) VALUES (@batch, 'x.csv', 'abc', 0, '\\x', 0)",
                    new { batch }, tx);
            }, Ct);
        }
        finally { release.SetResult(); await holder; }
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM manifest_file WHERE batch_id = @batch AND name = 'x.csv'", new { batch }))).ShouldBe(1);
    }

    /// <summary>
    /// The completer marks its tasks done before it takes their batch's row (V0025 round: two flushes in flight),
    /// so one flush's task update does not wait for the other's batch lock. Seen from outside: while another
    /// transaction holds the batch row, the completer already holds its task's row (updated, not committed),
    /// and the outcome is recorded once the batch row is free. The completer that locked the batch first never
    /// touched the task while it waited.
    /// </summary>
    [Fact]
    public async Task A_completer_marks_its_tasks_done_while_another_holds_the_batch_row()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 2, FetchHandler.Name);
        var task = (await t.Db.WriteAsync((c, tx) => t.Db.Queue.ClaimAsync(c, tx, FetchHandler.Name, "w", 1, 60_000, Db.NowMs()), Ct)).Single();
        var locked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var holder = t.Db.WriteAsync(async (c, tx) =>
        {
            await t.Db.Dialect.LockBatchesAsync(c, tx, [batch]);
            locked.SetResult();
            await release.Task;
        }, Ct);
        await locked.Task;
        var completer = new Completer(t.Db, t.Db.Queue, "w", _ => new StageSettings(), new RetryPolicy(), new EngineSignals(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var run = completer.RunAsync(Ct);
        try
        {
            completer.Add(new Outcome.Succeeded(task, TaskResult.Empty));
            // The task's row is taken (its update waits for commit behind the batch lock), well before the batch is free.
            var held = false;
            for (var i = 0; i < 100 && !held; i++)
            {
                await Task.Delay(50, Ct);
                held = await TaskRowTakenAsync(t.Db, task.Id);
            }
            held.ShouldBeTrue("the completer should update its task before it waits for the batch row");
        }
        finally
        {
            release.SetResult();
            await holder;
            completer.Complete();
            await run;
        }
        (await Batches.TasksAsync(t.Db, batch, new TaskFilter(), 0, 10, Ct)).Single(x => x.Id == task.Id).State.ShouldBe(TaskState.Succeeded);
        (await EngineHarness.EventCountAsync(t.Db, batch, "task_succeeded")).ShouldBe(1);
    }

    /// <summary>In the completer's order (tasks, then the batch row, then settling), two recorders of the last two tasks still complete the batch.</summary>
    [Fact]
    public async Task Two_recorders_marking_tasks_before_the_batch_row_complete_the_batch()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 2, FetchHandler.Name);
        var queue = t.Db.Queue;
        var a = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, FetchHandler.Name, "worker-a", 1, 60_000, Db.NowMs()), Ct);
        var b = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, FetchHandler.Name, "worker-b", 1, 60_000, Db.NowMs()), Ct);
        await using var second = Db.Open(t.Spec);
        var bothMarked = new TaskCompletionSource();
        var firstSettled = new TaskCompletionSource();
        var first = t.Db.WriteAsync(async (c, tx) =>
        {
            await queue.SucceedAsync(c, tx, "worker-a", [(a[0].Id, null)], Db.NowMs());
            await bothMarked.Task;
            await t.Db.Dialect.LockBatchesAsync(c, tx, [batch]);
            await Settler.SettleAsync(c, tx, [batch], Db.NowMs());
            firstSettled.SetResult();
            await Task.Delay(300, Ct);
        }, Ct);
        await second.WriteAsync(async (c, tx) =>
        {
            await queue.SucceedAsync(c, tx, "worker-b", [(b[0].Id, null)], Db.NowMs());
            bothMarked.SetResult();
            await firstSettled.Task;
            await t.Db.Dialect.LockBatchesAsync(c, tx, [batch]);
            await Settler.SettleAsync(c, tx, [batch], Db.NowMs());
        }, Ct);
        await first;

        (await Batches.GetAsync(t.Db, batch, Ct))!.Status.ShouldBe(BatchStatus.Completed);
    }

    static async Task<bool> TaskRowTakenAsync(Db db, long taskId)
    {
        try
        {
            await db.WriteAsync((c, tx) => c.ExecuteAsync("SELECT id FROM stage_task WHERE id = @taskId FOR UPDATE NOWAIT", new { taskId }, tx));
            return false;
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "55P03") { return true; }
    }
}
