using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grantha.OfflineSite;

/// <summary>
/// The offline source site: an HTTP server on loopback that serves look-alike blog pages for
/// every manifest row, one port per blog host, with deterministic faults, a request log and
/// ground truth. <c>await using var site = await SourceSite.StartAsync(new SourceSiteOptions { ... });</c>
/// </summary>
public sealed class SourceSite : IAsyncDisposable
{
    public const string AdminPrefix = "/__site/";

    /// <summary>Shutdown waits at most this long for in-flight requests.</summary>
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    sealed class PageEntry(string url, IReadOnlyList<SourceRow> rows, FaultPlan fault, Func<GeneratedPage> generate)
    {
        public string Url { get; } = url;
        public IReadOnlyList<SourceRow> Rows { get; } = rows;
        public FaultPlan Fault { get; } = fault;
        public Lazy<GeneratedPage> Page { get; } = new(generate, LazyThreadSafetyMode.ExecutionAndPublication);
        public int Requests;
    }

    readonly SourceSiteOptions _options;
    readonly Dictionary<(string Host, string Path), PageEntry> _pages = new();
    readonly List<string> _urls = [];
    readonly List<string> _hosts = [];
    readonly Dictionary<int, string> _hostByPort = new();
    readonly Dictionary<string, int> _portByHost = new(StringComparer.OrdinalIgnoreCase);
    readonly SiteRequestLog _log;
    readonly CancellationTokenSource _stopping = new();
    WebApplication? _app;
    Task _warmup = Task.CompletedTask;

    SourceSite(SourceSiteOptions options)
    {
        _options = options;
        _log = new SiteRequestLog(options.LogFile);
    }

    /// <summary>Source host (e.g. guru-guha.blogspot.com) to base URL (e.g. http://127.0.0.1:5081).</summary>
    public Dictionary<string, string> HostMap { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every request answered so far (admin endpoints excluded).</summary>
    public IReadOnlyList<SiteRequest> RequestLog => _log.Entries;

    /// <summary>The manifest URLs served, first-appearance order.</summary>
    public IReadOnlyList<string> Urls => _urls;

    public SourceSiteOptions Options => _options;

    public SiteStats Stats() => _log.Stats(_portByHost);

    /// <summary>The ground truth for a manifest URL (or its rewritten form); null when not served.</summary>
    public PageTruth? Truth(string url) => Find(url)?.Page.Value.Truth;

    /// <summary>The generated page for a manifest URL (or its rewritten form); null when not served.</summary>
    public GeneratedPage? Page(string url) => Find(url)?.Page.Value;

    /// <summary>The fault decided for a URL.</summary>
    public FaultPlan Fault(string url) => Find(url)?.Fault ?? FaultPlan.None;

    /// <summary>Rewrites a manifest URL onto this site (http://127.0.0.1:port/path?query).</summary>
    public string Rewrite(string url)
    {
        var uri = new Uri(url);
        return HostMap.TryGetValue(uri.Host, out var baseUrl) ? baseUrl + uri.PathAndQuery : url;
    }

    PageEntry? Find(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        var host = uri.Host;
        if (uri.IsLoopback && _hostByPort.TryGetValue(uri.Port, out var mapped)) host = mapped;
        return _pages.GetValueOrDefault((host.ToLowerInvariant(), uri.AbsolutePath));
    }

    public static async Task<SourceSite> StartAsync(SourceSiteOptions options, CancellationToken ct = default)
    {
        options.Faults.Validate();
        if (options.BasePort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), $"Base port {options.BasePort} is not a port number.");
        // Page generation is synchronous CPU work: with the pool's few default threads, arriving
        // requests would queue behind it and the request log would stamp them late and bunched,
        // which makes a polite client look impolite.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        var site = new SourceSite(options);
        try
        {
            site.Index(options.Rows ?? SiteManifest.Load(options.Manifests));
            await site.ListenAsync(ct);
            if (options.TruthDir is not null) await site.WriteTruthAsync(options.TruthDir, ct);
            if (options.Pregenerate) site._warmup = Task.Run(site.Warm, CancellationToken.None);
            return site;
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    void Index(IReadOnlyList<SourceRow> rows)
    {
        foreach (var group in rows.GroupBy(r => r.Url.Trim()))
        {
            if (!Uri.TryCreate(group.Key, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidDataException($"Manifest URL '{group.Key}' is not an absolute http(s) URL.");
            var host = uri.Host.ToLowerInvariant();
            if (!_hosts.Contains(host)) _hosts.Add(host);
            var key = (host, uri.AbsolutePath);
            if (_pages.ContainsKey(key)) continue;
            var url = group.Key;
            var list = group.ToList();
            var seed = _options.Seed;
            _pages[key] = new PageEntry(url, list, _options.Faults.Decide(seed, url), () => PageGenerator.Generate(seed, url, list));
            _urls.Add(url);
        }
        // Trinity hosts keep their conventional ports (5081 Dikshitar, 5082 Thyagaraja, 5083 Syama Sastri).
        var trinity = Blog.Trinity.Select(b => b.Host).ToList();
        var ordered = _hosts.OrderBy(h => trinity.IndexOf(h) is var i and >= 0 ? i : trinity.Count + _hosts.IndexOf(h)).ToList();
        _hosts.Clear();
        _hosts.AddRange(ordered);
    }

    async Task ListenAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Grantha.SourceSite" });
        builder.WebHost.UseKestrelCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        var listens = new List<(string Host, ListenOptions Listen)>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            for (var i = 0; i < _hosts.Count; i++)
            {
                var host = _hosts[i];
                var port = _options.BasePort == 0 ? 0 : _options.BasePort + i;
                k.Listen(IPAddress.Loopback, port, lo => listens.Add((host, lo)));
            }
        });
        var app = builder.Build();
        app.Run(Handle);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            var ports = string.Join(", ", _hosts.Select((_, i) => _options.BasePort + i));
            throw new InvalidOperationException($"The source site could not bind 127.0.0.1 ports {ports}: {e.Message} Choose another --port, or 0 for free ports.", e);
        }
        _app = app;
        foreach (var (host, listen) in listens)
        {
            var port = listen.IPEndPoint!.Port;
            _hostByPort[port] = host;
            _portByHost[host] = port;
            HostMap[host] = $"http://127.0.0.1:{port}";
        }
    }

