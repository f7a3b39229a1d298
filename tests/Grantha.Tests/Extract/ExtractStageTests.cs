using Grantha.Resolve;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.OfflineSite;
using Grantha.Tests.Engine;
using Microsoft.AspNetCore.Builder;
using SectionType = Grantha.Extract.SectionType;

namespace Grantha.Tests.Extract;

/// <summary>The EXTRACT stage on both stores: stored evidence in, a stable extraction row out.</summary>
public class ExtractStageTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Url = "http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama.html";

    public static Task<long> BatchAsync(Db db, params string[] stages) =>
        Batches.CreateAsync(db, "extract test", new BatchOptions(), "test", stages, (_, _, _) => Task.CompletedTask, Ct);

    /// <summary>Manifest rows as MANIFEST leaves them (one file, the URL already normalised).</summary>
    internal static Task AddManifestRowsAsync(Db db, long batchId, params (int Row, string Status, string? Krithi, string? Raga, string Url)[] rows) =>
        db.WriteAsync(async (c, tx) =>
        {
            var file = await c.ExecuteScalarAsync<long>(
                "INSERT INTO manifest_file (batch_id, name, sha256, size, content, created_at) VALUES (@batchId, 'manifest.csv', 'x', 0, @content, 0) RETURNING id",
                new { batchId, content = Array.Empty<byte>() }, tx);
            foreach (var r in rows)
                await c.ExecuteAsync("""
                    INSERT INTO manifest_row (batch_id, manifest_file_id, row_number, status, krithi, raga, url, normalized_url)
                    VALUES (@batchId, @file, @Row, @Status, @Krithi, @Raga, @Url, @Url)
                    """, new { batchId, file, r.Row, r.Status, r.Krithi, r.Raga, r.Url }, tx);
        }, Ct);

    /// <summary>Stores a page as FETCH would; returns the evidence id.</summary>
    public static Task<long> StorePageAsync(Db db, long batchId, string url, byte[] body, string contentType = "text/html; charset=UTF-8") =>
        new PageStore(db).RecordAsync(new FetchEvidence
        {
            BatchId = batchId, Url = url, FinalUrl = url, Status = 200, Attempt = 1,
            Headers = new Dictionary<string, string> { ["Content-Type"] = contentType },
        }, body, "text/html", Ct);

    public static TaskContext Context(Db db, long batchId, string url, long? evidenceId, BatchOptions? options = null, long taskId = 7) =>
        EngineHarness.Routed(new(new StageTask
        {
            Id = taskId, BatchId = batchId, Stage = ExtractHandler.Name, Attempt = 1, MaxAttempts = 5, Subject = url,
            Host = new Uri(url).Host, IdemKey = $"{batchId}:{ExtractHandler.Name}:{url}",
            Payload = evidenceId is null ? null : JsonSerializer.Serialize(new { evidenceId }),
        }, db, options ?? new BatchOptions(), "test-worker"));

    static byte[] SimplePage => Encoding.UTF8.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody));

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_extract_task_stores_the_record_under_a_stable_id(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BatchAsync(t.Db, ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name);
        var evidence = await StorePageAsync(t.Db, batch, Url, SimplePage);
        var handler = new ExtractHandler();

        var first = await handler.HandleAsync(Context(t.Db, batch, Url, evidence), Ct);
        first.FollowUps.ShouldBeNull(); // the batch does not run RESOLVE
        var result = JsonSerializer.Deserialize<ExtractHandler.Result>(first.ResultJson!, EngineJson.Options)!;
        result.ExtractorVersion.ShouldBe(Extractor.Version);
        result.Sections.ShouldBe(3);
        result.Scripts.ShouldBe(3);

        var stored = (await ExtractionStore.GetAsync(t.Db, result.ExtractionId, Ct)).ShouldNotBeNull();
        stored.Url.ShouldBe(Url);
        stored.BatchId.ShouldBe(batch);
        stored.EvidenceId.ShouldBe(evidence);
        stored.ExtractorVersion.ShouldBe(Extractor.Version);
        var page = stored.Page.ShouldNotBeNull();
        page.Title.ShouldBe("rAma rAma");
        page.Tala.ShouldBe("Adi");
        page.Sections.Select(s => s.Type).ShouldBe([SectionType.Pallavi, SectionType.Anupallavi, SectionType.Charanam]);
        page.Lyric("tamil")!.Sections[2].ShouldNotContain("காப்பாய்");
        // The stored record is the extractor's record, field for field.
        ExtractionStore.Serialize(page).ShouldBe(ExtractionStore.Serialize(Extractor.Extract(SimplePage, "UTF-8", Url)));

        // A retried task (its completion lost) writes the same row again.
        var again = JsonSerializer.Deserialize<ExtractHandler.Result>((await handler.HandleAsync(Context(t.Db, batch, Url, evidence), Ct)).ResultJson!, EngineJson.Options)!;
        again.ExtractionId.ShouldBe(result.ExtractionId);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM extraction"))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_batch_that_runs_resolve_gets_a_resolve_task_with_the_extraction_id(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BatchAsync(t.Db, ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name);
        var evidence = await StorePageAsync(t.Db, batch, Url, SimplePage);

        var done = await new ExtractHandler().HandleAsync(Context(t.Db, batch, Url, evidence), Ct);

        var id = JsonSerializer.Deserialize<ExtractHandler.Result>(done.ResultJson!, EngineJson.Options)!.ExtractionId;
        var next = done.FollowUps.ShouldNotBeNull().ShouldHaveSingleItem();
        next.Stage.ShouldBe(ResolveHandler.Name);
        next.IdemKey.ShouldBe($"{batch}:RESOLVE:{Url}");
        next.Subject.ShouldBe(Url);
        next.Host.ShouldBe("thyagaraja-vaibhavam.blogspot.com");
        JsonDocument.Parse(next.Payload!).RootElement.GetProperty("extractionId").GetInt64().ShouldBe(id);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_stage_list_in_the_batch_options_decides_too(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BatchAsync(t.Db, ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name);
        var evidence = await StorePageAsync(t.Db, batch, Url, SimplePage);
        var options = new BatchOptions { Stages = [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name] };

        var done = await new ExtractHandler().HandleAsync(Context(t.Db, batch, Url, evidence, options), Ct);

        done.FollowUps.ShouldBeNull();
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_page_that_is_no_page_fails_permanently_with_its_code_and_is_recorded(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BatchAsync(t.Db, FetchHandler.Name, ExtractHandler.Name);
        var evidence = await StorePageAsync(t.Db, batch, Url, Encoding.UTF8.GetBytes(new string('x', 5000)));

        var e = await Should.ThrowAsync<StageException>(() => new ExtractHandler().HandleAsync(Context(t.Db, batch, Url, evidence), Ct));

        e.Kind.ShouldBe(ErrorKind.Permanent);
        e.Code.ShouldBe(ExtractException.NotHtml);
        var row = (await ExtractionStore.GetByUrlAsync(t.Db, batch, Url, Ct)).ShouldNotBeNull();
        row.ErrorCode.ShouldBe(ExtractException.NotHtml);
        row.Page.ShouldBeNull();
        var summary = await ExtractQueries.SummaryAsync(t.Db, batch, Ct);
        summary.Failed.ShouldBe(1);
        summary.Errors[ExtractException.NotHtml].ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Without_a_stored_page_the_task_fails_permanently_and_nothing_is_fetched(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BatchAsync(t.Db, FetchHandler.Name, ExtractHandler.Name);

        var missing = await Should.ThrowAsync<StageException>(() => new ExtractHandler().HandleAsync(Context(t.Db, batch, Url, 999), Ct));
        missing.Code.ShouldBe(PageInput.PageMissing);
        missing.Kind.ShouldBe(ErrorKind.Permanent);
        var noPayload = await Should.ThrowAsync<StageException>(() => new ExtractHandler().HandleAsync(Context(t.Db, batch, Url, null), Ct));
        noPayload.Code.ShouldBe(PageInput.PageMissing);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_declared_charset_of_the_stored_answer_is_used_and_the_manifest_raga_checked(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await Batches.CreateAsync(t.Db, "m", new BatchOptions(), "test", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name], async (c, tx, id) =>
        {
            var file = await c.ExecuteScalarAsync<long>("INSERT INTO manifest_file (batch_id, name, sha256, size, content, created_at) VALUES (@id, 'm.csv', 'x', 1, @content, 0) RETURNING id",
                new { id, content = new byte[] { 1 } }, tx);
            await c.ExecuteAsync("INSERT INTO manifest_row (batch_id, manifest_file_id, row_number, status, krithi, raga, url, normalized_url, host) VALUES (@id, @file, 2, 'accepted', 'rAma rAma', 'kalyANi', @Url, @Url, 'h')",
                new { id, file, Url }, tx);
        }, Ct);
        // Latin-1 bytes served as windows-1252: the header is believed (the text has no UTF-8).
        var latin1 = Encoding.Latin1.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody.Replace("rAma rAma-tODi", "rAma rAma-tODi ©")));
        var evidence = await StorePageAsync(t.Db, batch, Url, latin1, "text/html; charset=windows-1252");

        var done = await new ExtractHandler().HandleAsync(Context(t.Db, batch, Url, evidence), Ct);

        var page = (await ExtractionStore.GetAsync(t.Db, JsonSerializer.Deserialize<ExtractHandler.Result>(done.ResultJson!, EngineJson.Options)!.ExtractionId, Ct))!.Page!;
        page.HasWarning(Warnings.CsvRagaDiffers).ShouldBeTrue("the manifest says kalyANi, the page tODi");
        page.Ragas.ShouldHaveSingleItem().Name.ShouldBe("tODi");
    }

    [Fact]
    public void The_charset_comes_from_the_stored_headers()
    {
        PageInput.CharsetOf("""{"Content-Type":"text/html; charset=windows-1252","Server":"x"}""").ShouldBe("windows-1252");
        PageInput.CharsetOf("""{"content-type":"text/html"}""").ShouldBeNull();
        PageInput.CharsetOf("text/html; charset=\"UTF-8\"").ShouldBe("UTF-8");
        PageInput.CharsetOf(null).ShouldBeNull();
        PageInput.CharsetOf("{not json").ShouldBeNull();
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_fetch_starts_an_extract_task_only_when_the_batch_runs_extract(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await using var site = await Fetch.TestSite.StartAsync(app => app.MapGet("/p.html", () =>
            Microsoft.AspNetCore.Http.Results.Content(TestPages.Blogger(TestPages.SimpleKritiBody), "text/html; charset=UTF-8")));
        using var fetch = Fetch.FetchTasks.Handler();
        var url = site.Url("/p.html");

        var with = await BatchAsync(t.Db, ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name);
        var done = await fetch.HandleAsync(EngineHarness.Routed(Context(t.Db, with, url, null, site.Batch(), taskId: 1) with { Task = FetchTask(with, url, 1) }), Ct);
        var next = done.FollowUps.ShouldNotBeNull().ShouldHaveSingleItem();
        next.Stage.ShouldBe(ExtractHandler.Name);
        next.IdemKey.ShouldBe($"{with}:EXTRACT:{url}");
        next.Subject.ShouldBe(url);
        var evidenceId = JsonDocument.Parse(next.Payload!).RootElement.GetProperty("evidenceId").GetInt64();
        evidenceId.ShouldBe(FetchResult.FromJson(done.ResultJson!).EvidenceId);

        // The EXTRACT task reads what FETCH stored.
        var extracted = await new ExtractHandler().HandleAsync(Context(t.Db, with, url, evidenceId), Ct);
        JsonSerializer.Deserialize<ExtractHandler.Result>(extracted.ResultJson!, EngineJson.Options)!.Sections.ShouldBe(3);

        var without = await BatchAsync(t.Db, ManifestHandler.Name, FetchHandler.Name);
        (await fetch.HandleAsync(EngineHarness.Routed(Context(t.Db, without, url, null, site.Batch(), taskId: 2) with { Task = FetchTask(without, url, 2) }), Ct)).FollowUps.ShouldBeNull();
    }

    static StageTask FetchTask(long batchId, string url, long id) => new()
    {
        Id = id, BatchId = batchId, Stage = FetchHandler.Name, Attempt = 1, MaxAttempts = 5, Subject = url, Host = new Uri(url).Host,
        IdemKey = $"{batchId}:FETCH:{url}",
    };

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Manifest_fetch_and_extract_run_end_to_end_on_the_offline_site(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var rows = SiteManifest.BuiltInSample;
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = rows }, Ct);
        var csv = "Krithi,Raga,Hyperlink\r\n" + string.Concat(rows.Select(r => $"{r.Krithi},{r.Raga},{r.Url}\r\n"));
        var options = new BatchOptions { AllowOfflineSite = true, HostMap = new(site.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = false };
        var batch = await Batches.CreateAsync(t.Db, "e2e", options, "test", [ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name], (c, tx, id) =>
            ManifestHandler.AddFileAsync(t.Db, c, tx, id, "sample.csv", Encoding.ASCII.GetBytes(csv), Db.NowMs()), Ct);
        using var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);

        var status = await EngineHarness.RunUntilSettledAsync(t.Db, batch, [new ManifestHandler(), fetch, new ExtractHandler()], TimeSpan.FromSeconds(60));

        status.ShouldBe(BatchStatus.Completed);
        var summary = await ExtractQueries.SummaryAsync(t.Db, batch, Ct);
        summary.Pages.ShouldBe(site.Urls.Count);
        summary.Extracted.ShouldBe(site.Urls.Count);
        summary.Coverage.Title.ShouldBe(site.Urls.Count);
        foreach (var url in site.Urls)
        {
            var row = (await ExtractionStore.GetByUrlAsync(t.Db, batch, url, Ct)).ShouldNotBeNull();
            var truth = site.Truth(url)!;
            row.Page!.Sections.Select(s => s.Type.Code()).ShouldBe(truth.Expected.Sections.Select(s => s.Type), url);
        }
    }
}
