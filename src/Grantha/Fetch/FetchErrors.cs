using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Grantha.Engine;
using Polly.Timeout;

namespace Grantha.Fetch;

/// <summary>
/// The one place that turns what happened to a fetch into a <see cref="StageException"/>: the
/// stable error codes, and which are transient (the engine retries), permanent (fail now) or
/// blocked (a person decides). docs/fetch.md has the table.
/// </summary>
public static class FetchErrors
{
    public const string NotFound = "not_found";
    public const string RateLimited = "rate_limited";
    public const string ServerError = "server_error";
    public const string Timeout = "timeout";
    public const string ConnectionFailed = "connection_failed";
    public const string Truncated = "truncated";
    public const string NotHtml = "not_html";
    public const string TooLarge = "too_large";
    public const string AddressRefused = "address_refused";
    public const string BadUrl = "bad_url";
    public const string RobotsDisallowed = "robots_disallowed";
    public const string RobotsUnavailable = "robots_unavailable";
    public const string TooManyRedirects = "too_many_redirects";

    /// <summary>The failure an HTTP status means, or null for a success (2xx).</summary>
    public static StageException? ForStatus(int status, string url, TimeSpan? retryAfter = null) => status switch
    {
        >= 200 and <= 299 => null,
        404 or 410 => StageException.Permanent(NotFound, $"{url} answered {status}: the page is not there", status),
        429 => StageException.Transient(RateLimited, $"{url} answered 429 Too Many Requests" + After(retryAfter), status, retryAfter),
        // 408 is the server saying it gave up waiting for us: like a time-out, worth another try.
        408 => StageException.Transient(Timeout, $"{url} answered 408 Request Timeout", status, retryAfter),
        >= 500 and <= 599 => StageException.Transient(ServerError, $"{url} answered {status}: server error" + After(retryAfter), status, retryAfter),
        _ => StageException.Permanent($"http_{status}", $"{url} answered {status}", status),
    };

    static string After(TimeSpan? retryAfter) => retryAfter is { } r ? $" (Retry-After {r.TotalSeconds:0.#} s)" : "";

    /// <summary>
    /// Classifies a transport failure. <paramref name="duringBody"/>: the response headers had
    /// arrived, so a broken connection means a truncated page rather than no answer.
    /// </summary>
    public static StageException ForException(Exception e, string url, bool duringBody = false, int? status = null)
    {
        if (e is StageException se) return se;
        if (e is TimeoutRejectedException)
            return StageException.Transient(Timeout, $"{url}: no complete answer within {((TimeoutRejectedException)e).Timeout.TotalSeconds:0.#} s", status, inner: e);
        for (var x = e; x is not null; x = x.InnerException)
            if (x is AddressRefusedException)
                return StageException.Permanent(AddressRefused, $"{url}: refused to connect: the host's address is not a public one", status, e);
        // The framework's messages name the address connected to (a mapped host's is this machine's own):
        // the task error says what failed in words of its own; the exception, with the address, goes to the log.
        var detail = Describe(e);
        if (e is OperationCanceledException)
            // The caller's own cancellation is rethrown before this; what is left is a connect time-out.
            return StageException.Transient(Timeout, $"{url}: no connection within the connect time-out", status, inner: e);
        if (duringBody)
            return StageException.Transient(Truncated, $"{url}: the body broke off before its end ({detail})", status, inner: e);
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
            || FindSocketError(e) is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
            return StageException.Transient(ConnectionFailed, $"{url}: the host name did not resolve ({detail})", status, inner: e);
        return StageException.Transient(ConnectionFailed, $"{url}: connection failed ({detail})", status, inner: e);
    }

    /// <summary>What went wrong by its kind and socket error, never the framework's message (which names the endpoint).</summary>
    static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (x is HttpRequestException { HttpRequestError: var kind } && kind != HttpRequestError.Unknown) { parts.Add(kind.ToString()); break; }
        if (FindSocketError(e) is { } socket) parts.Add(socket.ToString());
        if (parts.Count == 0) parts.Add(e is IOException ? "the connection closed" : e.GetType().Name);
        return string.Join(": ", parts);
    }

    /// <summary>A Retry-After header as a delay from <paramref name="now"/> (seconds or an HTTP date; never negative).</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null) return null;
        if (header.Delta is { } d) return d < TimeSpan.Zero ? TimeSpan.Zero : d;
        if (header.Date is { } at) return at <= now ? TimeSpan.Zero : at - now;
        return null;
    }

    /// <summary>A connection the server reset before answering: worth one quick retry in-process.</summary>
    public static bool IsConnectionReset(Exception e) =>
        e is HttpRequestException hre
        && (FindSocketError(e) is SocketError.ConnectionReset or SocketError.ConnectionAborted
            || hre.HttpRequestError == HttpRequestError.ResponseEnded);

    static SocketError? FindSocketError(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is SocketException s) return s.SocketErrorCode;
        return null;
    }

    /// <summary>The status class used in metrics and logs: "2xx" .. "5xx".</summary>
    public static string StatusClass(int status) => status is >= 100 and <= 599 ? $"{status / 100}xx" : "other";

    internal static bool IsRedirect(HttpStatusCode s) => (int)s is 301 or 302 or 303 or 307 or 308;
}
