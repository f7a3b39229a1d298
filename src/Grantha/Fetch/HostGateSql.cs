using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>
/// The politeness SQL, per store, in one place. <see cref="HostGate"/> runs an admission as one
/// write transaction: ensure the host row, lock it, drop expired slots, count live slots, reserve
/// the next start, take a slot. Holding the host row lock (PostgreSQL <c>FOR UPDATE</c>; SQLite has
/// one writer, taken at BEGIN IMMEDIATE) makes count-then-insert and the reservation atomic across
/// processes. The reservation itself is a single conditional
/// <c>UPDATE .. SET next_start_at = GREATEST(..) + gap .. RETURNING</c>, so two callers can never
/// get starts closer than the gap. Parameters: @host, @now, @min_delay, @max_wait, @window (ms).
/// </summary>
public sealed record HostGateSql
{
    /// <summary>The database clock in ms (PostgreSQL), so workers on several machines share one clock; null: use this process's clock.</summary>
    public string? Now { get; init; }
    public required string EnsureHost { get; init; }
    public required string LockHost { get; init; }
    public required string DropExpiredSlots { get; init; }
    public required string CountSlots { get; init; }
    /// <summary>Returns the reserved start, or no row when the host is not free within @max_wait.</summary>
    public required string ReserveStart { get; init; }
    public required string TakeSlot { get; init; }
    public required string ReleaseSlot { get; init; }
    /// <summary>A reservation that was not used gives its start back, unless a later one was made since.</summary>
    public string GiveBackStart { get; init; } = "UPDATE host_state SET next_start_at = @start WHERE host = @host AND next_start_at = @next";
    /// <summary>Multiplies the delay (at least @floor, capped at @max_delay) and blocks the host until @blocked_until.</summary>
    public required string SlowDown { get; init; }
    /// <summary>Decays a raised delay back toward the base.</summary>
    public required string Recover { get; init; }
    public required string SetCrawlDelay { get; init; }
    public required string State { get; init; }
    /// <summary>The host's blocked_until and the clock's now (ms): read right before a request goes on the wire.</summary>
    /// <summary>
    /// Right before the wire: stamps this request's start if the host is not blocked and the last request went out
    /// at least the spacing ago (<see cref="Earliest"/>); returns the store's time and the host's delay, or no row. Keeps the stamp before
    /// it, so a request that is then not sent can give its stamp back.
    /// </summary>
    public required string Stamp { get; init; }
    /// <summary>Why a stamp was refused: blocked until, the earliest start allowed, and the store's time.</summary>
    public required string StampRefused { get; init; }
    /// <summary>A stamped request that was not sent gives its stamp back, unless another was stamped since.</summary>
    public string GiveBackStamp { get; init; } = "UPDATE host_state SET last_stamp_at = prev_stamp_at WHERE host = @host AND last_stamp_at = @stamp";
    /// <summary>When the stamped request's first byte left (store clock): the next start counts from it.</summary>
    public string Sent { get; init; } = "UPDATE host_state SET last_sent_at = @sent WHERE host = @host AND last_sent_at < @sent";

    /// <summary>
    /// The earliest start after the last one (ms, store clock): the delay plus @margin after the last request's first
    /// byte when that is known; while it is not (the last stamped request has not said, or was never sent), after
    /// its stamp plus @window too, the longest a stamped request may take to leave.
    /// </summary>
    const string Earliest = """
        CASE WHEN last_sent_at >= last_stamp_at THEN last_sent_at + {0}(delay_ms, crawl_delay_ms, @min_delay) + @margin
             ELSE last_stamp_at + {0}(delay_ms, crawl_delay_ms, @min_delay) + @margin + @window END
        """;

