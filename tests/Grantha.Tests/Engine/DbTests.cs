using Grantha.Fetch;
using Dapper;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

public class DbTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stage_output_commits_without_waiting_for_the_WAL_flush_and_other_writes_wait()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        var output = await t.Db.WriteOutputAsync((c, tx) => c.ExecuteScalarAsync<string>("SHOW synchronous_commit", transaction: tx), Ct);
        var ordinary = await t.Db.WriteAsync((c, tx) => c.ExecuteScalarAsync<string>("SHOW synchronous_commit", transaction: tx), Ct);
        var configured = await t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT reset_val FROM pg_settings WHERE name = 'synchronous_commit'"), Ct);
        output.ShouldBe("off");
        // Other writes keep what the server is configured with (test.sh's throwaway server runs with it off).
        ordinary.ShouldBe(configured);
    }

    [Fact]
    public async Task Transaction_settings_do_not_leak_to_the_next_use_of_a_pooled_connection()
    {
        await using var t = await TestDb.CreateAsync("postgres");
        // SET LOCAL ends with its transaction, so a connection handed back without DISCARD ALL is clean.
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("SET LOCAL statement_timeout = 1234", transaction: tx), Ct);
        for (var i = 0; i < 3; i++)
            (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>("SHOW statement_timeout"), Ct)).ShouldBe("0");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_one_statement_write_runs_without_a_transaction_on_postgres_and_in_one_on_sqlite(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 1, FetchHandler.Name);
        foreach (var output in new[] { false, true })
        {
            Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction?, Task<(bool, int)>> statement = async (c, tx) =>
                (tx is not null, await c.ExecuteAsync("UPDATE batch SET name = 'renamed' WHERE id = @batch", new { batch }, tx));
            var (hadTransaction, changed) = output ? await t.Db.WriteOutputStatementAsync(statement, Ct) : await t.Db.WriteStatementAsync(statement, Ct);
            hadTransaction.ShouldBe(store == "sqlite");
            changed.ShouldBe(1);
            // Committed: another connection sees it.
            (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT name FROM batch WHERE id = @batch", new { batch }), Ct)).ShouldBe("renamed");
            await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE batch SET name = 'test' WHERE id = @batch", new { batch }, tx), Ct);
        }
    }
}
