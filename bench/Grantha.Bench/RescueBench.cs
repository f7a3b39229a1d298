using Grantha.Manifest;
using System.Diagnostics;
using Dapper;
using Grantha.Engine;
using Grantha.OfflineSite;

namespace Grantha.Bench;

/// <summary>
/// Rescue latency after kill -9: a child `grantha worker` takes fetch tasks from a slow offline
/// site and is killed mid-flight; a worker in this process rescues them. Reports the lease, the
/// time from lease expiry to rescue (target: within 15 s) and from kill to rescue.
/// </summary>
public static class RescueBench
{
    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        await using var pg = await BenchDb.CreateAsync("rescue");
        await using var db = Db.Open(pg.ConnectionString);
        await Migrations.ApplyAsync(db);
        var rows = Enumerable.Range(0, 40).Select(i => new SourceRow($"kriti {i}", "tODi", $"http://thyagaraja-vaibhavam.blogspot.com/2008/01/thyagaraja-kriti-bench-{i}.html")).ToList();
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Rows = rows, Faults = new SiteFaults { Slow = 1.0, SlowMinMs = 20_000, SlowMaxMs = 20_000 } });
        var child = BenchApp.Start("worker", "--db", pg.ConnectionString);
        var csv = "Krithi,Raga,Hyperlink\n" + string.Join("\n", rows.Select(r => $"{r.Krithi},{r.Raga},{r.Url}")) + "\n";
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        await using var app = GranthaApp.Create(db);
        var batch = await ManifestBatches.CreateAsync(db, app.Pipeline, "rescue", [new("rescue.csv", System.Text.Encoding.UTF8.GetBytes(csv))], options, "bench");

        // Wait until the child holds fetch leases, then kill it without warning.
        List<(long Id, long Expires)> held = [];
        var wait = Stopwatch.StartNew();
        while (held.Count == 0 && wait.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            held = (await db.ReadAsync(c => c.QueryAsync<(long, long)>("SELECT id, lease_expires_at FROM stage_task WHERE stage = 'FETCH' AND state = 'RUNNING'"))).ToList();
        }
        if (held.Count == 0) throw new InvalidOperationException("the child worker never took a task: " + await child.StandardError.ReadToEndAsync());
        await Task.Delay(1000);
        held = (await db.ReadAsync(c => c.QueryAsync<(long, long)>("SELECT id, lease_expires_at FROM stage_task WHERE stage = 'FETCH' AND state = 'RUNNING'"))).ToList();
        child.Kill(entireProcessTree: true);
        var killedAt = Db.NowMs();
        await child.WaitForExitAsync();

        using var cts = new CancellationTokenSource();
        var rescuer = app.NewWorker(new WorkerOptions { Stages = [ManifestHandler.Name] }).RunAsync(cts.Token);
        var ids = held.Select(h => h.Id).ToArray();
        var rescuedAt = new Dictionary<long, long>();
        while (rescuedAt.Count < ids.Length && wait.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(100);
            foreach (var (task, at) in await db.ReadAsync(c => c.QueryAsync<(long, long)>(
                         $"SELECT task_id, MIN(at) FROM event WHERE kind = 'task_rescued' AND task_id IN ({string.Join(",", ids)}) GROUP BY task_id")))
                rescuedAt[task] = at;
        }
        await cts.CancelAsync();
        await rescuer;
        var afterExpiry = held.Where(h => rescuedAt.ContainsKey(h.Id)).Select(h => (rescuedAt[h.Id] - h.Expires) / 1000.0).ToList();
        return new()
        {
            ["tasks_held"] = held.Count,
            ["tasks_rescued"] = rescuedAt.Count,
            ["lease_s"] = Math.Round((held.Max(h => h.Expires) - killedAt) / 1000.0, 1),
            ["max_after_expiry_s"] = Math.Round(afterExpiry.DefaultIfEmpty(double.NaN).Max(), 2),
            ["mean_after_expiry_s"] = Math.Round(afterExpiry.DefaultIfEmpty(double.NaN).Average(), 2),
            ["max_kill_to_rescue_s"] = Math.Round(rescuedAt.Values.Select(v => (v - killedAt) / 1000.0).DefaultIfEmpty(double.NaN).Max(), 2),
        };
    }
}
