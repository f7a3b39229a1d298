using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grantha.OfflineSite;

/// <summary>One request the site answered.</summary>
public sealed record SiteRequest(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("started")] DateTimeOffset Started,
    [property: JsonPropertyName("ended")] DateTimeOffset Ended,
    [property: JsonPropertyName("fault")] string? Fault)
{
    [JsonPropertyName("duration_ms")] public double DurationMs => (Ended - Started).TotalMilliseconds;
}

/// <summary>Per-host numbers for politeness checks.</summary>
public sealed record HostStats(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("max_in_flight")] int MaxInFlight,
    [property: JsonPropertyName("min_gap_ms")] double? MinGapMs,
    [property: JsonPropertyName("statuses")] IReadOnlyDictionary<string, int> Statuses,
    [property: JsonPropertyName("faults")] IReadOnlyDictionary<string, int> Faults);

/// <summary>
/// A time the site's process did not run (a GC, the machine's scheduler): requests that arrived
/// then are stamped late and bunched, so a gap in the log that falls in a stall says nothing
/// about the client.
/// </summary>
public sealed record SiteStall(
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("ms")] double Ms);

public sealed record SiteStats(
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("hosts")] IReadOnlyList<HostStats> Hosts,
    [property: JsonPropertyName("gc_pause_ms")] double GcPauseMs = 0,
    [property: JsonPropertyName("gc_collections")] IReadOnlyList<int>? GcCollections = null,
    [property: JsonPropertyName("stalls")] IReadOnlyList<SiteStall>? Stalls = null)
{
    public HostStats For(string host) => Hosts.First(h => string.Equals(h.Host, host, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The site's request log: every answered request in memory (optionally appended to a JSONL
/// file), plus live in-flight counters per host. Timestamps come from one monotonic clock so
/// gaps between request starts are exact to the microsecond.
/// </summary>
public sealed class SiteRequestLog : IDisposable
{
    readonly ConcurrentQueue<SiteRequest> _entries = new();
    readonly ConcurrentDictionary<string, HostCounter> _counters = new(StringComparer.OrdinalIgnoreCase);
    readonly DateTimeOffset _wallStart = DateTimeOffset.UtcNow;
    readonly long _tickStart = Stopwatch.GetTimestamp();
    readonly StreamWriter? _file;
    readonly Lock _fileLock = new();

    sealed class HostCounter
    {
        public int InFlight;
        public int MaxInFlight;
    }

    /// <summary>A watcher thread that oversleeps by this much saw the process stop.</summary>
    public static readonly TimeSpan StallThreshold = TimeSpan.FromMilliseconds(20);
    readonly ConcurrentQueue<SiteStall> _stalls = new();
    volatile bool _disposed;

    public SiteRequestLog(string? jsonlPath = null)
    {
        new Thread(WatchStalls) { IsBackground = true, Name = "site stall watch", Priority = ThreadPriority.AboveNormal }.Start();
        if (jsonlPath is null) return;
        var dir = Path.GetDirectoryName(Path.GetFullPath(jsonlPath));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _file = new StreamWriter(new FileStream(jsonlPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public DateTimeOffset Now => _wallStart + Stopwatch.GetElapsedTime(_tickStart);

    /// <summary>Marks a request start; returns its start time.</summary>
    public DateTimeOffset Begin(string host)
    {
        var c = _counters.GetOrAdd(host, _ => new HostCounter());
        var now = Interlocked.Increment(ref c.InFlight);
        int max;
        while (now > (max = Volatile.Read(ref c.MaxInFlight)) && Interlocked.CompareExchange(ref c.MaxInFlight, now, max) != max) { }
        return Now;
    }

    public void End(SiteRequest request)
    {
        if (_counters.TryGetValue(request.Host, out var c)) Interlocked.Decrement(ref c.InFlight);
        _entries.Enqueue(request);
        if (_file is null) return;
        var line = JsonSerializer.Serialize(request);
        lock (_fileLock) _file.WriteLine(line);
    }

    public IReadOnlyList<SiteRequest> Entries => _entries.ToArray();

    public IReadOnlyList<SiteStall> Stalls => _stalls.ToArray();

    void WatchStalls()
    {
        const int tickMs = 5;
        while (!_disposed)
        {
            var before = Stopwatch.GetTimestamp();
            Thread.Sleep(tickMs);
            var over = Stopwatch.GetElapsedTime(before) - TimeSpan.FromMilliseconds(tickMs);
            if (over >= StallThreshold) _stalls.Enqueue(new SiteStall(Now - over - TimeSpan.FromMilliseconds(tickMs), Math.Round(over.TotalMilliseconds, 1)));
        }
    }

    public SiteStats Stats(IReadOnlyDictionary<string, int> hostPorts)
    {
        var entries = _entries.ToArray();
        var hosts = hostPorts.Select(hp =>
        {
            var mine = entries.Where(e => string.Equals(e.Host, hp.Key, StringComparison.OrdinalIgnoreCase)).OrderBy(e => e.Started).ToList();
            double? minGap = null;
            for (var i = 1; i < mine.Count; i++)
            {
                var gap = (mine[i].Started - mine[i - 1].Started).TotalMilliseconds;
                if (minGap is null || gap < minGap) minGap = gap;
            }
            var max = _counters.TryGetValue(hp.Key, out var c) ? Volatile.Read(ref c.MaxInFlight) : 0;
            return new HostStats(hp.Key, hp.Value, mine.Count, max, minGap,
                mine.GroupBy(e => e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
                mine.Where(e => e.Fault is not null).GroupBy(e => e.Fault!).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()));
        }).ToList();
        return new SiteStats(entries.Length, hosts, Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 1),
            [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)], Stalls);
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_fileLock) _file?.Dispose();
    }
}
