using Dapper;
using Grantha.Engine;
using Grantha.Review;

namespace Grantha.Tests.Review;

/// <summary>
/// The queue's counts come from review_count and review_queue_row (V0020), kept by triggers: after every kind of
/// change (staging, curator actions, bulk approval, a flag update, a second batch, a batch deleted) they equal
/// a count of the imports themselves, and the queue's totals equal a count with the same filter.
/// </summary>
public class ReviewCountsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task CountsMatchAsync(Db db, string when)
    {
        var (counted, kept, imports, mirrored) = await db.ReadAsync(async c => (
            (await c.QueryAsync<(long, string, long, long)>(
                "SELECT batch_id, review_state, flags, COUNT(*) FROM staged_import GROUP BY batch_id, review_state, flags ORDER BY 1, 2, 3")).ToList(),
            (await c.QueryAsync<(long, string, long, long)>(
                "SELECT batch_id, review_state, flags, CAST(SUM(n) AS BIGINT) FROM review_count GROUP BY batch_id, review_state, flags HAVING SUM(n) <> 0 ORDER BY 1, 2, 3")).ToList(),
            (await c.QueryAsync<(long, long, string, long, double, string?)>(
                "SELECT id, batch_id, review_state, flags, quality, title_key FROM staged_import ORDER BY id")).ToList(),
            (await c.QueryAsync<(long, long, string, long, double, string?)>(
                "SELECT id, batch_id, review_state, flags, quality, title_key FROM review_queue_row ORDER BY id")).ToList()));
        kept.ShouldBe(counted, $"review_count after {when}");
        mirrored.ShouldBe(imports, $"review_queue_row after {when}");
    }

    static async Task TotalsMatchAsync(Db db, long batch)
    {
        ReviewFilter[] filters =
        [
            new() { BatchId = batch }, new() { BatchId = batch, States = [ReviewStates.Ready] }, new() { BatchId = batch, NoFlags = true },
            new() { BatchId = batch, AnyFlags = ReviewFlags.Duplicate }, new() { BatchId = batch, Text = "nada" }, new() { BatchId = batch, Text = "nAda", MinQuality = 0.5 },
            new() { BatchId = batch, RagaId = "bhairavi" }, new() { States = [ReviewStates.Approved] }, new(),
        ];
        foreach (var f in filters)
        {
            var (where, args) = f.Sql(db.Dialect);
            var direct = await db.ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM staged_import s WHERE {where}", args));
            var page = await ReviewQueue.ListAsync(db, f, limit: 500, ct: Ct);
            page.Total.ShouldBe(direct, $"total of {f}");
            var (countWhere, countArgs) = f.Sql(db.Dialect, withStates: false);
            foreach (var state in ReviewStates.All)
            {
                countArgs.Add("st", state);
                var n = await db.ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM staged_import s WHERE {countWhere} AND s.review_state = @st", countArgs));
                page.States[state].ShouldBe(n, $"{state} count of {f}");
            }
        }
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Counts_follow_every_change_of_the_imports(string store)
    {
        await using var s = await ReviewWorkflowTests.StageAsync(store);
        await CountsMatchAsync(s.Db, "staging");
        (await s.CountAsync("SELECT COUNT(*) FROM review_count")).ShouldBeGreaterThan(0);
        await TotalsMatchAsync(s.Db, s.Batch);

        var ids = (await s.Db.ReadAsync(c => c.QueryAsync<long>("SELECT id FROM staged_import WHERE batch_id = @b AND review_state = 'ready' ORDER BY id", new { b = s.Batch }))).ToList();
        await Reviews.RejectAsync(s.Db, ids[0], null, "test:curator", "not a krithi", Ct);
        await Reviews.DeferAsync(s.Db, ids[1], null, "test:curator", ct: Ct);
        await Reviews.ApproveAsync(s.Db, ids[2], null, "test:curator", ct: Ct);
        await CountsMatchAsync(s.Db, "reject, defer, approve");
        await Reviews.ReopenAsync(s.Db, ids[0], null, "test:curator", ct: Ct);
        await CountsMatchAsync(s.Db, "reopen");

        // A flag set outside the review actions (RESOLVE's duplicate pass writes flags like this).
        await s.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE staged_import SET flags = flags | 64, quality = quality / 2, title_key = 'changed' WHERE id = @id", new { id = ids[3] }, tx));
        await CountsMatchAsync(s.Db, "a flag, quality and title update");
        await TotalsMatchAsync(s.Db, s.Batch);

        // A second batch of the same pages, then the first deleted: its counts go with it, the second's stay.
        var second = await ReviewWorkflowTests.StageAgainAsync(s);
        await CountsMatchAsync(s.Db, "a second batch");
        await TotalsMatchAsync(s.Db, second);
        (await Controls.DeleteAsync(s.Db, s.Batch, "test:operator", Ct)).ShouldNotBeNull();
        await CountsMatchAsync(s.Db, "deleting the first batch");
        (await s.CountAsync($"SELECT COUNT(*) FROM review_count WHERE batch_id = {s.Batch}")).ShouldBe(0);
        (await s.CountAsync($"SELECT COUNT(*) FROM review_queue_row WHERE batch_id = {s.Batch}")).ShouldBe(0);
        await TotalsMatchAsync(s.Db, second);
    }
}
