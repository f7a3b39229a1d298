using Dapper;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

public class MigrationsTests
{
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Applies_every_migration_once_from_an_empty_database(string store)
    {
        await using var t = await TestDb.CreateAsync(store, migrate: false);
        var first = await Migrations.ApplyAsync(t.Db);
        first.Count.ShouldBe(Migrations.For(t.Db.Kind).Count);
        first.Count.ShouldBeGreaterThan(0);
        var second = await Migrations.ApplyAsync(t.Db);
        second.ShouldBeEmpty();
        (await Migrations.AppliedAsync(t.Db)).Select(m => m.Version).ShouldBe(first.Select(m => m.Version));
    }

    [Fact]
    public void Both_stores_have_the_same_migration_versions()
    {
        Migrations.For(DbKind.Sqlite).Select(m => (m.Version, m.Name))
            .ShouldBe(Migrations.For(DbKind.Postgres).Select(m => (m.Version, m.Name)));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_event_log_refuses_update_and_delete(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO event (batch_id, kind, actor, at) VALUES (1, 'x', 'test', 1)", transaction: tx));
        await Should.ThrowAsync<Exception>(() => t.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE event SET kind = 'y'", transaction: tx)));
        await Should.ThrowAsync<Exception>(() => t.Db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM event", transaction: tx)));
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event"))).ShouldBe(1);
    }
}
