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
}

static class Tag
{
    public static KeyValuePair<string, object?> Host(string host) => new("host", host);
    public static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);
    public static KeyValuePair<string, object?> StatusClass(string statusClass) => new("status_class", statusClass);
}
