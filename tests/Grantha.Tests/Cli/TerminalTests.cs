using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Resolve;
using Grantha.Tests.Extract;
using Grantha.Tests.Reference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Grantha.Tests.Engine;
using Progress = Grantha.Cli.Progress;

namespace Grantha.Tests.Cli;

/// <summary>The terminal as a new user meets it (#10 items 16-20), run through System.CommandLine with the console captured.</summary>
[Collection(nameof(ConsoleCapture))]
public class TerminalTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
        ConsoleCapture.RunAsync([.. BatchCommands.Build(), ResolveCommands.Create(), CatalogCommands.Create(), DemoCommand.Build()], args);

    static int Occurrences(string text, string part) => text.Split(part).Length - 1;

    /// <summary>
    /// Item 16: a blocked task shows the field and name, the candidates with catalog ids and scores ("tie" when the
    /// top scores are equal), and the command that settles each name once; --json has the names too.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Blocked_tasks_show_the_names_their_candidates_a_tie_and_the_command_once(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BlockedImports.ImportAsync(t.Db, Ct);

        var (code, output, _) = await RunAsync("tasks", batch.ToString(), "--state", "blocked", "--db", t.Spec);
        code.ShouldBe(0);
        output.ShouldStartWith("     ID STAGE    STATE      TRY   CODE             SUBJECT");
        output.ShouldContain("raga 'jIvantikA': tie between the first 2: ");
        output.ShouldMatch(@"raga 'jIvantikA': tie between the first 2: \S.* \(jeevantika\) 1\.00");
        output.ShouldMatch(@"raga 'jIvantikA': tie between the first 2: .*\(jeevanthika\) 1\.00");
        output.ShouldContain("raga 'sumadyuti': candidates: ");
        Occurrences(output, $"./grantha resolve choose {batch} raga \"jIvantikA\" <entity-id>").ShouldBe(1, output);
        Occurrences(output, $"./grantha resolve choose {batch} raga \"sumadyuti\" <entity-id>").ShouldBe(1, output);
        Occurrences(output, "'jIvantikA'").ShouldBe(1, output);

        var (_, json, _) = await RunAsync("tasks", batch.ToString(), "--state", "BLOCKED", "--json", "--db", t.Spec);
        var lines = json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Count.ShouldBe(2);
        foreach (var l in lines)
        {
            l.GetProperty("state").GetString().ShouldBe(TaskState.Blocked);
            var name = l.GetProperty("names").EnumerateArray().Single();
            name.GetProperty("kind").GetString().ShouldBe("raga");
            name.GetProperty("candidates")[0].GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
        }

        // The task's own reason names each blocked name once and calls the tie a tie.
        var messages = await t.Db.ReadAsync(c => c.QueryAsync<string>("SELECT error_message FROM stage_task WHERE batch_id = @batch AND state = 'BLOCKED'", new { batch }));
        var jivantika = messages.Single(m => m.Contains("jIvantikA"));
        Occurrences(jivantika, "'jIvantikA'").ShouldBe(1, jivantika);
        jivantika.ShouldContain("tie between");
        jivantika.ShouldNotContain("best:");
    }

    /// <summary>
    /// Item 17: a choice that re-queues blocked tasks says whether a worker is running (a registered worker whose
    /// process is gone is not) and, when none is, resolves them here; --no-run leaves them queued and says so.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_choice_with_no_worker_running_resolves_the_requeued_tasks_here(string store)
    {
        Shared.Require();
        await using var t = await TestDb.CreateAsync(store);
        var batch = await BlockedImports.ImportAsync(t.Db, Ct);
        // A killed worker's row stays registered: it must not count as running.
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            await gone.WaitForExitAsync(Ct);
            await RegisterWorkerAsync(t.Db, "killed-worker", gone.Id);
        }
        (await RunningWorkers.ForStageAsync(t.Db, ResolveHandler.Name, Ct)).ShouldBeEmpty();

        var (code, output, error) = await RunAsync("resolve", "choose", batch.ToString(), "raga", "sumadyuti", "sharadhyuthi", "--no-run", "--db", t.Spec);
        code.ShouldBe(0);
        error.ShouldBeEmpty();
        output.ShouldContain("No worker is running on this database: the 1 re-queued task(s) wait for ./grantha worker or ./grantha serve.");
        (await BlockedImports.BlockedAsync(t.Db, batch)).ShouldBe([BlockedImports.JivantikaUrl]);
        (await EngineHarness.StatesAsync(t.Db, batch)).GetValueOrDefault(TaskState.Pending).ShouldBe(1);

        (code, output, error) = await RunAsync("resolve", "choose", batch.ToString(), "raga", "jIvantikA", "jeevantika", "--db", t.Spec);
        code.ShouldBe(0);
        error.ShouldContain("No worker is running on this database: resolving the 1 re-queued task(s) in this process");
        output.ShouldContain("Resolved here: 1 succeeded, 0 blocked again");
        (await BlockedImports.BlockedAsync(t.Db, batch)).ShouldBeEmpty();

        // A live worker (this process stands in for one): the choice leaves the work to it and names it.
        await RegisterWorkerAsync(t.Db, "live-worker", Environment.ProcessId);
        (await RunningWorkers.ForStageAsync(t.Db, ResolveHandler.Name, Ct)).ShouldBe(["live-worker"]);
    }

    static Task RegisterWorkerAsync(Db db, string id, int pid) => db.WriteAsync((c, tx) => c.ExecuteAsync(
        "INSERT INTO worker (id, host_name, pid, stages, started_at, seen_at) VALUES (@id, @host, @pid, 'MANIFEST,FETCH,EXTRACT,RESOLVE', 0, 0)",
        new { id, host = Environment.MachineName, pid }, tx));

    /// <summary>Item 18: a taken port given with --url is one line and exit 4; the default port is swapped for a free one, in one line.</summary>
    [Fact]
    public async Task Demo_on_a_taken_port_says_so_in_one_line()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            await using var t = await TestDb.CreateAsync("sqlite");
            var (code, output, error) = await RunAsync("demo", "--url", $"http://127.0.0.1:{port}", "--db", t.Spec);
            code.ShouldBe(ExitCodes.BadInput);
            output.ShouldBeEmpty();
            error.Trim().Split('\n').ShouldHaveSingleItem().ShouldStartWith($"error: http://127.0.0.1:{port} is taken: another process listens on port {port}. Pass another --url");

            var said = new List<string>();
            var address = DemoCommand.ChooseAddress($"http://127.0.0.1:{port}", given: false, said.Add);
            address.ShouldNotBe($"http://127.0.0.1:{port}");
            new Uri(address).Port.ShouldNotBe(port);
            said.ShouldHaveSingleItem().ShouldBe($"Port {port} is taken: the API listens on {address} instead (--url chooses).");
            DemoCommand.ChooseAddress(address, given: true, said.Add).ShouldBe(address);
        }
        finally { taken.Stop(); }
    }

    /// <summary>Item 18: the hosting lifetime's lines ("Application started. Press Ctrl+C...") are not written in the demo.</summary>
    [Fact]
    public async Task The_demo_host_writes_no_lifetime_lines()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        await using var quiet = ApiHost.Build(new ApiHost.Options(t.Db, RunWorkers: false), DemoCommand.QuietHost);
        await using var plain = ApiHost.Build(new ApiHost.Options(t.Db, RunWorkers: false));
        static bool Lifetime(IServiceProvider s) => s.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information);
        Lifetime(plain.Services).ShouldBeTrue();
        Lifetime(quiet.Services).ShouldBeFalse();
        quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Grantha.Engine.Worker").IsEnabled(LogLevel.Error).ShouldBeTrue();
    }

    /// <summary>Item 19: each stage's line has one width in every frame, the labels are left-aligned, and a frame fits 80 columns.</summary>
    [Fact]
    public void The_live_progress_has_a_fixed_left_aligned_layout_within_80_columns()
    {
        JobView Job(string stage, params (string State, long N)[] c) =>
            new(stage, JobStatus.Running, null, null, c.ToDictionary(x => x.State, x => x.N), c.Sum(x => x.N));
        var frames = new[]
        {
            Job("MANIFEST", (TaskState.Running, 1)),
            Job("FETCH", (TaskState.Succeeded, 3), (TaskState.Pending, 1237)),
            Job("FETCH", (TaskState.Succeeded, 1000), (TaskState.Running, 2), (TaskState.RetryWait, 12), (TaskState.Failed, 20), (TaskState.Pending, 206)),
            Job("RESOLVE", (TaskState.Succeeded, 123456), (TaskState.Blocked, 1234), (TaskState.Failed, 99999), (TaskState.Cancelled, 5)),
            Job("EXTRACT"),
        };
        foreach (var f in frames)
        {
            var line = Progress.Line(f);
            line.Length.ShouldBe(Progress.LineWidth, line);
            line.ShouldStartWith(f.Stage);
        }
        (Progress.LineWidth + 1 + Progress.RestWidth).ShouldBeLessThanOrEqualTo(80);
        Progress.Columns()[0].ShouldBeOfType<Progress.StageLineColumn>();

        // Rendered by Spectre itself on an 80-column terminal: every line fits, every stage starts its line.
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(text) });
        console.Profile.Width = 80;
        console.Progress().AutoClear(false).HideCompleted(false).Columns(Progress.Columns()).Start(ctx =>
        {
            foreach (var f in frames.Skip(2))
            {
                var task = ctx.AddTask(Progress.Line(f), maxValue: Math.Max(1, f.Total));
                task.Value = f.Counts.GetValueOrDefault(TaskState.Succeeded);
            }
        });
        // The live display draws frames with cursor moves: drop the escape sequences, keep the last frame's lines.
        var rendered = System.Text.RegularExpressions.Regex.Replace(text.ToString(), @"\x1b\[[0-9;?]*[A-Za-z]", "\n").Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        rendered.ShouldNotBeEmpty();
        foreach (var l in rendered) l.Length.ShouldBeLessThanOrEqualTo(80, l);
        var stages = rendered.Where(l => l.StartsWith("FETCH ", StringComparison.Ordinal) || l.StartsWith("RESOLVE ", StringComparison.Ordinal) || l.StartsWith("EXTRACT ", StringComparison.Ordinal)).ToList();
        stages = stages.TakeLast(3).ToList();
        stages.Select(l => l.Split(' ')[0]).ShouldBe(["FETCH", "RESOLVE", "EXTRACT"], string.Join('\n', rendered));
        // The bars start in one column whatever the lines say: a frame with longer counts does not move them.
        stages.Select(l => l.IndexOf('%')).Distinct().ShouldHaveSingleItem(string.Join('\n', stages));
        foreach (var l in stages.Where(l => l.Contains('━'))) l.IndexOf('━').ShouldBe(Progress.LineWidth + 1, l);
    }

    /// <summary>Item 20: a list's --json is JSON Lines, one object per line, so | head and | jq work.</summary>
    [Fact]
    public async Task Catalog_lists_print_json_lines()
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        var (code, output, _) = await RunAsync("catalog", "ragas", "--json", "--db", t.Spec);
        code.ShouldBe(0);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBeGreaterThan(100);
        foreach (var l in lines)
        {
            l.Length.ShouldBeLessThan(4096);
            JsonDocument.Parse(l).RootElement.GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
        }
        (_, output, _) = await RunAsync("catalog", "list", "tala", "--json", "--db", t.Spec);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.ValueKind).ShouldAllBe(k => k == JsonValueKind.Object);
    }
}
