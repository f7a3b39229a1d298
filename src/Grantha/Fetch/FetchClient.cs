using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grantha.Engine;
using Polly;
using Polly.Retry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace Grantha.Fetch;

/// <summary>The validators of a stored page, sent so an unchanged page costs a 304.</summary>
public sealed record Validators(string? ETag, string? LastModified);

/// <summary>
/// What a hop may read: at most <paramref name="MaxBytes"/> (beyond it the body is refused, or
/// cut there if <paramref name="TruncateAtLimit"/>), and only HTML if <paramref name="HtmlOnly"/>.
/// </summary>
public sealed record BodyRule(long MaxBytes, bool HtmlOnly, bool TruncateAtLimit = false);

/// <summary>
/// One HTTP answer. <see cref="Body"/> is read for a 2xx only; <see cref="BodyError"/> says why a
/// 2xx body was not kept (too large, not HTML, broken off, too slow).
/// </summary>
public sealed record HopResponse(
    int Status,
    Uri Wire,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    byte[]? Body,
    string? Location,
    TimeSpan? RetryAfter,
    string? ETag,
    string? LastModified,
    long ElapsedMs,
    StageException? BodyError);

/// <summary>
/// The HTTP side of fetching: one request per call, no automatic redirects (the caller follows
/// them so every hop is checked again). The clients come from the .NET HTTP client factory, one
/// named client per trust level (<see cref="AddFetchClients"/>), whose resilience handler retries
/// only a connection reset before any answer, once. Each request, body included, runs under a
/// Polly time-out here (a handler's time-out would end at the headers). Retries across attempts
/// belong to the engine, which records them and asks the host gate again.
/// </summary>
public sealed class FetchClient : IDisposable
{
    /// <summary>The factory's client for public sources: the address guard refuses loopback and private addresses.</summary>
    public const string PublicClientName = "fetch";
    /// <summary>The factory's client for the offline site (loopback allowed), never used for anything else.</summary>
    public const string OfflineClientName = "fetch-offline";

    public static readonly TimeSpan QuickRetryDelay = TimeSpan.FromMilliseconds(200);
    /// <summary>Pooled connections are renewed so DNS changes are seen (and re-checked by the guard).</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    static readonly HashSet<string> HtmlTypes = new(StringComparer.OrdinalIgnoreCase) { "text/html", "application/xhtml+xml" };

    readonly HttpClient _public;
    readonly HttpClient _offline;
    readonly ResiliencePipeline _timeout;
    readonly FetchOptions _options;
    readonly ServiceProvider? _ownFactory;

    /// <summary>The process's clients, from the composition root's HTTP client factory.</summary>
    public FetchClient(FetchOptions options, IHttpClientFactory factory)
    {
        _options = options;
        // Two pools, never shared: a connection opened to the offline site (loopback allowed)
        // must not be reused for a request that was not allowed to go there.
        _public = factory.CreateClient(PublicClientName);
        _offline = factory.CreateClient(OfflineClientName);
        _timeout = new ResiliencePipelineBuilder().AddTimeout(options.RequestTimeout).Build();
    }

    /// <summary>A client with a factory of its own, for a one-off fetch outside a process's services (tests, `extract` of a URL).</summary>
    public FetchClient(FetchOptions options) : this(options, OwnFactory(options, out var own)) => _ownFactory = own;

    static IHttpClientFactory OwnFactory(FetchOptions options, out ServiceProvider own)
    {
        own = AddFetchClients(new ServiceCollection(), options).BuildServiceProvider();
        return own.GetRequiredService<IHttpClientFactory>();
    }

