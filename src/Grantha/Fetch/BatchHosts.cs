using Dapper;
using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>
/// The politeness of the hosts one batch fetches from (the batch screen's hosts panel): each host as the manifest
/// names it (stage_task.host; host_state is keyed by that same original host, never by the offline-site address a
/// batch maps it onto), with the gate's state now and the batch's FETCH tasks on it by state.
/// </summary>
public static class BatchHosts
{
    /// <summary>The batch's FETCH tasks on one host by state (pending includes paused ones; retrying: waiting for their next try).</summary>
    public sealed record TaskCounts(long Pending, long Running, long Retrying, long Succeeded, long Failed, long Blocked, long Cancelled);

    /// <summary>
    /// One host. <see cref="DelayNowMs"/> is the spacing in force (the larger of the adaptive delay, raised by 5xx,
    /// 429 and time-outs, and robots.txt's Crawl-delay); <see cref="BlockedUntil"/> a Retry-After block still ahead
    /// (null when none); times are epoch ms of the store's clock; null where the gate has not seen the host yet.
    /// </summary>
    public sealed record HostView(string Host, long? DelayNowMs, long? DelayMs, long? CrawlDelayMs, long InFlight, long? BlockedUntil,
        long? NextStartAt, long? LastRequestAt, TaskCounts Tasks);

    /// <summary>The hosts, the store's clock they were read at, and the batch's FETCH job (its task events carry its id: the screen re-reads on those).</summary>
    public sealed record HostsView(long? FetchJobId, long Now, IReadOnlyList<HostView> Hosts);

    sealed record GateRow(string Host, long DelayMs, long CrawlDelayMs, long NextStartAt, long BlockedUntil, long LastStampAt, long LastSentAt);

    public static async Task<HostsView> ListAsync(Db db, long batchId, CancellationToken ct = default) =>
        await db.ReadAsync(async c =>
        {
            var sql = db.Dialect.HostGate;
            var now = sql.Now is null ? Db.NowMs() : await c.ExecuteScalarAsync<long>(sql.Now);
            const string hosts = "SELECT DISTINCT host FROM stage_task WHERE batch_id = @batchId AND stage = 'FETCH' AND host IS NOT NULL";
            var counts = await c.QueryAsync<(string Host, string State, long Count)>(
                "SELECT host, state, COUNT(*) FROM stage_task WHERE batch_id = @batchId AND stage = 'FETCH' AND host IS NOT NULL GROUP BY host, state", new { batchId });
            var gates = (await c.QueryAsync<GateRow>($"""
                SELECT host AS Host, delay_ms AS DelayMs, crawl_delay_ms AS CrawlDelayMs, next_start_at AS NextStartAt, blocked_until AS BlockedUntil,
                       last_stamp_at AS LastStampAt, last_sent_at AS LastSentAt
                  FROM host_state WHERE host IN ({hosts})
                """, new { batchId })).ToDictionary(g => g.Host);
            // Live slots only: a killed worker's slot stays in the table until its lease ends.
            var slots = (await c.QueryAsync<(string Host, long Count)>($"""
                SELECT host, COUNT(*) FROM host_slot WHERE expires_at > @now AND host IN ({hosts}) GROUP BY host
                """, new { batchId, now })).ToDictionary(s => s.Host, s => s.Count);
            var job = await c.ExecuteScalarAsync<long?>("SELECT MIN(id) FROM job WHERE batch_id = @batchId AND stage = 'FETCH'", new { batchId });
            return new HostsView(job, now, counts.GroupBy(x => x.Host).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                long N(params string[] states) => g.Where(x => states.Contains(x.State)).Sum(x => x.Count);
                var tasks = new TaskCounts(N(TaskState.Pending, TaskState.Paused), N(TaskState.Running), N(TaskState.RetryWait), N(TaskState.Succeeded),
                    N(TaskState.Failed), N(TaskState.Blocked), N(TaskState.Cancelled));
                var gate = gates.GetValueOrDefault(g.Key);
                var last = gate is null ? 0 : Math.Max(gate.LastStampAt, gate.LastSentAt);
                return new HostView(g.Key, gate is null ? null : Math.Max(gate.DelayMs, gate.CrawlDelayMs), gate?.DelayMs, gate?.CrawlDelayMs,
                    slots.GetValueOrDefault(g.Key), gate is { } b && b.BlockedUntil > now ? b.BlockedUntil : null,
                    gate is { NextStartAt: > 0 } n ? n.NextStartAt : null, last > 0 ? last : null, tasks);
            }).ToList());
        }, ct);
}
