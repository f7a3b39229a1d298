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
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 2, Stage.Fetch);
        var queue = TaskQueue.For(t.Db);
        var a = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, Stage.Fetch, "worker-a", 1, 60_000, Db.NowMs()), Ct);
        var b = await t.Db.WriteAsync((c, tx) => queue.ClaimAsync(c, tx, Stage.Fetch, "worker-b", 1, 60_000, Db.NowMs()), Ct);
        await using var second = Db.Open(t.Spec); // the other process

        // Both record their success and settle; the first holds its transaction open a moment, so they overlap.
        var firstRecorded = new TaskCompletionSource();
        var first = t.Db.WriteAsync(async (c, tx) =>
        {
            await Settler.LockBatchesAsync(c, tx, [batch]);
            await queue.SucceedAsync(c, tx, "worker-a", [(a[0].Id, null)], Db.NowMs());
            await Settler.SettleAsync(c, tx, [batch], Db.NowMs());
            firstRecorded.SetResult();
            await Task.Delay(500, Ct);
        }, Ct);
        await firstRecorded.Task;
        await second.WriteAsync(async (c, tx) =>
        {
            await Settler.LockBatchesAsync(c, tx, [batch]);
            await queue.SucceedAsync(c, tx, "worker-b", [(b[0].Id, null)], Db.NowMs());
            await Settler.SettleAsync(c, tx, [batch], Db.NowMs());
        }, Ct);
        await first;

        (await Batches.GetAsync(t.Db, batch, Ct))!.Status.ShouldBe(BatchStatus.Completed);
    }
}
