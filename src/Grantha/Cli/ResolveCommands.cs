using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Cli;

/// <summary>resolve raga|tala|composer|deity|kshetra "name", resolve evaluate, resolve choose.</summary>
public static class ResolveCommands
{
    public const string LabelsRelativePath = "tests/Grantha.Tests/Resolve/raga-labels.csv";

    public static Command Create()
    {
        var resolve = new Command("resolve", "Resolve names against the reference catalog (with curator choices), evaluate the matcher, record choices");
        foreach (var kind in ReferenceKinds.All) resolve.Add(KindCommand(kind));
        resolve.Add(EvaluateCommand());
        resolve.Add(ChooseCommand());
        return resolve;
    }

    static Command KindCommand(string kind)
    {
        var name = new Argument<string?>("name") { Description = $"The {kind} name as written (HK, IAST, ITRANS or English)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print {input, kind, decision, match, candidates} as JSON" };
        var stdin = new Option<bool>("--stdin") { Description = "Read one name per line from standard input; print one JSON object per line" };
        var cmd = new Command(kind, $"Resolve a {kind} name: matched, needs_review or unknown, with up to 5 candidates") { name, json, stdin };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var set = await ResolverStore.LoadAsync(db, ct);
            if (p.GetValue(stdin))
            {
                await using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
                await ResolveLinesAsync(set, kind, Console.In, output, ct);
                return 0;
            }
            var input = p.GetValue(name) ?? throw new ArgumentException($"Give a {kind} name, or --stdin.");
            var r = set.Resolve(kind, input);
            if (p.GetValue(json)) { Console.WriteLine(Json(set, kind, input)); return 0; }
            Console.WriteLine($"{r.Input}: {ResolutionJson.WireDecision(r)}{(r.Match is { } m ? $" -> {m.Name} ({m.Id})" : "")}{(r.Decision == Decision.Ragamalika ? " (ragamalika: the ragas come from the page)" : "")}");
            foreach (var c in r.Candidates)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Score:0.000}  {c.Name,-32} {c.Id,-30} {ResolutionJson.ReasonText(c)}"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>--stdin: one JSON object per input line, in order (a blank line gives an "unknown" object, so lines stay aligned).</summary>
    public static async Task<int> ResolveLinesAsync(ResolverSet set, string kind, TextReader input, TextWriter output, CancellationToken ct = default)
    {
        var n = 0;
        string? line;
        while ((line = await input.ReadLineAsync(ct)) is not null)
        {
            await output.WriteLineAsync(Json(set, kind, line.Trim()));
            n++;
        }
        await output.FlushAsync(ct);
        return n;
    }

    /// <summary>One name as JSON; a raga cell that is no single raga but several ("bhUpALaM - bhauLi") also lists its parts.</summary>
    public static string Json(ResolverSet set, string kind, string input)
    {
        var r = set.Resolve(kind, input);
        IReadOnlyList<Resolution>? parts = kind == ReferenceKinds.Raga && r.Decision != Decision.Matched && r.Decision != Decision.Ragamalika
            ? set.Ragas.ResolveCell(input) : null;
        return ResolutionJson.ToJson(r, parts);
    }

