using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>Politeness knobs; the defaults suit a real blog host.</summary>
public sealed record HostGateOptions
{
    /// <summary>Minimum time between two request starts to one host.</summary>
    public static readonly TimeSpan MinDelayDefault = TimeSpan.FromMilliseconds(1000);
    /// <summary>Requests in flight to one host, across every worker process.</summary>
    public const int MaxConcurrentDefault = 2;
    /// <summary>Ceiling of the adaptive slow-down (and of a robots.txt Crawl-delay).</summary>
    public static readonly TimeSpan MaxDelayDefault = TimeSpan.FromSeconds(60);
    /// <summary>
    /// A 5xx or a time-out multiplies the host's delay by this (percent); a 429 by
    /// <see cref="RateLimitedFactorPercent"/>; each success while raised by 70 %. At a 10-20 %
    /// error rate the delay then drifts back down instead of climbing to the cap.
    /// </summary>
    public const int SlowDownFactorPercent = 150;
    /// <summary>The host said "too many requests": back off harder (Retry-After also blocks it).</summary>
    public const int RateLimitedFactorPercent = 200;
    /// <summary>The least delay a slowed-down host gets, also when its base delay is zero.</summary>
    public static readonly TimeSpan SlowDownFloorDefault = TimeSpan.FromMilliseconds(250);
    /// <summary>Waits up to this long are spent in-process; longer ones give the task back (snooze).</summary>
    public static readonly TimeSpan MaxInProcessWaitDefault = TimeSpan.FromSeconds(2);
    /// <summary>
    /// A slot outlives its holder by at most this (a killed worker's slot comes back then). Longer
    /// than one request can take (connect + request time-outs), so a live holder never loses it.
    /// </summary>
    public static readonly TimeSpan SlotLeaseDefault = TimeSpan.FromSeconds(45);
    /// <summary>The longest a Retry-After header may block a host.</summary>
    public static readonly TimeSpan MaxBlockDefault = TimeSpan.FromHours(1);
    /// <summary>How often a caller looks again for a free slot while it waits in-process.</summary>
    public static readonly TimeSpan BusyPollDefault = TimeSpan.FromMilliseconds(100);
    /// <summary>
    /// A request is sent within this window after its reserved start, or not at all (it asks
    /// again); reserved starts are the delay plus this window apart. So the requests the host
    /// sees are at least the delay apart even when a commit or a timer runs late.
    /// </summary>
    public static readonly TimeSpan StartWindowDefault = TimeSpan.FromMilliseconds(25);
    /// <summary>
    /// Added to the spacing of reserved starts on top of the window: what happens between the
    /// send and the host's accept (socket, scheduling, a GC on a busy machine) varies. Measured
    /// at the offline site on a loaded 2-core machine: up to ~85 ms; 25 ms let gaps through.
    /// </summary>
    public static readonly TimeSpan SendJitterMarginDefault = TimeSpan.FromMilliseconds(100);

    public TimeSpan MinDelay { get; init; } = MinDelayDefault;
    public int MaxConcurrent { get; init; } = MaxConcurrentDefault;
    public TimeSpan MaxDelay { get; init; } = MaxDelayDefault;
    public TimeSpan SlowDownFloor { get; init; } = SlowDownFloorDefault;
    public TimeSpan MaxInProcessWait { get; init; } = MaxInProcessWaitDefault;
    public TimeSpan SlotLease { get; init; } = SlotLeaseDefault;
    public TimeSpan MaxBlock { get; init; } = MaxBlockDefault;
    public TimeSpan BusyPoll { get; init; } = BusyPollDefault;
    public TimeSpan StartWindow { get; init; } = StartWindowDefault;
    public TimeSpan SendJitterMargin { get; init; } = SendJitterMarginDefault;
}

/// <summary>The politeness state of one host, as stored.</summary>
public sealed record HostState(string Host, long DelayMs, long CrawlDelayMs, long NextStartAt, long BlockedUntil, long InFlight);

