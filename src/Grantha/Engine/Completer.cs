using Dapper;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Grantha.Engine;

/// <summary>What became of a task a handler ran.</summary>
public abstract record Outcome(StageTask Task)
{
    public sealed record Succeeded(StageTask Task, TaskResult Result) : Outcome(Task);
    public sealed record Failed(StageTask Task, StageException Error) : Outcome(Task);
    public sealed record Snoozed(StageTask Task, TimeSpan Delay, string Reason, bool WholeHost = false) : Outcome(Task);
    /// <summary>The batch was cancelled while the task ran and the handler stopped.</summary>
    public sealed record Cancelled(StageTask Task) : Outcome(Task);
}

/// <summary>
/// Records outcomes in bulk: whatever has queued up since the last write goes in one
/// transaction (successes in one statement on PostgreSQL), with their follow-up tasks and
/// events, then settles the batches touched. No timer: under load batches grow by themselves.
/// </summary>
public sealed class Completer(Db db, TaskQueue queue, string owner, Func<string, StageSettings> settings, RetryPolicy retry, EngineSignals signals, ILogger log)
{
    /// <summary>Outcomes written in one transaction at most.</summary>
    public const int FlushMax = 500;

    /// <summary>Rounds of retried writes before outcomes are given up (each round is a whole <see cref="DbRetry"/>; minutes in all).</summary>
    public const int FlushRounds = 60;

    readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = false });

    public void Add(Outcome outcome)
    {
        if (!_outcomes.Writer.TryWrite(outcome)) throw new InvalidOperationException("The completer has stopped.");
    }

    public void Complete() => _outcomes.Writer.TryComplete();

    /// <summary>
    /// Flushes in flight at once (PostgreSQL): while one holds the batch rows (follow-ups, settling, its commit),
    /// the next already marks its tasks done. With one, that statement (the engine's largest per task) waited
    /// for the whole of the previous flush. SQLite has one writer: one.
    /// </summary>
    public const int Flushers = 2;

    public Task RunAsync(CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, db.Dialect.OneWriter ? 1 : Flushers).Select(_ => FlushLoopAsync()));

    async Task FlushLoopAsync()
    {
        var batch = new List<Outcome>(FlushMax);
        // Runs until the channel is completed and drained, even after ct: outcomes of work done are not dropped on shutdown.
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < FlushMax && _outcomes.Reader.TryRead(out var o)) batch.Add(o);
            if (batch.Count == 0) continue;  // the other flusher took them
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await FlushAsync(batch);
                    break;
                }
                catch (Exception e) when (attempt < FlushRounds)
                {
                    // The database is away (restart, network) longer than one round trip's retries.
                    // Keep the outcomes and try again; if this process dies meanwhile, the leases
                    // expire and the rescuer requeues.
                    log.LogWarning(e, "Could not record {Count} task outcomes (round {Attempt}); retrying", batch.Count, attempt);
                    await Task.Delay(DbRetry.Backoff(attempt), CancellationToken.None);
                }
            }
            batch.Clear();
        }
    }

    async Task FlushAsync(List<Outcome> batch)
    {
        var followUpStages = new HashSet<string>();
        await db.WriteAsync(async (c, tx) =>
        {
            var now = Db.NowMs();
            var touched = new HashSet<long>();
            var successes = batch.OfType<Outcome.Succeeded>().ToList();
            // The tasks first, then the batch rows (as the rescuer does): their rows are this worker's own (RUNNING,
            // its lease), which no control moves and no other flush touches, so the other flusher marks its tasks done
            // meanwhile instead of waiting for this one's batch lock. What needs the batch lock comes after it:
            // follow-ups (their jobs), settling (it must see every other recorder's tasks committed).
            var done = await queue.SucceedAsync(c, tx, owner, successes.Select(s => (s.Task.Id, s.Result.ResultJson)).ToList(), now);
            var statuses = await db.Dialect.LockBatchesAsync(c, tx, batch.Select(o => o.Task.BatchId));
            if (successes.Count > 0)
            {
                var doneIds = done.Select(d => d.Id).ToHashSet();
                // Follow-ups go in one insert per batch, not one per completed task.
                var followUps = new Dictionary<long, List<NewTask>>();
                foreach (var s in successes)
                {
                    if (!doneIds.Contains(s.Task.Id))
                    {
                        await Events.AppendAsync(c, tx, new Event(s.Task.BatchId, s.Task.JobId, s.Task.Id, "stale_completion", "worker:" + owner, now,
                            "{\"reason\":\"lease lost before completion; result discarded\"}"));
                        continue;
                    }
                    touched.Add(s.Task.BatchId);
                    if (s.Result.FollowUps is { Count: > 0 } f)
                    {
                        if (!followUps.TryGetValue(s.Task.BatchId, out var list)) followUps[s.Task.BatchId] = list = [];
                        list.AddRange(f);
                        foreach (var t in f) followUpStages.Add(t.Stage);
                    }
                }
                foreach (var (batchId, list) in followUps)
                    await queue.InsertAsync(c, tx, batchId, list, st => settings(st).MaxAttempts, now);
                EngineMetrics.Completed(successes);
                foreach (var g in successes.Where(s => doneIds.Contains(s.Task.Id)).GroupBy(s => s.Task.Stage))
                    EngineMetrics.Finished(g.Key, TaskState.Succeeded, g.Count());
            }
            foreach (var o in batch)
            {
                switch (o)
                {
                    case Outcome.Failed f:
                        var state = await queue.FailAsync(c, tx, f.Task, owner, f.Error, retry, now);
                        if (state is not null)
                        {
                            touched.Add(f.Task.BatchId);
                            EngineMetrics.Failed(f.Task.Stage, f.Error.Code, state);
                            EngineMetrics.Finished(f.Task.Stage, state);
                        }
                        break;
                    case Outcome.Snoozed s:
                        await queue.SnoozeAsync(c, tx, s.Task, owner, s.Delay, s.Reason, now, s.WholeHost);
                        break;
                    case Outcome.Cancelled x:
                        if (await queue.CancelRunningAsync(c, tx, x.Task, owner, now))
                        {
                            touched.Add(x.Task.BatchId);
                            EngineMetrics.Finished(x.Task.Stage, TaskState.Cancelled);
                        }
                        break;
                }
            }
            // A recorded outcome is the batch moving: the watchdog calls a batch stuck when this stays old (Watchdog).
            if (touched.Count > 0)
                await c.ExecuteAsync($"UPDATE batch SET moved_at = @now WHERE id {db.Dialect.InArray("ids")}", new { now, ids = touched.ToArray() }, tx);
            // A batch paused or cancelled while these ran: what they put back in the queue stops with it.
            if (statuses.Values.Any(s => s is BatchStatus.Paused or BatchStatus.Cancelled))
                await Controls.KeepStoppedAsync(c, tx, statuses, "worker:" + owner, now);
            await Settler.SettleAsync(c, tx, touched, now);
        });
        foreach (var stage in followUpStages) signals.WorkArrived(stage);
        // Other work may be claimable now; the snoozed task (and a host's siblings it pushed) when it comes due.
        foreach (var o in batch.OfType<Outcome.Snoozed>())
        {
            signals.WorkArrived(o.Task.Stage);
            signals.WakeAfter(o.Task.Stage, o.Delay);
        }
    }
}
