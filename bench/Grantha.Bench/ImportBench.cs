using Grantha.Fetch;
using Grantha.Resolve;
using Grantha.Manifest;
using Grantha.Extract;
using System.Diagnostics;
using Dapper;
using Grantha.Engine;
using Grantha.OfflineSite;

namespace Grantha.Bench;

/// <summary>
/// The Trinity import (1,240 rows from the offline site on loopback, politeness off) on SQLite and
/// on PostgreSQL: time from batch creation to settled, for manifest + fetch (issue #2's target),
/// through extract (#3) and through resolve (#4). One worker in this process, like the demo.
/// </summary>
public static class ImportBench
{
    static readonly (string Label, string[] Stages)[] Depths =
    [
        ("fetch", [ManifestHandler.Name, FetchHandler.Name]),
        ("extract", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name]),
        ("resolve", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name]),
    ];

    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        var manifests = SharedFiles.TrinityManifests.Select(f => new ManifestInput(Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Manifests = SharedFiles.TrinityManifests, Pregenerate = true });
        await site.Ready;
        var only = a.Str("depth");
        var result = new Dictionary<string, object?> { ["rows"] = 1240 };
        foreach (var (label, stages) in Depths.Where(d => only is null || d.Label == only))
        {
            // --store sqlite|postgres runs one store only (profiling one of them).
            var store = a.Str("store");
            if (store is null or "sqlite")
            {
                var dir = Directory.CreateTempSubdirectory("grantha-import").FullName;
                var sqlite = await OnceAsync(Db.Open("sqlite:" + Path.Combine(dir, "import.db")), site, manifests, stages, a);
                Directory.Delete(dir, true);
                result[$"{label}_sqlite_s"] = Math.Round(sqlite.Seconds, 2);
                result[$"{label}_sqlite_tasks"] = sqlite.Done;
                result[$"{label}_sqlite_stage_ends_s"] = sqlite.StageEnds;
            }
            if (store is null or "postgres")
            {
                await using var pg = await BenchDb.CreateAsync("import");
                var postgres = await OnceAsync(Db.Open(pg.ConnectionString), site, manifests, stages, a);
                result[$"{label}_postgres_s"] = Math.Round(postgres.Seconds, 2);
                result[$"{label}_postgres_tasks"] = postgres.Done;
                result[$"{label}_postgres_stage_ends_s"] = postgres.StageEnds;
            }
        }
        return result;
    }

    static async Task<(double Seconds, string Done, string StageEnds)> OnceAsync(Db db, SourceSite site, List<ManifestInput> manifests, string[] stages, BenchArgs a)
    {
        await using (db)
        {
            await Migrations.ApplyAsync(db);
            using var cts = new CancellationTokenSource();
            // --extract-concurrency N tries another EXTRACT concurrency than the stage's default.
            var concurrency = a.Str("extract-concurrency") is { } n ? new Dictionary<string, int> { [ExtractHandler.Name] = int.Parse(n) } : null;
            await using var app = GranthaApp.Create(db);
            app.Services.GetRequiredService<Grantha.Fetch.OfflineSites>().Allow(site.HostMap.Values);
            var worker = app.NewWorker(new WorkerOptions { Concurrency = concurrency });
            var run = worker.RunAsync(cts.Token);
            var sw = Stopwatch.StartNew();
            var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false, Stages = [.. stages] };
            var batch = await ManifestBatches.CreateAsync(db, app.Pipeline, "bench", manifests, options, "bench");
            while ((await Batches.GetAsync(db, batch))!.Status != BatchStatus.Completed) await Task.Delay(25);
            var seconds = sw.Elapsed.TotalSeconds;
            await cts.CancelAsync();
            await run;
            var done = await db.ReadAsync(c => c.QueryAsync<(string, long)>(
                "SELECT stage, COUNT(*) FROM stage_task WHERE state IN ('SUCCEEDED', 'BLOCKED') GROUP BY stage ORDER BY MIN(id)"));
            // When each stage's last task finished, counted from the batch's creation: shows which stage the tail waits on.
            var ends = await db.ReadAsync(c => c.QueryAsync<(string, long)>(
                "SELECT t.stage, MAX(t.finished_at) - MIN(b.created_at) FROM stage_task t JOIN batch b ON b.id = t.batch_id GROUP BY t.stage ORDER BY MIN(t.id)"));
            return (seconds, string.Join(" ", done.Select(d => $"{d.Item1}={d.Item2}")),
                string.Join(" ", ends.Select(e => $"{e.Item1}={e.Item2 / 1000.0:0.00}")));
        }
    }
}
