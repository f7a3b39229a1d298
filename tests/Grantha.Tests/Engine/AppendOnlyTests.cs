using Dapper;
using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Tests.Engine;

/// <summary>
/// The append-only tables (the event log, batch deletions, krithi revisions, catalog changes) attacked with raw
/// SQL on both stores: every statement that would rewrite or remove a row is refused by the database itself.
/// SQLite's REPLACE deletes the old row through conflict resolution, where DELETE triggers do not fire;
/// PostgreSQL's ON CONFLICT DO UPDATE and TRUNCATE are the same attacks there.
/// </summary>
public class AppendOnlyTests
{
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_event_cannot_be_replaced_upserted_or_truncated(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 1, FetchHandler.Name);
        await Controls.PauseAsync(t.Db, batch, "test:alice");
        var first = await FirstEventAsync(t.Db, batch);

        var attacks = new List<string>
        {
            "INSERT INTO event (id, batch_id, kind, actor, at) VALUES (@id, @batch, 'forged', 'mallory', 0) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, actor = excluded.actor",
        };
        if (store == "sqlite")
        {
            attacks.Add("INSERT OR REPLACE INTO event (id, batch_id, kind, actor, at) VALUES (@id, @batch, 'forged', 'mallory', 0)");
            attacks.Add("REPLACE INTO event (id, batch_id, kind, actor, at) VALUES (@id, @batch, 'forged', 'mallory', 0)");
        }
        else attacks.Add("TRUNCATE event");
        await AllRefusedAsync(t.Db, attacks, new { id = first.Id, batch });

