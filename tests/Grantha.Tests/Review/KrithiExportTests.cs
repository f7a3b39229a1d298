using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Catalog;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Manifest;
using Grantha.Reference;
using Grantha.Resolve;
using Grantha.Review;
using Grantha.Tests.Api;
using Grantha.Tests.Catalog;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Review;

/// <summary>The QA export of catalog krithis: CSV (a manifest first), JSON and JSON Lines, the CLI and the API, on both stores.</summary>
[Collection(nameof(ConsoleCapture))]
public class KrithiExportTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string EvilTitle = "=cmd|' /C calc'!A0";

    /// <summary>Four krithis: one from batch 1 (kept in the catalog after its batch is gone), a two-raga one with a formula-like title and two pages, a retracted one, one from batch 2.</summary>
    sealed record Seeded(long Todi, long Evil, long Retracted, long Tyagaraja);

    static async Task<Seeded> SeedAsync(TestDb t)
    {
        var todi = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike", batchId: 1));
        var evilDraft = KrithiSamples.Kamalambike() with
        {
            Title = EvilTitle, DisplayTitle = "+1 Ardhanareesvaram, \"two\"", Ragas = [new KrithiRaga("bhoopalam", 1), new KrithiRaga("bowli", 2)], DeityId = null,
        };
        var evil = await t.CreateAsync(evilDraft, KrithiSamples.Page("ardhanaareesvaram", batchId: 1));
        await t.WriteAsync((c, tx) => KrithiStore.MergeAsync(t.Db.Dialect, c, tx, evil.Id, 1, evilDraft, KrithiSamples.Page("ardhanaareesvaram_2", batchId: 2), "bob", "second page"));
        var retracted = await t.CreateAsync(KrithiSamples.Kamalambike() with { Title = "nIlOtpalAmbikAyai", Ragas = [new KrithiRaga("kedaragowla")] },
            KrithiSamples.Page("nilotpalambikayai", batchId: 1));
        await t.WriteAsync((c, tx) => KrithiStore.RetractAsync(t.Db.Dialect, c, tx, retracted.Id, 1, "bob", "duplicate"));
        var tyagaraja = await t.CreateAsync(KrithiSamples.Kamalambike() with { Title = "rAma nIvE gati", DisplayTitle = null, ComposerId = "tyagaraja", DeityId = "rama" },
            KrithiSamples.Page("rama-neeve-gati", batchId: 2));
        return new Seeded(todi.Id, evil.Id, retracted.Id, tyagaraja.Id);
    }

    // The export, the line splitter and the CLI runner of the staged export's tests.
    static Task<string> ExportAsync(Db db, ExportFilter filter, ExportFormat format, bool bom = false) => ExportTests.ExportAsync(db, filter, format, bom);
    static string[] Lines(string text) => ExportTests.Lines(text);
    static Task<(int Code, string Err)> RunAsync(params string[] args) => ExportTests.RunAsync(args);

    static long[] JsonlIds(string jsonl) => Lines(jsonl).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()).ToArray();

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Every_krithi_is_one_csv_line_and_one_json_object_and_the_list_filters_select_them(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var s = await SeedAsync(t);
        var inDb = await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM krithi"), Ct);
        inDb.ShouldBe(4);

        var csv = Lines(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Csv));
        csv[0].ShouldBe("Krithi,Raga,Hyperlink,id,version,status,display_title,composer,tala,form,deity,kshetra,"
                        + "composer_id,raga_ids,tala_id,deity_id,kshetra_id,scripts,sources,approved_by,updated_at,updated_by");
        (csv.Length - 1).ShouldBe((int)inDb);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Jsonl)).ShouldBe([s.Todi, s.Evil, s.Retracted, s.Tyagaraja]);
        JsonDocument.Parse(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Json)).RootElement.GetArrayLength().ShouldBe((int)inDb);

        var todi = csv[1].Split(',');
        todi[..6].ShouldBe(["kamalAmbikE pAhi", await RagaNameAsync(t, "hanumatodi"), KrithiSamples.Page("kamalaambike").Url, s.Todi.ToString(), "1", "active"]);
        todi[12..19].ShouldBe(["muthuswami-dikshitar", "hanumatodi", "chapu-misra", "kamalamba", "tiruvarur", "latin devanagari", KrithiSamples.Page("kamalaambike").Url]);
        todi[19].ShouldBe("curator");
        todi[20].ShouldMatch(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$");

        // Filters: the krithi list's, and the batch a source came from (batch 1 exists in no batch table: its sources still select).
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(filter: new(RagaId: "bowli")), ExportFormat.Jsonl)).ShouldBe([s.Evil]);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(filter: new(ComposerId: "tyagaraja")), ExportFormat.Jsonl)).ShouldBe([s.Tyagaraja]);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(filter: new(DeityId: "kamalamba")), ExportFormat.Jsonl)).ShouldBe([s.Todi, s.Retracted]);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(filter: new(Text: "ambik")), ExportFormat.Jsonl)).ShouldBe([s.Todi, s.Retracted]);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(filter: new(Status: KrithiStatus.Retracted)), ExportFormat.Jsonl)).ShouldBe([s.Retracted]);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(1), ExportFormat.Jsonl)).ShouldBe([s.Todi, s.Evil, s.Retracted]);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(2, new(Status: KrithiStatus.Active)), ExportFormat.Jsonl)).ShouldBe([s.Evil, s.Tyagaraja]);
        Lines(await ExportAsync(t.Db, ExportFilter.OfKrithis(2, new(RagaId: "kedaragowla")), ExportFormat.Csv)).Length.ShouldBe(1);

        await Should.ThrowAsync<ArgumentException>(() => ExportAsync(t.Db, ExportFilter.OfKrithis(filter: new(Status: "deleted")), ExportFormat.Csv));
        await Should.ThrowAsync<ArgumentException>(() => ExportAsync(t.Db, ExportFilter.OfKrithis() with { State = "resolved" }, ExportFormat.Csv));
        await Should.ThrowAsync<ArgumentException>(() => ExportAsync(t.Db, new ExportFilter(1) { Krithis = new(RagaId: "bowli") }, ExportFormat.Csv));
        await Should.ThrowAsync<BatchNotFoundException>(() => ExportAsync(t.Db, ExportFilter.OfKrithis(9999), ExportFormat.Csv));
    }

    static Task<string> RagaNameAsync(TestDb t, string id) =>
        t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT name FROM catalog_raga WHERE id = @id", new { id }), Ct)!;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Csv_is_safe_in_a_spreadsheet_and_reads_back_as_a_manifest_whose_raga_cells_resolve_to_the_krithis_ragas(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var s = await SeedAsync(t);
        var text = await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Csv, bom: true);
        text[0].ShouldBe('\uFEFF');
        text.ShouldContain($"\"'{EvilTitle}\",");
        text.ShouldContain(",\"'+1 Ardhanareesvaram, \"\"two\"\"\",");
        foreach (var line in Lines(text).Skip(1))
            line[0].ShouldNotBeOneOf('=', '+', '-', '@', '\t', '\r');

        using var ms = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var rows = new List<ManifestRow>();
        await foreach (var l in ManifestReader.ReadAsync(ms, "krithis.csv", ct: Ct)) rows.Add(l.ShouldBeOfType<ManifestRow>());
        rows.Count.ShouldBe(4);
        rows[1].Krithi.ShouldBe("'" + EvilTitle);
        rows[1].Url.ShouldBe(KrithiSamples.Page("ardhanaareesvaram").Url);

        // Several ragas in one cell, joined as the manifests join them: RESOLVE reads the same ragas back, in order.
        var ragas = RagaResolver.CreateDefault();
        var expected = await t.Db.ReadAsync(async c => (await c.QueryAsync<(long KrithiId, string RagaId)>("SELECT krithi_id, raga_id FROM krithi_raga ORDER BY krithi_id, position")).ToList(), Ct);
        rows[1].Raga!.ShouldContain(KrithiExport.RagaSeparator);
        foreach (var (row, id) in rows.Zip(new[] { s.Todi, s.Evil, s.Retracted, s.Tyagaraja }))
            ragas.ResolveCell(row.Raga!).Select(r => r.Match?.Id).ShouldBe(expected.Where(e => e.KrithiId == id).Select(e => e.RagaId));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Json_objects_are_the_krithi_as_the_api_shows_it_without_revisions_and_round_trip(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var s = await SeedAsync(t);
        var lines = Lines(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Jsonl));
        var array = JsonDocument.Parse(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Json)).RootElement.EnumerateArray().Select(e => e.GetRawText()).ToArray();
        array.ShouldBe(lines);
        foreach (var (line, id) in lines.Zip(new[] { s.Todi, s.Evil, s.Retracted, s.Tyagaraja }))
        {
            var stored = (await KrithiStore.GetAsync(t.Db, id, Ct))!;
            line.ShouldBe(JsonSerializer.Serialize(stored, KrithiExport.Json));
            var read = JsonSerializer.Deserialize<KrithiDetail>(line, KrithiExport.Json)!;
            JsonSerializer.Serialize(read, KrithiExport.Json).ShouldBe(line);
            read.Revisions.ShouldBeNull();
        }

        var evil = JsonDocument.Parse(lines[1]).RootElement;
        evil.GetProperty("title").GetString().ShouldBe(EvilTitle); // JSON is the stored text, never escaped for spreadsheets
        evil.GetProperty("version").GetInt64().ShouldBe(2);
        evil.GetProperty("ragas").EnumerateArray().Select(r => (r.GetProperty("id").GetString(), r.GetProperty("section").GetInt32())).ShouldBe([("bhoopalam", 1), ("bowli", 2)]);
        evil.GetProperty("composer").GetProperty("name").GetString().ShouldBe("Muthuswami Dikshitar");
        evil.GetProperty("sources").EnumerateArray().Select(x => x.GetProperty("batchId").GetInt64()).ShouldBe([1L, 2L]);
        evil.GetProperty("lyrics")[1].GetProperty("sections")[1].GetProperty("text").GetString().ShouldBe("कमलालय वासिनि");
        evil.TryGetProperty("revisions", out _).ShouldBeFalse();
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Pages_of_krithis_join_into_one_export_in_id_order(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        // More than two pages, with a filter that keeps every third krithi: the keyset must not skip or repeat across pages.
        var n = KrithiExport.PageSize * 2 + 57;
        var ids = new List<long>();
        await t.Db.WriteAsync(async (c, tx) =>
        {
            for (var i = 0; i < n; i++)
                ids.Add((await KrithiStore.CreateAsync(t.Db.Dialect, c, tx,
                    KrithiSamples.Kamalambike() with { Title = $"krithi {i}", Ragas = [new KrithiRaga(i % 3 == 0 ? "bowli" : "hanumatodi")] },
                    KrithiSamples.Page($"k{i}"), "curator", "bulk")).Id);
        }, Ct);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Jsonl)).ShouldBe(ids);
        JsonlIds(await ExportAsync(t.Db, ExportFilter.OfKrithis(filter: new(RagaId: "bowli")), ExportFormat.Jsonl)).ShouldBe(ids.Where((_, i) => i % 3 == 0));
        JsonDocument.Parse(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Json)).RootElement.GetArrayLength().ShouldBe(n);
        Lines(await ExportAsync(t.Db, ExportFilter.OfKrithis(), ExportFormat.Csv)).Length.ShouldBe(n + 1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Api_exports_krithis_to_a_viewer_and_refuses_bad_requests(string store)
    {
        Shared.Require();
        await using var f = await ApiFixture.StartAsync(store);
        await CatalogStore.SeedAsync(f.Store.Db);
        var s = await SeedAsync(f.Store);
        var viewer = f.Client(Role.Viewer);

        var csv = await viewer.GetAsync("/v1/admin/export?what=krithis&format=csv", Ct);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.Content.Headers.ContentDisposition!.ToString().ShouldBe("attachment; filename=\"krithis.csv\"");
        Lines(await csv.Content.ReadAsStringAsync(Ct)).Length.ShouldBe(5);

        var jsonl = await viewer.GetAsync("/v1/admin/export?what=krithis&batch=2&format=jsonl&status=active", Ct);
        jsonl.StatusCode.ShouldBe(HttpStatusCode.OK);
        jsonl.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        jsonl.Content.Headers.ContentDisposition!.ToString().ShouldBe("attachment; filename=\"batch-2-krithis.jsonl\"");
        JsonlIds(await jsonl.Content.ReadAsStringAsync(Ct)).ShouldBe([s.Evil, s.Tyagaraja]);
        var json = await viewer.GetAsync("/v1/admin/export?what=krithis&format=json&raga=bowli&text=%2B1", Ct);
        JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct)).RootElement.EnumerateArray().Select(k => k.GetProperty("id").GetInt64()).ShouldBe([s.Evil]);

        async Task ShouldBeProblemAsync(string query, HttpStatusCode status, string says)
        {
            var r = await viewer.GetAsync("/v1/admin/export?" + query, Ct);
            r.StatusCode.ShouldBe(status);
            r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            JsonDocument.Parse(await r.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!.ShouldContain(says);
        }
        await ShouldBeProblemAsync("what=ragas&format=csv", HttpStatusCode.BadRequest, "use staged (staged imports) or krithis");
        await ShouldBeProblemAsync("what=krithis&format=xlsx", HttpStatusCode.BadRequest, "xlsx");
        await ShouldBeProblemAsync("what=krithis&status=deleted", HttpStatusCode.BadRequest, "Unknown status 'deleted'");
        await ShouldBeProblemAsync("what=krithis&state=resolved", HttpStatusCode.BadRequest, "filter staged imports, not krithis");
        await ShouldBeProblemAsync("what=staged&batch=1&deity=shiva", HttpStatusCode.BadRequest, "filter krithis, not staged imports");
        await ShouldBeProblemAsync("what=krithis&batch=x", HttpStatusCode.BadRequest, "batch must be a batch id");
        await ShouldBeProblemAsync("what=krithis&batch=9999", HttpStatusCode.NotFound, "Batch 9999 does not exist");
        (await f.Client(null).GetAsync("/v1/admin/export?what=krithis&format=csv", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Cli_exports_krithis_with_or_without_a_batch_and_bad_options_exit_with_a_message(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var s = await SeedAsync(t);
        var dir = Directory.CreateTempSubdirectory("grantha-export").FullName;
        try
        {
            var all = Path.Combine(dir, "krithis.csv");
            (await RunAsync("export", "--db", t.Spec, "--what", "krithis", "--format", "csv", "--out", all))
                .ShouldBe((0, $"catalog: 4 krithis written to {all}\n".ReplaceLineEndings()));
            Lines(await File.ReadAllTextAsync(all, Ct)).Length.ShouldBe(5);

            var fromBatch = Path.Combine(dir, "batch-1.jsonl");
            (await RunAsync("export", "--db", t.Spec, "--batch", "1", "--what", "krithis", "--format", "jsonl", "--status", "active", "--out", fromBatch))
                .ShouldBe((0, $"batch 1: 2 krithis written to {fromBatch}\n".ReplaceLineEndings()));
            JsonlIds(await File.ReadAllTextAsync(fromBatch, Ct)).ShouldBe([s.Todi, s.Evil]);
            var byComposer = Path.Combine(dir, "tyagaraja.json");
            (await RunAsync("export", "--db", t.Spec, "--what", "krithis", "--format", "json", "--composer", "tyagaraja", "--deity", "rama", "--out", byComposer)).Code.ShouldBe(0);
            JsonDocument.Parse(await File.ReadAllTextAsync(byComposer, Ct)).RootElement.GetArrayLength().ShouldBe(1);

            async Task ShouldRefuseAsync(int code, string says, params string[] args)
            {
                var (c, err) = await RunAsync(["export", "--db", t.Spec, .. args, "--out", Path.Combine(dir, "refused")]);
                (c, err).ShouldSatisfyAllConditions(() => c.ShouldBe(code), () => err.ShouldContain(says));
            }
            await ShouldRefuseAsync(ExitCodes.BadInput, "use staged (staged imports) or krithis", "--what", "kritis");
            await ShouldRefuseAsync(ExitCodes.BadInput, "filter staged imports, not krithis", "--what", "krithis", "--flag", "duplicate");
            await ShouldRefuseAsync(ExitCodes.BadInput, "Unknown status 'gone'", "--what", "krithis", "--status", "gone");
            await ShouldRefuseAsync(ExitCodes.NotFound, "Batch 9999 does not exist", "--what", "krithis", "--batch", "9999");
            Directory.GetFiles(dir).Select(Path.GetFileName).Order().ShouldBe(["batch-1.jsonl", "krithis.csv", "tyagaraja.json"]);
        }
        finally { Directory.Delete(dir, true); }
    }
}
