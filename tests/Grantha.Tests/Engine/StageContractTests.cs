using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Text;
using Dapper;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.Resolve;
using Grantha.OfflineSite;

namespace Grantha.Tests.Engine;

/// <summary>
/// The stage contract from the outside: a stage written only against the public contract (a typed
/// handler and one line in the pipeline) runs after RESOLVE, and a wrongly wired pipeline is refused.
/// </summary>
public class StageContractTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A stage after RESOLVE that notes each staged import it is handed.</summary>
    sealed class NoteStage : StageHandler<ResolveHandler.Staged, NoPayload>
    {
        public const string Name = "NOTE";
        public readonly ConcurrentBag<(string Url, long StagedImportId)> Seen = [];
        public override string Stage => Name;
        public override StageSettings Settings { get; } = new() { Concurrency = 2 };

        protected override Task<TaskResult> HandleAsync(TaskContext context, ResolveHandler.Staged payload, CancellationToken ct)
        {
            Seen.Add((context.Task.Subject, payload.StagedImportId));
            // The last stage has nothing after it: a follow-up would be null.
            FollowUp(context, context.Task.Subject, new NoPayload()).ShouldBeNull();
            return Task.FromResult(new TaskResult($"{{\"noted\":{payload.StagedImportId}}}"));
        }
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_stage_added_after_resolve_runs_for_every_staged_import(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var rows = SiteManifest.BuiltInSample;
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = rows }, Ct);
        await using var app = GranthaApp.Create(t.Db);
        app.Services.GetRequiredService<Grantha.Fetch.OfflineSites>().Allow(site.HostMap.Values);
        var note = new NoteStage();
        // After RESOLVE: the composed pipeline goes on to APPROVE (which hands nothing on), so NOTE takes its place.
        var pipeline = new Pipeline(app.Pipeline.Stages.TakeWhile(s => s.Stage != Grantha.Review.ApproveHandler.Name)).Then(note);
        pipeline.Names.ShouldBe([ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name, NoteStage.Name]);

        var csv = "Krithi,Raga,Hyperlink\r\n" + string.Concat(rows.Select(r => $"\"{r.Krithi}\",\"{r.Raga}\",{r.Url}\r\n"));
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var batch = await ManifestBatches.CreateAsync(t.Db, pipeline, "note", [new ManifestInput("note.csv", Encoding.UTF8.GetBytes(csv))], options, "test", ct: Ct);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = new Worker(t.Db, pipeline, EngineHarness.FastWorker).RunAsync(cts.Token);
        while ((await Batches.GetAsync(t.Db, batch, Ct))!.Status == BatchStatus.Running && !cts.IsCancellationRequested) await Task.Delay(20, Ct);
        await cts.CancelAsync();
        await run;

        (await Batches.GetAsync(t.Db, batch, Ct))!.Status.ShouldBe(BatchStatus.Completed);
        var jobs = await Batches.JobsAsync(t.Db, batch, Ct);
        jobs.Select(j => j.Stage).ShouldBe(pipeline.Names);
        jobs.ShouldAllBe(j => j.Status == JobStatus.Completed);
        // Every import RESOLVE completed (not blocked) was handed on once, with its id and URL.
        var staged = (await t.Db.ReadAsync(c => c.QueryAsync<(long Id, string Url)>(
            "SELECT s.id, s.url FROM staged_import s JOIN stage_task r ON r.batch_id = s.batch_id AND r.stage = 'RESOLVE' AND r.subject = s.url WHERE s.batch_id = @batch AND r.state = 'SUCCEEDED'",
            new { batch }))).ToList();
        staged.ShouldNotBeEmpty();
        note.Seen.Select(s => (s.StagedImportId, s.Url)).OrderBy(x => x.StagedImportId).ShouldBe(staged.Select(s => (s.Id, s.Url)).OrderBy(x => x.Id));
        var keys = await t.Db.ReadAsync(c => c.QueryAsync<string>("SELECT idem_key FROM stage_task WHERE batch_id = @batch AND stage = 'NOTE'", new { batch }));
        keys.ShouldAllBe(k => k.StartsWith(TaskKey.Prefix(batch, NoteStage.Name)));
    }

    [Fact]
    public void A_pipeline_whose_payloads_do_not_follow_on_is_refused()
    {
        var e = Should.Throw<ArgumentException>(() => new Pipeline(new ManifestHandler(), new ExtractHandler()));
        e.Message.ShouldContain("MANIFEST hands on NoPayload, but EXTRACT reads Fetched");
        Should.Throw<ArgumentException>(() => new Pipeline(new ManifestHandler(), new ManifestHandler())).Message.ShouldContain("twice");
    }

    [Fact]
    public void A_payload_that_does_not_read_fails_the_task_permanently()
    {
        var task = new StageTask { Id = 9, Stage = ResolveHandler.Name, Payload = "{\"extractionId\":\"not a number\"}" };
        var e = Should.Throw<StageException>(() => StageHandler<ExtractHandler.Extracted, ResolveHandler.Staged>.ReadPayload(task));
        e.Kind.ShouldBe(ErrorKind.Permanent);
        e.Code.ShouldBe("bad_payload");
    }
}
