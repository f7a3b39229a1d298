namespace Grantha.Engine;

/// <summary>
/// The state machines (batch, job, task here; a staged import's review in Review/ReviewStates), written once. Every status change in the code
/// goes through <see cref="StateMachine.Check"/> or uses <see cref="StateMachine.From"/> to build
/// its SQL guard, so an illegal transition cannot slip through a bulk UPDATE either.
/// Drawn in docs/state-machines.md.
/// </summary>
public sealed class StateMachine
{
    readonly Dictionary<string, HashSet<string>> _next;
    public string Entity { get; }
    public IReadOnlyCollection<string> States { get; }
    public IReadOnlySet<string> Terminal { get; }

    public StateMachine(string entity, (string From, string[] To)[] edges, string[] terminal)
    {
        Entity = entity;
        _next = edges.ToDictionary(e => e.From, e => e.To.ToHashSet());
        States = edges.SelectMany(e => e.To.Append(e.From)).Distinct().ToArray();
        Terminal = terminal.ToHashSet();
    }

    public bool Allows(string from, string to) => _next.TryGetValue(from, out var n) && n.Contains(to);

    /// <summary>The states from which <paramref name="to"/> may be entered.</summary>
    public string[] From(string to) => _next.Where(kv => kv.Value.Contains(to)).Select(kv => kv.Key).OrderBy(s => s).ToArray();

    /// <summary>Throws <see cref="IllegalTransitionException"/> unless the edge exists.</summary>
    public void Check(string from, string to, string action)
    {
        if (!Allows(from, to)) throw new IllegalTransitionException(Entity, from, to, action);
    }

    public IEnumerable<(string From, string To)> Edges => _next.SelectMany(kv => kv.Value.Select(to => (kv.Key, to)));

    public static readonly StateMachine Batch = new("batch",
    [
        (BatchStatus.Running, [BatchStatus.Paused, BatchStatus.Completed, BatchStatus.Cancelled]),
        (BatchStatus.Paused, [BatchStatus.Running, BatchStatus.Cancelled]),
        // A retry or requeue reopens a completed batch.
        (BatchStatus.Completed, [BatchStatus.Running]),
    ], [BatchStatus.Completed, BatchStatus.Cancelled]);

    public static readonly StateMachine Job = new("job",
    [
        (JobStatus.Pending, [JobStatus.Running, JobStatus.Cancelled, JobStatus.Completed]),
        (JobStatus.Running, [JobStatus.Completed, JobStatus.Cancelled]),
        (JobStatus.Completed, [JobStatus.Running]),
    ], [JobStatus.Completed, JobStatus.Cancelled]);

    public static readonly StateMachine Task = new("task",
    [
        (TaskState.Pending, [TaskState.Running, TaskState.Paused, TaskState.Cancelled]),
        (TaskState.RetryWait, [TaskState.Running, TaskState.Paused, TaskState.Cancelled]),
        (TaskState.Paused, [TaskState.Pending, TaskState.Cancelled]),
        // Running: finished, failed, blocked, retried, snoozed (back to pending), or rescued after
        // its lease expired (retry-wait, or failed when out of attempts).
        (TaskState.Running, [TaskState.Succeeded, TaskState.RetryWait, TaskState.Failed, TaskState.Blocked, TaskState.Pending, TaskState.Cancelled]),
        (TaskState.Failed, [TaskState.Pending]),
        (TaskState.Blocked, [TaskState.Pending, TaskState.Succeeded]),
        (TaskState.Succeeded, [TaskState.Pending]),
    ], [TaskState.Succeeded, TaskState.Failed, TaskState.Blocked, TaskState.Cancelled]);
}

public static class BatchStatus
{
    public const string Running = "RUNNING";
    public const string Paused = "PAUSED";
    public const string Completed = "COMPLETED";
    public const string Cancelled = "CANCELLED";
}

public static class JobStatus
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Completed = "COMPLETED";
    public const string Cancelled = "CANCELLED";
}

public static class TaskState
{
    public const string Pending = "PENDING";
    public const string RetryWait = "RETRY_WAIT";
    public const string Paused = "PAUSED";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Blocked = "BLOCKED";
    public const string Cancelled = "CANCELLED";

    /// <summary>States a worker may still act on: a batch with any of these has not settled.</summary>
    public static readonly string[] Open = [Pending, RetryWait, Paused, Running];
    public static readonly string[] All = [Pending, RetryWait, Paused, Running, Succeeded, Failed, Blocked, Cancelled];
}

/// <summary>A control that the state machine refuses (HTTP 409, CLI exit code 2).</summary>
public sealed class IllegalTransitionException(string entity, string from, string to, string action)
    : Exception($"Cannot {action}: the {entity} is {from}, and {from} -> {to} is not allowed.")
{
    public string Entity { get; } = entity;
    public string From { get; } = from;
    public string To { get; } = to;
    public string Action { get; } = action;
}
