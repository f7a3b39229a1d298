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

    public sealed record Options(Db Db, string Url = DefaultUrl, bool RunWorkers = true, ImportFolder? ImportFolder = null, WorkerOptions? Worker = null);

    public static WebApplication Build(Options o, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(ApiHost).Assembly.GetName().Name });
        builder.WebHost.UseUrls(o.Url);
        Composition.ConfigureLogging(builder.Logging);
        builder.Services.AddGrantha(Composition.Configuration(), o.Db);
        builder.Services.AddSingleton((o.ImportFolder ?? ImportFolder.FromEnvironment()).Guarding(o.Db));
        // One limit for a request body, the manifests an upload carries (docs/manifest.md, "Limits"): the server
        // and the multipart reader agree on it, so a too-large upload is always answered 413 "Manifest too large".
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = ManifestLimits.UploadBytesMax);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f =>
        {
            f.MultipartBodyLengthLimit = ManifestLimits.UploadBytesMax;
            f.ValueCountLimit = BulkImportApi.MaxFormFields;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<Problems>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never);
        builder.Services.AddHealthChecks().AddCheck("database", new DatabaseCheck(o.Db), tags: ["ready"]);
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(EngineMetrics.MeterName, Fetch.FetchMetrics.MeterName, Extract.ExtractMetrics.MeterName, Resolve.ResolveMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        if (o.RunWorkers)
            builder.Services.AddHostedService(sp => new WorkerService(sp.NewWorker(o.Worker)));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Roles before bodies: a request that may not act is answered before any body is read.
        app.UseApiKeys();
        app.UseKnownCharsets();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        app.MapBulkImportApi();
        Catalog.KrithiApi.MapKrithiApi(app);
        Review.ExportApi.MapExportApi(app);
        Review.ReviewApi.MapReviewApi(app);
        Resolve.CurationApi.MapCurationApi(app);
        app.MapGet("/", () => Results.Redirect("/scalar/v1")).ExcludeFromDescription();
        return app;
    }

    sealed class DatabaseCheck(Db db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await db.ReadAsync(async c => { await using var cmd = c.CreateCommand(); cmd.CommandText = "SELECT 1"; return await cmd.ExecuteScalarAsync(ct); }, ct);
                return HealthCheckResult.Healthy(db.Description);
            }
            catch (Exception e) { return HealthCheckResult.Unhealthy("database unreachable", e); }
        }
    }
}

/// <summary>Runs the workers inside the web host (serve) until it stops.</summary>
public sealed class WorkerService(Worker worker) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => worker.RunAsync(stoppingToken);
}
