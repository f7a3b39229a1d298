namespace Grantha.Engine;

/// <summary>
/// A stage as the engine sees it: a name, its settings, and the work of one task. The engine claims
/// the task, holds its lease, calls <see cref="HandleAsync"/>, and records the outcome: a returned
/// <see cref="TaskResult"/> completes the task (and inserts its follow-up tasks in the same
/// transaction); a <see cref="StageException"/> is classified (transient: retry with backoff;
/// permanent: fail now; blocked: needs a person); a <see cref="TaskSnoozedException"/> puts the task
/// back without counting the attempt; any other exception counts as transient (<c>unexpected</c>).
/// Stages derive from <see cref="StageHandler{TPayload, TNext}"/>, which types the payload.
/// </summary>
public abstract class StageHandler
{
    /// <summary>The stage's name, as stored on its jobs and tasks (e.g. FETCH).</summary>
    public abstract string Stage { get; }
    public abstract StageSettings Settings { get; }
    /// <summary>
    /// A stage a batch runs only when asked: named in its stages, or given options of its own
    /// (<see cref="BatchOptions.StageOptions"/>). Approval is one: a batch stops at review unless a policy says otherwise.
    /// </summary>
    public virtual bool OnDemand => false;
    /// <summary>The payload record of this stage's tasks.</summary>
    public abstract Type PayloadType { get; }
    /// <summary>The payload record this stage gives the stage after it (<see cref="Pipeline"/> checks the two agree).</summary>
    public abstract Type NextPayloadType { get; }
    public abstract Task<TaskResult> HandleAsync(TaskContext context, CancellationToken ct);

