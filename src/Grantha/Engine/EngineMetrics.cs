using System.Diagnostics.Metrics;

namespace Grantha.Engine;

/// <summary>OpenTelemetry-ready instruments of the engine (Meter "Grantha.Engine"), exported at /metrics.</summary>
public static class EngineMetrics
{
    public const string MeterName = "Grantha.Engine";
    static readonly Meter Meter = new(MeterName);
    static readonly Counter<long> ClaimedCounter = Meter.CreateCounter<long>("grantha.tasks.claimed", description: "Tasks claimed, by stage");
    static readonly Counter<long> CompletedCounter = Meter.CreateCounter<long>("grantha.tasks.completed", description: "Tasks succeeded, by stage");
    static readonly Counter<long> FailedCounter = Meter.CreateCounter<long>("grantha.tasks.failed", description: "Task failures, by stage, code and resulting state");
    static readonly Counter<long> RescuedCounter = Meter.CreateCounter<long>("grantha.tasks.rescued", description: "Tasks rescued after their lease expired");
    static readonly Histogram<double> DurationHistogram = Meter.CreateHistogram<double>("grantha.task.duration", unit: "ms", description: "Handler run time, by stage");
    static readonly Dictionary<string, long> QueueDepthByStage = new();

    static EngineMetrics()
    {
        Meter.CreateObservableGauge("grantha.queue.depth", () =>
        {
            lock (QueueDepthByStage)
                return QueueDepthByStage.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("stage", kv.Key))).ToList();
        }, description: "Tasks waiting (pending or retry-wait), by stage");
    }

    public static void Claimed(string stage, int n) { if (n > 0) ClaimedCounter.Add(n, new KeyValuePair<string, object?>("stage", stage)); }
    public static void Completed(IEnumerable<Outcome.Succeeded> done)
    {
        foreach (var g in done.GroupBy(d => d.Task.Stage)) CompletedCounter.Add(g.Count(), new KeyValuePair<string, object?>("stage", g.Key));
    }
    public static void Failed(string stage, string code, string state) =>
        FailedCounter.Add(1, new("stage", stage), new("code", code), new("state", state));
    public static void Rescued(int n) { if (n > 0) RescuedCounter.Add(n); }
    public static void Duration(string stage, double ms) => DurationHistogram.Record(ms, new KeyValuePair<string, object?>("stage", stage));
    public static void QueueDepth(IEnumerable<(string Stage, long Count)> depth)
    {
        lock (QueueDepthByStage)
        {
            QueueDepthByStage.Clear();
            foreach (var (s, n) in depth) QueueDepthByStage[s] = n;
        }
    }
}
