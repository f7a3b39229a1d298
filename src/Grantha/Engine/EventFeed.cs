using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Grantha.Engine;

/// <summary>
/// The live tail of the event log, one per server process, shared by every open stream (the dashboard's
/// server-sent events). It reads new events once per wake-up and hands each to the subscribers that want it,
/// so a hundred open tabs cost the database what one does. Wake-ups: on PostgreSQL a LISTEN connection
/// (V0021 NOTIFYs per inserting statement), on SQLite this process's own commits (<see cref="Db.Committed"/>);
/// a one-second fallback covers another SQLite process and a NOTIFY lost to a dropped connection.
/// <para>
/// Events are handed out in id order and only up to the committed prefix of the log: on PostgreSQL ids are
/// taken in insert order but commits come in any order, so a higher id can be visible while a lower one is
/// still in a running transaction. The feed reads the id sequence and the running transactions
/// (<see cref="Dialect.EventMarkAsync"/>) and hands out up to that id once all of them have ended. No event
/// is skipped and none comes twice; <see cref="Position"/> is that prefix.
/// </para>
/// </summary>
public sealed class EventFeed(Db db, ILogger<EventFeed>? log = null) : IAsyncDisposable
{
    /// <summary>Events a subscriber may fall behind by; beyond, its stream ends and the client resumes from its last id (read from the log).</summary>
    public const int SubscriberBuffer = 10_000;
    const int PageSize = 1_000;
    static readonly TimeSpan Fallback = TimeSpan.FromSeconds(1);
    static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(20);

    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;
    readonly object _gate = new();
    readonly List<Subscriber> _subscribers = [];
    readonly SemaphoreSlim _wake = new(0, 1);
    readonly CancellationTokenSource _stop = new();
    Task? _started;
    /// <summary>The feed stopped before a missing id: look again soon.</summary>
    volatile bool _held;
    /// <summary>When each missing id was first seen missing.</summary>
    readonly Dictionary<long, DateTime> _missingSince = [];
    /// <summary>How long a missing id holds the feed back before it counts as rolled back.</summary>
    public static readonly TimeSpan GapGrace = TimeSpan.FromSeconds(5);

    bool GapPassed(long id)
    {
        var now = DateTime.UtcNow;
        if (!_missingSince.TryGetValue(id, out var since)) { _missingSince[id] = since = now; }
        if (now - since < GapGrace) return false;
        _missingSince.Remove(id);
        return true;
    }
    long _position;
    long _reads;

    /// <summary>Every event up to this id has been handed out (or was before the first subscriber).</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Reads of the log the feed made (tests: many subscribers cost no more reads than one).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>
    /// A subscription to the events of one batch (<paramref name="batchId"/>), or of every batch's batch- and
    /// job-level events (null: the overview; per-task events would flood it). It receives every event after
    /// its <see cref="Subscription.From"/>; earlier ones are the log's (<see cref="BacklogAsync"/>).
    /// </summary>
    public async Task<Subscription> SubscribeAsync(long? batchId, CancellationToken ct = default)
    {
        await StartAsync(ct);
        var s = new Subscriber(batchId, Channel.CreateBounded<Event>(new BoundedChannelOptions(SubscriberBuffer) { SingleReader = true, SingleWriter = true }));
        lock (_gate)
        {
            _subscribers.Add(s);
            return new Subscription(this, s, _position);
        }
    }

    /// <summary>Events of the subscription's kind with <paramref name="after"/> &lt; id ≤ <paramref name="upto"/>, oldest first, a page at a time.</summary>
    public Task<IReadOnlyList<Event>> BacklogAsync(long? batchId, long after, long upto, int limit, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<Event>>(async c => (await c.QueryAsync<Event>(
            $"""
            SELECT id, batch_id, job_id, task_id, kind, actor, at, data FROM event
            WHERE id > @after AND id <= @upto AND {(batchId is null ? "task_id IS NULL" : "batch_id = @batchId")}
            ORDER BY id LIMIT @limit
            """, new { after, upto, batchId, limit })).AsList(), ct);

    /// <summary>Starts the tail once: the position is the committed prefix at that moment.</summary>
    Task StartAsync(CancellationToken ct)
    {
        Task started;
        lock (_gate)
        {
            // A start that failed (the store was away) is tried again by the next subscriber.
            if (_started is { IsFaulted: true } or { IsCanceled: true }) _started = null;
            started = _started ??= StartOnceAsync();
        }
        return started.WaitAsync(ct);
    }

    async Task StartOnceAsync()
    {
        var (upto, running) = await db.ReadAsync(c => db.Dialect.EventMarkAsync(c));
        while (running.Length > 0 && running.Max() >= await db.ReadAsync(c => db.Dialect.OldestRunningAsync(c)))
            await Task.Delay(Recheck);
        Interlocked.Exchange(ref _position, upto);
        db.Committed -= Wake; // a start tried again after a failure subscribes once
        db.Committed += Wake;
        _ = Guard(TailAsync(_stop.Token));
        if (db.PostgresConnectionString is { } cs && db.Dialect.EventChannel is { } channel) _ = Guard(ListenAsync(cs, channel, _stop.Token));
    }

    void Wake()
    {
        if (_wake.CurrentCount == 0) { try { _wake.Release(); } catch (SemaphoreFullException) { } }
    }

    async Task Guard(Task t)
    {
        try { await t; }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e) { _log.LogError(e, "The event feed stopped"); }
    }

