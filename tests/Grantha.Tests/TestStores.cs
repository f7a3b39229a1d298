using Grantha.Engine;
using Npgsql;

namespace Grantha.Tests;

/// <summary>
/// Fresh, migrated databases for tests, on both stores. SQLite: a temp file. PostgreSQL: a new
/// database on the server named by GRANTHA_TEST_PG (test.sh starts a throwaway one), dropped on
/// dispose. Without GRANTHA_TEST_PG, PostgreSQL tests fail in CI and are skipped elsewhere.
/// </summary>
public sealed class TestDb : IAsyncDisposable
{
    public const string PgEnvironmentVariable = "GRANTHA_TEST_PG";

    public Db Db { get; }
    public string Spec { get; }
    readonly Func<Task> _cleanup;

    TestDb(Db db, string spec, Func<Task> cleanup) { Db = db; Spec = spec; _cleanup = cleanup; }

    /// <summary>Theory data: run a test on each store.</summary>
    public static TheoryData<string> Stores => new() { "sqlite", "postgres" };

    public static async Task<TestDb> CreateAsync(string store, bool migrate = true)
    {
        var t = store switch
        {
            "sqlite" => CreateSqlite(),
            "postgres" => await CreatePostgresAsync(),
            _ => throw new ArgumentException(store),
        };
        if (migrate) await Migrations.ApplyAsync(t.Db);
        return t;
    }

    static TestDb CreateSqlite()
    {
        var dir = Path.Combine(Path.GetTempPath(), "grantha-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        var spec = "sqlite:" + Path.Combine(dir, "test.db");
        return new TestDb(Db.Open(spec), spec, () =>
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
            return Task.CompletedTask;
        });
    }

    /// <summary>The admin connection string for the test server, or a skip/fail.</summary>
    public static string RequirePostgres()
    {
        var cs = Environment.GetEnvironmentVariable(PgEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(cs)) return cs.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) && cs.Contains("://") ? Db.PostgresUrlToConnectionString(cs) : cs;
        const string why = "GRANTHA_TEST_PG is not set: run ./test.sh (it starts a throwaway PostgreSQL) or point it at a server";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(why);
        Assert.Skip(why);
        return null!;
    }

    static async Task<TestDb> CreatePostgresAsync()
    {
        var admin = RequirePostgres();
        var name = "grantha_t_" + Guid.NewGuid().ToString("n")[..16];
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var spec = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new TestDb(Db.Open(spec), spec, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(admin);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
            await cmd.ExecuteNonQueryAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await _cleanup();
    }
}