    /// <summary>Registers the two named clients with their handlers and resilience (see the class summary).</summary>
    public static IServiceCollection AddFetchClients(IServiceCollection services, FetchOptions options)
    {
        foreach (var (name, allowLoopback) in new[] { (PublicClientName, false), (OfflineClientName, true) })
        {
            services.AddHttpClient(name, client =>
                {
                    client.Timeout = Timeout.InfiniteTimeSpan;
                    client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
                    client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.1");
                })
                .ConfigurePrimaryHttpMessageHandler(() => NewHandler(options, allowLoopback))
                // The pooled connections are the handler's; PooledConnectionLifetime renews them.
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
                .AddResilienceHandler(name, b => b.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 1,
                    Delay = QuickRetryDelay,
                    BackoffType = DelayBackoffType.Constant,
                    UseJitter = false,
                    // Not the default 5xx/429 retries: those go back to the engine, which asks the host gate again.
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException e && FetchErrors.IsConnectionReset(e)),
                }));
        }
        return services;
    }

    static SocketsHttpHandler NewHandler(FetchOptions options, bool allowLoopback) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
        ConnectTimeout = options.ConnectTimeout,
        PooledConnectionLifetime = PooledConnectionLifetime,
        // A proxy would be the address checked instead of the source: fetch directly.
        UseProxy = false,
        UseCookies = false,
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowLoopback, ct),
    };

    /// <summary>Resolves, refuses what <see cref="AddressGuard"/> refuses, connects to what is left.</summary>
    internal static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowLoopback, CancellationToken ct)
    {
        var host = endPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var permitted = addresses.Where(a => AddressGuard.Permits(a, allowLoopback)).ToArray();
        if (permitted.Length == 0) throw new AddressRefusedException(host, addresses);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, endPoint.Port, ct);
            // Every write asks the flow's SendWindow first: a request that missed its polite start is not written.
            return new WindowedStream(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one GET to <paramref name="wire"/>. Throws a classified <see cref="StageException"/>
    /// when no answer came; otherwise returns the answer, whatever its status. Messages name
    /// <paramref name="shown"/> (the URL as in the manifest), never a mapped wire URL: that is an
    /// address of this machine, and task errors are read by every viewer.
    /// </summary>
    public async Task<HopResponse> SendAsync(Uri wire, bool offline, Validators? validators, BodyRule rule, CancellationToken ct, Uri? shown = null)
    {
        var url = (shown ?? wire).ToString();
        if (wire.Scheme is not ("http" or "https"))
            throw StageException.Permanent(FetchErrors.AddressRefused, $"{url}: only http and https URLs are fetched");
        var client = offline ? _offline : _public;
        var clock = Stopwatch.StartNew();
        try
        {
            return await _timeout.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, wire);
                if (validators?.ETag is { } etag) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                if (validators?.LastModified is { } lm) request.Headers.TryAddWithoutValidation("If-Modified-Since", lm);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                return await ReadAsync(wire, url, response, rule, clock, token, ct);
            }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e) when (SendWindow.FindLate(e) is { } late) { throw late; }
        catch (Exception e) { throw FetchErrors.ForException(e, url); }
    }

    static async Task<HopResponse> ReadAsync(Uri wire, string url, HttpResponseMessage response, BodyRule rule, Stopwatch clock, CancellationToken token, CancellationToken callerCt)
    {
        var status = (int)response.StatusCode;
        var headers = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in response.Headers.Concat(response.Content.Headers)) headers[h.Key] = string.Join(", ", h.Value);
        var contentType = response.Content.Headers.ContentType?.MediaType;
        var retryAfter = FetchErrors.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
        var location = response.Headers.Location?.OriginalString;
        var etag = response.Headers.ETag?.ToString();
        var lastModified = response.Content.Headers.TryGetValues("Last-Modified", out var lmv) ? lmv.FirstOrDefault() : null;

        byte[]? body = null;
        StageException? error = null;
        if (status is >= 200 and <= 299)
        {
            if (rule.HtmlOnly && contentType is not null && !HtmlTypes.Contains(contentType))
                error = StageException.Permanent(FetchErrors.NotHtml, $"{url} is {contentType}, not an HTML page", status);
            else if (response.Content.Headers.ContentLength is { } declared && declared > rule.MaxBytes && !rule.TruncateAtLimit)
                error = StageException.Permanent(FetchErrors.TooLarge, $"{url} declares {declared:N0} bytes, over the limit of {rule.MaxBytes:N0}", status);
            else
            {
                try
                {
                    var (bytes, complete) = await ReadLimitedAsync(response, rule.MaxBytes, token);
                    body = bytes;
                    if (!complete && !rule.TruncateAtLimit)
                        error = StageException.Permanent(FetchErrors.TooLarge, $"{url} sent more than the limit of {rule.MaxBytes:N0} bytes", status);
                    else if (complete && response.Content.Headers.ContentLength is { } expected && expected != bytes.Length)
                        error = StageException.Transient(FetchErrors.Truncated, $"{url} declared {expected:N0} bytes but sent {bytes.Length:N0}", status);
                    else if (rule.HtmlOnly && contentType is null && !LooksLikeHtml(bytes))
                        error = StageException.Permanent(FetchErrors.NotHtml, $"{url} has no content type and does not look like HTML", status);
                }
                catch (OperationCanceledException e) when (token.IsCancellationRequested && !callerCt.IsCancellationRequested)
                {
                    error = StageException.Transient(FetchErrors.Timeout, $"{url}: the body did not arrive in time", status, inner: e);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    error = FetchErrors.ForException(e, url, duringBody: true, status);
                }
                if (error is not null) body = null;
            }
        }
        return new HopResponse(status, wire, headers, contentType, body, location, retryAfter, etag, lastModified,
            clock.ElapsedMilliseconds, error);
    }

    /// <summary>The body up to <paramref name="maxBytes"/>; Complete is false when there was more (reading stops there).</summary>
    static async Task<(byte[] Body, bool Complete)> ReadLimitedAsync(HttpResponseMessage response, long maxBytes, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var initial = (int)Math.Min(response.Content.Headers.ContentLength ?? 64 * 1024, maxBytes);
        using var buffer = new MemoryStream(initial);
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > maxBytes)
                {
                    buffer.Write(chunk, 0, (int)(maxBytes - buffer.Length));
                    return (buffer.ToArray(), false);
                }
                buffer.Write(chunk, 0, n);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(chunk); }
        return (buffer.ToArray(), true);
    }

    /// <summary>Without a content type, a body that starts with markup is taken as HTML.</summary>
    static bool LooksLikeHtml(byte[] body)
    {
        var s = body.AsSpan();
        if (s.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) s = s[3..];
        var i = s.IndexOfAnyExcept(" \t\r\n"u8);
        return i >= 0 && s[i] == (byte)'<';
    }

    public void Dispose()
    {
        _public.Dispose();
        _offline.Dispose();
        _ownFactory?.Dispose();
    }
}