/// <summary>
/// Per-host politeness that holds across every worker process because its state is in the
/// database (<see cref="HostGateSql"/>): a minimum delay between request starts, at most N
/// requests in flight as leased slots, an adaptive slow-down on 5xx/429/time-outs that decays on
/// success, and a block until a Retry-After. A caller that cannot start within
/// <see cref="HostGateOptions.MaxInProcessWait"/> gets a <see cref="TaskSnoozedException"/>, so the
/// engine puts its task back without counting an attempt.
/// </summary>
public sealed class HostGate(Db db, HostGateOptions? options = null)
{
    readonly HostGateSql _sql = db.Dialect.HostGate;
    public HostGateOptions Options { get; } = options ?? new HostGateOptions();

    long MinDelayMs => (long)Options.MinDelay.TotalMilliseconds;
    const int MaxLateSends = 3;

    /// <summary>Waits for a slot and a start time for <paramref name="host"/>; dispose the permit when the request is over.</summary>
    public async Task<HostPermit> EnterAsync(string host, string holder, CancellationToken ct = default)
    {
        var budget = Stopwatch.StartNew();
        var maxWaitMs = (long)Options.MaxInProcessWait.TotalMilliseconds;
        while (true)
        {
            var left = Math.Max(0, maxWaitMs - budget.ElapsedMilliseconds);
            var a = await db.WriteAsync((c, t) => AdmitAsync(c, t, host, holder, left), ct);
            if (a.SlotId is { } slot)
            {
                // The wait counts from when the store's clock was read, not from the commit.
                var until = TimeSpan.FromMilliseconds(a.WaitMs ?? 0);
                // Lateness counts from before the clock was read: the store's "now" lies between the two
                // readings, so this bounds how late the send is on the store's clock.
                // The host's delay as this reservation spaced it: the next start may not come sooner.
                var gap = a.NextAt - a.StartAt - (long)(Options.StartWindow + Options.SendJitterMargin).TotalMilliseconds;
                var window = new SendWindow(a.AskedAt, until, Options.StartWindow) { Started = () => Starts.Record(db.Description + "|" + host, gap) };
                var permit = new HostPermit(this, host, slot, a.StartAt, a.NextAt, a.SlowedDown, window);
                try
                {
                    if (until > Stopwatch.GetElapsedTime(a.ReadAt))
                    {
                        FetchMetrics.Throttled.Add(1, Tag.Host(host), Tag.Reason("waited"));
                        // Timers run on a coarse clock and may fire a few ms early: wait until the precise one agrees.
                        TimeSpan remaining;
                        while ((remaining = until - Stopwatch.GetElapsedTime(a.ReadAt)) > TimeSpan.Zero)
                            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), ct);
                    }
                }
                catch { await permit.DisposeAsync(); throw; }
                if (window.Lateness <= TimeSpan.Zero) return permit;
                // Missed the window (a slow commit, a late timer): sending now could crowd the next
                // holder's start, so give the start back and ask again.
                await GiveBackAsync(permit, ct);
                continue;
            }
            // No slot free (WaitMs unknown), or the next start is too far off.
            var wait = a.WaitMs ?? (long)Options.BusyPoll.TotalMilliseconds;
            if (budget.ElapsedMilliseconds + wait > maxWaitMs)
            {
                FetchMetrics.Throttled.Add(1, Tag.Host(host), Tag.Reason(a.WaitMs is null ? "busy" : "snoozed"));
                var snooze = Math.Max(wait, (long)Options.BusyPoll.TotalMilliseconds) + Random.Shared.NextInt64(0, Math.Max(1, MinDelayMs / 2));
                throw new TaskSnoozedException(TimeSpan.FromMilliseconds(snooze),
                    a.WaitMs is null ? $"{host}: {Options.MaxConcurrent} requests already in flight" : $"{host}: next polite start in {wait} ms",
                    wholeHost: true);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, wait)), ct);
        }
    }

    /// <summary>
    /// Sends one request to <paramref name="host"/> under a permit: <paramref name="send"/> runs with the
    /// permit's <see cref="SendWindow"/>, so a request that would leave after its window (checked at
    /// the socket) is not written; its start is given back and the gate is asked again.
    /// </summary>
    public async Task<T> SendAsync<T>(string host, string holder, Func<HostPermit, Task<T>> send, CancellationToken ct = default)
    {
        for (var late = 0; ; late++)
        {
            // A process that keeps missing its window is starved (a long GC, an overloaded machine):
            // give the task back for a moment rather than spin on the host's starts.
            if (late == MaxLateSends)
                throw new TaskSnoozedException(Options.BusyPoll, $"{host}: {late} requests missed their start window; this process is too slow right now");
            var permit = await EnterAsync(host, holder, ct);
            try
            {
                using (SendWindow.Enter(permit.Window))
                    return await send(permit);
            }
            catch (Exception e) when (SendWindow.FindLate(e) is not null)
            {
                await GiveBackAsync(permit, ct);
            }
            finally { await permit.DisposeAsync(); }
        }
    }

    /// <summary>
    /// No request went out at the permit's reserved start: free its slot and give the start back
    /// (unless someone reserved after it), so asking again does not cost a whole delay.
    /// </summary>
    async Task GiveBackAsync(HostPermit permit, CancellationToken ct)
    {
        FetchMetrics.Throttled.Add(1, Tag.Host(permit.Host), Tag.Reason("late"));
        await permit.DisposeAsync();
        await db.WriteAsync((c, t) => c.ExecuteAsync(_sql.GiveBackStart, new { host = permit.Host, start = permit.StartAt, next = permit.NextAt }, t), ct);
    }

    sealed record Admission(long? SlotId, long? WaitMs, bool SlowedDown, long StartAt = 0, long ReadAt = 0, long AskedAt = 0, long NextAt = 0);
    sealed record LockedRow(long DelayMs, long CrawlDelayMs, long NextStartAt, long BlockedUntil);

    async Task<Admission> AdmitAsync(DbConnection c, DbTransaction t, string host, string holder, long maxWaitMs)
    {
        await c.ExecuteAsync(_sql.EnsureHost, new { host, min_delay = MinDelayMs, now = Db.NowMs() }, t);
        var row = await c.QuerySingleAsync<LockedRow>(_sql.LockHost, new { host }, t);
        // Read the clock once the host is ours: time spent queueing for the lock must not make
        // the reserved start lie in the past.
        var askedAt = Stopwatch.GetTimestamp();
        var now = await NowAsync(c, t);
        var readAt = Stopwatch.GetTimestamp();
        var slowed = row.DelayMs > Math.Max(MinDelayMs, row.CrawlDelayMs);
        var freeAt = Math.Max(Math.Max(row.NextStartAt, row.BlockedUntil), now);
        if (freeAt - now > maxWaitMs) return new Admission(null, freeAt - now, slowed);

        await c.ExecuteAsync(_sql.DropExpiredSlots, new { host, now }, t);
        var inFlight = await c.ExecuteScalarAsync<long>(_sql.CountSlots, new { host }, t);
        if (inFlight >= Options.MaxConcurrent) return new Admission(null, null, slowed);

        var reserved = await c.QuerySingleOrDefaultAsync<(long Start, long Next)?>(_sql.ReserveStart,
            new { host, now, min_delay = MinDelayMs, max_wait = maxWaitMs, window = (long)(Options.StartWindow + Options.SendJitterMargin).TotalMilliseconds }, t);
        if (reserved is not { } r) return new Admission(null, freeAt - now, slowed);
        var startAt = r.Start;
        var slotId = await c.ExecuteScalarAsync<long>(_sql.TakeSlot,
            new { host, holder, now, expires_at = startAt + (long)Options.SlotLease.TotalMilliseconds }, t);
        return new Admission(slotId, startAt - now, slowed, startAt, readAt, askedAt, r.Next);
    }

    internal Task ReleaseAsync(long slotId) =>
        db.WriteAsync((c, t) => c.ExecuteAsync(_sql.ReleaseSlot, new { id = slotId }, t));

    /// <summary>
    /// The host struggled (5xx, 429, time-out): multiply its delay (capped), and block it until
    /// <paramref name="retryAfter"/> (capped at <see cref="HostGateOptions.MaxBlock"/>) if given.
    /// </summary>
    public Task SlowDownAsync(string host, TimeSpan? retryAfter = null, CancellationToken ct = default, bool rateLimited = false) =>
        db.WriteAsync(async (c, t) =>
        {
            var now = await NowAsync(c, t);
            await c.ExecuteAsync(_sql.EnsureHost, new { host, min_delay = MinDelayMs, now }, t);
            var block = retryAfter is { } r ? now + (long)Math.Min(r.TotalMilliseconds, Options.MaxBlock.TotalMilliseconds) : 0;
            await c.ExecuteAsync(_sql.SlowDown, new
            {
                host, now, min_delay = MinDelayMs, max_delay = (long)Options.MaxDelay.TotalMilliseconds,
                factor_pct = rateLimited ? HostGateOptions.RateLimitedFactorPercent : HostGateOptions.SlowDownFactorPercent, floor = (long)Options.SlowDownFloor.TotalMilliseconds, blocked_until = block,
            }, t);
        }, ct);

    /// <summary>A request went well: a raised delay decays a step back toward the base.</summary>
    public Task RecoverAsync(string host, CancellationToken ct = default) =>
        db.WriteAsync(async (c, t) =>
        {
            var now = await NowAsync(c, t);
            await c.ExecuteAsync(_sql.Recover, new { host, now, min_delay = MinDelayMs }, t);
        }, ct);

    /// <summary>A robots.txt Crawl-delay: the host's delay never goes below it (capped at <see cref="HostGateOptions.MaxDelay"/>).</summary>
    public Task SetCrawlDelayAsync(string host, TimeSpan crawlDelay, CancellationToken ct = default) =>
        db.WriteAsync(async (c, t) =>
        {
            var now = await NowAsync(c, t);
            await c.ExecuteAsync(_sql.EnsureHost, new { host, min_delay = MinDelayMs, now }, t);
            var ms = (long)Math.Clamp(crawlDelay.TotalMilliseconds, 0, Options.MaxDelay.TotalMilliseconds);
            await c.ExecuteAsync(_sql.SetCrawlDelay, new { host, now, crawl_delay = ms }, t);
        }, ct);

    public Task<HostState?> GetStateAsync(string host, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var now = _sql.Now is null ? Db.NowMs() : await c.ExecuteScalarAsync<long>(_sql.Now);
            return await c.QuerySingleOrDefaultAsync<HostState>(_sql.State, new { host, now });
        }, ct);

    async Task<long> NowAsync(DbConnection c, DbTransaction t) =>
        _sql.Now is null ? Db.NowMs() : await c.ExecuteScalarAsync<long>(_sql.Now, transaction: t);
}

