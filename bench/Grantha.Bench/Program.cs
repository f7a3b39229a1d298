using System.Text.Json;
using Grantha.Bench;

// bench/run.sh <name> [--json] [options]: one benchmark per run; with --json the last line is one JSON object.
var name = args.FirstOrDefault(a => !a.StartsWith("--"));
var json = args.Contains("--json");
var options = BenchArgs.Parse(args);
var benches = new Dictionary<string, Func<BenchArgs, Task<Dictionary<string, object?>>>>
{
    ["engine"] = EngineBench.RunAsync,
    ["import"] = ImportBench.RunAsync,
    ["rescue"] = RescueBench.RunAsync,
    ["ingest100k"] = IngestBench.RunAsync,
    ["extract"] = ExtractBench.RunAsync,
    ["resolve"] = ResolveBench.RunAsync,
    ["review"] = ReviewBench.RunAsync,
    ["politeness"] = PolitenessBench.RunAsync,
    ["dashboard"] = DashboardBench.RunAsync,
};
if (name is null || !benches.TryGetValue(name, out var run))
{
    Console.Error.WriteLine($"usage: bench/run.sh <{string.Join("|", benches.Keys)}> [--json] [--key value ...]");
    return 4;
}
var result = await run(options);
result = new Dictionary<string, object?> { ["name"] = name }.Concat(result).ToDictionary();
foreach (var (k, v) in result) Console.Error.WriteLine($"{k,-22} {v}");
// A skipped reference is NaN: written as "NaN" rather than failing the run.
if (json) Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
return 0;

namespace Grantha.Bench
{
    public sealed record BenchArgs(Dictionary<string, string> Values)
    {
        public static BenchArgs Parse(string[] args)
        {
            var d = new Dictionary<string, string>();
            for (var i = 0; i < args.Length; i++)
                if (args[i].StartsWith("--") && args[i] != "--json")
                    d[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
            return new BenchArgs(d);
        }

        public int Int(string key, int def) => Values.TryGetValue(key, out var v) ? int.Parse(v) : def;
        public string? Str(string key) => Values.GetValueOrDefault(key);

        /// <summary>The PostgreSQL server bench/run.sh started (GRANTHA_BENCH_PG).</summary>
        public static string Postgres => Environment.GetEnvironmentVariable("GRANTHA_BENCH_PG")
            ?? throw new InvalidOperationException("GRANTHA_BENCH_PG is not set: run the benchmark through bench/run.sh");
    }
}
