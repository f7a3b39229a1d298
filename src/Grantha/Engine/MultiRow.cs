using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Grantha.Engine;

/// <summary>
/// The two ways of inserting many rows, one per store (the dialects choose: <see cref="Dialect.InsertRowsAsync"/>).
/// On PostgreSQL <c>INSERT .. VALUES (..), (..), ..</c>: many rows a statement, so one round trip
/// instead of one per row (Dapper runs a statement once per element of a list). On SQLite one
/// prepared statement run per row.
/// </summary>
public static class MultiRow
{
    /// <summary>Parameters in one PostgreSQL statement at most (its limit is 65,535).</summary>
    public const int MaxParameters = 10_000;

    /// <summary>
    /// SQLite runs in-process, so rows cost no round trip: one prepared single-row statement, run per
    /// row, is fastest. (Many rows in one statement are slow there: Microsoft.Data.Sqlite binds each
    /// parameter by a name lookup over all of them, so binding grows with the square of their number;
    /// 2,000 manifest rows a statement made a 100,000-row ingest take 437 s instead of 6.)
    /// </summary>
    internal static async Task<int> InsertEachAsync(SqliteConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string? suffix)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = (SqliteTransaction)tx;
        cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))}) {suffix}";
        var parameters = columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("@p" + i, null))).ToArray();
        var inserted = 0;
        foreach (var row in rows)
        {
            Check(row, columns);
            for (var i = 0; i < row.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            inserted += await cmd.ExecuteNonQueryAsync();
        }
        return inserted;
    }

    internal static async Task<int> InsertChunkedAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string? suffix)
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
                Check(chunk[r], columns);
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

    static void Check(object?[] row, string[] columns)
    {
        if (row.Length != columns.Length) throw new ArgumentException($"A row has {row.Length} values for {columns.Length} columns.", nameof(row));
    }
}
