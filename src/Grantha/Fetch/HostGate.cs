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
    /// A request is sent within this window after its start is stamped (right before the wire), or not at all
    /// (it asks again): checked at the socket, before the first byte (<see cref="SendWindow"/>). While the next
    /// holder does not yet know when the last request actually left, it keeps this much further off.
    /// </summary>
    public static readonly TimeSpan StartWindowDefault = TimeSpan.FromMilliseconds(25);
    /// <summary>
    /// Added to the delay after the last request's first byte: what happens between our socket write and the
    /// host's accept (the network, the host's own scheduling) varies. At 10 ms, the offline site on the same loaded
    /// two cores logged 3 of 1,241 gaps up to 20 ms below the delay (docs/benchmarks.md).
    /// </summary>
    public static readonly TimeSpan WireMarginDefault = TimeSpan.FromMilliseconds(25);

    public TimeSpan MinDelay { get; init; } = MinDelayDefault;
    public int MaxConcurrent { get; init; } = MaxConcurrentDefault;
    public TimeSpan MaxDelay { get; init; } = MaxDelayDefault;
    public TimeSpan SlowDownFloor { get; init; } = SlowDownFloorDefault;
    public TimeSpan MaxInProcessWait { get; init; } = MaxInProcessWaitDefault;
    public TimeSpan SlotLease { get; init; } = SlotLeaseDefault;
    public TimeSpan MaxBlock { get; init; } = MaxBlockDefault;
    public TimeSpan BusyPoll { get; init; } = BusyPollDefault;
    public TimeSpan StartWindow { get; init; } = StartWindowDefault;
    public TimeSpan WireMargin { get; init; } = WireMarginDefault;
    /// <summary>Callers of one host that may wait in one process (default: what can start within <see cref="MaxInProcessWait"/>, between <see cref="MaxConcurrent"/> + 1 and twice it); more go back to the queue.</summary>
    public int? MaxWaiting { get; init; }
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
        // A host takes one start per delay: callers beyond a few ahead would only wait here, holding the stage's
        // slots that other hosts' tasks could use, and time out together. They go back to the queue until the
        // ones ahead have started, and the host's other tasks with them.
        var key = db.Description + "|" + host;
        var waiting = Waiting.AddOrUpdate(key, 1, (_, n) => n + 1);
        try
        {
            // Enough to keep every slot busy, and no more than can start within the in-process wait.
            var spacing = Math.Max(1, MinDelayMs + (long)Options.WireMargin.TotalMilliseconds);
            var most = Options.MaxWaiting ?? (int)Math.Clamp(Options.MaxConcurrent + (long)Options.MaxInProcessWait.TotalMilliseconds / spacing - 1,
                Options.MaxConcurrent + 1, Options.MaxConcurrent * 2);
            if (waiting > most)
            {
                FetchMetrics.Throttled.Add(1, Tag.Host(host), Tag.Reason("queued"));
                var ahead = (waiting - 1 - Options.MaxConcurrent) * spacing;
                throw new TaskSnoozedException(TimeSpan.FromMilliseconds(Math.Max(ahead, (long)Options.BusyPoll.TotalMilliseconds)),
                    $"{host}: {waiting - 1} requests already waiting for it in this process", wholeHost: true);
            }
            return await AdmitWaitingAsync(host, holder, ct);
        }
        finally { Waiting.AddOrUpdate(key, 0, (_, n) => n - 1); }
    }

    /// <summary>Callers waiting in <see cref="EnterAsync"/>, per store and host, in this process.</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Waiting = new();

    /// <summary>Jitter added to a snooze so that tasks of several processes do not all come back at once; small, since every millisecond of it can be a host idle.</summary>
    long Jitter() => Random.Shared.NextInt64(0, Math.Max(1, Math.Min(MinDelayMs / 2, 50)));

    async Task<HostPermit> AdmitWaitingAsync(string host, string holder, CancellationToken ct)
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
                var permit = new HostPermit(this, host, slot, a.StartAt, a.NextAt, a.SlowedDown);
                try
                {
                    if (until > Stopwatch.GetElapsedTime(a.ReadAt))
                    {
                        FetchMetrics.Throttled.Add(1, Tag.Host(host), Tag.Reason("waited"));
                        await WaitPreciselyAsync(until, a.ReadAt, ct);
                    }
                }
                catch { await permit.DisposeAsync(); throw; }
                return permit;
            }
            // No slot free (WaitMs unknown), or the next start is too far off.
            var wait = a.WaitMs ?? (long)Options.BusyPoll.TotalMilliseconds;
            if (budget.ElapsedMilliseconds + wait > maxWaitMs)
            {
                FetchMetrics.Throttled.Add(1, Tag.Host(host), Tag.Reason(a.WaitMs is null ? "busy" : "snoozed"));
                // Back a little before the host's next start, so that the task is claimed and admitted again in time
                // for it: snoozed until the start itself, it would come back late and leave the host idle meanwhile.
                var lead = a.WaitMs is null ? 0 : Math.Min(MinDelayMs + (long)Options.WireMargin.TotalMilliseconds, maxWaitMs / 2);
                var snooze = Math.Max(wait - lead, (long)Options.BusyPoll.TotalMilliseconds) + Jitter();
                throw new TaskSnoozedException(TimeSpan.FromMilliseconds(snooze),
                    a.WaitMs is null ? $"{host}: {Options.MaxConcurrent} requests already in flight" : $"{host}: next polite start in {wait} ms",
                    wholeHost: true);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, wait)), ct);
        }
    }

    /// <summary>Timers run on a coarse clock and may fire a few ms early: waits until the precise one agrees.</summary>
    static async Task WaitPreciselyAsync(TimeSpan until, long from, CancellationToken ct)
    {
        TimeSpan remaining;
        while ((remaining = until - Stopwatch.GetElapsedTime(from)) > TimeSpan.Zero)
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), ct);
    }

    /// <summary>
    /// Sends one request to <paramref name="host"/>: a slot and a reserved start (<see cref="EnterAsync"/>), then,
    /// right before the wire, a stamp (<see cref="StampAsync"/>): the host is not blocked by a Retry-After that came
    /// in meanwhile, and the last request to it, from any process, left at least the delay ago. <paramref name="send"/>
    /// runs under the stamp's <see cref="SendWindow"/>: a request that would leave after it (checked at the socket) is
    /// not written, gives its start back and asks again. When its first byte leaves, that time is recorded for the next.
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
            Stamped? stamped = null;
            Task? recording = null;
            try
            {
                stamped = await StampAsync(permit, ct);
                permit.Window = stamped.Window;
                recording = RecordSentAsync(host, stamped);
                using (SendWindow.Enter(permit.Window))
                    return await send(permit);
            }
            catch (Exception e) when (SendWindow.FindLate(e) is not null)
            {
                await GiveBackAsync(permit, stamped, ct);
            }
            finally
            {
                // Nothing more will be written under this stamp: a request that never left records nothing.
                stamped?.Window.Abandon();
                if (recording is not null) await recording;
                await permit.DisposeAsync();
            }
        }
    }

    /// <summary>A stamped start: the store's time of the stamp, and the window the request must leave in.</summary>
    sealed record Stamped(long Now, SendWindow Window);

    /// <summary>
    /// Stamps the request's start right before the wire. Refused while a Retry-After blocks the host (arrived after the
    /// start was reserved, from any process): the task is given back until the block ends, without counting an attempt,
    /// and with it the stage's other tasks for the host. Refused while the last request left less than the delay ago
    /// (its holder ran late, or another process stamped first): waits the difference here, or gives the task back when
    /// that is longer than the in-process wait.
    /// </summary>
    async Task<Stamped> StampAsync(HostPermit permit, CancellationToken ct)
    {
        var budget = Stopwatch.StartNew();
        var args = new
        {
            host = permit.Host, min_delay = MinDelayMs, margin = (long)Options.WireMargin.TotalMilliseconds,
            window = (long)Options.StartWindow.TotalMilliseconds,
        };
        while (true)
        {
            var askedAt = Stopwatch.GetTimestamp();
            var now = Db.NowMs();
            var stamp = await db.WriteStatementAsync((c, t) => c.QuerySingleOrDefaultAsync<(long Now, long Delay)?>(_sql.Stamp, new { args.host, now, args.min_delay, args.margin, args.window }, t), ct);
            // The window counts from before the statement was sent: the store's time of the stamp lies after that.
            // Its first byte is checked against this process's last start to the host (grantha_fetch_politeness_violations).
            if (stamp is { } s)
                return new Stamped(s.Now, new SendWindow(askedAt, TimeSpan.Zero, Options.StartWindow) { Started = () => Starts.Record(db.Description + "|" + permit.Host, s.Delay) });

            var refused = await db.ReadAsync(c => c.QuerySingleOrDefaultAsync<(long BlockedUntil, long Earliest, long Now)?>(_sql.StampRefused,
                new { args.host, now = Db.NowMs(), args.min_delay, args.margin, args.window }), ct);
            if (refused is not { } r) throw new InvalidOperationException($"The host state of {permit.Host} is gone.");
            if (r.BlockedUntil > r.Now)
            {
                FetchMetrics.Throttled.Add(1, Tag.Host(permit.Host), Tag.Reason("blocked"));
                var blocked = r.BlockedUntil - r.Now;
                throw new TaskSnoozedException(TimeSpan.FromMilliseconds(blocked + Jitter()),
                    $"{permit.Host}: blocked by its Retry-After for {blocked} ms more", wholeHost: true);
            }
            var wait = Math.Max(1, r.Earliest - r.Now);
            if (budget.ElapsedMilliseconds + wait > (long)Options.MaxInProcessWait.TotalMilliseconds)
            {
                FetchMetrics.Throttled.Add(1, Tag.Host(permit.Host), Tag.Reason("snoozed"));
                throw new TaskSnoozedException(TimeSpan.FromMilliseconds(wait), $"{permit.Host}: next polite start in {wait} ms", wholeHost: true);
            }
            FetchMetrics.Throttled.Add(1, Tag.Host(permit.Host), Tag.Reason("spaced"));
            await WaitPreciselyAsync(TimeSpan.FromMilliseconds(wait), Stopwatch.GetTimestamp(), ct);
        }
    }

    /// <summary>
    /// When the stamped request's first byte left, on the store's clock (the stamp's time plus what elapsed since
    /// before it was asked for: never earlier than the truth), recorded for the next holder of the host.
    /// </summary>
    async Task RecordSentAsync(string host, Stamped stamped)
    {
        long sentAt;
        try { sentAt = await stamped.Window.Sent; }
        catch (OperationCanceledException) { return; }
        var sent = stamped.Now + (long)Math.Ceiling(Stopwatch.GetElapsedTime(stamped.Window.AskedAt, sentAt).TotalMilliseconds);
        try { await db.WriteStatementAsync((c, t) => c.ExecuteAsync(_sql.Sent, new { host, sent }, t)); }
        // Not recorded, the next request keeps the stamp's longer spacing: slower, never closer.
        catch (Exception e) when (e is not OutOfMemoryException) { }
    }

    /// <summary>
    /// No request went out under the permit: free its slot, give its reserved start back (unless someone reserved
    /// after it) and its stamp (unless someone stamped after it), so asking again does not cost a whole delay.
    /// </summary>
    async Task GiveBackAsync(HostPermit permit, Stamped? stamped, CancellationToken ct)
    {
        FetchMetrics.Throttled.Add(1, Tag.Host(permit.Host), Tag.Reason("late"));
        await permit.DisposeAsync();
        await db.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync(_sql.GiveBackStart, new { host = permit.Host, start = permit.StartAt, next = permit.NextAt }, t);
            if (stamped is not null) await c.ExecuteAsync(_sql.GiveBackStamp, new { host = permit.Host, stamp = stamped.Now }, t);
        }, ct);
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
            new { host, now, min_delay = MinDelayMs, max_wait = maxWaitMs, window = (long)Options.WireMargin.TotalMilliseconds }, t);
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

    internal HostPermit(HostGate gate, string host, long slotId, long startAt, long nextAt, bool slowedDown)
    {
        _gate = gate; Host = host; _slotId = slotId; StartAt = startAt; NextAt = nextAt; SlowedDown = slowedDown;
    }

    public string Host { get; }
    /// <summary>The reserved start (Unix ms on the store's clock): starts to one host are at least its delay apart.</summary>
    public long StartAt { get; }
    /// <summary>The host's next free start as this reservation left it (a give-back only applies while it still is).</summary>
    internal long NextAt { get; }
    /// <summary>
    /// Until when the request may be sent, from its stamp right before the wire; <see cref="HostGate.SendAsync{T}"/>
    /// holds the socket write to it. A permit taken with <see cref="HostGate.EnterAsync"/> alone has none.
    /// </summary>
    public SendWindow? Window { get; internal set; }
    /// <summary>The host's delay was above its base at admission: a success should let it recover.</summary>
    public bool SlowedDown { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) await _gate.ReleaseAsync(_slotId);
    }
}
