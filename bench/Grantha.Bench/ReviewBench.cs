using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.Reference;
using Grantha.Resolve;
using Grantha.Review;
using Npgsql;

namespace Grantha.Bench;

/// <summary>
/// Issue #9's review speed goals on a database seeded like a large finished import:
/// the QA export of 100,000 staged imports (wall time, and memory sampled while it runs, beside the
/// same export of 10,000: flat memory means the peak does not grow with the rows), and the batch task
/// list (GET /v1/admin/bulk-import/batches/{id}/tasks) at 100,000 tasks, p50/p95 per filter.
/// PostgreSQL by default (<c>--store sqlite</c> for the other store); seeded with COPY (PostgreSQL)
/// or multi-row inserts (SQLite), then analysed, as autovacuum would have done by then.
/// </summary>
public static class ReviewBench
{
    /// <summary>Timed samples per task-list filter, after <see cref="Warmup"/> untimed ones.</summary>
    const int Samples = 250, Warmup = 25;

    static readonly string[] Composers = ["muthuswami-dikshitar", "tyagaraja", "syama-sastri"];
    static readonly string[] Talas = ["adi", "rupakam", "misra-chapu", "khanda-chapu", "triputa"];

    public static async Task<Dictionary<string, object?>> RunAsync(BenchArgs a)
    {
        var rows = a.Int("rows", 100_000);
        var small = a.Int("small-rows", rows / 10);
        var tasks = a.Int("tasks", 100_000);
        var store = a.Str("store") ?? "postgres";
        var dir = Directory.CreateTempSubdirectory("grantha-review").FullName;
        await using var pg = store == "postgres" ? await BenchDb.CreateAsync("review") : null;
        await using var db = Db.Open(pg?.ConnectionString ?? "sqlite:" + Path.Combine(dir, "review.db"));
        await Migrations.ApplyAsync(db);
        var result = new Dictionary<string, object?> { ["store"] = store, ["rows"] = rows, ["small_rows"] = small, ["tasks"] = tasks };
        try
        {
            var sw = Stopwatch.StartNew();
            var smallBatch = await SeedStagedAsync(db, small, seed: 1);
            var batch = await SeedStagedAsync(db, rows, seed: 2);
            await AnalyzeAsync(db);
            result["seed_staged_s"] = Math.Round(sw.Elapsed.TotalSeconds, 2);

            // --parts export,list,tasks,approve (default all) runs some of them only.
            var parts = (a.Str("parts") ?? "export,list,tasks,approve").Split(',');
            // Compilation and first-use costs go to an untimed run on the small batch.
            if (parts.Contains("export"))
            foreach (var format in new[] { ExportFormat.Csv, ExportFormat.Jsonl })
                await ExportAsync(db, smallBatch, format, dir);
            if (parts.Contains("export"))
            // "all": no batch, every batch's imports (both seeded batches, 110,000 at the defaults).
            foreach (var (label, id) in new (string, long?)[] { ("small", smallBatch), ("large", batch), ("all", null) })
                foreach (var format in new[] { ExportFormat.Csv, ExportFormat.Jsonl })
                {
                    var e = await ExportAsync(db, id, format, dir);
                    var key = $"export_{label}_{format.ToString().ToLowerInvariant()}";
                    result[key + "_s"] = Math.Round(e.Seconds, 2);
                    result[key + "_lines"] = e.Lines;
                    result[key + "_mb"] = Math.Round(e.Bytes / 1e6, 1);
                    result[key + "_managed_peak_mb"] = Math.Round(e.ManagedPeakGrowth / 1e6, 1);
                    result[key + "_working_set_peak_mb"] = Math.Round(e.WorkingSetPeakGrowth / 1e6, 1);
                    result[key + "_retained_mb"] = Math.Round(e.Retained / 1e6, 2);
                }

            // The review queue with filters (issue #9: p95 <= 25 ms at 100,000 staged imports), as the API calls it.
            var worstReview = 0.0;
            foreach (var (name, filter, sort, second) in parts.Contains("list") ? ReviewFilters(batch) : [])
            {
                var (p50, p95, n) = await ReviewListAsync(db, filter, sort, second);
                result[$"review_list_{name}_p50_ms"] = p50;
                result[$"review_list_{name}_p95_ms"] = p95;
                result[$"review_list_{name}_items"] = n;
                worstReview = Math.Max(worstReview, p95);
            }
            result["review_list_worst_p95_ms"] = worstReview;

            if (parts.Contains("tasks"))
            {
            sw.Restart();
            var taskBatch = await SeedTasksAsync(db, tasks);
            await AnalyzeAsync(db);
            result["seed_tasks_s"] = Math.Round(sw.Elapsed.TotalSeconds, 2);
            var worst = 0.0;
            foreach (var (name, filter, after) in await TaskFiltersAsync(db, taskBatch))
            {
                var (p50, p95, n) = await TaskListAsync(db, taskBatch, filter, after);
                result[$"task_list_{name}_p50_ms"] = p50;
                result[$"task_list_{name}_p95_ms"] = p95;
                result[$"task_list_{name}_items"] = n;
                worst = Math.Max(worst, p95);
            }
            result["task_list_worst_p95_ms"] = worst;
            }

            // Bulk approval of the Trinity batch (issue #9: <= 5 s on PostgreSQL): imported through RESOLVE
            // first (untimed), then approved as a curator would, one worker in this process.
            if (parts.Contains("approve") && SharedFiles.Root is not null)
                foreach (var (k, v) in await ApproveTrinityAsync(db)) result[k] = v;
        }
        finally { Directory.Delete(dir, true); }
        return result;
    }