    static Command EvaluateCommand()
    {
        var labels = new Option<string?>("--labels") { Description = $"Labels CSV (input,expected,note); default {LabelsRelativePath}" };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON" };
        var verbose = new Option<bool>("--verbose") { Description = "List misses and names sent to review" };
        var cmd = new Command("evaluate", "Measure raga matching on a labelled set: top-1 accuracy, auto-match precision, share sent to review") { labels, json, verbose };
        cmd.SetAction(Commands.Guarded((p, ct) =>
        {
            var path = p.GetValue(labels) ?? FindLabels() ?? throw new FileNotFoundException($"No labels file: give --labels (default {LabelsRelativePath} in the checkout).");
            IReadOnlyList<RagaLabel> set;
            using (var reader = new StreamReader(path)) set = RagaLabel.Load(reader);
            // The rules alone (no curator aliases): this measures the matcher, not past choices.
            var report = RagaEvaluation.Run(RagaResolver.CreateDefault(), set);
            if (p.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    labels = report.Total, top1Accuracy = Math.Round(report.Top1Accuracy, 4), autoMatchPrecision = Math.Round(report.AutoMatchPrecision, 4),
                    reviewShare = Math.Round(report.ReviewShare, 4), matched = report.Matched, matchedCorrect = report.MatchedCorrect,
                    needsReview = report.NeedsReview, unknown = report.Unknown,
                    misses = report.Misses.Select(m => new { input = m.Label.Input, expected = m.Label.Expected, decision = m.Resolution.Decision.ToWire(), predicted = m.Predicted }),
                }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return Task.FromResult(0);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"labels:              {report.Total} ({path})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top-1 accuracy:      {report.Top1Accuracy:P1} ({report.Top1Correct}/{report.Total})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auto-match precision: {report.AutoMatchPrecision:P1} ({report.MatchedCorrect}/{report.Matched} matched)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent to review:      {report.ReviewShare:P1} ({report.NeedsReview}); unknown {report.Unknown}"));
            if (p.GetValue(verbose))
            {
                foreach (var m in report.Misses)
                    Console.WriteLine($"  miss: '{m.Label.Input}' expected {m.Label.Expected}, got {m.Resolution.Decision.ToWire()} {m.Predicted}");
                foreach (var o in report.Outcomes.Where(o => o.Resolution.Decision == Decision.NeedsReview))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  review: '{o.Label.Input}' -> {string.Join(" | ", o.Resolution.Candidates.Take(3).Select(c => $"{c.Name} {c.Score:0.000}"))}"));
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>A RESOLVE-only worker in this process until the given tasks have left the queue (Ctrl+C stops it).</summary>
    static async Task<IReadOnlyList<(long Id, string State)>> RunHereAsync(Engine.Db db, IReadOnlyList<long> taskIds, CancellationToken ct)
    {
        await using var app = GranthaApp.Create(db);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var worker = app.NewWorker(new Engine.WorkerOptions { Stages = [ResolveHandler.Name] }).RunAsync(stop.Token);
        try
        {
            while (true)
            {
                var states = new List<(long, string)>();
                foreach (var id in taskIds)
                    states.Add((id, (await Engine.Batches.TaskAsync(db, id, ct))?.State ?? "gone"));
                if (states.All(s => s.Item2 is not (Engine.TaskState.Pending or Engine.TaskState.Running or Engine.TaskState.RetryWait))) return states;
                await Task.Delay(100, ct);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await worker;
        }
    }

    static string? FindLabels()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, LabelsRelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    static Command ChooseCommand()
    {
        var batch = new Argument<long>("batch-id") { Description = "The batch whose blocked tasks should be resolved again" };
        var kind = new Argument<string>("kind") { Description = "raga, tala, composer, deity or kshetra" };
        var name = new Argument<string>("name") { Description = "The name as written in the batch" };
        var id = new Argument<string>("entity-id") { Description = "The catalog id it means (see the candidates, or ./grantha catalog list <kind>)" };
        var noRetry = new Option<bool>("--no-retry") { Description = "Only store the choice; do not re-resolve the batch's blocked tasks" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var run = new Option<bool>("--run") { Description = "Resolve the re-queued tasks in this process now (the default when no worker is running)" };
        var noRun = new Option<bool>("--no-run") { Description = "Only re-queue: leave the tasks for ./grantha worker or serve even when none is running" };
        var cmd = new Command("choose", "Record a curator's choice (stored as an alias) and re-resolve every blocked task in the batch with that name") { batch, kind, name, id, noRetry, run, noRun, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var r = await ResolveChoices.ChooseAsync(db, p.GetValue(batch), p.GetValue(kind)!, p.GetValue(name)!, p.GetValue(id)!, "cli:" + Environment.UserName, !p.GetValue(noRetry), ct);
            var ran = CatalogCommands.RunHere(r.TasksRequeued, r.Workers.Count, p.GetValue(run), p.GetValue(noRun), p.GetValue(json)) ? await RunHereAsync(db, r.TaskIds, ct) : null;
            if (p.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(new { choice = r, ran }, new JsonSerializerOptions(JsonSerializerDefaults.Web))); return 0; }
            Console.WriteLine($"{r.Kind} '{r.Name}' -> {r.EntityName} ({r.EntityId}); {r.TasksRequeued} blocked task(s) re-queued");
            foreach (var b in r.Batches)
                Console.WriteLine(b.NotRequeued is { } why ? $"  batch {b.BatchId}: not re-queued: {why}" : $"  batch {b.BatchId}: {b.Tasks} task(s)");
            if (ran is not null)
                Console.WriteLine($"Resolved here: {ran.Count(x => x.State == Engine.TaskState.Succeeded)} succeeded, {ran.Count(x => x.State == Engine.TaskState.Blocked)} blocked again; " +
                                  $"see ./grantha review list --batch {r.BatchId}");
            else if (r.Next is { } next && r.TasksRequeued > 0)
                Console.WriteLine(r.Workers.Count == 0 ? $"{next} (Without --no-run they are resolved in this process.)" : next);
            return 0;
        }));
        return cmd;
    }
}
