using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.Resolve;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grantha;

/// <summary>
/// The composition root: what a process is made of, built in one place for the CLI, <c>serve</c>,
/// <c>worker</c>, the benchmarks and the tests. Options come from configuration
/// (<see cref="Configuration"/>: appsettings.json beside the executable, then <c>GRANTHA_*</c>
/// environment variables; docs/configuration.md lists the keys). The pipeline is built here:
/// adding a stage is one line below and one folder.
/// </summary>
public static class Composition
{
    /// <summary>
    /// appsettings.json beside the executable (optional), then environment variables with the prefix
    /// <c>GRANTHA_</c> (<c>GRANTHA_Fetch__RequestTimeout=00:00:30</c>; <c>GRANTHA_DB</c> is key <c>DB</c>), then <paramref name="overrides"/>.
    /// </summary>
    public static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string?>>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables("GRANTHA_")
            .AddInMemoryCollection(overrides ?? [])
            .Build();

    /// <summary>
    /// The console log of every process: one line per entry, to stderr, information and up. The HTTP
    /// client factory and Polly log every request at information: a page each is noise (the fetch
    /// stage keeps its own evidence), so they log warnings only.
    /// </summary>
    public static ILoggingBuilder ConfigureLogging(ILoggingBuilder b) => b.ClearProviders()
        .AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss "; })
        .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
        .AddFilter("Polly", LogLevel.Warning);

    /// <summary>The import system's services on <paramref name="db"/>: options, one HTTP client factory, the pipeline, workers.</summary>
    public static IServiceCollection AddGrantha(this IServiceCollection services, IConfiguration config, Db db)
    {
        services.AddSingleton(db);
        var fetch = config.GetSection("Fetch").Get<FetchOptions>() ?? new FetchOptions();
        // Each process its own allowance, from its configuration only (a process that starts an offline site adds it).
        fetch = fetch with { OfflineSites = new OfflineSites(config.GetSection("Fetch:OfflineSiteAllow").Get<string[]>() ?? []) };
        services.AddSingleton(fetch);
        services.AddSingleton(fetch.OfflineSites);
        services.AddSingleton(config.GetSection("Worker").Get<WorkerOptions>() ?? new WorkerOptions());
        services.AddSingleton(ManifestLimits.Default);
        FetchClient.AddFetchClients(services, fetch);
        services.AddSingleton(sp => new FetchClient(fetch, sp.GetRequiredService<IHttpClientFactory>()));
        services.AddSingleton<ResolverCache>();
        services.AddSingleton(sp =>
        {
            var logs = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            return new Pipeline(
                new ManifestHandler { Log = logs.CreateLogger<ManifestHandler>() },
                new FetchHandler(fetch, sp.GetRequiredService<FetchClient>()) { Log = logs.CreateLogger<FetchHandler>() },
                new ExtractHandler { Log = logs.CreateLogger<ExtractHandler>() },
                new ResolveHandler(sp.GetRequiredService<ResolverCache>()) { Log = logs.CreateLogger<ResolveHandler>() },
                new Review.ApproveHandler { Log = logs.CreateLogger<Review.ApproveHandler>() });
        });
        return services;
    }

    /// <summary>A worker on the process's pipeline (options: configuration's, or <paramref name="options"/>).</summary>
    public static Worker NewWorker(this IServiceProvider sp, WorkerOptions? options = null) =>
        new(sp.GetRequiredService<Db>(), sp.GetRequiredService<Pipeline>(), options ?? sp.GetRequiredService<WorkerOptions>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<Worker>());
}

/// <summary>A process's services outside the web host (CLI commands, benchmarks, tests).</summary>
public sealed class GranthaApp : IAsyncDisposable
{
    readonly ServiceProvider _services;

    GranthaApp(ServiceProvider services) => _services = services;

    public IServiceProvider Services => _services;
    public Db Db => _services.GetRequiredService<Db>();
    public Pipeline Pipeline => _services.GetRequiredService<Pipeline>();

    public static GranthaApp Create(Db db, IConfiguration? config = null, ILoggerFactory? logs = null, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(logs ?? NullLoggerFactory.Instance);
        services.AddGrantha(config ?? Composition.Configuration(), db);
        configure?.Invoke(services);
        return new GranthaApp(services.BuildServiceProvider());
    }

    public Worker NewWorker(WorkerOptions? options = null) => _services.NewWorker(options);

    // The database belongs to whoever opened it; the provider disposes what it made (HTTP clients, handlers).
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