    // ---- staged imports ----

    /// <summary>
    /// A RESOLVE-finished batch of <paramref name="count"/> pages: the generated manifest (one file), one
    /// staged import per row (a fiftieth of the URLs listed twice, so those imports have two manifest rows),
    /// titles, composer, raga and tala ids, decisions, a spread of quality, some duplicate flags and reasons.
    /// </summary>
    static async Task<long> SeedStagedAsync(Db db, int count, int seed)
    {
        var csv = new StringWriter();
        ManifestSample.Generate(count, seed, csv);
        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        var lines = new List<ManifestRow>(count);
        await foreach (var l in ManifestReader.ReadAsync(new MemoryStream(bytes), "bench.csv")) lines.Add((ManifestRow)l);

        long fileId = 0;
        var batch = await Batches.CreateAsync(db, $"review bench {count}", new BatchOptions(), "bench",
            [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name], async (c, tx, id) =>
            {
                fileId = await c.ExecuteScalarAsync<long>("""
                    INSERT INTO manifest_file (batch_id, name, sha256, size, content, created_at) VALUES (@id, 'bench.csv', @sha, @size, @bytes, 0) RETURNING id
                    """, new { id, sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)), size = (long)bytes.Length, bytes }, tx);
            });
        var (rowBase, importBase) = await db.ReadAsync(async c => (
            await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM manifest_row"),
            await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM staged_import")));

        var random = new Random(seed);
        var now = Db.NowMs();
        var manifestRows = new List<object?[]>(count + count / 50);
        var imports = new List<object?[]>(count);
        var importRows = new List<object?[]>(count + count / 50);
        for (var i = 0; i < lines.Count; i++)
        {
            var m = lines[i];
            var rowId = rowBase + manifestRows.Count + 1;
            var importId = importBase + i + 1;
            manifestRows.Add([rowId, batch, fileId, m.RowNumber, "accepted", m.Krithi, m.Raga, m.Url, m.NormalizedUrl, m.Host]);
            importRows.Add([importId, rowId]);
            if (i % 50 == 49)
            {
                // The same page listed again further down the manifest, under another title.
                manifestRows.Add([rowId + 1, batch, fileId, count + 2 + i / 50, "accepted", m.Krithi + " (again)", m.Raga, m.Url, m.NormalizedUrl, m.Host]);
                importRows.Add([importId, rowId + 1]);
            }
            imports.Add(StagedImport(random, batch, importId, importBase, m, now));
        }
        await db.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(db, c, tx, "manifest_row", ["id", "batch_id", "manifest_file_id", "row_number", "status", "krithi", "raga", "url", "normalized_url", "host"], manifestRows);
            await InsertAsync(db, c, tx, "staged_import",
                ["id", "batch_id", "url", "extraction_id", "status", "title", "title_key", "composer_id", "raga_set", "tala_id", "work_key",
                 "decisions", "duplicate_of", "duplicate_flags", "quality", "quality_reasons", "created_at", "updated_at",
                 "review_state", "flags", "composer_conf", "raga_conf", "tala_conf"], imports);
            await InsertAsync(db, c, tx, "staged_import_row", ["staged_import_id", "manifest_row_id"], importRows);
        });
        return batch;
    }

    static object?[] StagedImport(Random random, long batch, long id, long importBase, ManifestRow m, long now)
    {
        var titleKey = NameKey.Of(m.Krithi);
        var raga = NameKey.Of(m.Raga ?? "");
        var composer = Composers[m.Host.StartsWith("guru", StringComparison.Ordinal) ? 0 : m.Host.StartsWith("thyag", StringComparison.Ordinal) ? 1 : 2];
        var tala = Talas[random.Next(Talas.Length)];
        var matched = random.NextDouble() < 0.85;
        var decisions = JsonSerializer.Serialize(new
        {
            title = m.Krithi,
            names = new object[]
            {
                new { kind = "raga", source = "manifest", input = m.Raga, status = "matched", match = new { id = raga, name = m.Raga } },
                new { kind = "composer", source = "page", input = composer, status = matched ? "matched" : "needs_review", match = matched ? new { id = composer, name = composer } : null },
                new { kind = "tala", source = "page", input = tala, status = "matched", match = new { id = tala, name = tala } },
            },
        });
        var q = random.NextDouble();
        var quality = Math.Round(0.3 + 0.7 * q * q, 3);
        var reasons = quality < 0.6 ? """[{"code":"no_lyrics","message":"no lyrics on the page","penalty":0.3}]"""
            : quality < 0.8 ? """[{"code":"raga_disagreement","message":"the manifest and the page name different ragas","penalty":0.1}]""" : "[]";
        var flag = random.NextDouble();
        long? duplicateOf = flag < 0.1 && id > importBase + 1 ? importBase + 1 + random.NextInt64(id - importBase - 1) : null;
        var kind = flag < 0.05 ? "duplicate" : flag < 0.08 ? "near_duplicate" : "in_catalog";
        var flags = duplicateOf is { } other
            ? $$"""[{"kind":"{{kind}}","otherId":{{other}},"otherBatchId":{{batch}},"otherTitle":"x","reason":"bench"}]""" : "[]";
        var status = matched && quality >= 0.6 && duplicateOf is null ? StagedImports.Resolved : StagedImports.NeedsReview;
        // The review columns as RESOLVE writes them: the state from the status, flags as bits, per-field confidences.
        var bits = (duplicateOf is null ? 0 : kind == "duplicate" ? ReviewFlags.Duplicate : kind == "near_duplicate" ? ReviewFlags.NearDuplicate : ReviewFlags.InCatalog)
                   | (matched ? 0 : ReviewFlags.Unresolved) | (quality < 0.6 ? ReviewFlags.Warnings : 0) | (random.NextDouble() < 0.05 ? ReviewFlags.LowConfidence : 0);
        var state = status == StagedImports.Resolved ? ReviewStates.Ready : ReviewStates.NeedsReview;
        return [id, batch, m.Url, id, status, m.Krithi, titleKey, composer, raga, tala, $"{composer}|{titleKey}|{raga}",
            decisions, duplicateOf, flags, quality, reasons, now, now,
            state, bits, matched ? 1.0 : Math.Round(0.6 + 0.3 * random.NextDouble(), 3), Math.Round(0.9 + 0.1 * random.NextDouble(), 3), 1.0];
    }

    sealed record ExportRun(double Seconds, long Lines, long Bytes, long ManagedPeakGrowth, long WorkingSetPeakGrowth, long Retained);

    /// <summary>
    /// One export to a file, as ./grantha export --out writes it, with the process's managed heap and working set
    /// sampled every millisecond or so while it runs; growth is against the values just before (after a full collection).
    /// </summary>
    static async Task<ExportRun> ExportAsync(Db db, long? batch, ExportFormat format, string dir)
    {
        var path = Path.Combine(dir, $"export.{format}");
        // Aggressive: also gives memory the heap no longer uses back to the system, so working-set growth is the export's own.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Environment.WorkingSet;
        long managedPeak = managedBefore, workingSetPeak = workingSetBefore;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(false));
                workingSetPeak = Math.Max(workingSetPeak, Environment.WorkingSet);
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        sampler.Start();
        var sw = Stopwatch.StartNew();
        long lines;
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            lines = await Export.WriteAsync(db, new ExportFilter(batch), format, file);
        var seconds = sw.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        sampler.Join();
        var retained = GC.GetTotalMemory(forceFullCollection: true) - managedBefore;
        var bytes = new FileInfo(path).Length;
        File.Delete(path);
        return new ExportRun(seconds, lines, bytes, managedPeak - managedBefore, workingSetPeak - workingSetBefore, retained);
    }

    // ---- tasks ----

    /// <summary>
    /// One batch of <paramref name="count"/> tasks as a large import leaves it while RESOLVE is still running:
    /// a third each of FETCH, EXTRACT and RESOLVE over three hosts; mostly succeeded, some failed with an
    /// error code, RESOLVE's blocked names, a tail of pending and running ones.
    /// </summary>
    internal static async Task<long> SeedTasksAsync(Db db, int count)
    {
        string[] stages = [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name];
        var batch = await Batches.CreateAsync(db, $"task list bench {count}", new BatchOptions(), "bench", stages, (_, _, _) => Task.CompletedTask);
        var jobs = (await Batches.JobsAsync(db, batch)).ToDictionary(j => j.Stage, j => j.Id);
        var idBase = await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM stage_task"));
        var random = new Random(3);
        var now = Db.NowMs();
        string[] codes = ["http_404", "http_500", "timeout", "connection_reset"];
        string[] hosts = ["guru-guha.blogspot.com", "thyagaraja-vaibhavam.blogspot.com", "syamakrishnavaibhavam.blogspot.com"];
        var rows = new List<object?[]>(count);
        for (var i = 0; i < count; i++)
        {
            var stage = i == 0 ? ManifestHandler.Name : stages[1 + i % 3];
            var host = hosts[random.Next(hosts.Length)];
            var subject = i == 0 ? "bench.csv" : $"http://{host}/2009/{1 + i % 12:00}/kriti-{i / 3}.html";
            var r = random.NextDouble();
            var state = r < 0.90 ? TaskState.Succeeded : r < 0.93 ? TaskState.Failed : r < 0.95 && stage == ResolveHandler.Name ? TaskState.Blocked
                : r < 0.98 ? TaskState.Pending : r < 0.995 ? TaskState.Running : TaskState.Succeeded;
            var failed = state is TaskState.Failed or TaskState.Blocked;
            var code = state == TaskState.Blocked ? "unresolved_name" : failed ? codes[random.Next(codes.Length)] : null;
            var done = state is TaskState.Succeeded or TaskState.Failed or TaskState.Blocked;
            rows.Add([idBase + i + 1, batch, jobs[stage], stage, state, 0, now, done ? 1 : 0, 3, $"{batch}:{stage}:{subject}", subject, i == 0 ? null : host,
                "{}", state == TaskState.Succeeded ? """{"evidenceId":1}""" : null,
                state == TaskState.Running ? "bench-worker" : null, state == TaskState.Running ? now + 30_000 : null,
                code, failed ? "permanent" : null, failed ? $"{code} at {subject}" : null, code is "http_404" or "http_500" ? int.Parse(code[5..], CultureInfo.InvariantCulture) : null,
                failed ? 1 : null, failed ? now : null, now, now, done ? now : null]);
        }
        await db.WriteAsync((c, tx) => InsertAsync(db, c, tx, "stage_task",
            ["id", "batch_id", "job_id", "stage", "state", "priority", "due_at", "attempt", "max_attempts", "idem_key", "subject", "host", "payload", "result",
             "lease_owner", "lease_expires_at", "error_code", "error_kind", "error_message", "error_http_status", "error_attempt", "error_at",
             "created_at", "updated_at", "finished_at"], rows));
        return batch;
    }

    /// <summary>The filters a curator uses on the task list, each with the page's start (0: the first page).</summary>
    static async Task<(string Name, TaskFilter Filter, long After)[]> TaskFiltersAsync(Db db, long batch)
    {
        var middle = await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT MIN(id) + (MAX(id) - MIN(id)) / 2 FROM stage_task WHERE batch_id = @batch", new { batch }));
        return
        [
            ("first_page", new TaskFilter(), 0),
            ("middle_page", new TaskFilter(), middle),
            ("failed", new TaskFilter { State = TaskState.Failed }, 0),
            ("fetch_failed", new TaskFilter { Stage = FetchHandler.Name, State = TaskState.Failed }, 0),
            ("resolve_blocked", new TaskFilter { Stage = ResolveHandler.Name, State = TaskState.Blocked }, 0),
            ("running", new TaskFilter { State = TaskState.Running }, 0),
            ("code_http_404", new TaskFilter { ErrorCode = "http_404" }, 0),
            ("host", new TaskFilter { Host = "guru-guha.blogspot.com" }, 0),
            ("extract_host_failed", new TaskFilter { Stage = ExtractHandler.Name, Host = "guru-guha.blogspot.com", State = TaskState.Failed }, 0),
            ("text", new TaskFilter { Text = "kriti-1234" }, 0),
            // A text every task has (a page of the first 100 in id order) and one in the middle of a URL, in capitals.
            ("text_common", new TaskFilter { Text = "blogspot" }, 0),
            ("text_case", new TaskFilter { Text = "/2009/07/KRITI-2" }, 0),
            ("text_host_failed", new TaskFilter { Text = "kriti-1", Host = "guru-guha.blogspot.com", State = TaskState.Failed }, 0),
            // Filters that match nothing in this batch (nothing cancelled; a mistyped code or host): the whole batch is the worst case.
            ("cancelled_none", new TaskFilter { State = TaskState.Cancelled }, 0),
            ("code_none", new TaskFilter { ErrorCode = "http_418" }, 0),
            ("host_none", new TaskFilter { Host = "guru-guha.blogspot.example" }, 0),
            ("text_none", new TaskFilter { Text = "no-such-page" }, 0),
        ];
    }

    /// <summary>What the route does per request (the batch's existence, then one page of 100), timed <see cref="Samples"/> times.</summary>
    static async Task<(double P50, double P95, int Items)> TaskListAsync(Db db, long batch, TaskFilter filter, long after)
    {
        var items = 0;
        var times = new double[Samples];
        for (var i = -Warmup; i < Samples; i++)
        {
            var sw = Stopwatch.StartNew();
            _ = await Batches.GetAsync(db, batch) ?? throw new InvalidOperationException("the bench batch is gone");
            items = (await Batches.TasksAsync(db, batch, filter, after, Api.BulkImportApi.PageDefault)).Count;
            if (i >= 0) times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (Math.Round(times[Samples / 2], 2), Math.Round(times[(int)Math.Ceiling(Samples * 0.95) - 1], 2), items);
    }

    // ---- the review queue ----

    static IEnumerable<(string Name, ReviewFilter Filter, string Sort, bool SecondPage)> ReviewFilters(long batch)
    {
        yield return ("batch", new ReviewFilter { BatchId = batch }, ReviewSort.Quality, false);
        yield return ("batch_page2", new ReviewFilter { BatchId = batch }, ReviewSort.Quality, true);
        yield return ("ready", new ReviewFilter { BatchId = batch, States = [ReviewStates.Ready] }, ReviewSort.Quality, false);
        yield return ("needs_review_newest", new ReviewFilter { BatchId = batch, States = [ReviewStates.NeedsReview] }, ReviewSort.Newest, false);
        yield return ("quality_noflags", new ReviewFilter { BatchId = batch, MinQuality = 0.8, NoFlags = true }, ReviewSort.QualityDesc, false);
        yield return ("flag_duplicate", new ReviewFilter { BatchId = batch, AnyFlags = ReviewFlags.Duplicate }, ReviewSort.Oldest, false);
        yield return ("composer_raga", new ReviewFilter { BatchId = batch, ComposerId = "tyagaraja", RagaId = "todi" }, ReviewSort.Quality, false);
        yield return ("text", new ReviewFilter { BatchId = batch, Text = "rama" }, ReviewSort.Quality, false);
        yield return ("confidence", new ReviewFilter { BatchId = batch, Confidence = [new ConfidenceRange("composer", null, 0.8)] }, ReviewSort.Quality, false);
        yield return ("all_batches_ready", new ReviewFilter { States = [ReviewStates.Ready] }, ReviewSort.Oldest, false);
    }

    /// <summary>p50/p95 of one queue page (items, counts per state and flag, names) for a filter.</summary>
    static async Task<(double P50, double P95, int Items)> ReviewListAsync(Db db, ReviewFilter filter, string sort, bool secondPage)
    {
        var after = secondPage ? (await ReviewQueue.ListAsync(db, filter, sort)).Next : null;
        var items = 0;
        var times = new double[Samples];
        for (var i = -Warmup; i < Samples; i++)
        {
            var sw = Stopwatch.StartNew();
            items = (await ReviewQueue.ListAsync(db, filter, sort, after)).Items.Count;
            if (i >= 0) times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (Math.Round(times[Samples / 2], 2), Math.Round(times[(int)Math.Ceiling(Samples * 0.95) - 1], 2), items);
    }

    // ---- bulk approval ----

    static async Task<Dictionary<string, object?>> ApproveTrinityAsync(Db db)
    {
        var manifests = SharedFiles.TrinityManifests.Select(f => new ManifestInput(Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        await using var site = await OfflineSite.SourceSite.StartAsync(new OfflineSite.SourceSiteOptions { BasePort = 0, Manifests = SharedFiles.TrinityManifests, Pregenerate = true });
        await site.Ready;
        await using var app = GranthaApp.Create(db);
        app.Services.GetRequiredService<Grantha.Fetch.OfflineSites>().Allow(site.HostMap.Values);
        using var cts = new CancellationTokenSource();
        var run = app.NewWorker().RunAsync(cts.Token);
        try
        {
            var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
            var trinity = await ManifestBatches.CreateAsync(db, app.Pipeline, "trinity", manifests, options, "bench");
            while ((await Batches.GetAsync(db, trinity))!.Status != BatchStatus.Completed) await Task.Delay(25);
            var sw = Stopwatch.StartNew();
            var started = await BulkApproval.StartAsync(db, app.Pipeline, new ReviewFilter { BatchId = trinity }, new ApprovalCriteria(), "bench");
            var approval = started.ApprovalBatchId ?? throw new InvalidOperationException("nothing to approve in the Trinity batch");
            while ((await Batches.GetAsync(db, approval))!.Status != BatchStatus.Completed) await Task.Delay(10);
            var seconds = sw.Elapsed.TotalSeconds;
            var summary = await BulkApproval.SummaryAsync(db, approval);
            return new()
            {
                ["approve_trinity_s"] = Math.Round(seconds, 2), ["approve_trinity_matched"] = summary.Matched, ["approve_trinity_approved"] = summary.Approved,
                ["approve_trinity_krithis"] = summary.KrithisCreated, ["approve_trinity_skipped"] = summary.Skipped, ["approve_trinity_failed"] = summary.Failed,
            };
        }
        finally
        {
            await cts.CancelAsync();
            await run;
        }
    }

    // ---- seeding ----

    /// <summary>Rows into a table: COPY in binary on PostgreSQL (values typed as the columns are), the dialect's multi-row insert on SQLite.</summary>
    static async Task InsertAsync(Db db, System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string table, string[] columns, IReadOnlyList<object?[]> rows)
    {
        if (db.Kind == DbKind.Sqlite)
        {
            await db.Dialect.InsertRowsAsync(c, tx, table, columns, rows);
            return;
        }
        await using (var copy = await ((NpgsqlConnection)c).BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync();
                foreach (var v in row)
                    if (v is null) await copy.WriteNullAsync(); else await copy.WriteAsync(v);
            }
            await copy.CompleteAsync();
        }
        // Explicit ids: the identity goes on after them, so later inserts (the app's own) do not collide.
        if (columns[0] == "id")
            await c.ExecuteAsync($"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))", transaction: tx);
    }

    /// <summary>Table statistics now, as autovacuum (PostgreSQL) would have gathered them some seconds after a load this size.</summary>
    // CommandType.Text: Dapper takes one word without a space for a stored procedure's name.
    /// <summary>Statistics, and on PostgreSQL the visibility map autovacuum would have set by now (index-only scans rely on it).</summary>
    internal static Task AnalyzeAsync(Db db) => db.ReadAsync(c => c.ExecuteAsync(db.Kind == DbKind.Postgres ? "VACUUM ANALYZE" : "ANALYZE", commandType: System.Data.CommandType.Text));
}
