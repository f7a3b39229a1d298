using System.Collections.Concurrent;
using System.Text;
using Dapper;
using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>How long robots.txt answers are trusted.</summary>
public sealed record RobotsOptions
{
    /// <summary>A fetched robots.txt (or a 4xx meaning "none") is trusted this long.</summary>
    public static readonly TimeSpan CacheTtlDefault = TimeSpan.FromHours(24);
    /// <summary>An unreachable robots.txt (5xx, 429, no answer) disallows everything this long before it is asked again.</summary>
    public static readonly TimeSpan UnreachableTtlDefault = TimeSpan.FromMinutes(5);
    /// <summary>RFC 9309 asks parsers to read at least 500 KiB; the rest is ignored.</summary>
    public const long MaxBytesDefault = 512 * 1024;

    public TimeSpan CacheTtl { get; init; } = CacheTtlDefault;
    public TimeSpan UnreachableTtl { get; init; } = UnreachableTtlDefault;
    public long MaxBytes { get; init; } = MaxBytesDefault;
}

/// <summary>
/// robots.txt per source host: fetched once (through the same client, guard and politeness as
/// pages), cached in robots_cache with an expiry and in memory. Per RFC 9309: 2xx is parsed, a
/// 4xx means no restrictions, a 5xx/429 or no answer means "disallow everything for now" (a
/// transient <c>robots_unavailable</c>). A Crawl-delay raises the host's minimum delay.
/// </summary>
public sealed class RobotsPolicy(FetchClient client, FetchOptions options)
{
    sealed record Entry(RobotsRules Rules, string WireUrl, int Status, long ExpiresAt);
    sealed record CacheRow(string Url, long Status, string? Body, long ExpiresAt);

    readonly ConcurrentDictionary<string, Entry> _memory = new();
    readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    /// <summary>
    /// The rules for the host of <paramref name="logical"/>. Throws a transient
    /// <c>robots_unavailable</c> while the host's robots.txt cannot be read.
    /// </summary>
    public async Task<RobotsRules> GetAsync(Db db, Uri logical, HostMapping map, HostGate? gate, string holder, CancellationToken ct)
    {
        var host = HostKey(logical);
        var robotsLogical = new Uri($"{logical.Scheme}://{logical.Authority}/robots.txt");
        var (wire, offline) = map.ToWire(robotsLogical);
        var key = db.Description + "|" + host;

        if (Fresh(key, wire) is { } hit) return Verdict(hit, host);
        var gateLock = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gateLock.WaitAsync(ct);
        try
        {
            if (Fresh(key, wire) is { } again) return Verdict(again, host);
            var row = await db.ReadAsync(c => c.QuerySingleOrDefaultAsync<CacheRow>(
                "SELECT url AS Url, CAST(status AS BIGINT) AS Status, body AS Body, CAST(expires_at AS BIGINT) AS ExpiresAt FROM robots_cache WHERE host = @host", new { host }), ct);
            if (row is not null && row.ExpiresAt > Db.NowMs() && row.Url == wire.AbsoluteUri)
            {
                var cached = new Entry(RulesFor((int)row.Status, row.Body), row.Url, (int)row.Status, row.ExpiresAt);
                _memory[key] = cached;
                return Verdict(cached, host);
            }
            var fetched = await FetchAsync(db, host, robotsLogical, map, gate, holder, ct);
            _memory[key] = fetched;
            return Verdict(fetched, host);
        }
        finally { gateLock.Release(); }
    }

    Entry? Fresh(string key, Uri wire) =>
        _memory.TryGetValue(key, out var e) && e.ExpiresAt > Db.NowMs() && e.WireUrl == wire.AbsoluteUri ? e : null;

    static RobotsRules Verdict(Entry e, string host) =>
        IsUnreachable(e.Status)
            ? throw StageException.Transient(FetchErrors.RobotsUnavailable,
                $"robots.txt of {host} could not be read (status {e.Status}): everything is disallowed until it can",
                e.Status == 0 ? null : e.Status, TimeSpan.FromMilliseconds(Math.Max(0, e.ExpiresAt - Db.NowMs())))
            : e.Rules;

    static bool IsUnreachable(int status) => status is 0 or 429 or >= 500;

    static RobotsRules RulesFor(int status, string? body) =>
        IsUnreachable(status) ? RobotsRules.DisallowAll
        : status is >= 200 and <= 299 && body is not null ? RobotsRules.Parse(body, FetchOptions.AgentToken)
        : RobotsRules.AllowAll;

    async Task<Entry> FetchAsync(Db db, string host, Uri logical, HostMapping map, HostGate? gate, string holder, CancellationToken ct)
    {
        var rule = new BodyRule(options.Robots.MaxBytes, HtmlOnly: false, TruncateAtLimit: true);
        int status;
        string? body = null;
        var current = logical;
        var (wire, offline) = map.ToWire(current);
        var firstWire = wire;
        for (var hop = 0; ; hop++)
        {
            HopResponse response;
            try
            {
                response = gate is null
                    ? await client.SendAsync(wire, offline, null, rule, ct, shown: current)
                    : await gate.SendAsync(host, holder, _ => client.SendAsync(wire, offline, null, rule, ct, shown: current), ct);
            }
            catch (StageException e) when (e.Code != FetchErrors.AddressRefused)
            {
                status = 0; // no answer: unreachable
                break;
            }
            status = response.Status;
            if (FetchErrors.IsRedirect((System.Net.HttpStatusCode)status) && response.Location is { } location)
            {
                // RFC 9309: follow at least five redirects; beyond that robots.txt counts as unavailable (allow).
                if (hop >= options.MaxRedirects) { status = 404; break; }
                current = map.ResolveRedirect(current, wire, location);
                if (current.Scheme is not ("http" or "https")) { status = 404; break; }
                (wire, offline) = map.ToWire(current);
                continue;
            }
            if (status is >= 200 and <= 299)
            {
                if (response.Body is { } bytes) body = Encoding.UTF8.GetString(bytes);
                else status = 0; // the body broke off or was too slow: unreachable
            }
            break;
        }

        var now = Db.NowMs();
        var ttl = IsUnreachable(status) ? options.Robots.UnreachableTtl : options.Robots.CacheTtl;
        var entry = new Entry(RulesFor(status, body), firstWire.AbsoluteUri, status, now + (long)ttl.TotalMilliseconds);
        await db.WriteAsync((c, t) => c.ExecuteAsync("""
            INSERT INTO robots_cache (host, url, status, body, fetched_at, expires_at)
            VALUES (@host, @url, @status, @body, @now, @expires)
            ON CONFLICT (host) DO UPDATE SET url = excluded.url, status = excluded.status, body = excluded.body,
                fetched_at = excluded.fetched_at, expires_at = excluded.expires_at
            """, new { host, url = entry.WireUrl, status, body, now, expires = entry.ExpiresAt }, t), ct);
        if (gate is not null && entry.Rules.CrawlDelay is { } delay) await gate.SetCrawlDelayAsync(host, delay, ct);
        return entry;
    }

    /// <summary>The key of politeness and robots: the source host, with its port when not the default.</summary>
    public static string HostKey(Uri logical) => logical.IsDefaultPort ? logical.Host.ToLowerInvariant() : $"{logical.Host.ToLowerInvariant()}:{logical.Port}";
}
