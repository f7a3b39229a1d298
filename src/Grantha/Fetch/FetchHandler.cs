using System.Net;
using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>
/// The FETCH stage: gets the page a manifest row points to, politely and safely, and keeps the
/// evidence. Per hop (redirects are followed here, at most <see cref="FetchOptions.MaxRedirects"/>):
/// robots.txt of the hop's host, the host gate (politeness across processes), the request through
/// the address guard, the answer classified by <see cref="FetchErrors"/>. A stored page for the URL
/// makes the request conditional; a 304 completes the task with the stored page. Every answered
/// attempt leaves a fetch_evidence row. docs/fetch.md tells the whole story.
/// </summary>
public sealed class FetchHandler : StageHandler<NoPayload, FetchHandler.Fetched>, IDisposable
{
    public const string Name = "FETCH";

    /// <summary>What FETCH hands to the next stage (EXTRACT): the evidence row that holds the page.</summary>
    public sealed record Fetched(long? EvidenceId);

    /// <summary>
    /// The worker's heartbeat renews the lease while a fetch runs, however many hops it takes; the
    /// lease only bounds how long a killed worker's task waits before the rescuer returns it.
    /// </summary>
    public static readonly TimeSpan LeaseDefault = StageSettings.LeaseDefault;

    /// <summary>Fetches in flight per worker process; per-host politeness limits each host further.</summary>
    public const int ConcurrencyDefault = 8;

    readonly FetchOptions _options;
    readonly FetchClient _client;
    readonly RobotsPolicy _robots;

    /// <summary>A handler with an HTTP client of its own (tests, one-off fetches); a process's pipeline gets <see cref="FetchHandler(FetchOptions, FetchClient, StageSettings?)"/>.</summary>
    public FetchHandler(FetchOptions? options = null, StageSettings? settings = null)
        : this(options ?? new FetchOptions(), new FetchClient(options ?? new FetchOptions()), settings) { }

    public FetchHandler(FetchOptions options, FetchClient client, StageSettings? settings = null)
    {
        _options = options;
        _client = client;
        _robots = new RobotsPolicy(_client, _options);
        Settings = settings ?? new StageSettings { Lease = LeaseDefault, Concurrency = ConcurrencyDefault };
    }

    public override string Stage => Name;
    public override StageSettings Settings { get; }
    public FetchOptions Options => _options;

    protected override async Task<TaskResult> HandleAsync(TaskContext context, NoPayload payload, CancellationToken ct)
    {
        var result = await FetchAsync(context, ct);
        // The stored page starts the next stage's task when the batch runs one.
        var next = FollowUp(context, context.Task.Subject.Trim(), new Fetched(result.EvidenceId), context.Task.Host);
        return new TaskResult(result.ToJson(), next is null ? null : [next]);
    }

