using System.Diagnostics.Metrics;

namespace Grantha.Fetch;

/// <summary>The "Grantha.Fetch" meter: request latency per host, throttling, answers by status class.</summary>
public static class FetchMetrics
{
    public const string MeterName = "Grantha.Fetch";

    static readonly Meter Meter = new(MeterName);

    /// <summary>Time from sending a request to the last byte of its answer, per (source) host and status class.</summary>
    public static readonly Histogram<double> RequestDuration =
        Meter.CreateHistogram<double>("grantha.fetch.request.duration", unit: "ms", description: "Fetch request latency per host");

    /// <summary>Requests held back by politeness: reason waited (in-process), snoozed (start too far off: task given back), busy (no free slot: task given back), robots (disallowed).</summary>
    public static readonly Counter<long> Throttled =
        Meter.CreateCounter<long>("grantha.fetch.throttled", description: "Fetches delayed or given back by per-host politeness");

    /// <summary>Answers by status class (2xx..5xx), and transport failures as "error".</summary>
    public static readonly Counter<long> Responses =
        Meter.CreateCounter<long>("grantha.fetch.responses", description: "Fetch answers by status class");

    /// <summary>
    /// A host told us to back off and the gate slowed it down: reason retry_after (it named a time: the host is
    /// blocked until then), else status_429 or status_503. Labelled by the manifest's host (the task's).
    /// </summary>
    public static readonly Counter<long> HostBlocks =
        Meter.CreateCounter<long>("grantha.fetch.host.blocks", description: "Hosts slowed down or blocked at their request (429, 503, Retry-After), by manifest host and reason");

    /// <summary>
    /// Two request starts to one host, in this process, closer than the host's delay. The gate's reservations
    /// make this impossible; a count here is a bug or a clock jump, and the SLO says never (docs/operations.md).
    /// </summary>
    public static readonly Counter<long> PolitenessViolations =
        Meter.CreateCounter<long>("grantha.fetch.politeness.violations", description: "Request starts to one host closer than its delay (must stay 0)");

    static readonly object Gate = new();
    /// <summary>Per store (a process has one; tests have many, each with hosts of its own).</summary>
    static readonly Dictionary<string, Dictionary<string, HostGauge>> Stores = [];

    /// <summary>One manifest host's politeness as stored: its delay in force and until when it is blocked (Unix ms, 0: not blocked).</summary>
    public sealed record HostGauge(long DelayMs, long BlockedUntilMs);

    static FetchMetrics()
    {
        // Read from host_state by the watchdog (FetchHandler.ObserveAsync) every few seconds, never per scrape.
        Meter.CreateObservableGauge("grantha.fetch.host.delay", () => Hosts(h => h.DelayMs / 1000.0), unit: "s",
            description: "The delay between request starts in force for a manifest host with open fetch work");
        Meter.CreateObservableGauge("grantha.fetch.host.blocked_until", () => Hosts(h => h.BlockedUntilMs / 1000.0), unit: "s",
            description: "Until when (Unix time) a manifest host with open fetch work is blocked by a Retry-After (0: not blocked)");
    }

    static IEnumerable<Measurement<double>> Hosts(Func<HostGauge, double> value)
    {
        lock (Gate) return Stores.Values.SelectMany(h => h).Select(kv => new Measurement<double>(value(kv.Value), Tag.Host(kv.Key))).ToList();
    }

    internal static void ObservedHosts(string store, IReadOnlyDictionary<string, HostGauge> hosts)
    {
        lock (Gate) Stores[store] = new Dictionary<string, HostGauge>(hosts);
    }
}

static class Tag
{
    public static KeyValuePair<string, object?> Host(string host) => new("host", host);
    public static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);
    public static KeyValuePair<string, object?> StatusClass(string statusClass) => new("status_class", statusClass);
}
