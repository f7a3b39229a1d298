using Grantha.Fetch;
using System.Diagnostics;
using Dapper;
using Grantha.Engine;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace Grantha.Bench;

/// <summary>
/// No-op tasks claimed and completed per second on one local PostgreSQL, three ways in one run:
/// the grantha engine (leases, retries, events, counters all on), Hangfire.PostgreSql with its
/// best settings, and a bare SKIP LOCKED loop of the same claim statement (the machine's ceiling).
/// </summary>
public static class EngineBench
{
    sealed class Noop : StageHandler<NoPayload, NoPayload>
    {
        public override string Stage => FetchHandler.Name;
        public override StageSettings Settings { get; } = new() { Concurrency = 512, MaxAttempts = 3 };
        protected override Task<TaskResult> HandleAsync(TaskContext context, NoPayload payload, CancellationToken ct) => Task.FromResult(TaskResult.Empty);
    }

    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        var tasks = a.Int("tasks", 25_000);
        var rounds = Math.Max(1, a.Int("rounds", 5));
        var hangfireJobs = a.Int("hangfire-jobs", 4_000);
        var loops = a.Int("bare-loops", 4);
        var claim = a.Int("bare-claim", 50);
        // Each contender first runs a tenth of its load on a database of its own, so the timed run
        // measures throughput, not first-call compilation (the runtime compiles every method fully
        // optimised on first call: Directory.Build.props).
        var warmup = a.Str("no-warmup") is null;
        if (warmup)
        {
            await GranthaAsync(tasks / 10);
            await BareAsync(tasks / 10, loops, claim);
        }
        // Rounds alternate the two, so a burst of load on the machine weighs on both; the ratio is
        // taken per round (same minute), and the medians are reported.
        var grantha = new List<double>();
        var bare = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            grantha.Add(await GranthaAsync(tasks));
            bare.Add(await BareAsync(tasks, loops, claim));
        }
        var ofBare = grantha.Zip(bare, (g, b) => g / b).ToList();
        var hangfire = double.NaN;
        if (a.Str("skip-hangfire") is null)
        {
            if (warmup) await HangfireAsync(hangfireJobs / 10, a.Int("hangfire-workers", 20));
            hangfire = await HangfireAsync(hangfireJobs, a.Int("hangfire-workers", 20));
        }
        var grantha50 = Median(grantha);
        return new()
        {
            ["tasks"] = tasks,
            ["rounds"] = rounds,
            ["grantha_per_s"] = Math.Round(grantha50),
            ["hangfire_per_s"] = Math.Round(hangfire),
            ["bare_per_s"] = Math.Round(Median(bare)),
            ["ratio"] = Math.Round(grantha50 / hangfire, 1),
            ["of_bare"] = Math.Round(Median(ofBare), 3),
            ["grantha_rounds"] = string.Join(" ", grantha.Select(x => Math.Round(x))),
            ["bare_rounds"] = string.Join(" ", bare.Select(x => Math.Round(x))),
            ["of_bare_rounds"] = string.Join(" ", ofBare.Select(x => Math.Round(x, 3))),
            ["hangfire_jobs"] = hangfireJobs,
            ["warmup"] = warmup,
        };
    }

    static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    static async Task<double> GranthaAsync(int n)
    {
        await using var bench = await BenchDb.CreateAsync("engine");
        await using var db = Db.Open(bench.ConnectionString);
        await Migrations.ApplyAsync(db);
        var batch = await Batches.CreateAsync(db, "bench", new BatchOptions(), "bench", [FetchHandler.Name], async (c, tx, id) =>
        {
            var list = Enumerable.Range(0, n).Select(i => new NewTask(FetchHandler.Name, $"{id}:FETCH:{i}", $"noop-{i}")).ToList();
            foreach (var chunk in list.Chunk(5000)) await db.Queue.InsertAsync(c, tx, id, chunk, _ => 3, Db.NowMs());
        });
        using var cts = new CancellationTokenSource();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var dbName = new Npgsql.NpgsqlConnectionStringBuilder(bench.ConnectionString).Database!;
        var pg0 = BackendTicks(dbName);
        var (xact0, wal0) = await ServerCountersAsync(bench.ConnectionString);
        var sw = Stopwatch.StartNew();
        var worker = new Worker(db, new Pipeline(new Noop()), new WorkerOptions());
        var run = worker.RunAsync(cts.Token);
        while ((await Batches.GetAsync(db, batch))!.Status != BatchStatus.Completed) await Task.Delay(5);
        var elapsed = sw.Elapsed.TotalSeconds;
        var pg1 = BackendTicks(dbName);
        await cts.CancelAsync();
        await run;
        await db.DisposeAsync();  // its sessions end, which flushes their statistics (commit counts)
        await Task.Delay(300);
        var (xact1, wal1) = await ServerCountersAsync(bench.ConnectionString);
        // Where a task's cost goes: the server's sessions and this process (the worker, and the 5 ms poll above);
        // transactions and WAL a task (the poll's reads count as transactions too).
        Console.Error.WriteLine($"grantha round: {n / elapsed:F0} tasks/s; CPU a task: server sessions {(pg1 - pg0) * 10_000.0 / n:F1} µs, " +
            $"bench process {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n:F1} µs; " +
            $"transactions a task {(xact1 - xact0) / (double)n:F3}, WAL a task {(wal1 - wal0) / (double)n:F0} bytes");
        await using var check = Db.Open(bench.ConnectionString);
        var done = await check.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event WHERE kind = 'task_succeeded'"));
        if (done != n) throw new InvalidOperationException($"expected {n} task_succeeded events, found {done}");
        return n / elapsed;
    }

    /// <summary>Commits in this database, and WAL written by the whole server so far.</summary>
    static async Task<(long Commits, long Wal)> ServerCountersAsync(string cs)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        return await c.QuerySingleAsync<(long, long)>(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), pg_current_wal_lsn() - '0/0'::pg_lsn");
    }

    /// <summary>
    /// CPU time (ticks of 10 ms, user + system) of the server processes serving this database: a PostgreSQL session
    /// names its database in its process title. 0 when the server runs on another machine.
    /// </summary>
    static long BackendTicks(string db)
    {
        long sum = 0;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            try
            {
                if (!File.ReadAllText(dir + "/cmdline").Contains(db)) continue;
                var stat = File.ReadAllText(dir + "/stat");
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                sum += long.Parse(f[11]) + long.Parse(f[12]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }  // the process ended meanwhile
        }
        return sum;
    }

    static async Task<double> BareAsync(int n, int loops, int claim)
    {
        await using var bench = await BenchDb.CreateAsync("bare");
        await using (var c = new NpgsqlConnection(bench.ConnectionString))
        {
            await c.OpenAsync();
            await c.ExecuteAsync("""
                CREATE TABLE bare_task (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, state TEXT NOT NULL, priority INT NOT NULL DEFAULT 0, due_at BIGINT NOT NULL);
                CREATE INDEX bare_claim ON bare_task (priority DESC, due_at, id) WHERE state = 'PENDING';
                """);
            await c.ExecuteAsync("INSERT INTO bare_task (state, due_at) SELECT 'PENDING', 0 FROM generate_series(1, @n)", new { n });
            await c.ExecuteAsync("VACUUM ANALYZE bare_task");
        }
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, loops).Select(async _ =>
        {
            await using var c = new NpgsqlConnection(bench.ConnectionString);
            await c.OpenAsync();
            while (await c.ExecuteAsync("""
                UPDATE bare_task SET state = 'DONE' WHERE id IN (
                  SELECT id FROM bare_task WHERE state = 'PENDING' AND due_at <= 1 ORDER BY priority DESC, due_at, id LIMIT @claim FOR UPDATE SKIP LOCKED)
                """, new { claim }) > 0) { }
        }));
        return n / sw.Elapsed.TotalSeconds;
    }

    public static void NoopJob() { }

    static async Task<double> HangfireAsync(int n, int workers)
    {
        await using var bench = await BenchDb.CreateAsync("hangfire");
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(bench.ConnectionString, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions
        {
            QueuePollInterval = TimeSpan.FromMilliseconds(50),
            UseSlidingInvisibilityTimeout = true,
            PrepareSchemaIfNecessary = true,
        });
        var client = new BackgroundJobClient(storage);
        for (var i = 0; i < n; i++) client.Enqueue(() => NoopJob());
        var sw = Stopwatch.StartNew();
        using (new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers, Queues = ["default"] }, storage))
        {
            var monitor = storage.GetMonitoringApi();
            while (monitor.GetStatistics().Succeeded < n && sw.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(50);
        }
        var succeeded = storage.GetMonitoringApi().GetStatistics().Succeeded;
        return succeeded / sw.Elapsed.TotalSeconds;
    }
}
