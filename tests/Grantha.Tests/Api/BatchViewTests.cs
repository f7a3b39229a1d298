using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grantha.Api;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Tests.Engine;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Api;

/// <summary>The API's batch detail and `./grantha batch` show the same <see cref="BatchView"/>.</summary>
[Collection(nameof(ConsoleCapture))]
public class BatchViewTests
{
    const string Csv = BulkImportApiTests.Csv, Batches = BulkImportApiTests.Batches;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(int Code, string Out)> CliAsync(params string[] args)
    {
        var root = new RootCommand { Commands.DbOption };
        foreach (var c in BatchCommands.Build()) root.Add(c);
        var oldOut = Console.Out;
        var o = new StringWriter();
        Console.SetOut(o);
        try { return (await root.Parse(args).InvokeAsync(cancellationToken: Ct), o.ToString()); }
        finally { Console.SetOut(oldOut); }
    }

    [Fact]
    public async Task The_cli_prints_the_batch_the_api_returns()
    {
        await using var f = await ApiFixture.StartAsync("sqlite");
        var id = (await (await f.Client(Role.Operator).PostAsync(Batches, ApiFixture.Upload("m.csv", Csv), Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();
        await EngineHarness.RunUntilAsync(f.Store.Db, async () => (await Grantha.Engine.Batches.CountsAsync(f.Store.Db, id)).GetValueOrDefault(global::Grantha.Manifest.ManifestHandler.Name)?.GetValueOrDefault(TaskState.Succeeded) == 1,
            [new global::Grantha.Manifest.ManifestHandler()]);

        var api = JsonNode.Parse(await f.Client(Role.Viewer).GetStringAsync($"{Batches}/{id}", Ct))!;
        api["jobs"]!.AsArray().Select(j => (string?)j!["stage"]).ShouldContain(global::Grantha.Manifest.ManifestHandler.Name);
        api["manifest"]!["errors"]!.GetValue<long>().ShouldBe(1);

        var (code, json) = await CliAsync("batch", id.ToString(), "--json", "--db", f.Store.Spec);
        code.ShouldBe(0);
        JsonNode.DeepEquals(JsonNode.Parse(json), api).ShouldBeTrue(json);

        var (humanCode, human) = await CliAsync("batch", id.ToString(), "--db", f.Store.Spec);
        humanCode.ShouldBe(0);
        human.ShouldContain($"Batch {id} \"m.csv\"");
        human.ShouldContain("2 rows, 1 accepted, 1 row errors");
        human.ShouldContain(": unsupported_scheme: ");
    }
}
