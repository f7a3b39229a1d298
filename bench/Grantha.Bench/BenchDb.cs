using Npgsql;

namespace Grantha.Bench;

/// <summary>A fresh database per benchmark run on the bench server, dropped afterwards.</summary>
public sealed class BenchDb : IAsyncDisposable
{
    public string ConnectionString { get; }
    readonly string _admin, _name;

    BenchDb(string admin, string name)
    {
        _admin = admin; _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 100 }.ConnectionString;
    }

    public static async Task<BenchDb> CreateAsync(string label)
    {
        var admin = BenchArgs.Postgres;
        var name = $"bench_{label}_{DateTime.UtcNow:HHmmssfff}";
        await using var c = new NpgsqlConnection(admin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync();
        return new BenchDb(admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // GRANTHA_BENCH_KEEP=1 leaves the database for EXPLAIN ANALYZE afterwards (its name is on stderr).
        if (Environment.GetEnvironmentVariable("GRANTHA_BENCH_KEEP") == "1") { Console.Error.WriteLine($"kept database {_name}"); return; }
        await using var c = new NpgsqlConnection(_admin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }
}
