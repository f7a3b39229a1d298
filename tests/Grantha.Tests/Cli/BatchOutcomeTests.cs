using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grantha.Api;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Manifest;
using Grantha.Tests.Api;
using Grantha.Tests.Engine;
using Grantha.Tests.Extract;
using Grantha.Tests.Reference;

namespace Grantha.Tests.Cli;

/// <summary>
/// A batch says what happened (#10 item 14): an outcome derived from its counts in BatchView, the batch list (API and
/// CLI), and <c>import --wait</c>'s exit code; a file's error names the file once.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public class BatchOutcomeTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
        ConsoleCapture.RunAsync([ImportCommand.Build(), .. BatchCommands.Build()], args);

    static (string, IReadOnlyDictionary<string, long>) Stage(string stage, params (string State, long N)[] counts) =>
        (stage, counts.ToDictionary(c => c.State, c => c.N));

    public static TheoryData<string, string> Cases => new()
    {
        { "all through", BatchOutcome.Completed },
        { "some rows rejected", BatchOutcome.CompletedWithErrors },
        { "every row rejected", BatchOutcome.FailedOutcome },
        { "every fetch failed", BatchOutcome.FailedOutcome },
        { "file failed", BatchOutcome.FailedOutcome },
        { "blocked", BatchOutcome.NeedsAttention },
        { "cancelled", BatchOutcome.CancelledOutcome },
        { "running", BatchOutcome.InProgress },
    };

    [Theory, MemberData(nameof(Cases))]
    public void The_outcome_follows_from_the_counts(string name, string expected)
    {
        string M = ManifestHandler.Name, F = "FETCH", E = "EXTRACT", R = "RESOLVE", ok = TaskState.Succeeded, failed = TaskState.Failed;
        var outcome = name switch
        {
            "all through" => BatchOutcome.Of(BatchStatus.Completed, [Stage(M, (ok, 1)), Stage(F, (ok, 3)), Stage(E, (ok, 3)), Stage(R, (ok, 3))], 3, 0),
            "some rows rejected" => BatchOutcome.Of(BatchStatus.Completed, [Stage(M, (ok, 1)), Stage(F, (ok, 3)), Stage(E, (ok, 3)), Stage(R, (ok, 3))], 3, 2),
            "every row rejected" => BatchOutcome.Of(BatchStatus.Completed, [Stage(M, (ok, 1)), Stage(F), Stage(E), Stage(R)], 0, 2),
            "every fetch failed" => BatchOutcome.Of(BatchStatus.Completed, [Stage(M, (ok, 1)), Stage(F, (failed, 3)), Stage(E), Stage(R)], 3, 0),
            "file failed" => BatchOutcome.Of(BatchStatus.Completed, [Stage(M, (failed, 1)), Stage(F), Stage(E), Stage(R)], 0, 0),
            "blocked" => BatchOutcome.Of(BatchStatus.Completed, [Stage(M, (ok, 1)), Stage(F, (ok, 16)), Stage(E, (ok, 16)), Stage(R, (TaskState.Blocked, 16))], 16, 0),
            "cancelled" => BatchOutcome.Of(BatchStatus.Cancelled, [Stage(M, (ok, 1)), Stage(F, (TaskState.Cancelled, 3))], 3, 0),
            _ => BatchOutcome.Of(BatchStatus.Running, [Stage(M, (TaskState.Running, 1))], 0, 0),
        };
        outcome.Outcome.ShouldBe(expected, outcome.Description);
        if (name == "blocked")
        {
            (outcome.Blocked, outcome.Through).ShouldBe((16, 0));
            outcome.Description.ShouldContain("16 blocked on names a curator must choose");
        }
        if (name == "some rows rejected") outcome.Description.ShouldBe("3 task(s) through RESOLVE, 2 of 5 manifest rows rejected");
    }

    [Fact]
    public void Each_settled_outcome_has_its_own_documented_exit_code()
    {
        ExitCodes.ForOutcome(BatchOutcome.Completed).ShouldBe(0);
        ExitCodes.ForOutcome(BatchOutcome.FailedOutcome).ShouldBe(ExitCodes.Failed);
        ExitCodes.ForOutcome(BatchOutcome.CompletedWithErrors).ShouldBe(ExitCodes.CompletedWithErrors);
        ExitCodes.ForOutcome(BatchOutcome.NeedsAttention).ShouldBe(ExitCodes.NeedsAttention);
        ExitCodes.ForOutcome(BatchOutcome.CancelledOutcome).ShouldBe(ExitCodes.Cancelled);
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));
        foreach (var (code, outcome) in new[] { (1, "failed"), (5, "completed_with_errors"), (6, "needs_attention"), (7, "cancelled") })
            readme.ShouldContain($"{code} {outcome}");
    }

    /// <summary>Every row rejected: the batch settles, and says it failed; import --wait exits 1, not 0.</summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Import_wait_of_a_manifest_whose_every_row_is_rejected_exits_1_and_the_batch_says_failed(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var dir = Directory.CreateTempSubdirectory("grantha-outcome").FullName;
        try
        {
            var file = Path.Combine(dir, "bad-rows.csv");
            await File.WriteAllTextAsync(file, "Krithi,Raga,Hyperlink\nrAma,tODi,not-a-url\nsItA,tODi,ftp://example.org/a\n", Ct);
            var (code, output, _) = await RunAsync("import", file, "--wait", "--db", t.Spec);
            code.ShouldBe(ExitCodes.Failed, output);
            output.ShouldContain("COMPLETED, failed: 0 task(s) through RESOLVE, 2 of 2 manifest rows rejected");

            var (listCode, list, _) = await RunAsync("batches", "--db", t.Spec);
            listCode.ShouldBe(0);
            var lines = list.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines[0].ShouldStartWith("    ID  STATUS     OUTCOME");
            lines[1].ShouldContain("COMPLETED  failed ");

            var (_, json, _) = await RunAsync("batches", "--json", "--db", t.Spec);
            var item = JsonDocument.Parse(json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).RootElement;
            item.GetProperty("outcome").GetProperty("outcome").GetString().ShouldBe("failed");
            item.GetProperty("outcome").GetProperty("rowErrors").GetInt64().ShouldBe(2);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A file error found only by the MANIFEST task (past the first MiB checked at upload): the batch failed, and
    /// the message names the file once (it was "big.csv: unbalanced_quote: big.csv: big.csv: ...").
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_file_error_found_late_fails_the_batch_and_names_the_file_once(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var dir = Directory.CreateTempSubdirectory("grantha-outcome").FullName;
        try
        {
            var csv = new StringBuilder("Krithi,Raga,Hyperlink\n");
            for (var i = 0; csv.Length <= ManifestReader.CheckStartBytes + 1000; i++) csv.Append($"krithi {i},tODi,http://example.org/page-{i}.html\n");
            csv.Append("\"unclosed,tODi,http://example.org/last.html\n");
            var file = Path.Combine(dir, "big.csv");
            await File.WriteAllTextAsync(file, csv.ToString(), Ct);

            var (code, output, _) = await RunAsync("import", file, "--wait", "--workers", "1", "--db", t.Spec);
            code.ShouldBe(ExitCodes.Failed, output);
            output.ShouldContain(", failed: 0 task(s) through RESOLVE, 1 task(s) failed");
            var line = output.Split('\n').Single(l => l.TrimStart().StartsWith('!'));
            line.ShouldStartWith("  ! big.csv: row ");
            line.ShouldEndWith("[unbalanced_quote]");
            line.Split("big.csv").Length.ShouldBe(2, line);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Blocked tasks are not just COMPLETED: the batch needs attention, in the view and in the API's list.</summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_batch_with_blocked_tasks_needs_attention_in_the_view_and_the_list(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BlockedImports.ImportAsync(t.Db, Ct);
        var view = await BatchView.LoadAsync(t.Db, batch, Ct);
        view.Status.ShouldBe(BatchStatus.Completed);
        (view.Outcome.Outcome, view.Outcome.Blocked, view.Outcome.Through).ShouldBe((BatchOutcome.NeedsAttention, 2, 2));
        ExitCodes.ForOutcome(view.Outcome.Outcome).ShouldBe(ExitCodes.NeedsAttention);
        var list = await BatchListItem.ListAsync(t.Db, null, 10, Ct);
        list.Single().Outcome.ShouldBe(view.Outcome);
    }

    [Fact]
    public async Task The_api_lists_batches_with_their_outcome()
    {
        await using var f = await ApiFixture.StartAsync("sqlite");
        var id = (await (await f.Client(Role.Operator).PostAsync(BulkImportApiTests.Batches, ApiFixture.Upload("m.csv", BulkImportApiTests.Csv), Ct))
            .Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("batchId").GetInt64();
        var page = await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>(BulkImportApiTests.Batches, Ct);
        var item = page.GetProperty("items")[0];
        item.GetProperty("id").GetInt64().ShouldBe(id);
        item.GetProperty("outcome").GetProperty("outcome").GetString().ShouldBe(BatchOutcome.InProgress);
        var detail = await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>($"{BulkImportApiTests.Batches}/{id}", Ct);
        detail.GetProperty("outcome").GetProperty("outcome").GetString().ShouldBe(BatchOutcome.InProgress);
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Grantha.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root (Grantha.slnx) not found");
    }
}
