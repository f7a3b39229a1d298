using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Grantha.Engine;

/// <summary>
/// The one retry policy for database round trips. A round trip (<see cref="Db"/>'s reads and
/// writes) is tried again after an error that leaves nothing half done (a lost connection, a
/// restarting server, a serialization failure, SQLite busy) with exponential backoff, up to
/// <see cref="Attempts"/> tries. Loops that must outlast a longer outage (the completer, the claim
/// loops) wait <see cref="Backoff"/> between their own rounds, so every wait follows one curve.
/// </summary>
public static class DbRetry
{
    /// <summary>Tries of one round trip before its error goes up (about 12 s of backoff in all).</summary>
    public const int Attempts = 8;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>The wait after the <paramref name="attempt"/>-th failure (1-based): 200 ms, 400 ms, ... capped at 5 s.</summary>
    public static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, 100 * (1 << Math.Clamp(attempt, 1, 6))));

    /// <summary>Errors after which the same transaction may simply be tried again.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException pe => pe.SqlState is "40001" or "40P01" or "57P01" or "57P02" or "57P03" or "08006" or "08003" or "53300",
        NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException } => true,
        SqliteException se => se.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        _ => false,
    };

    /// <summary>The round-trip policy (Polly): retries transient errors, never a cancellation.</summary>
    public static readonly ResiliencePipeline RoundTrip = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = Attempts - 1,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(args.AttemptNumber + 1)),
        })
        .Build();
}
