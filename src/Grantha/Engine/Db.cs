using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Grantha.Engine;

public enum DbKind { Sqlite, Postgres }

/// <summary>
/// The one database handle of a process: SQLite (zero-setup default, WAL) or PostgreSQL
/// (production, many worker processes). Chosen by a spec: <c>sqlite:&lt;path&gt;</c>, a
/// <c>postgres://</c> URL or an Npgsql connection string.
/// </summary>
public sealed class Db : IAsyncDisposable
{
    public const string EnvironmentVariable = "GRANTHA_DB";
    public const string DefaultSpec = "sqlite:data/grantha.db";

    /// <summary>How long a SQLite writer waits for another process's write lock.</summary>
    public const int SqliteBusyTimeoutMs = 15_000;

    readonly NpgsqlDataSource? _pg;
    /// <summary>Same server, sessions with synchronous_commit off: see <see cref="WriteOutputAsync{T}"/>.</summary>
    readonly NpgsqlDataSource? _pgOutput;
    readonly string? _sqlite;
    // SQLite has one writer per file: serialising writers inside the process keeps busy waits
    // (and their timeouts) for the rare case of a second process.
    readonly SemaphoreSlim _sqliteWriteLock = new(1, 1);

    public DbKind Kind { get; }
    /// <summary>Every statement that differs between the stores (chosen here, once).</summary>
    public Dialect Dialect { get; }
    /// <summary>The task table's statements, on this store.</summary>
    public TaskQueue Queue { get; }
    /// <summary>The spec without secrets, for logs and the CLI.</summary>
    public string Description { get; }
    /// <summary>For a dedicated LISTEN connection (PostgreSQL only).</summary>
    public string? PostgresConnectionString => _pg?.ConnectionString;
    /// <summary>The SQLite database file (null on PostgreSQL and in memory): the import folder never reads it.</summary>
    public string? SqliteFile { get; private init; }

    Db(DbKind kind, string description, NpgsqlDataSource? pg, NpgsqlDataSource? pgOutput, string? sqlite)
    {
        Kind = kind; Description = description; _pg = pg; _pgOutput = pgOutput; _sqlite = sqlite;
        Dialect = Dialect.For(kind);
        Queue = new TaskQueue(Dialect);
    }

    /// <summary>Spec from --db, else GRANTHA_DB, else the default SQLite file.</summary>
    public static string ResolveSpec(string? explicitSpec) =>
        !string.IsNullOrWhiteSpace(explicitSpec) ? explicitSpec
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : DefaultSpec;

    const int DefaultBufferSize = 8192, LargeBufferSize = 128 * 1024;

