using System.CommandLine;
using System.Text;
using Grantha.Cli;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Manifest;

/// <summary>./grantha import checks each file before a batch exists: bad input is exit code 4 with one line per bad file (#10 item 6).</summary>
[Collection(nameof(ConsoleCapture))]
public class ImportCliTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => ConsoleCapture.RunAsync([ImportCommand.Build()], args);

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Bad_files_are_exit_code_4_with_one_line_each_and_no_batch(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var dir = Directory.CreateTempSubdirectory("grantha-cli-import").FullName;
        try
        {
            string Write(string name, byte[] bytes) { var p = Path.Combine(dir, name); File.WriteAllBytes(p, bytes); return p; }
            var good = Write("good.csv", Encoding.UTF8.GetBytes(Api.BulkImportApiTests.Csv));
            var utf16 = Write("unicode.csv", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Api.BulkImportApiTests.Csv)]);
            var headerOnly = Write("header-only.csv", "Krithi,Raga,Hyperlink\n"u8.ToArray());
            var binary = Write("binary.csv", [0x4B, 0x00, 0x01]);

            var (code, _, err) = await RunAsync("import", good, utf16, headerOnly, binary, "--db", t.Spec);
            code.ShouldBe(ExitCodes.BadInput);
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.Length.ShouldBe(3, err);
            lines[0].ShouldStartWith("error: unicode.csv: ");
            lines[0].ShouldContain("utf16");
            lines[1].ShouldStartWith("error: header-only.csv: ");
            lines[2].ShouldStartWith("error: binary.csv: ");
            (await Grantha.Engine.Batches.ListAsync(t.Db, null, 10, Ct)).ShouldBeEmpty();

            (await RunAsync("import", good, "--db", t.Spec)).Code.ShouldBe(ExitCodes.Ok);
            (await Grantha.Engine.Batches.ListAsync(t.Db, null, 10, Ct)).Count.ShouldBe(1);
        }
        finally { Directory.Delete(dir, true); }
    }
}
