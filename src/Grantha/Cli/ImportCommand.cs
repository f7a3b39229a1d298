using System.CommandLine;
using System.Diagnostics;
using Grantha.Engine;
using Grantha.Manifest;
using Grantha.OfflineSite;

namespace Grantha.Cli;

/// <summary>./grantha import &lt;csv&gt;... : creates a batch; with --wait shows progress until it settles.</summary>
public static class ImportCommand
{
    public static readonly Option<bool> Wait = new("--wait") { Description = "Show progress until the batch settles; the exit code says its outcome (0 completed, 1 failed, 5 completed with errors, 6 needs attention, 7 cancelled)" };
    public static readonly Option<bool> Json = new("--json") { Description = "End with one JSON summary line {batchId, status, outcome, stages, rowErrors, durationMs}" };
    public static readonly Option<int> Workers = new("--workers") { Description = "Worker loops to run in this process while waiting (0: rely on ./grantha worker processes)", DefaultValueFactory = _ => 1 };
    public static readonly Option<bool> UseOfflineSite = new("--offline-site") { Description = $"Fetch from the offline source site on 127.0.0.1 (default ports {SourceSiteOptions.DefaultBasePort}..)" };
    public static readonly Option<string[]> HostMap = new("--host-map") { Description = "host=baseUrl pairs mapping source hosts onto another server (implies --offline-site)", AllowMultipleArgumentsPerToken = true };
    public static readonly Option<bool> NoPoliteness = new("--no-politeness") { Description = "Turn per-host delays off for this batch (loopback benchmarks only)" };
    public static readonly Option<int?> HostDelay = new("--host-delay-ms") { Description = "Minimum milliseconds between two requests to one host, across all workers (default 1000)" };
    public static readonly Option<int?> HostConcurrency = new("--host-concurrency") { Description = "Requests in flight to one host, across all workers (default 2)" };
    public static readonly Option<string[]> Stages = new("--stages") { Description = "Run only these stages, in pipeline order (default: all; MANIFEST,FETCH,EXTRACT,RESOLVE)", AllowMultipleArgumentsPerToken = true };
    public static readonly Option<string?> Name = new("--name") { Description = "Batch name (default: the file names)" };
    public static readonly Option<bool> AutoApprove = new("--auto-approve")
    {
        Description = $"Approve without a curator what meets the auto-approval policy ({Review.ApprovalCriteria.DefaultPolicy.Describe()}; off by default)",
    };
    public static readonly Option<double?> AutoMinQuality = new("--auto-min-quality") { Description = "With --auto-approve: the minimum quality (0..1)" };
    public static readonly Option<double?> AutoMinConfidence = new("--auto-min-confidence") { Description = "With --auto-approve: the minimum confidence of every name (0..1)" };