/// <summary>
/// The politeness SLO's check in this process: the moment each request to a host was written, and the delay its
/// reservation promised before the next. A start sooner than that counts in
/// <see cref="FetchMetrics.PolitenessViolations"/> (the reservations leave a margin, so a count is a bug).
/// </summary>
static class Starts
{
    static readonly Dictionary<string, (long At, long GapMs)> Last = [];

    public static void Record(string hostKey, long gapMs)
    {
        var now = Stopwatch.GetTimestamp();
        lock (Last)
        {
            if (Last.TryGetValue(hostKey, out var last) && Stopwatch.GetElapsedTime(last.At, now).TotalMilliseconds < last.GapMs)
                FetchMetrics.PolitenessViolations.Add(1);
            Last[hostKey] = (now, gapMs);
        }
    }
}

/// <summary>Admission to one request to a host: holds a slot until disposed.</summary>
public sealed class HostPermit : IAsyncDisposable
{
    readonly HostGate _gate;
    readonly long _slotId;
    int _released;

    internal HostPermit(HostGate gate, string host, long slotId, long startAt, long nextAt, bool slowedDown, SendWindow window)
    {
        _gate = gate; Host = host; _slotId = slotId; StartAt = startAt; NextAt = nextAt; SlowedDown = slowedDown; Window = window;
    }

    public string Host { get; }
    /// <summary>The reserved start (Unix ms on the store's clock): starts to one host are at least its delay apart.</summary>
    public long StartAt { get; }
    /// <summary>The host's next free start as this reservation left it (a give-back only applies while it still is).</summary>
    internal long NextAt { get; }
    /// <summary>Until when the request may be sent; <see cref="HostGate.SendAsync{T}"/> holds the socket write to it.</summary>
    public SendWindow Window { get; }
    /// <summary>The host's delay was above its base at admission: a success should let it recover.</summary>
    public bool SlowedDown { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) await _gate.ReleaseAsync(_slotId);
    }
}
