using System.Diagnostics;
using Dapper;

namespace Grantha.Engine;

/// <summary>
/// Which registered workers are alive, for a command that re-queues work and must say whether anything will run it.
/// A killed worker's row stays in <c>worker</c> until a rescuer removes it, so a row alone proves nothing: on
/// PostgreSQL a live worker holds its liveness lock (<see cref="Liveness"/>); on this machine a worker whose process
/// is gone is not running (a SQLite store lives on one machine). A worker on another machine without a lock cannot
/// be checked and counts as running.
/// </summary>
public static class RunningWorkers
{
    public static async Task<IReadOnlyList<string>> ForStageAsync(Db db, string stage, CancellationToken ct = default)
    {
        const string sql = "SELECT id, host_name, pid, stages FROM worker ORDER BY started_at, id";
        var (rows, free) = db.Kind == DbKind.Postgres
            // The liveness check takes transaction-scoped locks: it needs a transaction.
            ? await db.WriteAsync(async (c, tx) => ((await c.QueryAsync<(string Id, string Host, long Pid, string Stages)>(sql, transaction: tx)).AsList(),
                (await db.Dialect.WorkersWithoutLivenessAsync(c, tx, "")).ToHashSet()), ct)
            : (await db.ReadAsync(async c => (await c.QueryAsync<(string Id, string Host, long Pid, string Stages)>(sql)).AsList(), ct), []);
        return rows.Where(w => w.Stages.Split(',').Contains(stage) && !free.Contains(w.Id) && !(w.Host == Environment.MachineName && !Alive(w.Pid)))
            .Select(w => w.Id).ToList();
    }

    static bool Alive(long pid)
    {
        try
        {
            using var p = Process.GetProcessById((int)pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
