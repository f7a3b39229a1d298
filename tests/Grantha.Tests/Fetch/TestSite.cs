using System.Collections.Concurrent;
using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grantha.Tests.Fetch;

/// <summary>
/// A small Kestrel site on 127.0.0.1:0 for fetch tests: each test maps the routes it needs. The
/// fetcher reaches it as the made-up source host <see cref="SourceHost"/> through the batch's host
/// map, as it reaches the offline site. Every request is recorded.
/// </summary>
public sealed class TestSite : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<(string PathAndQuery, IReadOnlyDictionary<string, string> Headers)> _requests;

    public Uri BaseUrl { get; }
    /// <summary>
    /// The servers <see cref="FetchTasks.Handler"/> may map onto: every test site, as a process allows the offline
    /// site it started (serve --offline-site). A handler with its own <see cref="FetchOptions.OfflineSites"/> allows only those.
    /// </summary>
    public static readonly OfflineSites Allowed = new();
    /// <summary>A source host of its own per site, so metrics and host state never mix between tests.</summary>
    public string SourceHost { get; } = $"src-{Guid.NewGuid():n}.test";

    TestSite(WebApplication app, Uri baseUrl, ConcurrentQueue<(string, IReadOnlyDictionary<string, string>)> requests)
    {
        _app = app; BaseUrl = baseUrl; _requests = requests;
    }

    public static async Task<TestSite> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var requests = new ConcurrentQueue<(string, IReadOnlyDictionary<string, string>)>();
        app.Use(async (ctx, next) =>
        {
            // Kestrel reuses header objects: keep a copy.
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            requests.Enqueue((ctx.Request.Path + ctx.Request.QueryString, headers));
            await next();
        });
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Allowed.Allow([address]);
        return new TestSite(app, new Uri(address), requests);
    }

    /// <summary>Requests for a path (query included), in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> RequestsFor(string pathAndQuery) =>
        _requests.Where(r => r.PathAndQuery == pathAndQuery).Select(r => r.Headers).ToList();

    /// <summary>The logical URL of a path on the source host.</summary>
    public string Url(string path) => $"http://{SourceHost}{path}";

    /// <summary>A batch that maps the source host onto this site.</summary>
    public BatchOptions Batch(bool politeness = false) => new()
    {
        AllowOfflineSite = true,
        HostMap = new(StringComparer.OrdinalIgnoreCase) { [SourceHost] = BaseUrl.ToString().TrimEnd('/') },
        Politeness = politeness,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Task contexts for driving the handler without the engine.</summary>
public static class FetchTasks
{
    public static TaskContext Context(Db db, string url, BatchOptions batch, long taskId = 1, int attempt = 1) =>
        new(new StageTask
        {
            Id = taskId, BatchId = 1, JobId = 1, Stage = FetchHandler.Name, State = "RUNNING", Attempt = attempt, MaxAttempts = 5,
            IdemKey = $"fetch:{url}:{taskId}", Subject = url, Host = new Uri(url).Host,
        }, db, batch, "test-worker");

    public static FetchHandler Handler(FetchOptions? options = null) => new((options ?? new FetchOptions
    {
        RequestTimeout = TimeSpan.FromSeconds(10),
        Gate = new HostGateOptions { MinDelay = TimeSpan.Zero },
    }) with { OfflineSites = TestSite.Allowed });

    /// <summary>A handler that may map hosts onto these offline-site bases only (as a process allows the site it started).</summary>
    public static FetchHandler ForSite(IEnumerable<string> bases) => new(new FetchOptions { OfflineSites = new OfflineSites(bases) });
}
