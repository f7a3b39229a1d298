using System.CommandLine;
using System.Text.Json;
using Grantha.Catalog;
using Grantha.Cli;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Catalog;

/// <summary>./grantha krithis list|show, run through System.CommandLine with the console captured (so not in parallel).</summary>
[Collection(nameof(ConsoleCapture))]
public class KrithiCommandsTests
{
    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => ConsoleCapture.RunAsync([KrithiCommands.Create()], args);

    [Fact]
    public async Task List_prints_every_krithi_with_its_sources_and_show_prints_lyrics_by_section_sources_and_revisions()
    {
        await using var t = await KrithiSamples.SeededAsync("sqlite");
        var a = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        await t.WriteAsync((c, tx) => KrithiStore.MergeAsync(t.Db.Dialect, c, tx, a.Id, 1, KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike_2"), "bob", "second page"));
        var b = await t.CreateAsync(KrithiSamples.Kamalambike() with { Title = "rAma nIvE gati", DisplayTitle = null, ComposerId = "tyagaraja" }, KrithiSamples.Page("rama"));

        var (code, output, _) = await RunAsync("krithis", "list", "--db", t.Spec);
        code.ShouldBe(0);
        output.ShouldContain("kamalAmbikE pAhi (Kamalambike Pahi)");
        output.ShouldContain("rAma nIvE gati");
        output.ShouldContain(KrithiSamples.Page("kamalaambike").Url);
        output.ShouldContain(KrithiSamples.Page("kamalaambike_2").Url);
        output.ShouldContain(KrithiSamples.Page("rama").Url);
        output.ShouldContain("2 of 2 krithi(s)");

        var (_, limited, _) = await RunAsync("krithis", "list", "--db", t.Spec, "--limit", "1");
        limited.ShouldNotContain("rAma nIvE gati");
        limited.ShouldContain($"1 of 2 krithi(s); next page: --after {a.Id}");
        var (_, nextPage, _) = await RunAsync("krithis", "list", "--db", t.Spec, "--limit", "1", "--after", a.Id.ToString());
        nextPage.ShouldContain("rAma nIvE gati");
        nextPage.ShouldNotContain("kamalAmbikE pAhi");
        var (_, json, totals) = await RunAsync("krithis", "list", "--db", t.Spec, "--json", "--composer", "tyagaraja");
        json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()).ShouldBe([b.Id]);
        JsonDocument.Parse(totals).RootElement.GetProperty("total").GetInt64().ShouldBe(1);
        var (_, byRaga, _) = await RunAsync("krithis", "list", "--db", t.Spec, "--raga", "kedaragowla", "--text", "pAhi");
        byRaga.ShouldContain("No krithis match.");

        var (showCode, show, _) = await RunAsync("krithis", "show", a.Id.ToString(), "--db", t.Spec);
        showCode.ShouldBe(0);
        show.ShouldContain("version 2");
        show.ShouldContain("[devanagari]");
        show.ShouldContain("  CHARANAM 1\n    कमलालय वासिनि");
        show.ShouldContain("composer  Muthuswami Dikshitar (muthuswami-dikshitar)");
        show.ShouldContain(KrithiSamples.Page("kamalaambike_2").Url);
        show.ShouldContain("v2");
        show.ShouldContain("second page  changed: source");
        var (_, showJson, _) = await RunAsync("krithis", "show", a.Id.ToString(), "--db", t.Spec, "--json");
        JsonDocument.Parse(showJson).RootElement.GetProperty("revisions").GetArrayLength().ShouldBe(2);

        var (missing, _, err) = await RunAsync("krithis", "show", "999", "--db", t.Spec);
        missing.ShouldBe(ExitCodes.NotFound);
        err.ShouldContain("krithi 999 does not exist");
        (await RunAsync("krithis", "list", "--db", t.Spec, "--limit", "0")).Code.ShouldBe(ExitCodes.BadInput);
        Commands.Build().Subcommands.ShouldContain(command => command.Name == "krithis");
    }
}
