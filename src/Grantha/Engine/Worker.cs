using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grantha.Engine;

/// <summary>Knobs of a worker process, with their defaults.</summary>
public sealed record WorkerOptions
{
    public static readonly TimeSpan PollIntervalDefault = TimeSpan.FromMilliseconds(250);

    /// <summary>Identifies this process in leases and events (host:pid:random).</summary>
    public string Id { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("n")[..6]}";
    /// <summary>Longest wait for work when no signal comes (another SQLite process, a missed NOTIFY, a retry coming due).</summary>
    public TimeSpan PollInterval { get; init; } = PollIntervalDefault;
    /// <summary>Stages to run (default: every stage of the pipeline; the others still lend their settings to follow-up tasks).</summary>
    public IReadOnlyCollection<string>? Stages { get; init; }
    public RetryPolicy Retry { get; init; } = new();
    /// <summary>Overrides a stage's concurrency (tests, benchmarks).</summary>
    public IReadOnlyDictionary<string, int>? Concurrency { get; init; }
    /// <summary>A running batch with due work and no task outcome for this long is stuck (<see cref="Watchdog"/>: event batch_stuck).</summary>
    public TimeSpan StuckAfter { get; init; } = Watchdog.StuckAfterDefault;
    /// <summary>Between the watchdog's passes: the gauges it reads are this old at most.</summary>
    public TimeSpan WatchInterval { get; init; } = Watchdog.IntervalDefault;
}

/// <summary>
/// A worker process's engine: one claim loop per stage, plus the completer, lease keeper,
/// rescuer and (PostgreSQL) notifier. Run as many as you like against one PostgreSQL; each
/// task runs in one of them at a time.
/// </summary>
public sealed class Worker
{
    readonly Db _db;
    readonly Pipeline _pipeline;
    readonly Dictionary<string, StageHandler> _handlers;
    readonly WorkerOptions _options;
    readonly ILogger _log;
    readonly TaskQueue _queue;
    readonly EngineSignals _signals;
    readonly BatchPlans _batches;

    public string Id => _options.Id;
    public EngineSignals Signals => _signals;

