using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Grantha.Engine;

/// <summary>
/// Renews the leases of the tasks this process runs, and stops a task whose lease was lost
/// (rescued by another process) or whose batch was cancelled, at its next checkpoint.
/// </summary>
public sealed class LeaseKeeper(Db db, TaskQueue queue, string owner, TimeSpan lease, ILogger log)
{
    readonly ConcurrentDictionary<long, Running> _running = new();

    public sealed record Running(StageTask Task, CancellationTokenSource Stop)
    {
        public volatile bool BatchCancelled;
    }

    public Running Track(StageTask task, CancellationToken shutdown)
    {
        var r = new Running(task, CancellationTokenSource.CreateLinkedTokenSource(shutdown));
        _running[task.Id] = r;
        return r;
    }

    public void Untrack(long taskId)
    {
        if (_running.TryRemove(taskId, out var r)) r.Stop.Dispose();
    }

    public int Count => _running.Count;

    /// <summary>Renews every quarter lease, so a slow renewal or two never loses a lease.</summary>
    public TimeSpan Interval => lease / 4;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var ids = _running.Keys.ToList();
            if (ids.Count == 0) continue;
            try
            {
                var held = await db.WriteAsync((c, tx) => queue.HeartbeatAsync(c, tx, owner, ids, (long)lease.TotalMilliseconds, Db.NowMs()), ct);
                var heldIds = held.ToDictionary(h => h.Id, h => h.Cancelled);
                foreach (var id in ids)
                {
                    if (!_running.TryGetValue(id, out var r)) continue;
                    if (!heldIds.TryGetValue(id, out var cancelled))
                    {
                        log.LogWarning("Lost the lease of task {TaskId}; stopping it", id);
                        r.Stop.Cancel();
                    }
                    else if (cancelled)
                    {
                        r.BatchCancelled = true;
                        r.Stop.Cancel();
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Lease renewal failed; will retry");
            }
        }
    }
}
