using Dapper;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

/// <summary>A stage handler whose behaviour a test sets per task subject.</summary>
public sealed class ScriptedHandler(string stage, Func<TaskContext, CancellationToken, Task<TaskResult>> run, StageSettings? settings = null) : StageHandler
{
    public override string Stage { get; } = stage;
    public override StageSettings Settings { get; } = settings ?? new StageSettings { MaxAttempts = 3, Lease = TimeSpan.FromSeconds(2), Concurrency = 8 };
    // Scripted stages read and write raw payloads: any of them may follow any other.
    public override Type PayloadType => typeof(NoPayload);
    public override Type NextPayloadType => typeof(NoPayload);
    public int Calls;
    public override Task<TaskResult> HandleAsync(TaskContext context, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        return run(context, ct);
    }
}

public static class EngineHarness
{
    /// <summary>The pipeline's stages with their default settings, for routing handler calls made without a worker.</summary>
    public static readonly Pipeline Stages = new(new Grantha.Manifest.ManifestHandler(), new Grantha.Fetch.FetchHandler(), new Grantha.Extract.ExtractHandler(), new Grantha.Resolve.ResolveHandler());

    /// <summary>
    /// The context as a worker would hand it over: with the stage after this one when the batch runs it
    /// (the batch's options, else its jobs).
    /// </summary>
    public static TaskContext Routed(TaskContext context)
    {
        var plan = BatchPlans.LoadAsync(context.Db, context.Task.BatchId, CancellationToken.None).GetAwaiter().GetResult();
        return context with { Next = Stages.NextFor(context.Task.Stage, context.Batch.Stages ?? plan.Stages) };
    }

    public static readonly WorkerOptions FastWorker = new() { PollInterval = TimeSpan.FromMilliseconds(20), Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) } };

    /// <summary>A batch with the given stages and <paramref name="n"/> tasks of the first stage.</summary>
    public static Task<long> BatchWithTasksAsync(Db db, int n, params string[] stages) =>
        Batches.CreateAsync(db, "test", new BatchOptions(), "test", stages, async (c, tx, id) =>
        {
            var tasks = Enumerable.Range(1, n).Select(i => new NewTask(stages[0], $"{id}:{stages[0]}:t{i}", $"t{i}", "example.org")).ToList();
            await db.Queue.InsertAsync(c, tx, id, tasks, _ => 3, Db.NowMs());
        });

    /// <summary>Runs a worker until the batch leaves RUNNING or the time runs out.</summary>
    public static async Task<string> RunUntilSettledAsync(Db db, long batchId, IEnumerable<StageHandler> handlers, TimeSpan? max = null, WorkerOptions? options = null)
    {
        using var cts = new CancellationTokenSource(max ?? TimeSpan.FromSeconds(30));
        var worker = new Worker(db, new Pipeline(handlers), options ?? FastWorker);
        var run = worker.RunAsync(cts.Token);
        string status;
        while (true)
        {
            status = (await Batches.GetAsync(db, batchId))!.Status;
            if (status != BatchStatus.Running || cts.IsCancellationRequested) break;
            await Task.Delay(20);
        }
        await cts.CancelAsync();
        await run;
        return (await Batches.GetAsync(db, batchId))!.Status;
    }

    /// <summary>Runs a worker until <paramref name="done"/> holds or the time runs out.</summary>
    public static async Task RunUntilAsync(Db db, Func<Task<bool>> done, IEnumerable<StageHandler> handlers, TimeSpan? max = null, WorkerOptions? options = null)
    {
        using var cts = new CancellationTokenSource(max ?? TimeSpan.FromSeconds(30));
        var run = new Worker(db, new Pipeline(handlers), options ?? FastWorker).RunAsync(cts.Token);
        while (!await done() && !cts.IsCancellationRequested) await Task.Delay(20);
        await cts.CancelAsync();
        await run;
        (await done()).ShouldBeTrue("the condition did not hold in time");
    }

    public static async Task<Dictionary<string, long>> StatesAsync(Db db, long batchId) =>
        (await db.ReadAsync(c => c.QueryAsync<(string, long)>("SELECT state, COUNT(*) FROM stage_task WHERE batch_id = @batchId GROUP BY state", new { batchId })))
        .ToDictionary(x => x.Item1, x => x.Item2);

    public static Task<long> EventCountAsync(Db db, long batchId, string kind) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event WHERE batch_id = @batchId AND kind = @kind", new { batchId, kind }));
}
