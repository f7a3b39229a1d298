using Grantha.Fetch;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Extract;

namespace Grantha.Tests.Extract;

/// <summary>The CLI commands, run through System.CommandLine with the console captured (so not in parallel).</summary>
[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture
{
    /// <summary>Runs <paramref name="args"/> against a root of <paramref name="commands"/> (with --db), returning the exit code and what it printed.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(IEnumerable<Command> commands, string[] args)
    {
        var root = new RootCommand { Commands.DbOption };
        foreach (var c in commands) root.Add(c);
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (await root.Parse(args).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}

[Collection(nameof(ConsoleCapture))]
public class ExtractCommandsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => ConsoleCapture.RunAsync([.. ExtractCommands.Build()], args);

    [Fact]
    public async Task Extract_json_of_a_saved_page_has_the_agreed_shape_and_aligned_lyrics()
    {
        var file = Path.Combine(Path.GetTempPath(), $"grantha-page-{Guid.NewGuid():n}.html");
        await File.WriteAllTextAsync(file, TestPages.Blogger(TestPages.SimpleKritiBody), Ct);
        try
        {
            var (code, output, _) = await RunAsync("extract", file, "--url", "http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama.html", "--json");
            code.ShouldBe(0);
            var json = JsonDocument.Parse(output).RootElement;
            json.GetProperty("sourceUrl").GetString().ShouldBe("http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama.html");
            json.GetProperty("extractorVersion").GetString().ShouldBe(Extractor.Version);
            json.GetProperty("composer").GetString().ShouldBe(Composers.Tyagaraja);
            var sections = json.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("type").GetString()).ToList();
            sections.ShouldBe(["PALLAVI", "ANUPALLAVI", "CHARANAM"]);
            json.GetProperty("lyrics").EnumerateArray().Select(l => l.GetProperty("language").GetString()).ShouldBe(["en", "sa", "ta"]);
            foreach (var l in json.GetProperty("lyrics").EnumerateArray()) l.GetProperty("sections").GetArrayLength().ShouldBe(3);
            output.ShouldContain("राम राम नी वारमु");

            var (humanCode, human, _) = await RunAsync("extract", file);
            humanCode.ShouldBe(0);
            human.ShouldContain("sections PALLAVI ANUPALLAVI CHARANAM");
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_file_that_is_no_page_is_a_clear_error_with_its_code()
    {
        var file = Path.Combine(Path.GetTempPath(), $"grantha-page-{Guid.NewGuid():n}.html");
        await File.WriteAllBytesAsync(file, [], Ct);
        try
        {
            var (code, _, err) = await RunAsync("extract", file, "--json");
            code.ShouldBe(ExitCodes.BadInput);
            err.ShouldContain(ExtractException.EmptyDocument);
            (await RunAsync("extract", "/nonexistent/page.html")).Code.ShouldBe(ExitCodes.BadInput);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task Extract_of_a_stored_url_reads_the_database_and_reextract_and_extraction_work_on_a_batch()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        var url = "http://thyagaraja-vaibhavam.blogspot.com/2008/01/rama.html";
        var batch = await ExtractStageTests.BatchAsync(t.Db, FetchHandler.Name, ExtractHandler.Name);
        var evidence = await ExtractStageTests.StorePageAsync(t.Db, batch, url, Encoding.UTF8.GetBytes(TestPages.Blogger(TestPages.SimpleKritiBody)));
        await new ExtractHandler().HandleAsync(ExtractStageTests.Context(t.Db, batch, url, evidence), Ct);

        // The URL is stored: no request is made (the host does not resolve here).
        var (code, output, err) = await RunAsync("extract", url, "--json", "--db", t.Spec);
        code.ShouldBe(0, err);
        JsonDocument.Parse(output).RootElement.GetProperty("title").GetString().ShouldBe("rAma rAma");

        var (rc, rout, rerr) = await RunAsync("reextract", batch.ToString(), "--filter", "rama", "--json", "--db", t.Spec);
        rc.ShouldBe(0, rerr);
        JsonDocument.Parse(rout).RootElement.GetProperty("matched").GetInt32().ShouldBe(1);

        var (sc, sout, _) = await RunAsync("extraction", batch.ToString(), "--db", t.Spec);
        sc.ShouldBe(0);
        sout.ShouldContain("1/1 pages extracted");
        sout.ShouldContain("prose_trimmed 1");

        (await RunAsync("reextract", "999", "--db", t.Spec)).Code.ShouldBe(ExitCodes.NotFound);
    }
}
