using System.Data.Common;
using System.Text;
using Dapper;

namespace Grantha.Engine;

/// <summary>
/// <c>INSERT .. VALUES (..), (..), ..</c>: many rows in one statement, so one round trip instead of
/// one per row (Dapper runs a statement once per element of a list). Both stores take it.
/// </summary>
public static class MultiRow
{
    /// <summary>Parameters in one statement at most (SQLite allows 32,766; PostgreSQL 65,535).</summary>
    public const int MaxParameters = 30_000;

    /// <summary>
    /// Inserts <paramref name="rows"/> (values in the order of <paramref name="columns"/>) into
    /// <paramref name="table"/>; <paramref name="suffix"/> is appended (an ON CONFLICT clause).
    /// Returns the rows inserted.
    /// </summary>
    public static async Task<int> InsertAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string? suffix = null)
    {
        var perStatement = Math.Max(1, MaxParameters / columns.Length);
        var head = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ";
        var inserted = 0;
        foreach (var chunk in rows.Chunk(perStatement))
        {
            var sql = new StringBuilder(head, head.Length + chunk.Length * columns.Length * 8);
            var args = new DynamicParameters();
            var n = 0;
            for (var r = 0; r < chunk.Length; r++)
            {
                if (chunk[r].Length != columns.Length) throw new ArgumentException($"Row {r} has {chunk[r].Length} values for {columns.Length} columns.", nameof(rows));
                sql.Append(r == 0 ? "(" : ", (");
                for (var i = 0; i < columns.Length; i++, n++)
                {
                    if (i > 0) sql.Append(", ");
                    sql.Append("@p").Append(n);
                    args.Add("p" + n, chunk[r][i]);
                }
                sql.Append(')');
            }
            if (suffix is not null) sql.Append(' ').Append(suffix);
            inserted += await c.ExecuteAsync(sql.ToString(), args, tx);
        }
        return inserted;
    }
}