    public static Db Open(string spec)
    {
        spec = spec.Trim();
        if (spec.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = spec["sqlite:".Length..];
            if (path.Length == 0) throw new ArgumentException("sqlite: needs a file path, e.g. sqlite:data/grantha.db");
            var full = path == ":memory:" ? path : Path.GetFullPath(path);
            if (full != ":memory:") Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var cs = new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = true,
                DefaultTimeout = SqliteBusyTimeoutMs / 1000,
            }.ToString();
            return new Db(DbKind.Sqlite, "sqlite:" + full, null, null, cs) { SqliteFile = full == ":memory:" ? null : full };
        }
        var connectionString = spec.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
                               || spec.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? PostgresUrlToConnectionString(spec)
            : spec.Contains('=') ? spec
            : throw new ArgumentException($"Unknown database spec '{spec}': use sqlite:<path>, postgres://user:pass@host:port/db or an Npgsql connection string.");
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Workers must survive a restarted server: pooled connections are checked and re-made.
        builder.MaxPoolSize = Math.Max(builder.MaxPoolSize, 50);
        builder.KeepAlive = builder.KeepAlive == 0 ? 15 : builder.KeepAlive;
        // No session state outlives a transaction here (SET LOCAL, transaction-scoped advisory
        // locks; LISTEN has its own connection), so a pooled connection needs no DISCARD ALL on
        // return: that was one extra round trip per use, a quarter of all statements in an import.
        builder.NoResetOnClose = true;
        // The same few dozen statements run for every task: prepared once per connection, the
        // server stops parsing and planning them each time (most of its CPU in an import).
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        // Page bodies and extraction records are tens of kilobytes: with the 8 KB default buffers
        // each one is a dozen socket reads or writes, each its own continuation.
        if (builder.ReadBufferSize == DefaultBufferSize) builder.ReadBufferSize = LargeBufferSize;
        if (builder.WriteBufferSize == DefaultBufferSize) builder.WriteBufferSize = LargeBufferSize;
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        var output = new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            Options = $"{builder.Options} -c synchronous_commit=off".Trim(),
            MaxPoolSize = Math.Max(10, builder.MaxPoolSize / 2),
            ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) ? "grantha output" : builder.ApplicationName,
        };
        var safe = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Password = null };
        return new Db(DbKind.Postgres, $"postgres:{safe.Host}:{safe.Port}/{safe.Database}", dataSource,
            new NpgsqlDataSourceBuilder(output.ConnectionString).Build(), null);
    }

    public static string PostgresUrlToConnectionString(string url)
    {
        var uri = new Uri(url);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } d ? d : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            b[Uri.UnescapeDataString(kv[0]).Replace('_', ' ')] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return b.ConnectionString;
    }

    /// <summary>
    /// A write transaction of this process committed (SQLite only: there the event feed learns of new events in
    /// process; PostgreSQL's feed LISTENs). Runs on the committing thread: handlers must only signal.
    /// </summary>
    public event Action? Committed;

    /// <summary>An open connection (SQLite connections get WAL and a busy timeout).</summary>
    public Task<DbConnection> OpenAsync(CancellationToken ct = default) => OpenAsync(output: false, ct);

    async Task<DbConnection> OpenAsync(bool output, CancellationToken ct)
    {
        if (_pg is not null) return await (output ? _pgOutput! : _pg).OpenConnectionAsync(ct);
        var c = new SqliteConnection(_sqlite);
        await c.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={SqliteBusyTimeoutMs};";
        await cmd.ExecuteNonQueryAsync(ct);
        return c;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction. SQLite takes the write lock at BEGIN
    /// (IMMEDIATE) so two writers never deadlock on lock upgrade; PostgreSQL uses READ COMMITTED.
    /// Lost connections (a restarted server) are retried by <see cref="DbRetry"/>, since the transaction never committed.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        WriteAsync(work, output: false, ct);

    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, bool output, CancellationToken ct) =>
        DbRetry.RoundTrip.ExecuteAsync(static async (s, token) =>
        {
            var (db, work, output) = s;
            var locked = false;
            try
            {
                if (db.Kind == DbKind.Sqlite) { await db._sqliteWriteLock.WaitAsync(token); locked = true; }
                await using var conn = await db.OpenAsync(output, token);
                await using var tx = db.Kind == DbKind.Sqlite
                    ? ((SqliteConnection)conn).BeginTransaction(deferred: false)
                    : await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, token);
                var result = await work(conn, tx);
                await tx.CommitAsync(token);
                if (db.Kind == DbKind.Sqlite) db.Committed?.Invoke();
                return result;
            }
            finally
            {
                if (locked) db._sqliteWriteLock.Release();
            }
        }, (this, work, output), ct).AsTask();

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct = default) =>
        WriteAsync<bool>(async (c, t) => { await work(c, t); return true; }, ct);

    /// <summary>
    /// A write of a stage's own output before its task completes (evidence, extraction, staged
    /// import): on PostgreSQL it commits without waiting for its WAL flush (its sessions have
    /// synchronous_commit off, so this costs no extra statement). Safe because the task's
    /// completion commits later and synchronously, which flushes the WAL up to and including this
    /// write; a crash before that loses the write and the task, which is rescued and writes it
    /// again. Saves one disk flush per page. On SQLite the same as <see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, Task{T}}, CancellationToken)"/>.
    /// </summary>
    public Task<T> WriteOutputAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        WriteAsync(work, output: true, ct);

    /// <summary>
    /// <see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, Task{T}}, CancellationToken)"/> for work that is
    /// one statement: on PostgreSQL it runs without BEGIN and COMMIT (the statement commits by itself; the
    /// transaction passed is null), a round trip less. On SQLite it runs in a write transaction as usual.
    /// </summary>
    public Task<T> WriteStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> statement, CancellationToken ct = default) =>
        WriteStatementAsync(statement, output: false, ct);

    /// <summary><see cref="WriteStatementAsync{T}"/> on the output pool (see <see cref="WriteOutputAsync{T}"/>).</summary>
    public Task<T> WriteOutputStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> statement, CancellationToken ct = default) =>
        WriteStatementAsync(statement, output: true, ct);

    Task<T> WriteStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> statement, bool output, CancellationToken ct) =>
        Kind == DbKind.Sqlite
            ? WriteAsync((c, t) => statement(c, t), output, ct)
            : WithoutTransactionAsync(c => statement(c, null), output, ct);

    /// <summary>Runs a read on its own connection, retrying a lost connection.</summary>
    public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default) =>
        WithoutTransactionAsync(work, output: false, ct);

    /// <summary>Work on its own connection outside any transaction, retrying a lost connection.</summary>
    Task<T> WithoutTransactionAsync<T>(Func<DbConnection, Task<T>> work, bool output, CancellationToken ct) =>
        DbRetry.RoundTrip.ExecuteAsync(static async (s, token) =>
        {
            var (db, work, output) = s;
            await using var conn = await db.OpenAsync(output, token);
            return await work(conn);
        }, (this, work, output), ct).AsTask();

    /// <summary>
    /// Whether the store takes a write now (<see cref="Readiness"/>): one UPDATE of a row in a transaction that is
    /// rolled back, so nothing is written. No retries: readiness wants the answer of this moment. Throws what the
    /// store threw (read-only, unreachable, locked past the busy timeout).
    /// </summary>
    public async Task ProbeWriteAsync(CancellationToken ct = default)
    {
        var locked = false;
        try
        {
            if (Kind == DbKind.Sqlite) { await _sqliteWriteLock.WaitAsync(ct); locked = true; }
            await using var conn = await OpenAsync(output: false, ct);
            await using var tx = Kind == DbKind.Sqlite
                ? ((SqliteConnection)conn).BeginTransaction(deferred: false)
                : await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE schema_migration SET applied_at = applied_at WHERE version = (SELECT MAX(version) FROM schema_migration)";
            await cmd.ExecuteNonQueryAsync(ct);
            await tx.RollbackAsync(ct);
        }
        finally
        {
            if (locked) _sqliteWriteLock.Release();
        }
    }

    /// <summary>A read on its own connection without retries (readiness: the answer of this moment).</summary>
    public async Task<T> ReadNowAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(output: false, ct);
        return await work(conn);
    }

    /// <summary>Milliseconds since the Unix epoch: every timestamp column uses it, on both stores.</summary>
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public async ValueTask DisposeAsync()
    {
        if (_pg is not null) await _pg.DisposeAsync();
        if (_pgOutput is not null) await _pgOutput.DisposeAsync();
        if (_sqlite is not null) SqliteConnection.ClearAllPools();
    }
}