    async Task TailAsync(CancellationToken ct)
    {
        // Marks taken and not yet known to be committed, oldest first.
        var pending = new Queue<(long Upto, ulong[] Running)>();
        var failures = 0;
        // Every event up to here is committed (or never will be): handed out, or held back at a missing id.
        var committed = Position;
        while (!ct.IsCancellationRequested)
        {
            await _wake.WaitAsync(pending.Count > 0 || _held ? Recheck : Fallback, ct);
            try
            {
                var mark = await db.ReadAsync(c => db.Dialect.EventMarkAsync(c), ct);
                if (mark.Upto > Position && (pending.Count == 0 || mark.Upto > pending.Last().Upto)) pending.Enqueue(mark);
                committed = Math.Max(committed, Position);
                if (pending.Count > 0)
                {
                    var oldest = await db.ReadAsync(c => db.Dialect.OldestRunningAsync(c), ct);
                    while (pending.Count > 0 && pending.Peek().Running.All(x => x < oldest)) committed = Math.Max(committed, pending.Dequeue().Upto);
                }
                if (committed > Position) await HandOutAsync(committed, ct);
                failures = 0;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                failures++;
                _log.LogWarning("The event feed could not read the log ({Message}); trying again", e.Message);
                await Task.Delay(DbRetry.Backoff(failures), ct);
            }
        }
    }

    /// <summary>Reads the events up to <paramref name="committed"/> a page at a time and hands each page out, moving the position with it.</summary>
    async Task HandOutAsync(long committed, CancellationToken ct)
    {
        lock (_gate)
        {
            // Nobody to hand out to: move on. Under the lock, so a subscriber that comes now starts from here.
            if (_subscribers.Count == 0)
            {
                Interlocked.Exchange(ref _position, committed);
                return;
            }
        }
        while (Position < committed)
        {
            var from = Position;
            Interlocked.Increment(ref _reads);
            var page = await db.ReadAsync(async c => (await c.QueryAsync<Event>(
                "SELECT id, batch_id, job_id, task_id, kind, actor, at, data FROM event WHERE id > @from AND id <= @committed ORDER BY id LIMIT @limit",
                new { from, committed, limit = PageSize })).AsList(), ct);
            // A second guard beside the marks: an id missing below what is visible may still be committed (its
            // transaction running), so the feed stops before it and looks again, for GapGrace; an id still missing
            // then was rolled back (ids are not reused) and is passed.
            var pageEnd = page.Count < PageSize ? committed : page[^1].Id;
            var upto = pageEnd;
            var expected = from + 1;
            var handed = 0;
            foreach (var e in page)
            {
                if (e.Id != expected && !GapPassed(expected)) { upto = expected - 1; break; }
                expected = e.Id + 1;
                handed++;
            }
            if (handed == page.Count && expected <= upto && !GapPassed(expected)) upto = expected - 1;
            lock (_gate)
            {
                foreach (var e in page.Take(handed))
                    foreach (var s in _subscribers)
                        if (s.Wants(e) && !s.Events.Writer.TryWrite(e))
                            // Too far behind: end its stream; the client resumes from its last id, read from the log.
                            s.Events.Writer.TryComplete(new SubscriberLaggedException());
                Interlocked.Exchange(ref _position, Math.Max(from, upto));
            }
            foreach (var id in _missingSince.Keys.Where(id => id <= Position).ToList()) _missingSince.Remove(id);
            if (upto < pageEnd) { _held = true; return; }
        }
        _held = false;
    }

    /// <summary>One LISTEN connection per process; reconnects, and wakes the tail after a drop (a NOTIFY may have been missed).</summary>
    async Task ListenAsync(string connectionString, string channel, CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(connectionString);
                await conn.OpenAsync(ct);
                conn.Notification += (_, _) => Wake();
                await using (var cmd = new NpgsqlCommand($"LISTEN {channel}", conn)) await cmd.ExecuteNonQueryAsync(ct);
                attempt = 0;
                Wake();
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                attempt++;
                _log.LogWarning("Event LISTEN connection lost ({Message}); reconnecting (attempt {Attempt})", e.Message, attempt);
                Wake();
                await Task.Delay(DbRetry.Backoff(attempt), ct);
            }
        }
    }

    void Remove(Subscriber s)
    {
        lock (_gate) _subscribers.Remove(s);
        s.Events.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        db.Committed -= Wake;
        await _stop.CancelAsync();
        lock (_gate)
        {
            foreach (var s in _subscribers) s.Events.Writer.TryComplete();
            _subscribers.Clear();
        }
    }

    internal sealed record Subscriber(long? BatchId, Channel<Event> Events)
    {
        public bool Wants(Event e) => BatchId is { } b ? e.BatchId == b : e.TaskId is null;
    }

    /// <summary>One open stream: events after <see cref="From"/> arrive in <see cref="Events"/>; dispose to leave.</summary>
    public sealed class Subscription : IDisposable
    {
        readonly EventFeed _feed;
        readonly Subscriber _subscriber;

        internal Subscription(EventFeed feed, Subscriber subscriber, long from)
        {
            _feed = feed;
            _subscriber = subscriber;
            From = from;
        }

        public long From { get; }
        public long? BatchId => _subscriber.BatchId;
        public ChannelReader<Event> Events => _subscriber.Events.Reader;
        public void Dispose() => _feed.Remove(_subscriber);
    }
}

/// <summary>A subscriber fell more than <see cref="EventFeed.SubscriberBuffer"/> events behind: its stream ends, the client resumes.</summary>
public sealed class SubscriberLaggedException() : Exception("The stream fell too far behind the event log; resume from the last event id.");