    /// <summary>Fetches the task's URL; throws a classified <see cref="StageException"/> or a <see cref="TaskSnoozedException"/>.</summary>
    public async Task<FetchResult> FetchAsync(TaskContext context, CancellationToken ct)
    {
        var task = context.Task;
        // Evidence is keyed by the subject exactly as the manifest stage normalised it.
        var subject = task.Subject.Trim();
        if (!Uri.TryCreate(subject, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw StageException.Permanent(FetchErrors.BadUrl, $"'{task.Subject}' is not an http(s) URL");
        var store = new PageStore(context.Db);
        var (done, previous) = await store.GetStartAsync(task.Id, subject, ct);
        // An earlier attempt stored the page but its completion was lost: do not fetch again.
        if (done is not null) return FetchResult.From(done, resumed: true);

        HostMapping map;
        // The map is checked here again, against what this process allows: the batch row may come from anywhere.
        try { map = new HostMapping(context.Batch, _options.OfflineSites); }
        catch (BatchOptionException e) { throw StageException.Permanent(e.NotAllowed ? FetchErrors.AddressRefused : FetchErrors.BadUrl, e.Message); }
        // Politeness can be off only towards the offline site (loopback benchmarks, the demo): a host the
        // batch does not map gets the gate whatever the batch says.
        var politenessOff = context.Batch.Politeness == false;
        var gate = new HostGate(context.Db, _options.Gate with
        {
            MinDelay = context.Batch.HostDelayMs is { } d ? TimeSpan.FromMilliseconds(Math.Max(0, d)) : _options.Gate.MinDelay,
            MaxConcurrent = context.Batch.HostConcurrency is { } n ? Math.Max(1, n) : _options.Gate.MaxConcurrent,
        });
        var holder = $"{context.WorkerId}/task {task.Id}";
        var visited = new HashSet<string> { url.AbsoluteUri };
        var logical = url;
        long wireMs = 0;

        for (var hop = 0; ; hop++)
        {
            var host = RobotsPolicy.HostKey(logical);
            var hopGate = politenessOff && map.Maps(logical) ? null : gate;
            var rules = await _robots.GetAsync(context.Db, logical, map, hopGate, holder, ct);
            if (!rules.IsAllowed(logical.PathAndQuery))
            {
                FetchMetrics.Throttled.Add(1, Tag.Host(host), Tag.Reason("robots"));
                throw StageException.Blocked(FetchErrors.RobotsDisallowed, $"robots.txt of {host} disallows {logical.PathAndQuery} for {FetchOptions.AgentToken}");
            }

            var (wire, offline) = map.ToWire(logical);
            // Validators go back only to the origin (after mapping) that gave them: another server's ETag
            // could make this one's 304 keep a page it never served. Rows from before V0017 have no origin.
            var origin = OfflineSites.Origin(wire);
            var validators = previous is not null && previous.FinalUrl == logical.AbsoluteUri && previous.Origin == origin
                ? new Validators(previous.ETag, previous.LastModified) : null;
            var response = await SendAsync(hopGate, host, holder, wire, logical, offline, validators, ct);
            if (hopGate is not null && (response.Status is 429 or 503 || response.RetryAfter is not null))
                FetchMetrics.HostBlocks.Add(1, Tag.Host(task.Host ?? host),
                    Tag.Reason(response.RetryAfter is not null ? "retry_after" : $"status_{response.Status}"));
            wireMs += response.ElapsedMs;
            var evidence = new FetchEvidence
            {
                BatchId = task.BatchId == 0 ? null : task.BatchId,
                TaskId = task.Id == 0 ? null : task.Id,
                Url = subject,
                FinalUrl = logical.AbsoluteUri,
                Origin = origin,
                Status = response.Status,
                Headers = response.Headers,
                ETag = response.ETag,
                LastModified = response.LastModified,
                Attempt = task.Attempt,
                ElapsedMs = wireMs,
            };

            if (FetchErrors.IsRedirect((HttpStatusCode)response.Status) && response.Location is { } location)
            {
                var next = map.ResolveRedirect(logical, wire, location);
                StageException? refusal =
                    hop >= _options.MaxRedirects ? StageException.Permanent(FetchErrors.TooManyRedirects, $"{url} redirects more than {_options.MaxRedirects} times", response.Status)
                    : !visited.Add(next.AbsoluteUri) ? StageException.Permanent(FetchErrors.TooManyRedirects, $"{url} redirects in a loop back to {next}", response.Status)
                    : next.Scheme is not ("http" or "https") ? StageException.Permanent(FetchErrors.AddressRefused, $"{url} redirects to {next}: only http and https URLs are fetched", response.Status)
                    : null;
                if (refusal is not null) throw await RecordFailureAsync(store, evidence, refusal, ct);
                logical = next;
                continue;
            }

            if (response.Status == 304 && validators is not null && previous is not null)
            {
                return FetchResult.From(await store.StorePageAsync(evidence with
                {
                    Sha256 = previous.Sha256, NotModified = true,
                    ETag = response.ETag ?? previous.ETag, LastModified = response.LastModified ?? previous.LastModified,
                }, ct: ct));
            }

            var failure = response.BodyError ?? FetchErrors.ForStatus(response.Status, logical.AbsoluteUri, response.RetryAfter);
            if (failure is not null) throw await RecordFailureAsync(store, evidence, failure, ct);
            if (response.Body is not { } body)
                throw await RecordFailureAsync(store, evidence, StageException.Permanent($"http_{response.Status}", $"{logical} answered {response.Status} without a body", response.Status), ct);

            return FetchResult.From(await store.StorePageAsync(evidence, body, response.ContentType, ct));
        }
    }

    /// <summary>One request under the host gate; the host's delay follows how the request went.</summary>
    async Task<HopResponse> SendAsync(HostGate? gate, string host, string holder, Uri wire, Uri logical, bool offline, Validators? validators, CancellationToken ct)
    {
        if (gate is null) return await SendObservedAsync(host, wire, logical, offline, validators, ct);
        HopResponse response;
        bool slowedDown;
        try
        {
            (response, slowedDown) = await gate.SendAsync(host, holder,
                async permit => (await SendObservedAsync(host, wire, logical, offline, validators, ct), permit.SlowedDown), ct);
        }
        catch (StageException e) when (e.Code == FetchErrors.Timeout)
        {
            await gate.SlowDownAsync(host, null, ct);
            throw;
        }
        if (response.Status is 429 or >= 500 || response.BodyError?.Code == FetchErrors.Timeout)
            await gate.SlowDownAsync(host, response.RetryAfter, ct, rateLimited: response.Status == 429);
        else if (slowedDown && response.Status < 400)
            await gate.RecoverAsync(host, ct);
        return response;
    }

    /// <summary>One request, counted in the fetch metrics whatever became of it.</summary>
    async Task<HopResponse> SendObservedAsync(string host, Uri wire, Uri logical, bool offline, Validators? validators, CancellationToken ct)
    {
        HopResponse response;
        try { response = await _client.SendAsync(wire, offline, validators, new BodyRule(_options.MaxBodyBytes, HtmlOnly: true), ct, shown: logical); }
        catch (StageException)
        {
            FetchMetrics.Responses.Add(1, Tag.Host(host), Tag.StatusClass("error"));
            throw;
        }
        var statusClass = FetchErrors.StatusClass(response.Status);
        FetchMetrics.Responses.Add(1, Tag.Host(host), Tag.StatusClass(statusClass));
        FetchMetrics.RequestDuration.Record(response.ElapsedMs, Tag.Host(host), Tag.StatusClass(statusClass));
        return response;
    }

    static async Task<StageException> RecordFailureAsync(PageStore store, FetchEvidence evidence, StageException failure, CancellationToken ct)
    {
        await store.RecordAsync(evidence with { ErrorCode = failure.Code }, ct: ct);
        return failure;
    }

    /// <summary>
    /// The politeness of the manifest hosts (the tasks' own, never a redirect's or a mapped address) that have open
    /// fetch work: the delay in force and a Retry-After block, for /metrics (<see cref="FetchMetrics"/>).
    /// </summary>
    public override async Task ObserveAsync(Db db, CancellationToken ct)
    {
        var rows = await db.ReadAsync(c => Dapper.SqlMapper.QueryAsync<(string Host, long DelayMs, long BlockedUntil)>(c, $"""
            SELECT h.host, CASE WHEN h.crawl_delay_ms > h.delay_ms THEN h.crawl_delay_ms ELSE h.delay_ms END, h.blocked_until FROM host_state h
            WHERE h.host IN (SELECT t.host FROM stage_task t WHERE t.stage = '{Name}' AND t.state IN ('PENDING', 'RETRY_WAIT'))
               OR h.host IN ({db.Dialect.RunningTasks("t.host", jobWhere: $"j.stage = '{Name}'")})
            """), ct);
        FetchMetrics.ObservedHosts(db.Description, rows.ToDictionary(r => r.Host, r => new FetchMetrics.HostGauge(r.DelayMs, r.BlockedUntil)));
    }

    public void Dispose() => _client.Dispose();
}
