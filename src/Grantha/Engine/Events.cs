using System.Data.Common;
using Dapper;

namespace Grantha.Engine;

/// <summary>One entry of the append-only event log.</summary>
public sealed record Event(long? BatchId, long? JobId, long? TaskId, string Kind, string Actor, long At, string? Data = null)
{
    public long Id { get; init; }

    // For Dapper: rows carry the id, which the positional constructor does not take.
    Event() : this(null, null, null, "", "", 0) { }
}

/// <summary>
/// The event log: append and read, nothing else. The database refuses updates, replacements and
/// deletes (triggers in V0001 and V0016); a batch's events go only after its row, in the
/// transaction that records its deletion (<see cref="Controls.DeleteAsync"/>).
/// </summary>
public static class Events
{
    /// <summary>The head of every insert into the log (a statement that appends events in bulk adds its SELECT).</summary>
    public const string Insert = "INSERT INTO event (batch_id, job_id, task_id, kind, actor, at, data)";

    public static Task AppendAsync(DbConnection c, DbTransaction tx, Event e) =>
        c.ExecuteAsync(Insert + " VALUES (@BatchId, @JobId, @TaskId, @Kind, @Actor, @At, @Data)", e, tx);

    /// <summary>A page of a batch's events after <paramref name="afterId"/> (keyset), oldest first.</summary>
    public static async Task<IReadOnlyList<Event>> PageAsync(Db db, long? batchId, long afterId, int limit, string? kind = null, long? taskId = null, CancellationToken ct = default) =>
        await db.ReadAsync(async c => (await c.QueryAsync<Event>(
            """
            SELECT id, batch_id, job_id, task_id, kind, actor, at, data FROM event
            WHERE (@batchId IS NULL OR batch_id = @batchId) AND id > @afterId
              AND (@kind IS NULL OR kind = @kind) AND (@taskId IS NULL OR task_id = @taskId)
            ORDER BY id LIMIT @limit
            """, new { batchId, afterId, limit, kind, taskId })).AsList(), ct);
}
