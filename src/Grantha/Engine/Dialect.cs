using System.Data.Common;

namespace Grantha.Engine;

/// <summary>
/// Every statement that differs between the two stores, in one object chosen once when the store
/// opens (<see cref="Db.Dialect"/>). Code elsewhere writes portable SQL and asks the dialect for the
/// rest; nothing tests the connection's type. The engine's part is here (the task table's hot
/// path, multi-row inserts, locks, wake-ups); a stage that has statements of its own adds them
/// beside its code as another part of this partial class (Fetch: the host gate; Resolve: the
/// staged-import write).
/// </summary>
public abstract partial class Dialect
{
    public abstract DbKind Kind { get; }

    public static Dialect For(DbKind kind) => kind == DbKind.Postgres ? new PostgresDialect() : new SqliteDialect();

    // ---------------------------------------------------------------- task table

    /// <summary>Inserts tasks of one batch, skipping existing idempotency keys; returns how many went in.</summary>
    public abstract Task<int> InsertTasksAsync(DbConnection c, DbTransaction tx, long batchId, IReadOnlyList<NewTask> tasks, Func<string, int> maxAttempts, long now);

    /// <summary>Claims up to <paramref name="limit"/> due tasks of one stage, ordered by priority and due time.</summary>
    public abstract Task<IReadOnlyList<StageTask>> ClaimAsync(DbConnection c, DbTransaction? tx, string stage, string owner, int limit, long leaseMs, long now);

    /// <summary>Marks tasks succeeded (with their events) if this worker still holds their lease; returns those it did.</summary>
    public abstract Task<IReadOnlyList<TaskQueue.Completed>> SucceedAsync(DbConnection c, DbTransaction tx, string owner, IReadOnlyList<(long Id, string? Result)> done, long now);

    /// <summary>
    /// A SELECT of <paramref name="columns"/> over the running tasks (<c>t</c>) that match <paramref name="where"/>, with
    /// their jobs (<c>j</c>, filtered by <paramref name="jobWhere"/>). No index holds every running task (V0026: an
    /// entry per claim cost the hot path more than its readers gained), so they are read job by job through
    /// stage_task_batch (batch, stage, state), and only in jobs that are not COMPLETED: the settler completes a job
    /// only when none of its tasks is open, and whatever reopens a task (new work, retry, requeue) reopens its job in
    /// the same transaction. The cost is one index probe per such job (the stages of running, paused and
    /// cancelled batches), whatever the size of the task table.
    /// </summary>
    public abstract string RunningTasks(string columns, string where = "1 = 1", string jobWhere = "1 = 1");

    /// <summary>Returns running tasks whose lease expired to the queue, or fails those out of attempts.</summary>
    public abstract Task<IReadOnlyList<TaskQueue.Rescued>> RescueAsync(DbConnection c, DbTransaction tx, long now, int limit);

    /// <summary>
    /// Registered workers (other than <paramref name="self"/>) whose liveness lock this transaction could take, i.e.
    /// whose session ended (<see cref="Liveness"/>); the locks stay taken until the transaction ends. SQLite: none
    /// (no such lock: leases alone decide there).
    /// </summary>
    public abstract Task<IReadOnlyList<string>> WorkersWithoutLivenessAsync(DbConnection c, DbTransaction tx, string self);

    /// <summary>Tells other worker processes that these stages have work (at commit). Nothing on SQLite: its workers poll.</summary>
    public abstract Task NotifyAsync(DbConnection c, DbTransaction tx, IEnumerable<string> stages);

    // ---------------------------------------------------------------- rows and locks

    /// <summary>
    /// Inserts many rows (values in the order of <paramref name="columns"/>) with <paramref name="suffix"/>
    /// appended (an ON CONFLICT clause); returns the rows inserted. See <see cref="MultiRow"/>.
    /// </summary>
    public abstract Task<int> InsertRowsAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string? suffix = null);

    /// <summary>
    /// "Is in this array parameter": PostgreSQL binds the array itself (<c>= ANY(@p)</c>; Dapper does not
    /// expand lists for it), SQLite gets Dapper's expansion into one placeholder per item.
    /// </summary>
    public abstract string InArray(string parameter);

    /// <summary>Appended to a SELECT of one row to hold it for a change in this transaction (SQLite: nothing, one writer).</summary>
    public abstract string RowLock { get; }

    /// <summary>Appended to a SELECT of batch rows to hold them for the transaction (see <see cref="LockBatchesAsync"/>).</summary>
    public abstract string BatchRowLock { get; }

    /// <summary>
    /// Takes the batches' rows for this transaction, before its task changes, so transactions of
    /// several worker processes that touch one batch run one after the other. Otherwise two that
    /// record the last two open tasks at the same moment each see the other's task still running,
    /// neither settles, and the batch stays RUNNING with nothing left to do. The order (batch row,
    /// then tasks) is the one the controls use. SQLite has one writer: nothing to lock. Returns each batch's
    /// status as it stands under the lock (a deleted batch is missing), read in the same statement.
    /// </summary>
    public abstract Task<IReadOnlyDictionary<long, string>> LockBatchesAsync(DbConnection c, DbTransaction tx, IEnumerable<long> batchIds);

    /// <summary>Serialises transactions that take the same <paramref name="key"/> (PostgreSQL advisory lock; SQLite has one writer).</summary>
    public abstract Task TransactionLockAsync(DbConnection c, DbTransaction tx, long key);

    /// <summary>True when the store has one writer at a time (SQLite): locks between writers are implied.</summary>
    public abstract bool OneWriter { get; }

    /// <summary>
    /// A FROM clause that takes the transaction lock named by parameter <paramref name="keyParameter"/>
    /// inside the statement itself (one round trip less than <see cref="TransactionLockAsync"/>); empty on SQLite.
    /// </summary>
    public abstract string LockInStatement(string keyParameter);

    /// <summary>A column of an upsert's RETURNING that is true when the row was inserted, not updated (SQLite: always false).</summary>
    public abstract string InsertedNotUpdated { get; }

    /// <summary>Whether INSERTs may run inside a WITH clause (PostgreSQL): several writes in one statement.</summary>
    public abstract bool DataModifyingCtes { get; }

    /// <summary>
    /// Where the event log's committed prefix may end (<see cref="EventFeed"/>): the highest event id taken so far, and
    /// the transactions still running that may hold a lower one. The ids up to <c>Upto</c> are all committed (or never
    /// will be) once every one of <c>Running</c> has ended (<see cref="OldestRunningAsync"/> is above them).
    /// </summary>
    public abstract Task<(long Upto, ulong[] Running)> EventMarkAsync(DbConnection c);

    /// <summary>The oldest transaction still running (PostgreSQL: the snapshot's xmin); SQLite: none (its one writer commits in id order).</summary>
    public abstract Task<ulong> OldestRunningAsync(DbConnection c);

    /// <summary>The channel LISTENed on for new events (PostgreSQL); null where the feed learns of commits in process.</summary>
    public virtual string? EventChannel => null;
}
