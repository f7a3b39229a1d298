using Dapper;
using Grantha.Engine;

namespace Grantha.Resolve;

/// <summary>
/// One <see cref="ResolverSet"/> per process, rebuilt when a curator adds an alias, a synonym or an entity, or
/// merges two (checked with one small query per use), so a change made through the API or CLI is seen by every worker.
/// </summary>
public sealed class ResolverCache
{
    readonly SemaphoreSlim _gate = new(1, 1);
    ResolverSet? _set;
    string? _stamp;

    public async Task<ResolverSet> GetAsync(Db db, CancellationToken ct = default) => await GetAsync(db, await StampAsync(db, ct), ct);

    /// <summary>The set for a stamp the caller read with <see cref="StampSql"/> (in the same round trip as its other reads).</summary>
    public async Task<ResolverSet> GetAsync(Db db, string stamp, CancellationToken ct = default)
    {
        if (_set is { } ready && stamp == _stamp) return ready;
        await _gate.WaitAsync(ct);
        try
        {
            if (_set is { } again && stamp == _stamp) return again;
            var (set, seeded) = await ResolverStore.LoadSeedingAsync(db, ct);
            // The stamp read before loading: a curator change made while loading shows as a newer
            // stamp next time and is loaded then. Only the seed's own synonyms move it on purpose.
            var loadedAt = seeded ? await StampAsync(db, ct) : stamp;
            // The set before its stamp: a reader outside the gate never pairs a new stamp with the old set.
            Volatile.Write(ref _set, set);
            Volatile.Write(ref _stamp, loadedAt);
            return set;
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// What changes when a curator changes the catalog: aliases (count and newest time: a choice for the same key
    /// replaces the row), synonyms (count: rows are only ever added) and curation (added entities, merges: count
    /// of the append-only catalog_change; a count, not the newest id, because on PostgreSQL a lower id can commit later).
    /// Four numbers, as the RESOLVE stage reads them in its one round trip.
    /// </summary>
    internal const string StampSql = """
        SELECT (SELECT COUNT(*) FROM catalog_alias), (SELECT COALESCE(MAX(created_at), 0) FROM catalog_alias),
               (SELECT COUNT(*) FROM catalog_synonym), (SELECT COUNT(*) FROM catalog_change)
        """;

    internal static string Stamp((long, long, long, long) x) => $"{x.Item1}:{x.Item2}:{x.Item3}:{x.Item4}";

    static Task<string> StampAsync(Db db, CancellationToken ct) =>
        db.ReadAsync(async c => Stamp(await c.QuerySingleAsync<(long, long, long, long)>(StampSql)), ct);
}