    public Worker(Db db, Pipeline pipeline, WorkerOptions? options = null, ILogger? log = null, EngineSignals? signals = null)
    {
        _db = db;
        _pipeline = pipeline;
        _options = options ?? new WorkerOptions();
        _handlers = pipeline.Stages.Where(h => _options.Stages is null || _options.Stages.Contains(h.Stage)).ToDictionary(h => h.Stage);
        _log = log ?? NullLogger.Instance;
        _queue = db.Queue;
        _signals = signals ?? new EngineSignals();
        _batches = new BatchPlans(db);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var settings = new Func<string, StageSettings>(_pipeline.SettingsOf);
        var maxLease = _handlers.Values.Select(h => h.Settings.Lease).DefaultIfEmpty(StageSettings.LeaseDefault).Min();
        var completer = new Completer(_db, _queue, Id, settings, _options.Retry, _signals, _log);
        var keeper = new LeaseKeeper(_db, _queue, Id, maxLease, _log);
        var rescuer = new Rescuer(_db, _queue, _signals, _log, self: Id);
        // PostgreSQL: the lock that says this process lives, taken before the worker row names its key.
        Liveness? liveness = null;
        try
        {
            if (_db.PostgresConnectionString is { } pg) liveness = await Liveness.TakeAsync(pg, _log, ct);
            await RegisterAsync(liveness?.Key, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped before it started (a host shutting down at once): a stop, not an error. The
            // registration may have committed before the cancel reached it.
            await UnregisterAsync();
            if (liveness is not null) await liveness.DisposeAsync();
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watchdog = new Watchdog(_db, _handlers.Values, _log) { Interval = _options.WatchInterval, StuckAfter = _options.StuckAfter };
        var background = new List<Task> { Guard(keeper.RunAsync(stop.Token)), Guard(rescuer.RunAsync(stop.Token)), Guard(watchdog.RunAsync(stop.Token)) };
        if (liveness is not null) background.Add(Guard(liveness.RunAsync((key, token) => RegisterAsync(key, token), stop.Token)));
        if (_db.PostgresConnectionString is { } cs) background.Add(Guard(new Notifier(cs, _signals, _log).RunAsync(stop.Token)));
        var completing = completer.RunAsync(CancellationToken.None);
        var loops = _handlers.Values.Select(h => ClaimLoopAsync(h, completer, keeper, stop.Token)).ToList();
        _log.LogInformation("Worker {Worker} running stages {Stages} on {Db}", Id, string.Join(",", _handlers.Keys), _db.Description);
        try { await Task.WhenAll(loops); }
        finally
        {
            // Handlers have returned (or were stopped): record their outcomes before leaving.
            completer.Complete();
            await completing;
            await stop.CancelAsync();
            await Task.WhenAll(background);
            // The row goes before the lock: no rescuer sees this worker's key free while its row still names it.
            await UnregisterAsync();
            if (liveness is not null) await liveness.DisposeAsync();
        }
    }

    static async Task Guard(Task t)
    {
        try { await t; } catch (OperationCanceledException) { }
    }

    async Task ClaimLoopAsync(StageHandler handler, Completer completer, LeaseKeeper keeper, CancellationToken ct)
    {
        var stage = handler.Stage;
        var concurrency = _options.Concurrency?.GetValueOrDefault(stage) is > 0 and var c ? c : handler.Settings.ConcurrencyOn(_db.Kind);
        var slots = new SemaphoreSlim(concurrency, concurrency);
        var running = new List<Task>();
        var leaseMs = (long)handler.Settings.Lease.TotalMilliseconds;
        var failures = 0;
        EngineMetrics.Slots(stage, concurrency);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(ct);
                slots.Release();
                var free = slots.CurrentCount;
                var now = Db.NowMs();
                var claimed = await _db.WriteStatementAsync((c, tx) => _queue.ClaimAsync(c, tx, stage, Id, Math.Min(free, TaskQueue.ClaimBatchMax), leaseMs, now), ct);
                failures = 0;
                EngineMetrics.Claimed(stage, claimed.Count);
                foreach (var task in claimed) EngineMetrics.QueueWait(stage, (now - task.DueAt) / 1000.0);
                foreach (var task in claimed)
                {
                    await slots.WaitAsync(ct);
                    running.Add(RunOneAsync(handler, task, completer, keeper, slots, ct));
                }
                running.RemoveAll(t => t.IsCompleted);
                // A full claim means more may be waiting: go again at once. Otherwise wait for a signal.
                if (claimed.Count < Math.Min(free, TaskQueue.ClaimBatchMax))
                    await _signals.WaitAsync(stage, _options.PollInterval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                failures++;
                _log.LogWarning("Claim for {Stage} failed ({Message}); retrying", stage, e.Message);
                try { await Task.Delay(DbRetry.Backoff(failures), ct); } catch (OperationCanceledException) { break; }
            }
        }
        await Task.WhenAll(running);
        EngineMetrics.Slots(stage, -concurrency);
    }

    async Task RunOneAsync(StageHandler handler, StageTask task, Completer completer, LeaseKeeper keeper, SemaphoreSlim slots, CancellationToken shutdown)
    {
        await Task.Yield();
        var tracked = keeper.Track(task, shutdown);
        var sw = Stopwatch.StartNew();
        EngineMetrics.Busy(task.Stage, 1);
        // What the handler did, for the duration histogram (the store's outcome is counted when it is written).
        var outcome = "lost";
        try
        {
            var batch = await _batches.GetAsync(task.BatchId, tracked.Stop.Token);
            var context = new TaskContext(task, _db, batch.Options, Id) { Next = _pipeline.NextFor(task.Stage, batch.Stages) };
            var result = await handler.HandleAsync(context, tracked.Stop.Token);
            completer.Add(new Outcome.Succeeded(task, result));
            outcome = "succeeded";
        }
        catch (StageException e) { completer.Add(new Outcome.Failed(task, e)); outcome = "failed"; }
        catch (TaskSnoozedException e) { completer.Add(new Outcome.Snoozed(task, e.Delay, e.Message, e.WholeHost)); outcome = "snoozed"; }
        catch (OperationCanceledException) when (tracked.Stop.IsCancellationRequested)
        {
            if (tracked.BatchCancelled) { completer.Add(new Outcome.Cancelled(task)); outcome = "cancelled"; }
            // Shutting down: hand the task back at once without counting the attempt.
            else if (shutdown.IsCancellationRequested) { completer.Add(new Outcome.Snoozed(task, TimeSpan.Zero, "worker shut down")); outcome = "snoozed"; }
            // Otherwise the lease was lost: another worker owns the task now; record nothing.
        }
        catch (Exception e)
        {
            _log.LogWarning(e, "Task {TaskId} ({Stage}) failed unexpectedly", task.Id, task.Stage);
            completer.Add(new Outcome.Failed(task, StageException.Transient("unexpected", $"{e.GetType().Name}: {e.Message}", inner: e)));
            outcome = "failed";
        }
        finally
        {
            EngineMetrics.Duration(task.Stage, outcome, sw.Elapsed.TotalSeconds);
            EngineMetrics.Busy(task.Stage, -1);
            keeper.Untrack(task.Id);
            slots.Release();
            _signals.WorkArrived(task.Stage);
        }
    }

    /// <summary>Announces this worker (again, after its liveness lock was taken anew: a rescuer may have removed the row).</summary>
    async Task RegisterAsync(int? lockKey, CancellationToken ct)
    {
        var now = Db.NowMs();
        await _db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM worker WHERE id = @Id", new { Id }, tx);
            await c.ExecuteAsync("INSERT INTO worker (id, host_name, pid, stages, started_at, seen_at, lock_key) VALUES (@Id, @host, @pid, @stages, @now, @now, @lockKey)",
                new { Id, host = Environment.MachineName, pid = Environment.ProcessId, stages = string.Join(",", _handlers.Keys), now, lockKey }, tx);
        }, ct);
    }

    async Task UnregisterAsync()
    {
        try { await _db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM worker WHERE id = @Id", new { Id }, tx)); }
        catch (Exception e) { _log.LogDebug(e, "Could not unregister worker"); }
    }
}