    /// <summary>
    /// Reads the stage's own gauges from the store (FETCH: each host's politeness). The <see cref="Watchdog"/>
    /// calls it every few seconds, so a scrape of /metrics never queries the database.
    /// </summary>
    public virtual Task ObserveAsync(Db db, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The stage's log (set by the composition root; silent otherwise).</summary>
    public Microsoft.Extensions.Logging.ILogger Log { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>A task of this stage for one batch: the key is (batch, stage, <paramref name="key"/> or the subject), so inserting it twice is a no-op.</summary>
    public NewTask NewTask(long batchId, string subject, object payload, string? host = null, string? key = null, int priority = 0) =>
        new(Stage, TaskKey.Of(batchId, Stage, key ?? subject), subject, host, EngineJson.Serialize(payload), priority);
}

/// <summary>
/// A stage with a typed payload: the task's payload JSON is read as <typeparamref name="TPayload"/>
/// (a payload that does not read is a permanent <c>bad_payload</c>), and follow-up tasks carry a
/// <typeparamref name="TNext"/>, the payload of the stage after this one.
/// </summary>
public abstract class StageHandler<TPayload, TNext> : StageHandler where TPayload : class where TNext : class
{
    public sealed override Type PayloadType => typeof(TPayload);
    public sealed override Type NextPayloadType => typeof(TNext);

    public sealed override Task<TaskResult> HandleAsync(TaskContext context, CancellationToken ct) =>
        HandleAsync(context, ReadPayload(context.Task), ct);

    protected abstract Task<TaskResult> HandleAsync(TaskContext context, TPayload payload, CancellationToken ct);

    /// <summary>
    /// The task of the next stage for <paramref name="subject"/>, or null when the batch does not run a
    /// stage after this one (a batch created with fewer stages stops here).
    /// </summary>
    protected static NewTask? FollowUp(TaskContext context, string subject, TNext payload, string? host = null) =>
        context.Next?.NewTask(context.Task.BatchId, subject, payload, host);

    public static TPayload ReadPayload(StageTask task)
    {
        // A task without a payload reads as "{}": a stage whose payload has no required field accepts it.
        var json = string.IsNullOrWhiteSpace(task.Payload) ? "{}" : task.Payload;
        try
        {
            return EngineJson.Deserialize<TPayload>(json)
                   ?? throw StageException.Permanent("bad_payload", $"{task.Stage} task {task.Id} has no payload; it needs a {typeof(TPayload).Name}.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw StageException.Permanent("bad_payload", $"{task.Stage} task {task.Id}: the payload is not a {typeof(TPayload).Name} ({e.Message}).");
        }
    }
}

/// <summary>The payload of a stage that needs nothing but its subject, or the next payload of the last stage.</summary>
public sealed record NoPayload;

/// <summary>Idempotency keys of tasks, built in one place: <c>{batch}:{STAGE}:{subject or file hash}</c>.</summary>
public static class TaskKey
{
    public static string Of(long batchId, string stage, string key) => Prefix(batchId, stage) + key;
    public static string Prefix(long batchId, string stage) => $"{batchId}:{stage}:";
}

/// <summary>Per-stage knobs, with defaults a reader finds in one place.</summary>
public sealed record StageSettings
{
    public const int MaxAttemptsDefault = 5;
    public static readonly TimeSpan LeaseDefault = TimeSpan.FromSeconds(30);
    public const int ConcurrencyDefault = 8;

    public int MaxAttempts { get; init; } = MaxAttemptsDefault;
    public TimeSpan Lease { get; init; } = LeaseDefault;
    /// <summary>Tasks of this stage one worker process runs at once.</summary>
    public int Concurrency { get; init; } = ConcurrencyDefault;
    /// <summary>
    /// Extra tasks at once on PostgreSQL, for a CPU-bound stage: its round trips leave a core idle
    /// that another task can use. On SQLite (in-process) they would only contend.
    /// </summary>
    public int ExtraOnPostgres { get; init; }

    public int ConcurrencyOn(DbKind kind) => Concurrency + (kind == DbKind.Postgres ? ExtraOnPostgres : 0);
}

/// <summary>A claimed task, as the handler sees it.</summary>
public sealed record StageTask
{
    public long Id { get; init; }
    public long BatchId { get; init; }
    public long JobId { get; init; }
    public string Stage { get; init; } = "";
    public string State { get; init; } = "";
    public int Priority { get; init; }
    public int Attempt { get; init; }
    public int MaxAttempts { get; init; }
    public string IdemKey { get; init; } = "";
    /// <summary>What the task works on: a URL for FETCH, a file name for MANIFEST.</summary>
    public string Subject { get; init; } = "";
    public string? Host { get; init; }
    /// <summary>Stage-specific JSON.</summary>
    public string? Payload { get; init; }
    public string? Result { get; init; }
    public string? LeaseOwner { get; init; }
    public long? LeaseExpiresAt { get; init; }
    public long DueAt { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorKind { get; init; }
    public string? ErrorMessage { get; init; }
    public int? ErrorHttpStatus { get; init; }
    public int? ErrorAttempt { get; init; }
    public long? ErrorAt { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public long? FinishedAt { get; init; }
}

/// <summary>
/// What a handler gets: the task, the database, the batch options, the worker's id, and the stage
/// after this one when the batch runs it (set by the worker from the pipeline; null: no follow-ups).
/// </summary>
public sealed record TaskContext(StageTask Task, Db Db, BatchOptions Batch, string WorkerId)
{
    public StageHandler? Next { get; init; }

    /// <summary>
    /// Inserts follow-up tasks now, inside the caller's transaction, for a stage that must know their
    /// ids before it completes (MANIFEST links every row to its FETCH task).
    /// </summary>
    public Task<int> InsertNowAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, IReadOnlyList<NewTask> tasks) =>
        Db.Queue.InsertAsync(c, tx, Task.BatchId, tasks, _ => Next?.Settings.MaxAttempts ?? StageSettings.MaxAttemptsDefault, Db.NowMs());
}

/// <summary>A task to insert. Its idempotency key is unique in the database: inserting it twice is a no-op.</summary>
public sealed record NewTask(string Stage, string IdemKey, string Subject, string? Host = null, string? Payload = null, int Priority = 0);

/// <summary>A completed task: its result JSON and the tasks of the next stage it starts.</summary>
public sealed record TaskResult(string? ResultJson = null, IReadOnlyList<NewTask>? FollowUps = null)
{
    public static readonly TaskResult Empty = new();
}

public enum ErrorKind
{
    /// <summary>Try again later (time-out, 5xx, 429, a lost connection).</summary>
    Transient,
    /// <summary>Trying again cannot help (404, a page that is not HTML, a refused URL).</summary>
    Permanent,
    /// <summary>A person must decide (robots.txt forbids, a name needs review).</summary>
    Blocked,
}

/// <summary>A classified stage failure: code (snake_case, stable), message, optional HTTP status and Retry-After.</summary>
public sealed class StageException(ErrorKind kind, string code, string message, int? httpStatus = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;
    public string Code { get; } = code;
    public int? HttpStatus { get; } = httpStatus;
    /// <summary>For transient errors: the earliest next attempt the source asked for.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static StageException Transient(string code, string message, int? status = null, TimeSpan? retryAfter = null, Exception? inner = null) => new(ErrorKind.Transient, code, message, status, retryAfter, inner);
    public static StageException Permanent(string code, string message, int? status = null, Exception? inner = null) => new(ErrorKind.Permanent, code, message, status, null, inner);
    public static StageException Blocked(string code, string message) => new(ErrorKind.Blocked, code, message);
}

/// <summary>
/// Put the task back until <see cref="Delay"/> has passed, without counting the attempt (e.g. the
/// host is busy). With <see cref="WholeHost"/>, the stage's other pending tasks for the same host
/// wait as long, so workers turn to other hosts meanwhile.
/// </summary>
public sealed class TaskSnoozedException(TimeSpan delay, string reason, bool wholeHost = false) : Exception(reason)
{
    public TimeSpan Delay { get; } = delay;
    public bool WholeHost { get; } = wholeHost;
}
