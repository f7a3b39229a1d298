using Dapper;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

public class MultiRowTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Inserts_every_row_across_statements_with_nulls_and_the_conflict_clause(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("CREATE TABLE multi_row_test (id BIGINT PRIMARY KEY, name TEXT, note TEXT)", transaction: tx), Ct);
        // More rows than one PostgreSQL statement takes, so the chunks meet.
        var count = MultiRow.MaxParameters / 3 * 2 + 7;
        var rows = Enumerable.Range(1, count).Select(i => new object?[] { (long)i, $"row {i}", i % 2 == 0 ? null : "odd" }).ToList();

        var first = await t.Db.WriteAsync((c, tx) => t.Db.Dialect.InsertRowsAsync(c, tx, "multi_row_test", ["id", "name", "note"], rows, "ON CONFLICT (id) DO NOTHING"), Ct);
        // Again, with one new row: the others are skipped by the conflict clause.
        var again = await t.Db.WriteAsync((c, tx) => t.Db.Dialect.InsertRowsAsync(c, tx, "multi_row_test", ["id", "name", "note"],
            rows.Append([(long)count + 1, "new", null]), "ON CONFLICT (id) DO NOTHING"), Ct);

        first.ShouldBe(count);
        again.ShouldBe(1);
        var stored = await t.Db.ReadAsync(c => c.QueryAsync<(long Id, string Name, string? Note)>("SELECT id, name, note FROM multi_row_test ORDER BY id"), Ct);
        stored.Count().ShouldBe(count + 1);
        stored.First(r => r.Id == 2).ShouldBe((2L, "row 2", (string?)null));
        stored.First(r => r.Id == count).Name.ShouldBe($"row {count}");
        stored.Count(r => r.Note == "odd").ShouldBe((count + 1) / 2);
    }

    [Fact]
    public async Task A_row_with_the_wrong_number_of_values_is_refused()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("CREATE TABLE multi_row_test (id BIGINT PRIMARY KEY, name TEXT)", transaction: tx), Ct);
        await Should.ThrowAsync<ArgumentException>(() => t.Db.WriteAsync((c, tx) =>
            t.Db.Dialect.InsertRowsAsync(c, tx, "multi_row_test", ["id", "name"], [[1L]]), Ct));
    }
}
