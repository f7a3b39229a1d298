using System.CommandLine;
using System.Text.Json;
using Grantha.Cli;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Reference;

/// <summary>./grantha catalog add | merge | synonym add | list | show | history, run through System.CommandLine with the console captured (so not in parallel).</summary>
[Collection(nameof(ConsoleCapture))]
public class CurationCliTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => ConsoleCapture.RunAsync([CatalogCommands.Create()], args);

    static readonly string[] Sumadyuti =
        ["catalog", "add", "raga", "sumadyuti", "--name", "Sumadyuti", "--parent", "simhendramadhyamam", "--arohanam", "S R2 G2 M2 P D1 N3 S", "--avarohanam", "S N3 D1 P M2 G2 R2 S"];

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_change_says_what_it_requeued_and_what_happens_next_and_run_resolves_the_tasks_here(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BlockedImports.ImportAsync(t.Db, Ct);

        var (code, output, error) = await RunAsync("catalog", "merge", "raga", "jeevanthika", "--into", "jeevantika", "--reason", "one raga, two spellings", "--no-run", "--db", t.Spec);
        error.ShouldBeEmpty();
        code.ShouldBe(0);
        output.ShouldContain($": merged raga jeevanthika (Jeevanthikā) into jeevantika — one raga, two spellings");
        output.ShouldContain(" cli:");
        output.ShouldContain("raga 'jIvantikA': needs_review -> matched (jeevantika)");
        output.ShouldContain($"batch {batch}: 1 blocked task(s) re-queued");
        output.ShouldContain("No worker is running on this database: the 1 re-queued task(s) wait for ./grantha worker or ./grantha serve. (Without --no-run they are resolved in this process.)");

        (code, output, error) = await RunAsync([.. Sumadyuti, "--reason", "Dikshitar's raga", "--run", "--db", t.Spec]);
        code.ShouldBe(0);
        error.ShouldContain("Resolving the 1 re-queued task(s) in this process");
        output.ShouldContain("raga 'sumadyuti': needs_review -> matched (sumadyuti)");
        output.ShouldMatch($@"task \d+ \(batch {batch}\): SUCCEEDED");
        output.ShouldContain("Resolved here: 1 succeeded, 0 blocked again, 0 other.");
        (await BlockedImports.StagedAsync(t.Db, batch, BlockedImports.SumadyutiUrl)).ShouldBe(("resolved", "sumadyuti"));

        (_, output, _) = await RunAsync("catalog", "list", "raga", "--db", t.Spec);
        output.ShouldContain("[merged into jeevantika]");
        output.ShouldContain("Sumadyuti  [added by a curator]");
        (_, output, _) = await RunAsync("catalog", "show", "raga", "jeevanthika", "--db", t.Spec);
        output.ShouldContain("merged into jeevantika: its names resolve to jeevantika");
        (_, output, _) = await RunAsync("catalog", "history", "--db", t.Spec);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
        output.ShouldContain("added raga sumadyuti (Sumadyuti) — Dikshitar's raga");

        (code, output, _) = await RunAsync("catalog", "synonym", "add", "raga", "Mohanakam", "mohanam", "--note", "a Tamil name", "--json", "--db", t.Spec);
        code.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("change").GetProperty("action").GetString().ShouldBe("synonym");
        json.GetProperty("requeue").GetProperty("next").GetString().ShouldBe("No blocked import names it: nothing to re-queue.");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Refusals_exit_with_a_code_and_a_message_that_names_what_is_in_the_way(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        (await RunAsync([.. Sumadyuti, "--db", t.Spec])).Code.ShouldBe(0);

        var (code, _, error) = await RunAsync([.. Sumadyuti, "--db", t.Spec]);
        code.ShouldBe(ExitCodes.BadInput);
        error.ShouldBe("error: The raga id 'sumadyuti' is taken by Sumadyuti (sumadyuti, added by a curator): choose another id." + Environment.NewLine);
        (code, _, error) = await RunAsync("catalog", "merge", "raga", "no-such-raga", "--into", "jeevantika", "--db", t.Spec);
        code.ShouldBe(ExitCodes.NotFound);
        error.ShouldContain("There is no raga 'no-such-raga'");
        (code, _, error) = await RunAsync("catalog", "merge", "raga", "jeevantika", "--into", "jeevantika", "--db", t.Spec);
        code.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("into itself");
        (code, _, error) = await RunAsync("catalog", "synonym", "add", "raga", "Kannada", "kanada", "--db", t.Spec);
        code.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("the catalog keeps them apart");
        (code, _, error) = await RunAsync("catalog", "add", "tala", "navina", "--name", "Navina", "--aksharas", "0", "--db", t.Spec);
        code.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("aksharas");
        (code, _, error) = await RunAsync("catalog", "show", "raga", "no-such-raga", "--db", t.Spec);
        code.ShouldBe(ExitCodes.NotFound);
        (await RunAsync("catalog", "history", "--db", t.Spec)).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);
    }
}