    /// <summary>
    /// One admin request per port (admin requests are not logged), so the server's first-request
    /// costs (JIT, connection setup) do not delay the stamp of a client's first request: that made
    /// two robots.txt requests 175 ms apart look 5 ms apart in the log.
    /// </summary>
    public async Task WarmServerAsync(CancellationToken ct = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var baseUrl in HostMap.Values.Distinct())
            for (var i = 0; i < 3; i++)
                using (await http.GetAsync($"{baseUrl}{AdminPrefix}hosts", ct)) { }
    }

    /// <summary>Completes when every page is generated (at once unless <see cref="SourceSiteOptions.Pregenerate"/>).</summary>
    public Task Ready => _warmup;

    void Warm()
    {
        foreach (var entry in _pages.Values)
        {
            if (_stopping.IsCancellationRequested) return;
            _ = entry.Page.Value;
        }
    }

    /// <summary>Writes every page's ground truth to a folder as &lt;page&gt;.json.</summary>
    public async Task WriteTruthAsync(string dir, CancellationToken ct = default)
    {
        Directory.CreateDirectory(dir);
        foreach (var entry in _pages.Values)
        {
            var truth = entry.Page.Value.Truth;
            var name = Path.ChangeExtension(truth.Page, ".json");
            await File.WriteAllTextAsync(Path.Combine(dir, name), truth.ToJson(), new UTF8Encoding(false), ct);
        }
    }

    async Task Handle(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path.StartsWith(AdminPrefix, StringComparison.Ordinal))
        {
            await Admin(ctx, path[AdminPrefix.Length..]);
            return;
        }
        var port = ctx.Connection.LocalPort;
        var host = _hostByPort.GetValueOrDefault(port, "unknown");
        var started = _log.Begin(host);
        string? fault = null;
        var logged = 0;
        void Finish(int status)
        {
            if (Interlocked.Exchange(ref logged, 1) == 0)
                _log.End(new SiteRequest(host, port, ctx.Request.Method, path + ctx.Request.QueryString, status, started, _log.Now, fault));
        }
        // Log as the response starts, so a client that has its response always finds it in the log.
        ctx.Response.OnStarting(() =>
        {
            Finish(ctx.Response.StatusCode);
            return Task.CompletedTask;
        });
        var status = 500;
        try
        {
            status = await Serve(ctx, host, path, f => fault = f);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            status = 499; // the client gave up (nginx's "client closed request")
        }
        finally
        {
            Finish(status);
        }
    }

    async Task<int> Serve(HttpContext ctx, string host, string path, Action<string?> setFault)
    {
        var req = ctx.Request;
        var res = ctx.Response;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        var aborted = linked.Token;
        if (!HttpMethods.IsGet(req.Method) && !HttpMethods.IsHead(req.Method))
        {
            res.StatusCode = 405;
            res.Headers.Allow = "GET, HEAD";
            return 405;
        }
        if (path == "/robots.txt")
        {
            await Text(ctx, 200, "text/plain; charset=UTF-8", Robots(host));
            return 200;
        }
        if (!_pages.TryGetValue((host, path), out var entry))
        {
            await Text(ctx, 404, "text/html; charset=UTF-8", NotFoundPage);
            return 404;
        }

        var fault = entry.Fault;
        var attempt = Interlocked.Increment(ref entry.Requests);
        var faultName = fault.LogName;
        var transientHit = fault.IsTransient && attempt <= fault.FailingRequests;
        // The log names a fault when it changed this response (a passed transient fault is not named).
        if (transientHit || fault.Kind is FaultKind.NotFound or FaultKind.Slow or FaultKind.Charset)
            setFault(faultName);
        if (fault.Kind == FaultKind.NotFound)
        {
            await Text(ctx, 404, "text/html; charset=UTF-8", NotFoundPage);
            return 404;
        }
        switch (fault.Kind)
        {
            case FaultKind.ServerError when transientHit:
                if (fault.StatusCode == 503) res.Headers.RetryAfter = _options.Faults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await Text(ctx, fault.StatusCode, "text/html; charset=UTF-8", $"<html><body><h1>Error {fault.StatusCode}</h1><p>The server encountered a temporary error.</p></body></html>");
                return fault.StatusCode;
            case FaultKind.TooManyRequests when transientHit:
                res.Headers.RetryAfter = _options.Faults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await Text(ctx, 429, "text/html; charset=UTF-8", "<html><body><h1>Too Many Requests</h1></body></html>");
                return 429;
            case FaultKind.Timeout when transientHit:
                // Hold far longer than any client time-out; ends early when the client disconnects.
                await Task.Delay(_options.Faults.TimeoutHold, aborted);
                break;
            case FaultKind.Redirect when !string.Equals(req.Query["m"], "1", StringComparison.Ordinal):
                setFault(faultName);
                res.StatusCode = 301;
                res.Headers.Location = $"{req.Scheme}://{req.Host}{path}?m=1";
                return 301;
            case FaultKind.Slow:
                await Task.Delay(fault.SlowMs, aborted);
                break;
        }

        var page = entry.Page.Value;
        var lastModified = page.LastModified;
        res.Headers.ETag = page.ETag;
        res.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
        res.Headers.CacheControl = "private, max-age=0";
        if (NotModified(req, page))
        {
            res.StatusCode = 304;
            return 304;
        }

        var bytes = page.Bytes;
        if (fault.Kind == FaultKind.Truncate && transientHit)
        {
            // Cut mid-document on a character boundary; Content-Length is honest for the cut body,
            // so the client sees a clean 200 whose HTML simply stops (no </html>).
            var cut = (int)(bytes.Length * fault.CutFraction);
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) cut--;
            bytes = bytes[..cut];
        }
        res.StatusCode = 200;
        res.ContentType = fault.Kind == FaultKind.Charset ? "text/html; charset=ISO-8859-1" : "text/html; charset=UTF-8";
        res.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(req.Method)) await res.Body.WriteAsync(bytes, aborted);
        return 200;
    }

    static bool NotModified(HttpRequest req, GeneratedPage page)
    {
        var inm = req.Headers.IfNoneMatch.ToString();
        if (inm.Length > 0)
            return inm.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t == page.ETag || t == "W/" + page.ETag);
        var ims = req.Headers.IfModifiedSince.ToString();
        return ims.Length > 0
               && DateTimeOffset.TryParse(ims, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
               && page.LastModified <= since.AddSeconds(1);
    }

    const string NotFoundPage = "<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Sorry, the page you were looking for in this blog does not exist.</h1></body></html>";

    static string Robots(string host) =>
        $"User-agent: Mediapartners-Google\nDisallow: \n\nUser-agent: *\nDisallow: /search\nAllow: /\n\nSitemap: http://{host}/sitemap.xml\n";

    static async Task Text(HttpContext ctx, int status, string contentType, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(ctx.Request.Method)) await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    static readonly JsonSerializerOptions AdminJson = new(PageTruth.Json) { WriteIndented = false };

    async Task Admin(HttpContext ctx, string what)
    {
        var q = ctx.Request.Query;
        object? body;
        var status = 200;
        switch (what)
        {
            case "log":
                var host = q["host"].ToString();
                body = RequestLog.Where(e => host.Length == 0 || string.Equals(e.Host, host, StringComparison.OrdinalIgnoreCase)).ToList();
                break;
            case "stats":
                body = Stats();
                break;
            case "hosts":
                body = HostMap;
                break;
            case "urls":
                body = Urls;
                break;
            case "truth":
                var url = q["url"].ToString();
                var truth = url.Length == 0 ? null : Truth(url);
                if (truth is null)
                {
                    status = 404;
                    body = new { error = url.Length == 0 ? "pass ?url=<manifest url>" : $"no page for {url}" };
                }
                else body = truth;
                break;
            default:
                status = 404;
                body = new { error = "unknown endpoint", endpoints = new[] { "log", "stats", "hosts", "urls", "truth?url=" } };
                break;
        }
        await Text(ctx, status, "application/json; charset=UTF-8", JsonSerializer.Serialize(body, AdminJson));
    }

    /// <summary>
    /// The CLI entry point (<c>grantha sources serve</c>): starts the site, prints the host map and
    /// runs until cancelled. Returns 0, or 2 when the site cannot start (message on stderr).
    /// </summary>
    public static async Task<int> RunCliAsync(SourceSiteOptions options, CancellationToken ct, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        SourceSite site;
        try
        {
            site = await StartAsync(options with { Pregenerate = true }, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or IOException or InvalidDataException)
        {
            await error.WriteLineAsync($"sources serve: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        await using (site)
        {
            // Serve from memory before announcing the site: generating pages while a client
            // measures politeness would delay and bunch the requests the log records.
            await output.WriteLineAsync($"Generating {site.Urls.Count} pages...");
            await output.FlushAsync(CancellationToken.None);
            await site.Ready.WaitAsync(ct);
            await site.WarmServerAsync(ct);
            await output.WriteLineAsync($"Offline source site: {site.Urls.Count} pages, seed {options.Seed}, faults {options.Faults}");
            foreach (var (host, baseUrl) in site.HostMap) await output.WriteLineAsync($"  {host} -> {baseUrl}");
            var any = site.HostMap.Values.First();
            await output.WriteLineAsync($"  {any}{AdminPrefix}stats | log | hosts | urls | truth?url=...");
            if (options.TruthDir is not null) await output.WriteLineAsync($"  ground truth written to {options.TruthDir}");
            if (options.LogFile is not null) await output.WriteLineAsync($"  request log appended to {options.LogFile}");
            await output.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException) { }
        }
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            try { await _app.StopAsync(CancellationToken.None); }
            finally { await _app.DisposeAsync(); }
            _app = null;
        }
        try { await _warmup; } catch (Exception) { /* a failed warm-up surfaces on the next request instead */ }
        _log.Dispose();
        _stopping.Dispose();
    }
}
