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
}
