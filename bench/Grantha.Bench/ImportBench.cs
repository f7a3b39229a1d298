using System.Diagnostics;
using Dapper;
using Grantha.Engine;
using Grantha.Sources;

namespace Grantha.Bench;

/// <summary>
/// The Trinity import (manifest + fetch of 1,240 rows from the offline site on loopback,
/// politeness off) on SQLite and on PostgreSQL: time from batch creation to settled.
/// </summary>
public static class ImportBench
{
    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        var manifests = SharedFiles.TrinityManifests.Select(f => new Pipeline.ManifestInput(Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Pregenerate = true });
        var dir = Directory.CreateTempSubdirectory("grantha-import").FullName;
        var sqlite = await OnceAsync(Db.Open("sqlite:" + Path.Combine(dir, "import.db")), site, manifests);
        await using var pg = await BenchDb.CreateAsync("import");
        var postgres = await OnceAsync(Db.Open(pg.ConnectionString), site, manifests);
        Directory.Delete(dir, true);
        return new()
        {
            ["rows"] = 1240,
            ["sqlite_s"] = Math.Round(sqlite.Seconds, 2),
            ["postgres_s"] = Math.Round(postgres.Seconds, 2),
            ["sqlite_pages"] = sqlite.Pages,
            ["postgres_pages"] = postgres.Pages,
        };
    }

    static async Task<(double Seconds, long Pages)> OnceAsync(Db db, SourceSite site, List<Pipeline.ManifestInput> manifests)
    {
        await using (db)
        {
            await Migrations.ApplyAsync(db);
            using var cts = new CancellationTokenSource();
            var worker = new Worker(db, Pipeline.Handlers(), new WorkerOptions());
            var run = worker.RunAsync(cts.Token);
            var sw = Stopwatch.StartNew();
            var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
            var batch = await Pipeline.CreateBatchAsync(db, "bench", manifests, options, "bench");
            while ((await Batches.GetAsync(db, batch))!.Status != BatchStatus.Completed) await Task.Delay(10);
            var seconds = sw.Elapsed.TotalSeconds;
            await cts.CancelAsync();
            await run;
            var pages = await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_task WHERE stage = 'FETCH' AND state = 'SUCCEEDED'"));
            return (seconds, pages);
        }
    }
}
