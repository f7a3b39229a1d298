using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Grantha.Engine;

/// <summary>
/// Whether this process can do its work on the store now: the store takes a write (a probe rolled back, so
/// nothing is written) and its schema has every migration this build knows. Used by <c>/health/ready</c> and
/// by <c>serve</c> before it starts. Descriptions are fixed sentences: never a connection string, path or
/// server message (the exception goes to the log only).
/// </summary>
public static class Readiness
{
    public const string Database = "database", Schema = "migrations";

    /// <summary>A check's outcome; <paramref name="Error"/> is for the log, never for a response.</summary>
    public sealed record Check(string Name, bool Ready, string Description, Exception? Error = null);

    public static async Task<IReadOnlyList<Check>> CheckAsync(Db db, CancellationToken ct = default) =>
        [await WritableAsync(db, ct), await MigrationsAsync(db, ct)];

    public static async Task<Check> WritableAsync(Db db, CancellationToken ct = default)
    {
        try
        {
            await db.ProbeWriteAsync(ct);
            return new(Database, true, "the store takes writes");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new(Database, false, e switch
            {
                PostgresException { SqlState: "25006" } or SqliteException { SqliteErrorCode: 8 } => "the store refused a write: it is read-only",
                _ when DbRetry.IsTransient(e) || e is NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException } or TimeoutException
                    => "the store cannot be reached or did not answer",
                _ => "the store refused a write",
            }, e);
        }
    }

    public static async Task<Check> MigrationsAsync(Db db, CancellationToken ct = default)
    {
        var code = Migrations.For(db.Kind).Select(m => m.Version).ToHashSet();
        try
        {
            var applied = (await db.ReadNowAsync(async c => (await c.QueryAsync<long>("SELECT version FROM schema_migration")).Select(v => (int)v).ToList(), ct)).ToHashSet();
            var missing = code.Except(applied).Order().ToList();
            if (missing.Count > 0)
                return new(Schema, false, $"the database lacks {string.Join(", ", missing.Select(v => $"V{v:D4}"))} of this build (./grantha migrate applies them)");
            var newer = applied.Except(code).Order().ToList();
            return new(Schema, true, newer.Count > 0 ? $"every migration of this build is applied; the database also has V{newer[^1]:D4}, newer than this build" : $"schema at V{code.Max():D4}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new(Schema, false, "the schema's migrations could not be read", e);
        }
    }
}
