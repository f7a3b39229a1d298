using System.Diagnostics;
using System.Text.Json;
using Grantha.Engine;
using Spectre.Console;

namespace Grantha.Cli;

/// <summary>
/// Watches a batch until it settles: live progress bars per stage on a terminal, one plain line
/// a second otherwise. Ends with the summary (and, with --json, the summary object).
/// </summary>
public static class Progress
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(1);

    public sealed record Summary(long BatchId, string Status, BatchOutcome Outcome, Dictionary<string, Dictionary<string, long>> Stages, long RowErrors, long DurationMs);

    static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static async Task<Summary> WatchAsync(Db db, long batchId, bool bars, Stopwatch started, CancellationToken ct)
    {
        if (bars && AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            await AnsiConsole.Progress()
                .AutoClear(false).HideCompleted(false)
                .Columns(Columns())
                .StartAsync(async ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    while (true)
                    {
                        var view = await BatchView.LoadAsync(db, batchId, ct);
                        foreach (var job in view.Jobs)
                        {
                            if (!tasks.TryGetValue(job.Stage, out var t)) tasks[job.Stage] = t = ctx.AddTask(job.Stage, maxValue: 1);
                            var done = Finished(job.Counts);
                            t.MaxValue = Math.Max(1, job.Total);
                            t.Value = done;
                            t.Description = Line(job);
                        }
                        if (IsSettled(view.Status)) break;
                        await Task.Delay(RefreshInterval, ct);
                    }
                });
        }
        else
        {
            var last = "";
            while (true)
            {
                var view = await BatchView.LoadAsync(db, batchId, ct);
                var line = $"batch {batchId} {view.Status}: " + string.Join("; ", view.Jobs.Select(j => $"{j.Stage} {Finished(j.Counts)}/{j.Total} {Describe(j.Counts)}"));
                if (line != last && bars) Console.Error.WriteLine($"[{started.Elapsed:mm\\:ss}] {line}");
                last = line;
                if (IsSettled(view.Status)) break;
                await Task.Delay(PlainInterval, ct);
            }
        }
        return await SummarizeAsync(db, batchId, started, ct);
    }

    /// <summary>Characters of a stage's line (<see cref="Line"/>): the same in every frame, so nothing moves.</summary>
    public const int LineWidth = 40;
    public const int BarWidth = 18;

    /// <summary>
    /// The live display's columns: a left-aligned stage line of fixed width, a bar of fixed width, percentage, time
    /// left, spinner. Together under 80 columns (a test adds them up), so no frame wraps.
    /// </summary>
    public static ProgressColumn[] Columns() =>
    [
        new StageLineColumn(),
        new ProgressBarColumn { Width = BarWidth },
        new PercentageColumn(),
        new RemainingTimeColumn(),
        new SpinnerColumn(),
    ];

    /// <summary>
    /// The stage line, left-aligned in a column of fixed width: Spectre's description column sizes itself to the
    /// widest line of the frame (trailing spaces trimmed), so the bars moved as counts grew.
    /// </summary>
    public sealed class StageLineColumn : ProgressColumn
    {
        protected override bool NoWrap => true;
        public override int? GetColumnWidth(Spectre.Console.Rendering.RenderOptions options) => LineWidth;
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Description) { Justification = Justify.Left, Overflow = Overflow.Ellipsis };
    }

    /// <summary>Widest rendering of the columns after the stage line, with the space between columns: "100%", "00:00:00", a spinner.</summary>
    public const int RestWidth = BarWidth + 4 + 8 + 1 + 4;

    /// <summary>
    /// One stage, always <see cref="LineWidth"/> characters: "FETCH     1234/1240  run 2 fail 3 blk 1", what is still at work
    /// and what went wrong (the rest succeeded), cut to fit.
    /// </summary>
    public static string Line(JobView job)
    {
        var c = job.Counts;
        var parts = new (string Label, string State)[] { ("run", TaskState.Running), ("wait", TaskState.Pending), ("retry", TaskState.RetryWait), ("paused", TaskState.Paused),
                ("fail", TaskState.Failed), ("blk", TaskState.Blocked), ("cancel", TaskState.Cancelled) }
            .Where(x => c.GetValueOrDefault(x.State) > 0).Select(x => $"{x.Label} {c[x.State]}");
        var line = $"{job.Stage,-8} {Finished(c),6}/{job.Total,-6} {string.Join(" ", parts)}";
        return line.Length > LineWidth ? line[..(LineWidth - 1)] + "…" : line.PadRight(LineWidth);
    }

    public static async Task<Summary> SummarizeAsync(Db db, long batchId, Stopwatch started, CancellationToken ct)
    {
        var view = await BatchView.LoadAsync(db, batchId, ct);
        return new Summary(batchId, view.Status, view.Outcome, view.Jobs.ToDictionary(j => j.Stage, j => j.Counts), view.Manifest.Errors, started.ElapsedMilliseconds);
    }

    public static string ToJson(Summary s) => JsonSerializer.Serialize(s, JsonOut);

    public static void PrintHuman(BatchView view, TextWriter w)
    {
        w.WriteLine($"Batch {view.Id} \"{view.Name}\": {view.Status}" + (view.Outcome.Outcome == BatchOutcome.InProgress ? "" : $", {view.Outcome.Outcome.Replace('_', ' ')}: {view.Outcome.Description}"));
        w.WriteLine($"  manifests: {view.Manifest.Files.Count} file(s), {view.Manifest.Rows} rows, {view.Manifest.Accepted} accepted, {view.Manifest.Errors} row errors, {view.Manifest.DistinctUrls} distinct URLs");
        // The reader's messages start with the file's name: name it once.
        foreach (var f in view.Manifest.Files.Where(f => f.ErrorCode is not null))
            w.WriteLine($"  ! {(f.ErrorMessage?.StartsWith(f.Name + ":", StringComparison.Ordinal) == true ? f.ErrorMessage : $"{f.Name}: {f.ErrorMessage}")} [{f.ErrorCode}]");
        foreach (var j in view.Jobs)
            w.WriteLine($"  {j.Stage,-9} {j.Status,-10} {Finished(j.Counts),6}/{j.Total,-6} {Describe(j.Counts)}");
        if (view.Extraction is { } e) ExtractCommands.PrintSummary(e, w);
        if (view.Resolution is { } r)
        {
            w.WriteLine($"resolution: {r.Resolved}/{r.Pages} pages resolved, {r.NeedsReview} need review ({r.RowsNeedReview} rows), " +
                        $"{r.Duplicates} duplicates, {r.NearDuplicates} near-duplicates, {r.InCatalog} already imported, mean quality {r.AverageQuality:0.00}");
            foreach (var n in r.Review)
                w.WriteLine($"  needs review: {n.Kind} '{n.Name}': {n.Rows} row(s), {n.Pages} page(s)");
        }
    }

    static bool IsSettled(string status) => status is BatchStatus.Completed or BatchStatus.Cancelled;

    static long Finished(Dictionary<string, long> c) =>
        c.Where(kv => StateMachine.Task.Terminal.Contains(kv.Key)).Sum(kv => kv.Value);

    static string Describe(Dictionary<string, long> c) =>
        string.Join(" ", TaskState.All.Where(c.ContainsKey).Select(s => $"{s.ToLowerInvariant()}={c[s]}"));
}
