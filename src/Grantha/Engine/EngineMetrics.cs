using System.Diagnostics.Metrics;

namespace Grantha.Engine;

/// <summary>
/// OpenTelemetry instruments of the engine (Meter "Grantha.Engine"), exported at /metrics with Prometheus names
/// (dots become underscores, the unit is appended, counters end in _total: docs/operations.md lists them).
/// Labels are few on purpose: stage, outcome, reason.
/// </summary>
public static class EngineMetrics
{
    public const string MeterName = "Grantha.Engine";
    static readonly Meter Meter = new(MeterName);

    /// <summary>Seconds: from a few milliseconds (a claim loop that was waiting) to an hour (a backlog).</summary>
    static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
    };

    static readonly Counter<long> ClaimedCounter = Meter.CreateCounter<long>("grantha.tasks.claimed", description: "Tasks claimed, by stage");
    static readonly Counter<long> CompletedCounter = Meter.CreateCounter<long>("grantha.tasks.completed", description: "Tasks succeeded, by stage");
    static readonly Counter<long> FailedCounter = Meter.CreateCounter<long>("grantha.tasks.failed", description: "Task failures, by stage, code and resulting state");
    static readonly Counter<long> FinishedCounter = Meter.CreateCounter<long>("grantha.tasks.finished",
        description: "Task outcomes recorded, by stage and outcome (succeeded, retry_wait, failed, blocked, cancelled)");
    static readonly Counter<long> RescuedCounter = Meter.CreateCounter<long>("grantha.tasks.rescued",
        description: "Tasks returned to the queue because their worker stopped, by reason (lease_expired, worker_gone)");
    static readonly Histogram<double> DurationHistogram = Meter.CreateHistogram("grantha.task.duration", unit: "s",
        description: "Handler run time, by stage and outcome", advice: SecondsBuckets);
    static readonly Histogram<double> QueueWaitHistogram = Meter.CreateHistogram("grantha.task.queue_wait", unit: "s",
        description: "From a task's due time to its claim, by stage", advice: SecondsBuckets);
    // Slots are read when scraped, not added up from changes: a reader that starts after a worker (a second host
    // in one process, as tests run them) would otherwise count the worker's stop without its start.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> SlotsNow = new();
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> BusyNow = new();

    static readonly object Gate = new();
    /// <summary>The watchdog's last reading, per store (a process has one; tests have many at once).</summary>
    static readonly Dictionary<string, Reading> Readings = [];
    sealed record Reading(IReadOnlyDictionary<string, QueueGauge> Queue, BatchGauge Batches, long LeaseOverdueMs);

    /// <summary>What the watchdog read of one stage's queue.</summary>
    public sealed record QueueGauge(long Depth, long OldestDueAgeMs);
    /// <summary>What the watchdog read of the batches: running, the oldest running one's age, and how many are stuck.</summary>
    public sealed record BatchGauge(long Running, long OldestRunningAgeMs, long Stuck);

    static EngineMetrics()
    {
        Meter.CreateObservableUpDownCounter("grantha.worker.slots", () => Now(SlotsNow), description: "Task slots of this process's claim loops, by stage");
        Meter.CreateObservableUpDownCounter("grantha.worker.slots.busy", () => Now(BusyNow), description: "Task slots running a handler now, by stage");
        // Read from the database by the watchdog every few seconds (Watchdog.IntervalDefault), never per scrape.
        Meter.CreateObservableGauge("grantha.queue.depth", () => Queue(q => (double)q.Depth),
            description: "Tasks waiting (pending or retry-wait), by stage");
        Meter.CreateObservableGauge("grantha.queue.oldest_due_age", () => Queue(q => q.OldestDueAgeMs / 1000.0), unit: "s",
            description: "Age of the oldest task that is due and not claimed, by stage (0 when none is due)");
        Meter.CreateObservableGauge("grantha.task.lease_overdue", () => Read(r => r.LeaseOverdueMs / 1000.0), unit: "s",
            description: "How long the longest-expired lease of a running task has been expired (0 when none): the rescuer's lag");
        Meter.CreateObservableGauge("grantha.batches.running", () => Read(r => (double)r.Batches.Running), description: "Batches running");
        Meter.CreateObservableGauge("grantha.batch.oldest_running_age", () => Read(r => r.Batches.OldestRunningAgeMs / 1000.0), unit: "s",
            description: "Age of the oldest running batch");
        Meter.CreateObservableGauge("grantha.batches.stuck", () => Read(r => (double)r.Batches.Stuck),
            description: "Running batches with due work and no task outcome for Worker:StuckAfter (event batch_stuck)");
    }

    static IEnumerable<Measurement<double>> Read(Func<Reading, double> value)
    {
        lock (Gate) return Readings.Values.Select(r => new Measurement<double>(value(r))).ToList();
    }
    static IEnumerable<Measurement<double>> Queue(Func<QueueGauge, double> value)
    {
        lock (Gate) return Readings.Values.SelectMany(r => r.Queue).Select(kv => new Measurement<double>(value(kv.Value), Stage(kv.Key))).ToList();
    }

    static KeyValuePair<string, object?> Stage(string stage) => new("stage", stage);

    public static void Claimed(string stage, int n) { if (n > 0) ClaimedCounter.Add(n, Stage(stage)); }
    public static void Completed(IEnumerable<Outcome.Succeeded> done)
    {
        foreach (var g in done.GroupBy(d => d.Task.Stage)) CompletedCounter.Add(g.Count(), Stage(g.Key));
    }
    public static void Failed(string stage, string code, string state) =>
        FailedCounter.Add(1, Stage(stage), new("code", code), new("state", state));
    /// <summary>An outcome the store took (the lease was still held); <paramref name="state"/> is the task's new state.</summary>
    public static void Finished(string stage, string state, int n = 1)
    {
        if (n > 0) FinishedCounter.Add(n, Stage(stage), new("outcome", state.ToLowerInvariant()));
    }
    public static void Rescued(string reason, int n) { if (n > 0) RescuedCounter.Add(n, new KeyValuePair<string, object?>("reason", reason)); }
    public static void Duration(string stage, string outcome, double seconds) => DurationHistogram.Record(seconds, Stage(stage), new("outcome", outcome));
    public static void QueueWait(string stage, double seconds) => QueueWaitHistogram.Record(Math.Max(0, seconds), Stage(stage));
    public static void Slots(string stage, int n) => SlotsNow.AddOrUpdate(stage, n, (_, v) => v + n);
    public static void Busy(string stage, int n) => BusyNow.AddOrUpdate(stage, n, (_, v) => v + n);

    static IEnumerable<Measurement<long>> Now(System.Collections.Concurrent.ConcurrentDictionary<string, long> values) =>
        values.Select(kv => new Measurement<long>(kv.Value, Stage(kv.Key))).ToList();

    public static void Observed(string store, IReadOnlyDictionary<string, QueueGauge> queue, BatchGauge batches, long leaseOverdueMs)
    {
        lock (Gate) Readings[store] = new Reading(new Dictionary<string, QueueGauge>(queue), batches, leaseOverdueMs);
    }
}
