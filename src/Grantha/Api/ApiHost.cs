using Grantha.Engine;
using Grantha.Manifest;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace Grantha.Api;

/// <summary>The web host: admin API, health, metrics, OpenAPI + Scalar, and (optionally) the workers.</summary>
public static class ApiHost
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <param name="Metrics">Where /metrics is served and who may read it (default: configuration's <c>Metrics</c> section).</param>
    public sealed record Options(Db Db, string Url = DefaultUrl, bool RunWorkers = true, ImportFolder? ImportFolder = null, WorkerOptions? Worker = null,
        MetricsOptions? Metrics = null, string? DashboardRoot = null);

    /// <summary>
    /// /metrics tells the hosts and the load of every batch: it can be served on a port of its own (then the API's
    /// port does not serve it, and the metrics port serves nothing else) and/or need an operator key.
    /// </summary>
    public sealed record MetricsOptions
    {
        /// <summary>Serve /metrics on this port only (same address as the API); null: on the API's port.</summary>
        public int? Port { get; init; }
        /// <summary>/metrics needs an API key with the operator role or above.</summary>
        public bool KeyRequired { get; init; }
    }

    public static WebApplication Build(Options o, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(ApiHost).Assembly.GetName().Name });
        var config = Composition.Configuration();
        var metrics = o.Metrics ?? config.GetSection("Metrics").Get<MetricsOptions>() ?? new MetricsOptions();
        if (metrics.Port is { } mp)
        {
            var api = new Uri(o.Url);
            builder.WebHost.UseUrls(o.Url, $"{api.Scheme}://{api.Host}:{mp}");
        }
        else builder.WebHost.UseUrls(o.Url);
        Composition.ConfigureLogging(builder.Logging);
        builder.Services.AddGrantha(config, o.Db);
        builder.Services.AddSingleton((o.ImportFolder ?? ImportFolder.FromEnvironment()).Guarding(o.Db));
        // One limit for a request body, the manifests an upload carries (docs/manifest.md, "Limits"): the server
        // and the multipart reader agree on it, so a too-large upload is always answered 413 "Manifest too large".
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = ManifestLimits.UploadBytesMax);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f =>
        {
            f.MultipartBodyLengthLimit = ManifestLimits.UploadBytesMax;
            f.ValueCountLimit = BulkImportApi.MaxFormFields;
        });
        builder.Services.AddSingleton<EventFeed>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<Problems>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never);
        // Readiness: the store takes a write and has this build's migrations. A check that does not answer in
        // 5 s fails (a hung store is not ready); liveness (/health/live) runs no check at all.
        builder.Services.AddHealthChecks()
            .AddCheck(Readiness.Database, new ReadinessCheck(ct => Readiness.WritableAsync(o.Db, ct)), tags: ["ready"], timeout: ReadyTimeout)
            .AddCheck(Readiness.Schema, new ReadinessCheck(ct => Readiness.MigrationsAsync(o.Db, ct)), tags: ["ready"], timeout: ReadyTimeout);
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(EngineMetrics.MeterName, Fetch.FetchMetrics.MeterName, Extract.ExtractMetrics.MeterName, Resolve.ResolveMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            // Kestrel's connection metrics carry the listening address and port of each connection: not for a scrape.
            .AddView(i => i.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel"
                ? new MetricStreamConfiguration { TagKeys = ["network.protocol.name", "network.protocol.version", "network.transport", "network.type", "tls.protocol.version", "error.type"] }
                : null)
            .AddPrometheusExporter());
        if (o.RunWorkers)
            builder.Services.AddHostedService(sp => new WorkerService(sp.NewWorker(o.Worker)));
        configure?.Invoke(builder);

        var app = builder.Build();
        if (metrics.Port is { } metricsPort)
            // By the port the connection came in on (a Host header is the client's to write): /metrics only there, and only /metrics.
            app.Use((http, next) =>
            {
                if ((http.Connection.LocalPort == metricsPort) == http.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase)) return next(http);
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var dashboard = o.DashboardRoot ?? Dashboard.DefaultRoot(config);
        app.UseDashboardFiles(dashboard);
        // Roles before bodies: a request that may not act is answered before any body is read.
        app.UseApiKeys();
        app.UseKnownCharsets();
        // One limit for manifests (the upload route), a small one for every other body: nothing else a route
        // reads is larger than a page of ids or a curator's edits, and a large body would only be parsed to be refused.
        app.Use((http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<ManifestUploadRoute>() is null
                && http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = BodyBytesMax;
            return next(http);
        });
        app.MapOpenApi();
        app.MapScalarApiReference();
        var scrape = app.MapPrometheusScrapingEndpoint("/metrics");
        if (metrics.KeyRequired) scrape.RequireRole(Role.Operator);
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync });
        app.MapBulkImportApi();
        Catalog.KrithiApi.MapKrithiApi(app);
        Review.ExportApi.MapExportApi(app);
        Review.ReviewApi.MapReviewApi(app);
        Resolve.CurationApi.MapCurationApi(app);
        app.MapKeysApi();
        app.MapEventStreamApi();
        app.MapWhoAmI();
        app.MapDashboard(dashboard);
        return app;
    }

    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The largest request body of a route other than the manifest upload (413 beyond).</summary>
    public const long BodyBytesMax = 1 << 20;

    sealed class ReadinessCheck(Func<CancellationToken, Task<Readiness.Check>> check) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            var r = await check(ct);
            // The exception goes to the health-check log; the response shows the description only.
            return r.Ready ? HealthCheckResult.Healthy(r.Description) : HealthCheckResult.Unhealthy(r.Description, r.Error);
        }
    }

    /// <summary>
    /// 200 with each check, or 503 as problem details whose detail names the failed checks. Descriptions only:
    /// a timed-out check says so, and nothing of the connection or the store's own message is written.
    /// </summary>
    static Task WriteReadinessAsync(HttpContext http, HealthReport report)
    {
        var checks = report.Entries.Select(e => new
        {
            name = e.Key,
            status = e.Value.Status.ToString(),
            description = e.Value.Description ?? (e.Value.Exception is OperationCanceledException ? $"no answer within {ReadyTimeout.TotalSeconds:0} s" : "failed"),
        }).ToList();
        if (report.Status == HealthStatus.Healthy)
            return http.Response.WriteAsJsonAsync(new { status = "Healthy", checks });
        var failed = checks.Where(c => c.status != nameof(HealthStatus.Healthy)).Select(c => $"{c.name}: {c.description}");
        return http.Response.WriteAsJsonAsync(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            title = "Not ready",
            status = http.Response.StatusCode,
            detail = string.Join("; ", failed),
            checks,
        }, options: null, contentType: "application/problem+json");
    }
}

/// <summary>Runs the workers inside the web host (serve) until it stops.</summary>
public sealed class WorkerService(Worker worker) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => worker.RunAsync(stoppingToken);
}

/// <summary>Endpoint metadata: the route takes manifests, up to <see cref="Manifest.ManifestLimits.UploadBytesMax"/>; every other body is held to <see cref="ApiHost.BodyBytesMax"/>.</summary>
public sealed class ManifestUploadRoute;
