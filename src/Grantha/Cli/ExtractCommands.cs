using System.CommandLine;
using System.Text.Json;
using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;

namespace Grantha.Cli;

/// <summary>extract (one page), reextract (a batch's stored pages), extraction (a batch's extraction summary).</summary>
public static class ExtractCommands
{
    static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IEnumerable<Command> Build()
    {
        yield return ExtractCommand();
        yield return ReextractCommand();
        yield return SummaryCommand();
    }

    static Command ExtractCommand()
    {
        var source = new Argument<string>("file-or-url") { Description = "A saved page (HTML file) or a page URL (read from the database if stored, else fetched once)" };
        var url = new Option<string?>("--url") { Description = "The manifest URL the page belongs to (its host names the blog and composer)" };
        var raga = new Option<string?>("--raga") { Description = "The manifest's raga, checked against the page (csv_raga_differs)" };
        var json = new Option<bool>("--json") { Description = "Print the extraction as JSON" };
        var offline = new Option<bool>("--offline-site") { Description = "Fetch a URL from the offline source site on 127.0.0.1" };
        var cmd = new Command("extract", "Extract one page: metadata, sections and the lyric in every script") { source, url, raga, json, offline };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            var arg = p.GetValue(source)!;
            var manifestUrl = p.GetValue(url);
            byte[] body;
            string? charset = null;
            if (Uri.TryCreate(arg, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
            {
                manifestUrl ??= arg;
                await using var db = await Commands.OpenDbAsync(p, ct);
                var input = await StoredOrFetchedAsync(db, arg, p.GetValue(offline), ct);
                (body, charset) = (input.Body, input.DeclaredCharset);
            }
            else
            {
                if (!File.Exists(arg)) throw new FileNotFoundException($"'{arg}' is neither a file nor an http(s) URL.");
                body = await File.ReadAllBytesAsync(arg, ct);
            }

            ExtractedPage page;
            try
            {
                var ragas = p.GetValue(raga) is { Length: > 0 } r ? new[] { r } : [];
                page = Extractor.Extract(body, charset, manifestUrl, ragas);
            }
            catch (ExtractException e)
            {
                Console.Error.WriteLine($"error: {e.Code}: {e.Message}");
                return ExitCodes.BadInput;
            }
            if (p.GetValue(json))
            {
                Console.Out.WriteLine(ExtractJson.Serialize(page));
                return ExitCodes.Ok;
            }
            PrintHuman(page);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>The page stored for a URL; fetched (politely, through the fetch stage's guard) only when none is stored.</summary>
    static async Task<PageInput> StoredOrFetchedAsync(Db db, string url, bool offlineSite, CancellationToken ct)
    {
        try
        {
            return await PageInput.LoadAsync(db, 0, url, null, ct);
        }
        catch (StageException e) when (e.Code == PageInput.PageMissing)
        {
            var options = ImportCommand.BuildOptions(offlineSite, null, noPoliteness: false);
            await using var app = GranthaApp.Create(db);
            // --offline-site: the user's own command points at the site on its default ports.
            app.Services.GetRequiredService<OfflineSites>().Allow(options.HostMap.Values);
            var fetch = (FetchHandler)app.Pipeline[FetchHandler.Name];
            var task = new StageTask { Stage = FetchHandler.Name, Subject = url, Host = new Uri(url).Host, Attempt = 1, MaxAttempts = 1 };
            try
            {
                var fetched = await fetch.FetchAsync(new TaskContext(task, db, options, "cli"), ct);
                return await PageInput.LoadAsync(db, 0, url, fetched.EvidenceId, ct);
            }
            catch (StageException f)
            {
                throw new ArgumentException($"cannot fetch {url}: {f.Code}: {f.Message}");
            }
        }
    }

    static void PrintHuman(ExtractedPage page)
    {
        Console.WriteLine($"{page.DisplayTitle ?? page.Title ?? "(no title)"}  [{page.Title}]");
        Console.WriteLine($"  raga {string.Join(", ", page.Ragas.Select(r => r.SectionOrder is { } s ? $"{r.Name} (section {s})" : r.Name))}" +
                          $"  tala {page.Tala ?? "-"}  composer {page.Composer ?? "-"}  form {page.Form ?? "-"}");
        if (page.Deity is not null || page.Kshetra is not null) Console.WriteLine($"  deity {page.Deity ?? "-"}  kshetra {page.Kshetra ?? "-"}");
        Console.WriteLine($"  sections {string.Join(" ", page.Sections.Select(s => s.Type.Code() + (s.Number is { } n ? $" {n}" : "") + (s.HasMadhyamaKala ? " (mk)" : "")))}");
        Console.WriteLine($"  scripts {string.Join(", ", page.Lyrics.Select(l => $"{l.Script} ({l.Language})"))}");
        Console.WriteLine($"  extractor {page.ExtractorVersion}  confidence {page.Confidence:0.00}");
        foreach (var w in page.Warnings) Console.WriteLine($"  warning {w.Code}: {w.Message}");
        var latin = page.Lyrics.FirstOrDefault();
        if (latin is null) return;
        for (var i = 0; i < page.Sections.Count; i++)
        {
            Console.WriteLine();
            Console.WriteLine($"[{page.Sections[i].Type.Code()}{(page.Sections[i].Number is { } n ? " " + n : "")}]");
            Console.WriteLine(latin.Sections[i]);
        }
    }

    static Command ReextractCommand()
    {
        var id = new Argument<long>("batch-id") { Description = "Batch id (see ./grantha batches)" };
        var urlFilter = new Option<string?>("--filter", "--url") { Description = "Only pages whose URL contains this text" };
        var warning = new Option<string?>("--warning") { Description = "Only extractions with this warning (e.g. tala_missing, section_count_mismatch)" };
        var error = new Option<string?>("--error") { Description = "Only pages that failed with this code (e.g. not_html)" };
        var older = new Option<bool>("--older") { Description = $"Only extractions made by an extractor older than {Extractor.Version}" };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON line" };
        var cmd = new Command("reextract", "Run the current extractor again over a batch's stored pages (same ids, new version)") { id, urlFilter, warning, error, older, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var filter = new ExtractQueries.Filter { UrlContains = p.GetValue(urlFilter), Warning = p.GetValue(warning), ErrorCode = p.GetValue(error), OlderVersion = p.GetValue(older) };
            var r = await ExtractQueries.ReextractAsync(db, p.GetValue(id), filter, "cli", ct);
            if (p.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(r, JsonOut)); return ExitCodes.Ok; }
            Console.WriteLine($"batch {r.BatchId}: {r.Matched} pages matched, {r.Updated} re-extracted with {r.ExtractorVersion} ({r.Changed} changed), {r.Failed} failed, {r.ElapsedMs} ms");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    static Command SummaryCommand()
    {
        var id = new Argument<long>("batch-id") { Description = "Batch id (see ./grantha batches)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("extraction", "A batch's extraction summary: coverage per field and warnings by kind") { id, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var b = p.GetValue(id);
            _ = await Batches.GetAsync(db, b, ct) ?? throw new BatchNotFoundException(b);
            var s = await ExtractQueries.SummaryAsync(db, b, ct);
            if (p.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(s, JsonOut)); return ExitCodes.Ok; }
            PrintSummary(s, Console.Out);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>The summary as a few human lines (also for the lead's batch view).</summary>
    public static void PrintSummary(ExtractQueries.Summary s, TextWriter o)
    {
        o.WriteLine($"extraction: {s.Extracted}/{s.Pages} pages extracted, {s.Failed} failed, mean confidence {s.MeanConfidence?.ToString("0.000") ?? "-"}, " +
                    $"versions {string.Join(", ", s.Versions.Select(v => $"{v.Key}={v.Value}"))} (current {s.CurrentVersion})");
        var c = s.Coverage;
        o.WriteLine($"  coverage: title {c.Title}, raga {c.Raga}, tala {c.Tala}, composer {c.Composer}, form {c.Form}, deity {c.Deity}, kshetra {c.Kshetra}, " +
                    $"published {c.Published}, gist {c.Gist}, meaning {c.Meaning}, 6 scripts {c.SixScripts}");
        o.WriteLine($"  scripts: {string.Join(", ", c.Scripts.Select(x => $"{x.Key} {x.Value}"))}");
        if (s.Warnings.Count > 0) o.WriteLine($"  warnings: {string.Join(", ", s.Warnings.OrderByDescending(w => w.Value).Select(w => $"{w.Key} {w.Value}"))}");
        if (s.Errors.Count > 0) o.WriteLine($"  errors: {string.Join(", ", s.Errors.Select(e => $"{e.Key} {e.Value}"))}");
    }
}