    static string EarliestWith(string greatest) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Earliest, greatest);

    // ---------------------------------------------------------------- SQLite (one writer)
    public static readonly HostGateSql Sqlite = new()
    {
        Now = null,
        EnsureHost = """
            INSERT INTO host_state (host, delay_ms, crawl_delay_ms, next_start_at, blocked_until, updated_at)
            VALUES (@host, @min_delay, 0, 0, 0, @now)
            ON CONFLICT (host) DO NOTHING
            """,
        LockHost = """
            SELECT delay_ms AS DelayMs, crawl_delay_ms AS CrawlDelayMs, next_start_at AS NextStartAt, blocked_until AS BlockedUntil
              FROM host_state WHERE host = @host
            """,
        DropExpiredSlots = "DELETE FROM host_slot WHERE host = @host AND expires_at <= @now",
        CountSlots = "SELECT COUNT(*) FROM host_slot WHERE host = @host",
        ReserveStart = """
            UPDATE host_state
               SET next_start_at = MAX(next_start_at, blocked_until, @now) + MAX(delay_ms, crawl_delay_ms, @min_delay) + @window,
                   updated_at = @now
             WHERE host = @host
               AND MAX(next_start_at, blocked_until, @now) <= @now + @max_wait
            RETURNING next_start_at - MAX(delay_ms, crawl_delay_ms, @min_delay) - @window AS Start, next_start_at AS Next
            """,
        TakeSlot = """
            INSERT INTO host_slot (host, holder, acquired_at, expires_at)
            VALUES (@host, @holder, @now, @expires_at)
            RETURNING id
            """,
        ReleaseSlot = "DELETE FROM host_slot WHERE id = @id",
        SlowDown = """
            UPDATE host_state
               SET delay_ms = MIN(@max_delay, MAX(MAX(delay_ms, crawl_delay_ms, @min_delay) * @factor_pct / 100, @floor)),
                   blocked_until = MAX(blocked_until, @blocked_until),
                   updated_at = @now
             WHERE host = @host
            """,
        Recover = """
            UPDATE host_state
               SET delay_ms = MAX(@min_delay, crawl_delay_ms, delay_ms * 7 / 10),
                   updated_at = @now
             WHERE host = @host AND delay_ms > MAX(@min_delay, crawl_delay_ms)
            """,
        SetCrawlDelay = "UPDATE host_state SET crawl_delay_ms = @crawl_delay, updated_at = @now WHERE host = @host",
        State = """
            SELECT host AS Host, delay_ms AS DelayMs, crawl_delay_ms AS CrawlDelayMs, next_start_at AS NextStartAt,
                   blocked_until AS BlockedUntil, (SELECT COUNT(*) FROM host_slot s WHERE s.host = h.host AND s.expires_at > @now) AS InFlight
              FROM host_state h WHERE host = @host
            """,
        Stamp = $"""
            UPDATE host_state SET prev_stamp_at = last_stamp_at, last_stamp_at = @now, updated_at = @now
             WHERE host = @host AND blocked_until <= @now AND @now >= {EarliestWith("MAX")}
            RETURNING @now AS Now, MAX(delay_ms, crawl_delay_ms, @min_delay) AS Delay
            """,
        StampRefused = $"SELECT blocked_until AS BlockedUntil, {EarliestWith("MAX")} AS Earliest, @now AS Now FROM host_state WHERE host = @host",
    };

    // ---------------------------------------------------------------- PostgreSQL (many processes)
    public static readonly HostGateSql Postgres = new()
    {
        Now = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
        EnsureHost = Sqlite.EnsureHost,
        // Every admission for the host queues here; later statements of the transaction see
        // everything the previous holder committed (READ COMMITTED takes a snapshot per statement).
        LockHost = """
            SELECT delay_ms AS DelayMs, crawl_delay_ms AS CrawlDelayMs, next_start_at AS NextStartAt, blocked_until AS BlockedUntil
              FROM host_state WHERE host = @host
               FOR UPDATE
            """,
        DropExpiredSlots = Sqlite.DropExpiredSlots,
        CountSlots = Sqlite.CountSlots,
        ReserveStart = """
            UPDATE host_state
               SET next_start_at = GREATEST(next_start_at, blocked_until, @now) + GREATEST(delay_ms, crawl_delay_ms, @min_delay) + @window,
                   updated_at = @now
             WHERE host = @host
               AND GREATEST(next_start_at, blocked_until, @now) <= @now + @max_wait
            RETURNING next_start_at - GREATEST(delay_ms, crawl_delay_ms, @min_delay) - @window AS Start, next_start_at AS Next
            """,
        TakeSlot = Sqlite.TakeSlot,
        ReleaseSlot = Sqlite.ReleaseSlot,
        SlowDown = """
            UPDATE host_state
               SET delay_ms = LEAST(@max_delay, GREATEST(GREATEST(delay_ms, crawl_delay_ms, @min_delay) * @factor_pct / 100, @floor)),
                   blocked_until = GREATEST(blocked_until, @blocked_until),
                   updated_at = @now
             WHERE host = @host
            """,
        Recover = """
            UPDATE host_state
               SET delay_ms = GREATEST(@min_delay, crawl_delay_ms, delay_ms * 7 / 10),
                   updated_at = @now
             WHERE host = @host AND delay_ms > GREATEST(@min_delay, crawl_delay_ms)
            """,
        SetCrawlDelay = Sqlite.SetCrawlDelay,
        State = Sqlite.State,
        Stamp = $"""
            UPDATE host_state SET prev_stamp_at = last_stamp_at, last_stamp_at = c.now, updated_at = c.now
              FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now) c
             WHERE host = @host AND blocked_until <= c.now AND c.now >= {EarliestWith("GREATEST")}
            RETURNING c.now AS Now, GREATEST(delay_ms, crawl_delay_ms, @min_delay) AS Delay
            """,
        StampRefused = $"SELECT blocked_until AS BlockedUntil, {EarliestWith("GREATEST")} AS Earliest, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS Now FROM host_state WHERE host = @host",
    };
}