    public static Command Build()
    {
        var files = new Argument<string[]>("csv") { Description = "Manifest files (Krithi,Raga,Hyperlink)", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("import", "Create a batch from manifest files") { files, Wait, Json, Workers, UseOfflineSite, HostMap, NoPoliteness, HostDelay, HostConcurrency, Stages, Name, AutoApprove, AutoMinQuality, AutoMinConfidence };
        cmd.SetAction(Commands.Guarded(async (parse, ct) =>
        {
            var started = Stopwatch.StartNew();
            var options = BuildOptions(parse.GetValue(UseOfflineSite), parse.GetValue(HostMap), parse.GetValue(NoPoliteness)) with
            {
                HostDelayMs = parse.GetValue(HostDelay) is { } d and < 0 ? throw new ArgumentException("--host-delay-ms must be 0 or more.") : parse.GetValue(HostDelay),
                HostConcurrency = parse.GetValue(HostConcurrency) is { } n and < 1 ? throw new ArgumentException("--host-concurrency must be 1 or more.") : parse.GetValue(HostConcurrency),
                Stages = ParseStages(parse.GetValue(Stages)),
                StageOptions = AutoApproval(parse),
            };
            if (options.HostMap is { Count: > 0 } map) await OfflineSiteLink.CheckReachableAsync(map, ct);
            var inputs = new List<ManifestInput>();
            foreach (var f in parse.GetValue(files)!)
            {
                if (!File.Exists(f)) throw new FileNotFoundException($"Manifest '{f}' does not exist.");
                inputs.Add(await ManifestBatches.ReadFileAsync(f, ManifestLimits.Default.MaxBytes, ct));
            }
            await using var db = await Commands.OpenDbAsync(parse, ct);
            await using var app = GranthaApp.Create(db);
            // The map is the user's own, on their command line: this process (its --wait worker) may use it. Other
            // worker processes need it allowed too (worker --offline-site-allow).
            app.Services.GetRequiredService<Fetch.OfflineSites>().Allow(options.HostMap.Values).Check(options);
            return await RunAsync(app, parse.GetValue(Name), inputs, options, "cli", parse.GetValue(Wait), parse.GetValue(Json), parse.GetValue(Workers), started, ct);
        }));
        return cmd;
    }

    public static BatchOptions BuildOptions(bool offlineSite, string[]? hostMap, bool noPoliteness)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (offlineSite) foreach (var kv in OfflineSiteLink.DefaultHostMap()) map[kv.Key] = kv.Value;
        foreach (var pair in hostMap ?? [])
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || !Uri.TryCreate(parts[1], UriKind.Absolute, out _))
                throw new ArgumentException($"--host-map '{pair}': write host=http://127.0.0.1:port");
            map[parts[0].Trim()] = parts[1].Trim();
        }
        return new BatchOptions { AllowOfflineSite = map.Count > 0, HostMap = map, Politeness = noPoliteness ? false : null };
    }

    /// <summary>The auto-approval policy asked for (--auto-approve with its thresholds), or null: a batch stops at review.</summary>
    static Dictionary<string, System.Text.Json.JsonElement>? AutoApproval(ParseResult parse)
    {
        var minQuality = parse.GetValue(AutoMinQuality);
        var minConfidence = parse.GetValue(AutoMinConfidence);
        if (!parse.GetValue(AutoApprove))
            return minQuality is null && minConfidence is null ? null : throw new ArgumentException("--auto-min-quality and --auto-min-confidence go with --auto-approve.");
        var policy = Review.ApprovalCriteria.DefaultPolicy;
        return Review.ApprovalPlan.AutoApproval("cli:" + Environment.UserName,
            policy with { MinQuality = minQuality ?? policy.MinQuality, MinConfidence = minConfidence ?? policy.MinConfidence });
    }

    /// <summary>The stages named on the command line (comma or space separated); the pipeline checks them when the batch is created.</summary>
    public static List<string>? ParseStages(string[]? given)
    {
        var names = (given ?? []).SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToUpperInvariant()).Distinct().ToList();
        return names.Count == 0 ? null : names;
    }

    /// <summary>Creates the batch and, when asked, runs workers here and watches it settle.</summary>
    public static async Task<int> RunAsync(GranthaApp app, string? name, IReadOnlyList<ManifestInput> inputs, BatchOptions options, string actor,
        bool wait, bool json, int workers, Stopwatch started, CancellationToken ct)
    {
        var db = app.Db;
        var batchId = await ManifestBatches.CreateAsync(db, app.Pipeline, name, inputs, options, actor, ct: ct);
        if (!json) Console.Error.WriteLine($"Batch {batchId} created on {db.Description} from {inputs.Count} manifest(s).");
        if (!wait)
        {
            if (json) Console.WriteLine(Progress.ToJson(await Progress.SummarizeAsync(db, batchId, started, ct)));
            return ExitCodes.Ok;
        }
        using var stopWorkers = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = Enumerable.Range(0, Math.Max(0, workers))
            .Select(_ => app.NewWorker().RunAsync(stopWorkers.Token)).ToList();
        var summary = await Progress.WatchAsync(db, batchId, bars: !json, started, ct);
        await stopWorkers.CancelAsync();
        await Task.WhenAll(running);
        if (json) Console.WriteLine(Progress.ToJson(summary));
        else Progress.PrintHuman(await BatchView.LoadAsync(db, batchId, ct), Console.Out);
        // A script that waits learns what happened from the exit code (README: exit codes).
        return ExitCodes.ForOutcome(summary.Outcome.Outcome);
    }
}
