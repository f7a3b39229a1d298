using Grantha.Fetch;
using Grantha.Manifest;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Resolve;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Resolve;

/// <summary>One RESOLVE task on its own: what it reads (in one round trip) and what it stages.</summary>
public class ResolveHandlerTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Url = "http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama.html";

    static async Task<(long Batch, long ExtractionId)> ExtractedAsync(Db db)
    {
        var batch = await ExtractStageTests.BatchAsync(db, ManifestHandler.Name, FetchHandler.Name, ExtractHandler.Name, ResolveHandler.Name);
        await ExtractStageTests.AddManifestRowsAsync(db, batch, (2, "accepted", "rAma rAma", "tODi", Url), (9, "accepted", "rAma rAma", "tODi", Url));
        var evidence = await ExtractStageTests.StorePageAsync(db, batch, Url, Encoding.UTF8.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody)));
        var done = await new ExtractHandler().HandleAsync(ExtractStageTests.Context(db, batch, Url, evidence), Ct);
        return (batch, JsonSerializer.Deserialize<ExtractHandler.Result>(done.ResultJson!, EngineJson.Options)!.ExtractionId);
    }

    static TaskContext Context(Db db, long batch, string subject, long extractionId) =>
        new(new StageTask
        {
            Id = 11, BatchId = batch, Stage = ResolveHandler.Name, Attempt = 1, MaxAttempts = 5, Subject = subject,
            Host = "thyagaraja-vaibhavam.blogspot.com", IdemKey = $"{batch}:{ResolveHandler.Name}:{subject}",
            Payload = JsonSerializer.Serialize(new { extractionId }),
        }, db, new BatchOptions(), "test-worker");

    static Task<long> RowsOfImportAsync(Db db, long id) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM staged_import_row WHERE staged_import_id = @id", new { id }));

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_task_stages_the_page_with_its_manifest_rows(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var (batch, extractionId) = await ExtractedAsync(t.Db);

        var done = await new ResolveHandler().HandleAsync(Context(t.Db, batch, Url, extractionId), Ct);

        var result = JsonSerializer.Deserialize<ResolveHandler.Result>(done.ResultJson!, EngineJson.Options)!;
        result.Status.ShouldBe(StagedImports.Resolved);
        result.Composer.ShouldNotBeNull();
        result.Ragas.ShouldHaveSingleItem();
        (await RowsOfImportAsync(t.Db, result.StagedImportId)).ShouldBe(2);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_task_without_a_subject_finds_the_rows_by_the_extractions_url(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var (batch, extractionId) = await ExtractedAsync(t.Db);

        var done = await new ResolveHandler().HandleAsync(Context(t.Db, batch, " ", extractionId), Ct);

        var result = JsonSerializer.Deserialize<ResolveHandler.Result>(done.ResultJson!, EngineJson.Options)!;
        (await RowsOfImportAsync(t.Db, result.StagedImportId)).ShouldBe(2);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT url FROM staged_import WHERE id = @id", new { id = result.StagedImportId }))).ShouldBe(Url);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_missing_extraction_fails_the_task_for_good(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await ExtractStageTests.BatchAsync(t.Db, ResolveHandler.Name);
        var e = await Should.ThrowAsync<StageException>(() => new ResolveHandler().HandleAsync(Context(t.Db, batch, Url, 424242), Ct));
        e.Code.ShouldBe("extraction_missing");
    }
}
