using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grantha.Engine;

/// <summary>
/// A worker process's liveness on PostgreSQL: a session advisory lock, <c>pg_advisory_lock(LockClass, Key)</c>,
/// held on a connection of its own for as long as the process lives. The server releases it the moment that
/// connection closes (the process exits, is killed, its machine's kernel resets the socket), so a rescuer that
/// can take the lock knows the worker is gone without waiting for its leases (<see cref="Rescuer"/>). A worker
/// that is merely slow keeps its connection, so its lock: its tasks wait for their leases as before.
/// The key is random and written in the worker's row (worker.lock_key); the lock makes it unique among live
/// workers. SQLite has no such lock: there, leases alone decide (docs/architecture.md).
/// </summary>
public sealed class Liveness : IAsyncDisposable
{
    /// <summary>The first key of the two-key advisory lock ("GRNT"): apart from every one-key lock the app takes.</summary>
    public const int LockClass = 0x47524E54;
    public const string ApplicationName = "grantha liveness";

    /// <summary>
    /// How often the lock's connection is checked. A lost connection is taken again within about this much
    /// (plus the reconnect), well inside <see cref="Rescuer.GoneAfterDefault"/>, so a dropped connection or a
    /// restarted server does not make a live worker look gone.
    /// </summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan RetakeDelay = TimeSpan.FromMilliseconds(250);

    readonly string _connectionString;
    readonly ILogger _log;
    NpgsqlConnection _conn;

    public int Key { get; private set; }

    Liveness(string connectionString, ILogger log, NpgsqlConnection conn, int key)
    {
        _connectionString = connectionString; _log = log; _conn = conn; Key = key;
    }

    /// <summary>Opens the lock's connection and takes a free key.</summary>
    public static async Task<Liveness> TakeAsync(string connectionString, ILogger log, CancellationToken ct)
    {
        // Its own unpooled session: closing it must end the session (a pooled close would keep the lock).
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = ApplicationName, KeepAlive = 5 }.ConnectionString;
        var conn = new NpgsqlConnection(cs);
        try
        {
            await conn.OpenAsync(ct);
            while (true)
            {
                var key = Random.Shared.Next(1, int.MaxValue);
                if (await TryLockAsync(conn, key, ct)) return new Liveness(cs, log, conn, key);
            }
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Checks the lock's connection every <see cref="CheckInterval"/>; after a loss, reconnects and takes the same
    /// key again (a new one if another session holds it for long: it was called gone and its key reused), then
    /// calls <paramref name="retaken"/> so the worker announces itself again (a rescuer may have removed its row).
    /// </summary>
    public async Task RunAsync(Func<int, CancellationToken, Task> retaken, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(CheckInterval, ct);
                await using var cmd = new NpgsqlCommand("SELECT 1", _conn) { CommandTimeout = 5 };
                await cmd.ExecuteScalarAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                _log.LogWarning("Liveness connection lost ({Message}); taking the lock again", e.Message);
                if (!await RetakeAsync(ct)) return;
                try { await retaken(Key, ct); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
                catch (Exception r) { _log.LogWarning(r, "Could not announce the worker again; its tasks are still guarded by their leases"); }
            }
        }
    }

    async Task<bool> RetakeAsync(CancellationToken ct)
    {
        await _conn.DisposeAsync();
        for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                var conn = new NpgsqlConnection(_connectionString);
                try
                {
                    await conn.OpenAsync(ct);
                    // A rescuer's check holds the key for the length of its transaction; longer means it is someone else's now.
                    if (attempt > 20) Key = Random.Shared.Next(1, int.MaxValue);
                    if (await TryLockAsync(conn, Key, ct)) { _conn = conn; return true; }
                }
                catch { await conn.DisposeAsync(); throw; }
                await conn.DisposeAsync();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) when (attempt % 20 == 1) { _log.LogWarning("Liveness lock not taken yet ({Message}); retrying", e.Message); }
            catch (Exception) { }
            try { await Task.Delay(RetakeDelay, ct); } catch (OperationCanceledException) { break; }
        }
        _conn = new NpgsqlConnection(_connectionString);
        return false;
    }

    static async Task<bool> TryLockAsync(NpgsqlConnection conn, int key, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@cls, @key)", conn);
        cmd.Parameters.AddWithValue("cls", LockClass);
        cmd.Parameters.AddWithValue("key", key);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Closes the session, which releases the lock.</summary>
    public ValueTask DisposeAsync() => _conn.DisposeAsync();
}
