using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;

namespace Grantha.Engine;

/// <summary>
/// Versioned schema migrations. Each stage keeps its own SQL beside its code, named
/// <c>V&lt;NNNN&gt;_&lt;name&gt;.&lt;sqlite|postgres&gt;.sql</c>; both stores get the same tables.
/// Applied in version order, each in its own transaction, once (recorded in schema_migration).
/// </summary>
public static partial class Migrations
{
    public sealed record Migration(int Version, string Name, string Sql);

    [GeneratedRegex(@"\.V(?<v>\d{4})_(?<name>[A-Za-z0-9_]+)\.(?<kind>sqlite|postgres)\.sql$")]
    private static partial Regex ResourceName();

    public static IReadOnlyList<Migration> For(DbKind kind)
    {
        var asm = typeof(Migrations).Assembly;
        var wanted = kind == DbKind.Sqlite ? "sqlite" : "postgres";
        var list = new List<Migration>();
        foreach (var res in asm.GetManifestResourceNames())
        {
            var m = ResourceName().Match(res);
            if (!m.Success || m.Groups["kind"].Value != wanted) continue;
            using var s = asm.GetManifestResourceStream(res)!;
            using var r = new StreamReader(s);
            list.Add(new Migration(int.Parse(m.Groups["v"].Value), m.Groups["name"].Value, r.ReadToEnd()));
        }
        var dup = list.GroupBy(x => x.Version).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidOperationException($"Two migrations share version {dup.Key}: {string.Join(", ", dup.Select(x => x.Name))}");
        return list.OrderBy(x => x.Version).ToList();
    }

    /// <summary>Applies what is missing; returns the versions applied now.</summary>
    public static async Task<IReadOnlyList<Migration>> ApplyAsync(Db db, CancellationToken ct = default)
    {
        var all = For(db.Kind);
        var applied = new List<Migration>();
        await db.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", transaction: t);
        }, ct);
        foreach (var m in all)
        {
            var did = await db.WriteAsync(async (c, t) =>
            {
                // Several processes may start at once: on PostgreSQL one takes the lock, the
                // others wait and then see the version applied.
                await db.Dialect.TransactionLockAsync(c, t, 7349001);
                var exists = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migration WHERE version = @v", new { v = m.Version }, t);
                if (exists > 0) return false;
                await ExecuteScriptAsync(c, t, m.Sql);
                await c.ExecuteAsync("INSERT INTO schema_migration (version, name, applied_at) VALUES (@v, @n, @at)",
                    new { v = m.Version, n = m.Name, at = Db.NowMs() }, t);
                return true;
            }, ct);
            if (did) applied.Add(m);
        }
        return applied;
    }

    public static async Task<IReadOnlyList<(int Version, string Name, long AppliedAt)>> AppliedAsync(Db db, CancellationToken ct = default) =>
        await db.ReadAsync(async c => (await c.QueryAsync<(long, string, long)>(
            "SELECT version, name, applied_at FROM schema_migration ORDER BY version")).Select(x => ((int)x.Item1, x.Item2, x.Item3)).ToList(), ct);

    static async Task ExecuteScriptAsync(DbConnection c, DbTransaction t, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = t;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
