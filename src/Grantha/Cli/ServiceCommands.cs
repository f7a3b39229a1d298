using System.CommandLine;
using System.Data.Common;
using Grantha.Api;
using Grantha.Engine;
using Grantha.OfflineSite;
using Microsoft.Extensions.Logging;

namespace Grantha.Cli;

/// <summary>serve, worker, migrate, sources serve (keys: <see cref="KeyCommands"/>).</summary>
public static class ServiceCommands
{
    public static IEnumerable<Command> Build()
    {
        var url = new Option<string>("--url") { Description = "Address to listen on", DefaultValueFactory = _ => ApiHost.DefaultUrl };
        var noWorkers = new Option<bool>("--no-workers") { Description = "API only" };
        var offlineSite = new Option<bool>("--offline-site")
        {
            Description = $"Start the offline source site in this process (ports {SourceSiteOptions.DefaultBasePort}..) and let admins map batches' hosts onto it",
        };
        var offlineAllow = OfflineSiteAllowOption();
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve /metrics on this port only (same address), not on the API's" };
        var metricsKey = new Option<bool>("--metrics-key-required") { Description = "/metrics needs an API key (operator or admin)" };
        var serve = new Command("serve", "Run the API (admin, health, metrics, OpenAPI at /scalar/v1) and the workers")
        {
            url, noWorkers, offlineSite, offlineAllow, metricsPort, metricsKey,
        };
        serve.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = Db.Open(Db.ResolveSpec(p.GetValue(Commands.DbOption)));
            // A store that cannot take the migrations (read-only, unreachable) is named by the readiness checks,
            // in one line, rather than by the store's own exception.
            try { await Migrations.ApplyAsync(db, ct); }
            catch (DbException) { }
            if ((await Readiness.CheckAsync(db, ct)).Where(c => !c.Ready).ToList() is { Count: > 0 } notReady)
            {
                Console.Error.WriteLine($"error: not ready: {string.Join("; ", notReady.Select(c => $"{c.Name}: {c.Description}"))}. Fix the store (or --db) and start serve again.");
                return ExitCodes.Failed;
            }
            if (p.GetValue(metricsPort) is { } mp && (mp is < 1 or > 65535 || mp == new Uri(p.GetValue(url)!).Port))
                throw new ArgumentException("--metrics-port must be a port from 1 to 65535 other than the API's.");
            // A taken port is said in one line before anything starts (the host would log a stack trace).
            if (!Uri.TryCreate(p.GetValue(url), UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
                throw new ArgumentException($"--url '{p.GetValue(url)}': write http://127.0.0.1:<port>.");
            var ports = new List<(Uri At, string Option)> { (api, "--url") };
            if (p.GetValue(metricsPort) is { } m) ports.Add((new UriBuilder(api) { Port = m }.Uri, "--metrics-port"));
            foreach (var (at, option) in ports)
                if (!DemoCommand.PortIsFree(at))
                {
                    Console.Error.WriteLine($"error: {at.GetLeftPart(UriPartial.Authority)} is taken: another process listens on port {at.Port} (a second serve, a demo?). Stop it, or choose another port with {option}.");
                    return ExitCodes.Failed;
                }
            await PrintBootstrapKeyAsync(db, ct);
            var metricsFromConfig = Composition.Configuration().GetSection("Metrics").Get<ApiHost.MetricsOptions>() ?? new ApiHost.MetricsOptions();
            var metrics = metricsFromConfig with
            {
                Port = p.GetValue(metricsPort) ?? metricsFromConfig.Port,
                KeyRequired = p.GetValue(metricsKey) || metricsFromConfig.KeyRequired,
            };
            await using var site = p.GetValue(offlineSite)
                ? await SourceSite.StartAsync(new SourceSiteOptions { Manifests = SharedFiles.TrinityManifestsIfPresent }, ct)
                : null;
            var app = ApiHost.Build(new ApiHost.Options(db, p.GetValue(url)!, RunWorkers: !p.GetValue(noWorkers), Metrics: metrics));
            var allowed = app.Services.GetRequiredService<Fetch.OfflineSites>().Allow(p.GetValue(offlineAllow) ?? []);
            if (site is not null)
            {
                allowed.Allow(site.HostMap.Values);
                Console.Error.WriteLine($"Offline site: {string.Join(", ", site.HostMap.Select(kv => $"{kv.Key} -> {kv.Value}"))} (admins may map batches' hosts onto it)");
            }
            var metricsAt = metrics.Port is { } port ? $"metrics on port {port}" : "metrics /metrics";
            Console.Error.WriteLine($"API on {p.GetValue(url)} (dashboard /, OpenAPI UI /scalar/v1, {metricsAt}{(metrics.KeyRequired ? " with an operator key" : "")}), database {db.Description}");
            try { await app.RunAsync(ct); }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Kestrel's message names the address (the API's or the metrics port); the rest is a stack trace.
                Console.Error.WriteLine($"error: {e.Message.TrimEnd('.')}: another process listens there (a second serve, a demo?). Stop it, or choose another port with --url (or --metrics-port).");
                return ExitCodes.Failed;
            }
            return 0;
        }));
        yield return serve;

        var stages = new Option<string[]>("--stage") { Description = "Only these stages (default: all)", AllowMultipleArgumentsPerToken = true };
        var workerAllow = OfflineSiteAllowOption();
        var worker = new Command("worker", "Run workers only (start several, on several machines, against one PostgreSQL)") { stages, workerAllow };
        worker.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            using var logs = LoggerFactory.Create(b => Composition.ConfigureLogging(b));
            var only = p.GetValue(stages) is { Length: > 0 } s ? s.Select(x => x.ToUpperInvariant()).ToArray() : null;
            await using var app = GranthaApp.Create(db, logs: logs);
            app.Services.GetRequiredService<Fetch.OfflineSites>().Allow(p.GetValue(workerAllow) ?? []);
            var options = app.Services.GetRequiredService<WorkerOptions>();
            await app.NewWorker(only is null ? options : options with { Stages = only }).RunAsync(ct);
            return 0;
        }));
        yield return worker;

        var migrate = new Command("migrate", "Apply database migrations (also done at every start)");
        migrate.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = Db.Open(Db.ResolveSpec(p.GetValue(Commands.DbOption)));
            var applied = await Migrations.ApplyAsync(db, ct);
            foreach (var m in applied) Console.WriteLine($"applied V{m.Version:D4} {m.Name}");
            var all = await Migrations.AppliedAsync(db, ct);
            Console.WriteLine($"{db.Description}: schema at V{all.Max(m => m.Version):D4} ({all.Count} migrations, {applied.Count} applied now)");
            return 0;
        }));
        yield return migrate;


        var port = new Option<int>("--port") { Description = "First port (one per blog host: port, port+1, port+2)", DefaultValueFactory = _ => SourceSiteOptions.DefaultBasePort };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => SourceSiteOptions.DefaultSeed };
        var faults = new Option<string?>("--faults") { Description = "e.g. 5xx=0.10,429=0.05,retry-after=2,timeout=0.02,404=0.01" };
        var manifests = new Option<string[]>("--manifest") { Description = "Manifests whose rows the site serves (default: the Trinity manifests in ../shared)", AllowMultipleArgumentsPerToken = true };
        var truth = new Option<string?>("--truth-dir") { Description = "Write a ground-truth JSON per page here" };
        var log = new Option<string?>("--log") { Description = "Append the request log (JSONL) here" };
        var sourcesServe = new Command("serve", "Serve look-alike source pages on 127.0.0.1, with faults on demand") { port, seed, faults, manifests, truth, log };
        sourcesServe.SetAction(Commands.Guarded((p, ct) => SourceSite.RunCliAsync(new SourceSiteOptions
        {
            BasePort = p.GetValue(port),
            Seed = p.GetValue(seed),
            Faults = SiteFaults.Parse(p.GetValue(faults)),
            Manifests = p.GetValue(manifests) is { Length: > 0 } m ? m : SharedFiles.TrinityManifestsIfPresent,
            TruthDir = p.GetValue(truth),
            LogFile = p.GetValue(log),
        }, ct)));
        yield return new Command("sources", "The offline source site") { sourcesServe };
    }

    static Option<string[]> OfflineSiteAllowOption() => new("--offline-site-allow")
    {
        Description = "Base URLs (http://127.0.0.1:PORT) batches may map their hosts onto (development; also Fetch:OfflineSiteAllow)",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>
    /// A database without an active key (fresh, or every key revoked): make an admin key so the API is usable, and
    /// show it once. Names are never reused, so a later bootstrap key is bootstrap-admin-2, -3 ...
    /// </summary>
    public static async Task<string?> PrintBootstrapKeyAsync(Db db, CancellationToken ct)
    {
        if (await ApiKeys.AnyAsync(db, ct)) return null;
        var taken = (await ApiKeys.ListAsync(db, ct)).Select(k => k.Name).ToHashSet();
        var name = Enumerable.Range(1, int.MaxValue).Select(i => i == 1 ? "bootstrap-admin" : $"bootstrap-admin-{i}").First(n => !taken.Contains(n));
        var key = await ApiKeys.CreateAsync(db, name, Role.Admin, "serve", ct);
        Console.Error.WriteLine($"Created the first API key (admin), shown only now: {key}");
        return key;
    }
}
