using System.Text;
using Grantha.Cli;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Fetch;

/// <summary>Issue #10 item 12c: ./grantha import --no-politeness is for loopback benchmarks, not for real hosts.</summary>
[Collection(nameof(ConsoleCapture))]
public class PolitenessCliTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_politeness_for_real_hosts_is_exit_4_with_one_line_and_no_batch()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        var dir = Directory.CreateTempSubdirectory("grantha-cli-politeness").FullName;
        try
        {
            var csv = Path.Combine(dir, "m.csv");
            File.WriteAllText(csv, Api.BulkImportApiTests.Csv, Encoding.UTF8);

            var (code, _, err) = await ConsoleCapture.RunAsync([ImportCommand.Build()], ["import", csv, "--no-politeness", "--db", t.Spec]);

            code.ShouldBe(ExitCodes.BadInput);
            var line = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem();
            line.ShouldStartWith("error: Politeness can be turned off only");
            line.ShouldContain("thyagaraja-vaibhavam.blogspot.com");
            (await Grantha.Engine.Batches.ListAsync(t.Db, null, 10, Ct)).ShouldBeEmpty();
        }
        finally { Directory.Delete(dir, true); }
    }
}
