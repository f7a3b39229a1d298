using System.CommandLine;
using System.Text.Json;
using Dapper;
using Grantha.Cli;
using Grantha.Review;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Review;

/// <summary>./grantha review ... and resolve choose --run as a curator types them, on both stores.</summary>
[Collection(nameof(ConsoleCapture))]
public class ReviewCliTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => ConsoleCapture.RunAsync([ReviewCommands.Create(), ResolveCommands.Create()], args);

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_curator_lists_chooses_approves_and_bulk_approves_from_the_command_line(string store)
    {
        await using var s = await ReviewWorkflowTests.StageAsync(store);
        var db = s.Store.Spec;
        var batch = s.Batch.ToString();

        // JSON Lines: one import per line on stdout, the page's totals on stderr (README, "JSON output").
        var (code, output, totals) = await RunAsync("review", "list", "--batch", batch, "--state", "needs_review", "--json", "--db", db);
        code.ShouldBe(0);
        var items = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        items.Count.ShouldBe(1);
        JsonDocument.Parse(totals).RootElement.GetProperty("total").GetInt64().ShouldBe(1);
        var id = items[0].GetProperty("id").GetInt64().ToString();

        // Not approvable: exit 2 and a line that says what is missing and what to do.
        var (refused, _, why) = await RunAsync("review", "approve", id, "--db", db);
        refused.ShouldBe(ExitCodes.IllegalTransition);
        why.ShouldContain("sumadyuti");
        why.ShouldContain("resolve choose");
        (await RunAsync("review", "reject", id, "--db", db)).Code.ShouldNotBe(0, "a rejection needs --reason");
        (await RunAsync("review", "show", "999999", "--db", db)).Code.ShouldBe(ExitCodes.NotFound);

        var (chose, said, _) = await RunAsync("resolve", "choose", batch, "raga", "sumadyuti", "sharadhyuthi", "--run", "--db", db);
        chose.ShouldBe(0);
        said.ShouldContain("Resolved here: 1 succeeded");
        var (approved, line, _) = await RunAsync("review", "approve", id, "--reason", "raga chosen", "--db", db);
        approved.ShouldBe(0);
        line.ShouldContain("ready -> approved");
        line.ShouldContain("created");

        // The second page of a work: refused as a copy, merged into the krithi of the first.
        var pages = await s.Db.ReadAsync(c => c.QuerySingleAsync<(long Copy, long Original)>(
            $"SELECT id, duplicate_of FROM staged_import WHERE batch_id = {s.Batch} AND duplicate_of IS NOT NULL"));
        (await RunAsync("review", "approve", pages.Original.ToString(), "--db", db)).Code.ShouldBe(0);
        var krithi = (await ReviewDetails.GetAsync(s.Db, pages.Original, Ct))!.Import.KrithiId!.Value;
        var (copy, _, copyWhy) = await RunAsync("review", "approve", pages.Copy.ToString(), "--db", db);
        (copy, copyWhy.Contains($"--into {krithi}")).ShouldBe((ExitCodes.IllegalTransition, true));
        var (merged, mergedOut, _) = await RunAsync("review", "merge", pages.Copy.ToString(), "--into", krithi.ToString(), "--db", db);
        merged.ShouldBe(0);
        mergedOut.ShouldContain("ready -> merged");

        var (dry, plan, _) = await RunAsync("review", "bulk", "approve", "--batch", batch, "--dry-run", "--json", "--db", db);
        dry.ShouldBe(0);
        var wouldApprove = JsonDocument.Parse(plan).RootElement.GetProperty("wouldApprove").GetInt64();
        wouldApprove.ShouldBeGreaterThan(0);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(2, "a dry run changes nothing");

        var (bulk, bulkOut, _) = await RunAsync("review", "bulk", "approve", "--batch", batch, "--json", "--db", db);
        bulk.ShouldBe(0);
        var last = JsonDocument.Parse(bulkOut.TrimEnd().Split('\n')[^1]).RootElement;
        last.EnumerateObject().Select(p => p.Name).ShouldBe(["matched", "approved", "skipped", "krithisCreated", "durationMs"]);
        last.GetProperty("approved").GetInt64().ShouldBe(wouldApprove);
        last.GetProperty("krithisCreated").GetInt64().ShouldBe(wouldApprove);
        (last.GetProperty("approved").GetInt64() + last.GetProperty("skipped").GetInt64()).ShouldBe(last.GetProperty("matched").GetInt64());

        var (again, againOut, _) = await RunAsync("review", "bulk", "approve", "--batch", batch, "--json", "--db", db);
        again.ShouldBe(0);
        JsonDocument.Parse(againOut.TrimEnd().Split('\n')[^1]).RootElement.GetProperty("krithisCreated").GetInt64().ShouldBe(0);
        (await s.CountAsync("SELECT COUNT(*) FROM krithi")).ShouldBe(2 + wouldApprove);
    }
}