        var after = await FirstEventAsync(t.Db, batch);
        (after.Kind, after.Actor, after.At).ShouldBe((first.Kind, first.Actor, first.At));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_forged_deletion_row_cannot_remove_the_events_of_a_live_batch(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var running = await EngineHarness.BatchWithTasksAsync(t.Db, 2, FetchHandler.Name);
        var paused = await EngineHarness.BatchWithTasksAsync(t.Db, 2, FetchHandler.Name);
        await Controls.PauseAsync(t.Db, paused, "test:alice");
        const string forge = "INSERT INTO batch_deletion (batch_id, name, actor, at, tasks, events) VALUES (@batch, 'forged', 'mallory', 0, 0, 0)";

        foreach (var batch in new[] { running, paused })
        {
            var events = await EventsAsync(t.Db, batch);
            events.ShouldBeGreaterThan(0);
            // The row and the delete in one transaction, the row alone, and the batch row deleted by hand.
            await AllRefusedAsync(t.Db, [forge + "; DELETE FROM event WHERE batch_id = @batch", forge, "DELETE FROM batch WHERE id = @batch"], new { batch });
            (await EventsAsync(t.Db, batch)).ShouldBe(events);
            (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM batch_deletion WHERE batch_id = @batch", new { batch }))).ShouldBe(0);
            (await Batches.GetAsync(t.Db, batch)).ShouldNotBeNull();
        }
        // Nor can a batch change its id to leave its events behind.
        await AllRefusedAsync(t.Db, ["UPDATE batch SET id = id + 1000 WHERE id = @paused"], new { paused });

        // The deletion itself still works, and takes the events with it.
        await Controls.DeleteAsync(t.Db, paused, "admin:alice");
        (await EventsAsync(t.Db, paused)).ShouldBe(0);
        (await EventsAsync(t.Db, running)).ShouldBeGreaterThan(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_recorded_deletion_cannot_be_changed_removed_or_replaced(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await EngineHarness.BatchWithTasksAsync(t.Db, 1, FetchHandler.Name);
        await Controls.CancelAsync(t.Db, batch, "test:alice");
        await Controls.DeleteAsync(t.Db, batch, "admin:alice");

        var attacks = new List<string>
        {
            "UPDATE batch_deletion SET actor = 'mallory' WHERE batch_id = @batch",
            "DELETE FROM batch_deletion WHERE batch_id = @batch",
            "INSERT INTO batch_deletion (batch_id, name, actor, at, tasks, events) VALUES (@batch, 'x', 'mallory', 0, 0, 0) ON CONFLICT (batch_id) DO UPDATE SET actor = excluded.actor",
        };
        if (store == "sqlite") attacks.Add("INSERT OR REPLACE INTO batch_deletion (batch_id, name, actor, at, tasks, events) VALUES (@batch, 'x', 'mallory', 0, 0, 0)");
        else attacks.Add("TRUNCATE batch_deletion");
        await AllRefusedAsync(t.Db, attacks, new { batch });
        (await t.Db.ReadAsync(c => c.QuerySingleAsync<(string, long)>("SELECT actor, tasks FROM batch_deletion WHERE batch_id = @batch", new { batch })))
            .ShouldBe(("admin:alice", 1));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Krithi_revisions_catalog_changes_and_krithis_cannot_be_replaced(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO krithi (id, version, status, title, title_key, created_at, created_by, updated_at, updated_by) VALUES (1, 1, 'active', 'Kamalambike', 'kamalambike', 1, 'alice', 1, 'alice');
            INSERT INTO krithi_revision (krithi_id, version, actor, reason, at, snapshot, changes) VALUES (1, 1, 'alice', 'approved', 1, '{}', '[]');
            INSERT INTO catalog_change (id, kind, action, entity_id, detail, actor, at) VALUES (1, 'raga', 'add', 'todi', '{}', 'alice', 1);
            """, transaction: tx));

        var attacks = new List<string>
        {
            "INSERT INTO krithi_revision (krithi_id, version, actor, reason, at, snapshot, changes) VALUES (1, 1, 'mallory', 'x', 2, '{}', '[]') ON CONFLICT (krithi_id, version) DO UPDATE SET reason = excluded.reason",
            "INSERT INTO catalog_change (id, kind, action, entity_id, detail, actor, at) VALUES (1, 'raga', 'add', 'x', '{}', 'mallory', 2) ON CONFLICT (id) DO UPDATE SET actor = excluded.actor",
        };
        if (store == "sqlite")
        {
            attacks.Add("INSERT OR REPLACE INTO krithi_revision (krithi_id, version, actor, reason, at, snapshot, changes) VALUES (1, 1, 'mallory', 'x', 2, '{}', '[]')");
            attacks.Add("INSERT OR REPLACE INTO catalog_change (id, kind, action, entity_id, detail, actor, at) VALUES (1, 'raga', 'add', 'x', '{}', 'mallory', 2)");
            // A krithi is never deleted: REPLACE would delete it and write another row under its id.
            attacks.Add("INSERT OR REPLACE INTO krithi (id, version, status, title, title_key, created_at, created_by, updated_at, updated_by) VALUES (1, 1, 'active', 'x', 'x', 2, 'mallory', 2, 'mallory')");
        }
        else attacks.Add("TRUNCATE catalog_change");
        await AllRefusedAsync(t.Db, attacks, new { });

        (await t.Db.ReadAsync(c => c.QuerySingleAsync<(string, string, string)>("""
            SELECT (SELECT actor FROM krithi_revision WHERE krithi_id = 1), (SELECT actor FROM catalog_change WHERE id = 1), (SELECT created_by FROM krithi WHERE id = 1)
            """))).ShouldBe(("alice", "alice", "alice"));
    }

    /// <summary>
    /// Each statement, in a transaction of its own, is refused by a guard (a trigger's RAISE, a constraint), not
    /// by a mistake in the statement; nothing it did is kept.
    /// </summary>
    internal static async Task AllRefusedAsync(Db db, IEnumerable<string> statements, object args)
    {
        foreach (var sql in statements)
        {
            var e = await Should.ThrowAsync<Exception>(() => db.WriteAsync((c, tx) => c.ExecuteAsync(sql, args, tx)), sql);
            var guard = e switch
            {
                Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19, // SQLITE_CONSTRAINT: RAISE(ABORT) or the deferred key
                Npgsql.PostgresException p => p.SqlState == "P0001",                // raise_exception
                _ => false,
            };
            guard.ShouldBeTrue($"{sql}: {e.Message}");
        }
    }

    static Task<Event> FirstEventAsync(Db db, long batch) =>
        db.ReadAsync(c => c.QueryFirstAsync<Event>("SELECT id, batch_id, job_id, task_id, kind, actor, at, data FROM event WHERE batch_id = @batch ORDER BY id", new { batch }));

    static Task<long> EventsAsync(Db db, long batch) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event WHERE batch_id = @batch", new { batch }));
}