/// <summary>What a batch was created with: its options and its stages (its jobs, in pipeline order).</summary>
public sealed record BatchPlan(BatchOptions Options, IReadOnlyList<string> Stages);

/// <summary>A batch's options and stages never change after creation: read once per batch per process.</summary>
public sealed class BatchPlans(Db db)
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<long, Task<BatchPlan>> _cache = new();

    public Task<BatchPlan> GetAsync(long batchId, CancellationToken ct)
    {
        var plan = _cache.GetOrAdd(batchId, id => LoadAsync(db, id, CancellationToken.None));
        // A failed read (the database was away) is not kept: the next task reads again.
        if (plan.IsFaulted) _cache.TryRemove(new(batchId, plan));
        return plan.WaitAsync(ct);
    }

    public static Task<BatchPlan> LoadAsync(Db db, long batchId, CancellationToken ct) => db.ReadAsync(async c =>
    {
        using var grid = await c.QueryMultipleAsync(
            "SELECT options FROM batch WHERE id = @batchId; SELECT stage FROM job WHERE batch_id = @batchId ORDER BY id", new { batchId });
        var options = BatchOptions.FromJson(await grid.ReadSingleOrDefaultAsync<string?>());
        // Batches list their stages in their options; older ones have only their jobs.
        return new BatchPlan(options, options.Stages ?? (await grid.ReadAsync<string>()).AsList());
    }, ct);
}
