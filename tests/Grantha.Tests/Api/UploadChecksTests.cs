using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grantha.Api;
using Grantha.Manifest;

namespace Grantha.Tests.Api;

/// <summary>
/// What the upload checks before a batch exists (#10 items 6 and 7): file-level manifest errors answer 400
/// with every bad file by its upload name, no batch is created; one size limit, answered 413 "Manifest too
/// large"; names are capped.
/// </summary>
public class UploadChecksTests
{
    const string Batches = BulkImportApiTests.Batches, Csv = BulkImportApiTests.Csv;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Files a curator's spreadsheet gets wrong, each refused as a whole: (upload name, bytes, code).</summary>
    static readonly (string Name, byte[] Bytes, string Code)[] BadFiles =
    [
        ("binary.csv", [0x4B, 0x72, 0x00, 0x01, 0x02, 0x03, 0x00, 0x00], ManifestErrorCode.BinaryFile),
        ("workbook.xlsx", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00], ManifestErrorCode.BinaryFile),
        ("unicode.csv", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Csv)], ManifestErrorCode.Utf16),
        ("latin1.csv", Encoding.Latin1.GetBytes("Krithi,Raga,Hyperlink\nnIlAmbari \u00e9,kalyANi,http://guru-guha.blogspot.com/2007/07/x.html\n"), ManifestErrorCode.NotUtf8),
        ("empty.csv", [], ManifestErrorCode.EmptyFile),
        ("header-only.csv", Encoding.UTF8.GetBytes("Krithi,Raga,Hyperlink\n"), ManifestErrorCode.NoRows),
    ];

    static MultipartFormDataContent Form(IEnumerable<(string Name, byte[] Bytes)> files, string? batchName = null)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "files", name);
        }
        if (batchName is not null) form.Add(new StringContent(batchName), "name");
        return form;
    }

    static async Task<int> BatchCountAsync(ApiFixture f) =>
        (await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>(Batches, Ct)).GetProperty("items").GetArrayLength();

    static void ShouldListEveryBadFile(JsonElement problem)
    {
        problem.GetProperty("title").GetString().ShouldBe("Bad manifest");
        var files = problem.GetProperty("files").EnumerateArray()
            .Select(e => (Name: e.GetProperty("name").GetString(), Code: e.GetProperty("code").GetString(), Detail: e.GetProperty("detail").GetString())).ToList();
        files.Select(x => (x.Name, x.Code)).ShouldBe(BadFiles.Select(b => ((string?)b.Name, (string?)b.Code)));
        foreach (var x in files) x.Detail!.ShouldStartWith(x.Name + ":");
        foreach (var b in BadFiles) problem.GetProperty("detail").GetString()!.ShouldContain(b.Name);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_upload_with_file_errors_is_a_400_listing_each_bad_file_and_creates_no_batch(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var r = await f.Client(Role.Operator).PostAsync(Batches, Form([("good.csv", Encoding.UTF8.GetBytes(Csv)), .. BadFiles.Select(b => (b.Name, b.Bytes))]), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await r.Content.ReadAsStringAsync(Ct));
        ShouldListEveryBadFile(await r.Content.ReadFromJsonAsync<JsonElement>(Ct));
        (await BatchCountAsync(f)).ShouldBe(0);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Paths_with_file_errors_are_a_400_listing_each_bad_file_and_create_no_batch(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        File.WriteAllText(Path.Combine(f.ImportDir, "good.csv"), Csv);
        foreach (var b in BadFiles) File.WriteAllBytes(Path.Combine(f.ImportDir, b.Name), b.Bytes);
        var r = await f.Client(Role.Operator).PostAsJsonAsync(Batches, new { paths = new[] { "good.csv" }.Concat(BadFiles.Select(b => b.Name)) }, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await r.Content.ReadAsStringAsync(Ct));
        ShouldListEveryBadFile(await r.Content.ReadFromJsonAsync<JsonElement>(Ct));
        (await BatchCountAsync(f)).ShouldBe(0);
    }

    /// <summary>A manifest as big as asked: the sample's rows repeated under new URLs.</summary>
    static byte[] Manifest(long bytes)
    {
        var sb = new StringBuilder("Krithi,Raga,Hyperlink\n", (int)Math.Min(bytes + 200, int.MaxValue));
        for (var i = 0; sb.Length < bytes; i++) sb.Append($"kriti {i},kalyANi,http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-{i}.html\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Kestrel's own 30,000,000-byte default refused a 35 MB manifest as "Bad request" while the documented limit is 64 MiB.</summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_web_server_takes_a_manifest_up_to_the_documented_limit_and_answers_413_Manifest_too_large_above_it(string store)
    {
        await using var f = await ApiFixture.StartAsync(store, kestrel: true);
        var op = f.Client(Role.Operator);
        var ok = await op.PostAsync(Batches, Form([("big.csv", Manifest(35_000_000))]), Ct);
        ok.StatusCode.ShouldBe(HttpStatusCode.Created, await ok.Content.ReadAsStringAsync(Ct));

        var tooBig = await op.PostAsync(Batches, Form([("huge.csv", Manifest(ManifestLimits.MaxBytesDefault + 1))]), Ct);
        tooBig.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var problem = await tooBig.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("title").GetString().ShouldBe("Manifest too large");
        problem.GetProperty("detail").GetString()!.ShouldContain("64 MiB");

        // Several files count together: one upload carries at most the limit. Over it, Kestrel answers before the
        // body is sent (Content-Length is known); a client that waits for that (100-continue) reads the 413.
        var request = new HttpRequestMessage(HttpMethod.Post, Batches) { Content = Form([("a.csv", Manifest(35_000_000)), ("b.csv", Manifest(35_000_000))]) };
        request.Headers.ExpectContinue = true;
        var two = await op.SendAsync(request, Ct);
        two.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await two.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString().ShouldBe("Manifest too large");
        (await BatchCountAsync(f)).ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_file_in_the_import_folder_over_the_limit_is_413_before_it_is_read(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        await using (var big = File.Create(Path.Combine(f.ImportDir, "huge.csv"))) big.SetLength(ManifestLimits.MaxBytesDefault + 1);
        var r = await f.Client(Role.Operator).PostAsJsonAsync(Batches, new { paths = new[] { "huge.csv" } }, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("title").GetString().ShouldBe("Manifest too large");
        problem.GetProperty("detail").GetString()!.ShouldContain("huge.csv");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_batch_name_over_the_cap_is_a_400_naming_the_cap(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var op = f.Client(Role.Operator);
        var longName = new string('n', 100_000);
        var upload = await op.PostAsync(Batches, Form([("m.csv", Encoding.UTF8.GetBytes(Csv))], longName), Ct);
        upload.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await upload.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain(ManifestBatches.NameMaxChars.ToString());

        File.WriteAllText(Path.Combine(f.ImportDir, "m.csv"), Csv);
        // A name is one line: it is shown in lists and logs, and the CLI prints one line per file.
        var twoLines = await op.PostAsJsonAsync(Batches, new { name = "one\ntwo", paths = new[] { "m.csv" } }, Ct);
        twoLines.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var byPath = await op.PostAsJsonAsync(Batches, new { name = longName, paths = new[] { "m.csv" } }, Ct);
        byPath.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await byPath.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain(ManifestBatches.NameMaxChars.ToString());
        (await BatchCountAsync(f)).ShouldBe(0);

        // A long upload file name is refused the same way, and many files make a default name that is shortened, not refused.
        var longFile = await op.PostAsync(Batches, Form([(new string('f', 5_000) + ".csv", Encoding.UTF8.GetBytes(Csv))]), Ct);
        longFile.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await longFile.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain(ManifestBatches.FileNameMaxChars.ToString());
        var many = await op.PostAsync(Batches, Form(Enumerable.Range(0, 40).Select(i => ($"manifest-with-a-long-name-{i:000}.csv", Encoding.UTF8.GetBytes(Csv + $"kriti {i},tODi,http://guru-guha.blogspot.com/x-{i}.html\n")))), Ct);
        many.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await many.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();
        var name = (await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>($"{Batches}/{id}", Ct)).GetProperty("name").GetString()!;
        name.Length.ShouldBeLessThanOrEqualTo(ManifestBatches.NameMaxChars);
        name.ShouldStartWith("manifest-with-a-long-name-000.csv + ");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_synonym_or_a_chosen_name_over_the_cap_is_a_400_naming_the_cap(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var id = (await (await f.Client(Role.Operator).PostAsync(Batches, ApiFixture.Upload("m.csv", Csv), Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();
        var curator = f.Client(Role.Curator);
        var longName = string.Concat(Enumerable.Repeat("kalyani ", 12_500));
        var cap = global::Grantha.Reference.CatalogNames.MaxChars.ToString();

        var synonym = await curator.PostAsJsonAsync("/v1/admin/catalog/synonyms", new { kind = "raga", name = longName, entityId = "kalyani" }, Ct);
        synonym.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await synonym.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain(cap);

        var choose = await curator.PostAsJsonAsync($"{Batches}/{id}/resolution/choose", new { kind = "raga", name = longName, entityId = "kalyani" }, Ct);
        choose.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await choose.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain(cap);

        var add = await curator.PostAsJsonAsync("/v1/admin/catalog/tala", new { id = "long-tala", name = longName, aksharas = 8 }, Ct);
        add.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await add.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain(cap);

        (await curator.GetFromJsonAsync<JsonElement>("/v1/admin/catalog/aliases", Ct)).GetArrayLength().ShouldBe(0);
        (await curator.GetFromJsonAsync<JsonElement>("/v1/admin/catalog/synonyms?kind=raga", Ct)).EnumerateArray()
            .ShouldAllBe(s => s.GetProperty("name").GetString()!.Length <= global::Grantha.Reference.CatalogNames.MaxChars);
    }

    /// <summary>A host map the fetch stage cannot use made a batch whose every fetch failed with bad_url; now a 400 and no batch.</summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_host_map_that_is_not_an_http_base_url_is_a_400_and_no_batch(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        File.WriteAllText(Path.Combine(f.ImportDir, "m.csv"), Csv);
        // As serve --offline-site-allow http://127.0.0.1:5081 would; mapping is an admin's.
        f.App.Services.GetRequiredService<global::Grantha.Fetch.OfflineSites>().Allow(["http://127.0.0.1:5081"]);
        var op = f.Client(Role.Admin);
        foreach (var target in new[] { "file:///etc", "javascript:alert(1)", "not a url" })
        {
            var r = await op.PostAsJsonAsync(Batches, new { paths = new[] { "m.csv" }, allowOfflineSite = true, hostMap = new Dictionary<string, string> { ["guru-guha.blogspot.com"] = target } }, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, target);
            (await r.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!.ShouldContain("http(s) URL");
        }
        (await BatchCountAsync(f)).ShouldBe(0);
        (await op.PostAsJsonAsync(Batches, new { paths = new[] { "m.csv" }, allowOfflineSite = true, hostMap = new Dictionary<string, string> { ["guru-guha.blogspot.com"] = "http://127.0.0.1:5081" } }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
    }
}
