using System.CommandLine;
using System.Diagnostics;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Manifest;
using Grantha.Review;
using Grantha.OfflineSite;
using Microsoft.Extensions.Logging;

namespace Grantha.Cli;

/// <summary>
/// ./grantha demo: the embedded default end to end. SQLite, the offline source site, the three
/// Trinity manifests (or the site's small built-in sample when ../shared is absent), progress
/// bars, and the API address. --json: no terminal UI, exits when the batch settles.
/// </summary>
public static class DemoCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json") { Description = "No terminal UI; exit when the batch settles with the summary JSON" };
        var url = new Option<string>("--url") { Description = "API address", DefaultValueFactory = _ => ApiHost.DefaultUrl };
        var cmd = new Command("demo", "Import the Trinity manifests from the offline source site into SQLite, with live progress") { json, url };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            var started = Stopwatch.StartNew();
            var asJson = p.GetValue(json);
            // A port given on purpose is not changed behind the user's back; the default one is.
            var address = ChooseAddress(p.GetValue(url)!, given: p.GetResult(url) is { Implicit: false }, say: asJson ? _ => { } : Console.Error.WriteLine);
            await using var db = await Commands.OpenDbAsync(p, ct);
            await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Manifests = SharedFiles.TrinityManifestsIfPresent }, ct);
            var manifests = SharedFiles.Root is null
                ? [new ManifestInput("sample.csv", OfflineSiteLink.SampleManifest())]
                : SharedFiles.TrinityManifests.Select(f => new ManifestInput(Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
            if (!asJson && SharedFiles.Root is null) Console.Error.WriteLine("../shared not found: importing the offline site's built-in sample manifest.");

            var key = await ApiKeys.CreateAsync(db, $"demo-{DateTime.UtcNow:yyyyMMddHHmmss}", Role.Admin, ct);
            var app = ApiHost.Build(new ApiHost.Options(db, address, RunWorkers: true), QuietHost);
            // The site this process started, and nothing else, may be mapped onto (also by the demo's API).
            app.Services.GetRequiredService<Fetch.OfflineSites>().Allow(site.HostMap.Values);
            try { await app.StartAsync(ct); }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await app.DisposeAsync();
                throw new ArgumentException($"{address} was taken as the demo started. Pass another --url.");
            }
            if (!asJson)
            {
                Console.Error.WriteLine($"Database   {db.Description}");
                Console.Error.WriteLine($"Sources    offline site: {string.Join(", ", site.HostMap.Select(kv => $"{kv.Key} -> {kv.Value}"))}");
                Console.Error.WriteLine($"API        {address}/v1/admin/bulk-import/batches  (OpenAPI UI {address}/scalar/v1, metrics {address}/metrics)");
                Console.Error.WriteLine("Politeness off for this batch (loopback); real hosts get 1 request/s and 2 in flight per host.");
                Console.Error.WriteLine($"API key    {key}  (admin; send as X-Api-Key)");
            }
            // The offline site is ours and on loopback: per-host delays would only slow the demo down.
            var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
            var batchId = await ManifestBatches.CreateAsync(db, app.Services.GetRequiredService<Pipeline>(), "demo: Trinity manifests", manifests, options, "cli:demo", ct: ct);
            var summary = await Progress.WatchAsync(db, batchId, bars: !asJson, started, ct);
            // The pipeline ends at review: what the default auto-approval policy would approve, what needs a curator.
            var policy = await BulkApproval.PlanAsync(db, new ReviewFilter { BatchId = batchId }, ApprovalCriteria.DefaultPolicy, ct);
            var queue = await ReviewQueue.ListAsync(db, new ReviewFilter { BatchId = batchId }, limit: 1, ct: ct);
            if (asJson)
            {
                var line = System.Text.Json.Nodes.JsonNode.Parse(Progress.ToJson(summary))!.AsObject();
                line["review"] = System.Text.Json.JsonSerializer.SerializeToNode(new
                {
                    policy = policy.Criteria, policyWouldApprove = policy.WouldApprove, policySkipped = policy.Skipped,
                    states = queue.States.Where(x => x.Value > 0).ToDictionary(), flags = queue.Flags.Where(x => x.Value > 0).ToDictionary(),
                });
                Console.WriteLine(line.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            }
            else
            {
                Progress.PrintHuman(await BatchView.LoadAsync(db, batchId, ct), Console.Out);
                Console.WriteLine($"Settled in {summary.DurationMs / 1000.0:F1} s. Explore: curl -H 'X-Api-Key: {key}' {address}/v1/admin/bulk-import/batches/{batchId}");
                PrintReview(batchId, policy, queue);
                if (!Console.IsInputRedirected && !Console.IsOutputRedirected)
                {
                    var dashboard = Dashboard.DefaultRoot(Composition.Configuration());
                    Console.WriteLine(Dashboard.IsBuilt(dashboard)
                        ? $"Dashboard  {address}/  sign in with the key {key}"
                        : $"Dashboard  not built (Node.js 20 and npm are needed; ./grantha builds it when they are there). The API is at {address}/v1/admin/.");
                    Console.WriteLine("The API keeps running; press Ctrl+C to stop.");
                    try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
                }
            }
            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>
    /// The demo's terminal shows its own progress: the host's lines ("Application started. Press Ctrl+C...") and the
    /// workers' routine logs stay out of it; errors still show.
    /// </summary>
    public static void QuietHost(Microsoft.AspNetCore.Builder.WebApplicationBuilder b) => b.Logging.SetMinimumLevel(LogLevel.Error);

    /// <summary>
    /// The API's address: <paramref name="url"/> when its port is free. A taken port given with --url is one line
    /// saying so (<see cref="ArgumentException"/>: exit 4); the default one is swapped for a free port, said in one line.
    /// </summary>
    public static string ChooseAddress(string url, bool given, Action<string> say)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            throw new ArgumentException($"--url '{url}': write http://127.0.0.1:<port>.");
        if (PortIsFree(uri)) return url;
        if (given)
            throw new ArgumentException($"{url} is taken: another process listens on port {uri.Port}. Pass another --url, e.g. --url http://127.0.0.1:{FreePort()}.");
        var address = $"http://{uri.Host}:{FreePort()}";
        say($"Port {uri.Port} is taken: the API listens on {address} instead (--url chooses).");
        return address;
    }

    internal static bool PortIsFree(Uri uri)
    {
        try
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse(uri.Host == "localhost" ? "127.0.0.1" : uri.Host), uri.Port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException) { return false; }
        catch (FormatException) { return true; } // a host name: Kestrel binds it and says so
    }

    static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try { return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    /// <summary>The review step of the demo: the policy's dry run, what needs a curator, and the commands to look.</summary>
    static void PrintReview(long batchId, BulkPlan policy, ReviewPage queue)
    {
        Console.WriteLine();
        Console.WriteLine($"Review     {string.Join(", ", queue.States.Where(x => x.Value > 0).Select(x => $"{x.Value} {x.Key.Replace('_', ' ')}"))}" +
                          (queue.Flags.Any(x => x.Value > 0) ? $"; flags: {string.Join(", ", queue.Flags.Where(x => x.Value > 0).Select(x => $"{x.Value} {x.Key.Replace('_', ' ')}"))}" : ""));
        Console.WriteLine($"           auto-approval policy ({policy.Criteria}, off by default) would approve {policy.WouldApprove} of {policy.Matched}; " +
                          $"{policy.Matched - policy.WouldApprove} left for a curator" +
                          (policy.Skipped.Count > 0 ? $" ({string.Join(", ", policy.Skipped.OrderByDescending(x => x.Value).Select(x => $"{x.Value} {x.Key.Replace('_', ' ')}"))})" : ""));
        Console.WriteLine($"           look:    ./grantha review list --batch {batchId} --state needs_review    (then ./grantha review show <id>)");
        Console.WriteLine($"           names:   choose a candidate (./grantha resolve choose {batchId} <kind> \"<name>\" <id>), or merge or add the catalog entry (./grantha catalog merge|add)");
        Console.WriteLine($"           approve: ./grantha review bulk approve --batch {batchId} --dry-run    (drop --dry-run to approve; --policy for the thresholds above)");
    }
}
