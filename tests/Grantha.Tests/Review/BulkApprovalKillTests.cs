using System.Diagnostics;
using Dapper;
using Grantha.Engine;
using Grantha.Review;
using Grantha.Tests.Engine;

namespace Grantha.Tests.Review;

/// <summary>
/// A worker process killed with SIGKILL in the middle of a bulk approval on PostgreSQL: after another worker
/// finishes the run, every import is approved exactly once, no krithi is half-written, and the figures add up.
/// </summary>
public class BulkApprovalKillTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const int Imports = 3000;

    [Fact]
    public async Task A_worker_killed_mid_run_leaves_every_import_approved_once_or_untouched()
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync("postgres");
        var db = t.Db;
        await Grantha.Reference.CatalogStore.SeedAsync(db, ct: Ct);
        var source = await Batches.CreateAsync(db, "staged", new BatchOptions(), "test", ["RESOLVE"], (_, _, _) => Task.CompletedTask, Ct);
        // Titles that stay distinct works once folded to title keys (digits fold away, so letters it is).
        var titles = Titles().DistinctBy(Grantha.Reference.NameKey.Of).Take(Imports).ToArray();
        titles.Length.ShouldBe(Imports);
        var keys = titles.Select(Grantha.Reference.NameKey.Of).ToArray();
        await db.WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO staged_import (batch_id, url, extraction_id, status, title, title_key, composer_id, raga_set, work_key, decisions, duplicate_flags,
                                       quality, quality_reasons, created_at, updated_at, review_state, version, flags)
            SELECT @source, 'http://kill.test/' || u.ord, 0, 'resolved', u.title, u.key, 'tyagaraja', 'hanumatodi',
                   'tyagaraja|' || u.key || '|hanumatodi', '{"ragas":[{"id":"hanumatodi","name":"Hanumatodi"}],"names":[]}', '[]', 1.0, '[]', 0, 0, 'ready', 1, 0
              FROM unnest(@titles, @keys) WITH ORDINALITY AS u(title, key, ord)
            """, new { source, titles, keys }, tx), Ct);
        var started = await BulkApproval.StartAsync(db, new Pipeline(new ApproveHandler()), new ReviewFilter { BatchId = source }, new ApprovalCriteria(), "test:curator", ct: Ct);
        var run = started.ApprovalBatchId!.Value;
        started.Plan.WouldApprove.ShouldBe(Imports);

        // A real worker process (the CLI's `worker`), killed without warning once it is well under way.
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "grantha.dll"), "--db", t.Spec, "worker", "--stage", ApproveHandler.Name },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var worker = Process.Start(psi)!;
        _ = worker.StandardOutput.ReadToEndAsync(Ct);
        var stderr = worker.StandardError.ReadToEndAsync(Ct);
        long approvedAtKill = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !worker.HasExited)
        {
            approvedAtKill = await ApprovedAsync(db, source);
            if (approvedAtKill >= Imports / 10) break;
            await Task.Delay(10, Ct);
        }
        // (stderr is complete only once the process has gone: read it only then.)
        if (worker.HasExited) throw new Xunit.Sdk.XunitException($"the worker exited before it was killed: {await stderr}");
        worker.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no lease handed back
        await worker.WaitForExitAsync(Ct);
        approvedAtKill = await ApprovedAsync(db, source);
        approvedAtKill.ShouldBeGreaterThan(0);
        approvedAtKill.ShouldBeLessThan(Imports, "the kill came in the middle of the run");

        // Whatever it held is rescued when its leases expire (made to expire now rather than in 30 s).
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE stage_task SET lease_expires_at = 0 WHERE batch_id = @run AND state = 'RUNNING'", new { run }, tx), Ct);
        (await EngineHarness.RunUntilSettledAsync(db, run, [new ApproveHandler()], TimeSpan.FromSeconds(120))).ShouldBe(BatchStatus.Completed);

        var figures = await db.ReadAsync(c => c.QuerySingleAsync<(long Approved, long Krithis, long Revisions, long Sources, long Orphans, long Twice)>("""
            SELECT (SELECT COUNT(*) FROM staged_import WHERE batch_id = @source AND review_state = 'approved'),
                   (SELECT COUNT(*) FROM krithi),
                   (SELECT COUNT(*) FROM krithi_revision),
                   (SELECT COUNT(*) FROM krithi_source),
                   (SELECT COUNT(*) FROM krithi k WHERE NOT EXISTS (SELECT 1 FROM staged_import s WHERE s.krithi_id = k.id)),
                   (SELECT COUNT(*) FROM (SELECT work_key FROM krithi GROUP BY work_key HAVING COUNT(*) > 1) x)
            """, new { source }), Ct);
        figures.Approved.ShouldBe(Imports);
        figures.Krithis.ShouldBe(Imports, "one krithi per approval");
        figures.Revisions.ShouldBe(Imports, "revision count = approvals: nothing half-written, nothing twice");
        figures.Sources.ShouldBe(Imports);
        figures.Orphans.ShouldBe(0);
        figures.Twice.ShouldBe(0);
        var summary = await BulkApproval.SummaryAsync(db, run, Ct);
        summary.Approved.ShouldBe(Imports);
        summary.KrithisCreated.ShouldBe(Imports, "a retried task reports its own earlier approval");
        (await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event WHERE kind = 'review_approved' AND batch_id = @source", new { source }), Ct))
            .ShouldBe(Imports);
    }

    static IEnumerable<string> Titles()
    {
        string[] syllables = ["ka", "ga", "ta", "da", "pa", "ba", "ra", "la", "sa", "va", "ya", "ja", "na", "ma", "ha", "ki", "ru", "te", "ko"];
        foreach (var a in syllables)
            foreach (var b in syllables)
                foreach (var c in syllables)
                    yield return $"{a}{b} {c}ne";
    }

    static Task<long> ApprovedAsync(Db db, long source) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM staged_import WHERE batch_id = @source AND review_state = 'approved'", new { source }));
}
