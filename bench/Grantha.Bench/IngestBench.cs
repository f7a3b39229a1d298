using System.Diagnostics;
using System.Text.Json;
using Grantha.Manifest;

namespace Grantha.Bench;

/// <summary>
/// A generated 100,000-row manifest through the MANIFEST stage only (./grantha import --stages
/// MANIFEST --wait --json) in a child process on SQLite: wall time and peak RSS.
/// </summary>
public static class IngestBench
{
    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        var rows = a.Int("rows", 100_000);
        var dir = Directory.CreateTempSubdirectory("grantha-ingest").FullName;
        var csv = Path.Combine(dir, "manifest.csv");
        await using (var w = new StreamWriter(csv)) ManifestSample.Generate(rows, 7, w);
        var db = a.Str("db") ?? "sqlite:" + Path.Combine(dir, "ingest.db");
        var sw = Stopwatch.StartNew();
        using var p = BenchApp.Start("import", csv, "--db", db, "--stages", "MANIFEST", "--wait", "--json");
        double peak = 0;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        while (!p.HasExited)
        {
            if (BenchApp.PeakRssMb(p.Id) is { } mb) peak = Math.Max(peak, mb);
            await Task.Delay(20);
        }
        var elapsed = sw.Elapsed.TotalSeconds;
        var output = await stdout;
        if (p.ExitCode != 0) throw new InvalidOperationException($"import failed ({p.ExitCode}): {await stderr}");
        var summary = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        var fetchTasks = summary.GetProperty("stages").TryGetProperty("FETCH", out var f) ? f.EnumerateObject().Sum(x => x.Value.GetInt64()) : 0;
        Directory.Delete(dir, true);
        return new()
        {
            ["rows"] = rows,
            ["seconds"] = Math.Round(elapsed, 2),
            ["rows_per_s"] = Math.Round(rows / elapsed),
            ["peak_rss_mb"] = Math.Round(peak, 1),
            ["fetch_tasks"] = fetchTasks,
            ["row_errors"] = summary.GetProperty("rowErrors").GetInt64(),
            ["app_ms"] = summary.GetProperty("durationMs").GetInt64(),
        };
    }
}
