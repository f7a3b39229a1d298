using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grantha.Engine;

/// <summary>
/// LISTENs for new work on PostgreSQL and wakes the matching stage. Reconnects after a lost
/// connection (a restarted server) and wakes every stage then, since notifications may have
/// been missed meanwhile; polling in the claim loop covers the gap.
/// </summary>
public sealed class Notifier(string connectionString, EngineSignals signals, ILogger log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(connectionString);
                await conn.OpenAsync(ct);
                conn.Notification += (_, e) => signals.WorkArrived(e.Payload);
                await using (var cmd = new NpgsqlCommand($"LISTEN {PostgresDialect.NotifyChannel}", conn)) await cmd.ExecuteNonQueryAsync(ct);
                attempt = 0;
                signals.WakeAll();
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                attempt++;
                log.LogWarning("LISTEN connection lost ({Message}); reconnecting (attempt {Attempt})", e.Message, attempt);
                signals.WakeAll();
                try { await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * attempt)), ct); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
