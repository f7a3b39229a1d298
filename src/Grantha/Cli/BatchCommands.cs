using System.CommandLine;
using System.Text.Json;
using Grantha.Engine;

namespace Grantha.Cli;

/// <summary>batches, batch, pause, resume, cancel, retry, requeue, tasks, rows, delete.</summary>
public static class BatchCommands
{
    static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web);
    static readonly Option<bool> Json = new("--json") { Description = "Print JSON" };

    public static IEnumerable<Command> Build()
    {
        var list = new Command("batches", "List batches, newest first") { Json };
        list.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var rows = await BatchListItem.ListAsync(db, null, 100, ct);
            if (p.GetValue(Json)) { JsonLines.Write(rows); return 0; }
            if (rows.Count == 0) { Console.WriteLine("No batches yet. Create one with ./grantha import <csv>."); return 0; }
            Console.WriteLine($"{"ID",6}  {"STATUS",-10} {"OUTCOME",-21} {"CREATED (UTC)",-16}  NAME");
            foreach (var b in rows)
                Console.WriteLine($"{b.Id,6}  {b.Status,-10} {b.Outcome.Outcome,-21} {DateTimeOffset.FromUnixTimeMilliseconds(b.CreatedAt):yyyy-MM-dd HH:mm}  {b.Name}");
            return 0;
        }));
        yield return list;

        var id = new Argument<long>("batch-id") { Description = "Batch id (see ./grantha batches)" };
        var show = new Command("batch", "Show a batch: per-stage counts, manifest rows and row errors") { id, Json };
        show.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var view = await BatchView.LoadAsync(db, p.GetValue(id), ct);
            if (p.GetValue(Json)) { Console.WriteLine(JsonSerializer.Serialize(view, JsonOut)); return 0; }
            Progress.PrintHuman(view, Console.Out);
            var errors = await Manifest.ManifestQueries.RowsAsync(db, view.Id, errorsOnly: true, 0, 50, ct);
            foreach (var e in errors) Console.WriteLine($"  row {e.FileName}:{e.RowNumber}: {e.ErrorCode}: {e.ErrorMessage}");
            if (view.Manifest.Errors > errors.Count) Console.WriteLine($"  ... {view.Manifest.Errors - errors.Count} more (API: /v1/admin/bulk-import/batches/{view.Id}/rows?errors=true)");
            return 0;
        }));
        yield return show;

        foreach (var (name, help, action) in new (string, string, Func<Db, long, CancellationToken, Task<Controls.Result>>)[]
        {
            ("pause", "Pause a running batch (running tasks finish; nothing new starts)", (db, b, ct) => Controls.PauseAsync(db, b, "cli", ct)),
            ("resume", "Resume a paused batch", (db, b, ct) => Controls.ResumeAsync(db, b, "cli", ct)),
            ("cancel", "Cancel a batch (pending tasks are cancelled; running ones stop at their next checkpoint)", (db, b, ct) => Controls.CancelAsync(db, b, "cli", ct)),
            ("delete", "Delete a batch that is not running (recorded in the audit log)", (db, b, ct) => Controls.DeleteAsync(db, b, "cli", ct)),
        })
        {
            var cid = new Argument<long>("batch-id");
            var cmd = new Command(name, help) { cid };
            cmd.SetAction(Commands.Guarded(async (p, ct) =>
            {
                await using var db = await Commands.OpenDbAsync(p, ct);
                var r = await action(db, p.GetValue(cid), ct);
                Console.WriteLine($"batch {r.BatchId}: {r.Status} ({r.Tasks} tasks changed)");
                return 0;
            }));
            yield return cmd;
        }

        foreach (var (name, help, requeue) in new[] { ("retry", "Retry failed and blocked tasks (all, or by --code, --host, --stage, --task)", false), ("requeue", "Run finished tasks again (by --code, --host, --stage, --state, --task)", true) })
        {
            var rid = new Argument<long>("batch-id");
            var code = new Option<string?>("--code") { Description = "Only tasks that failed with this error code (e.g. not_found, server_error)" };
            var host = new Option<string?>("--host") { Description = "Only tasks for this host" };
            var stage = new Option<string?>("--stage") { Description = "Only tasks of this stage" };
            var state = new Option<string?>("--state") { Description = "Only tasks in this state" };
            var task = new Option<long[]>("--task") { Description = "Only these task ids", AllowMultipleArgumentsPerToken = true };
            var cmd = new Command(name, help) { rid, code, host, stage, state, task };
            cmd.SetAction(Commands.Guarded(async (p, ct) =>
            {
                await using var db = await Commands.OpenDbAsync(p, ct);
                var filter = new TaskFilter { ErrorCode = p.GetValue(code), Host = p.GetValue(host), Stage = p.GetValue(stage), State = p.GetValue(state), TaskIds = p.GetValue(task) is { Length: > 0 } t ? t : null };
                var r = requeue ? await Controls.RequeueAsync(db, p.GetValue(rid), filter, "cli", ct) : await Controls.RetryAsync(db, p.GetValue(rid), filter, "cli", ct);
                Console.WriteLine($"batch {r.BatchId}: {r.Status} ({r.Tasks} tasks requeued)");
                return 0;
            }));
            yield return cmd;
        }

        var tid = new Argument<long>("batch-id");
        var tstate = new Option<string?>("--state") { Description = "PENDING, RETRY_WAIT, PAUSED, RUNNING, SUCCEEDED, FAILED, BLOCKED, CANCELLED" };
        var tstage = new Option<string?>("--stage") { Description = "MANIFEST, FETCH ..." };
        var tcode = new Option<string?>("--code") { Description = "Error code" };
        var tlimit = new Option<int>("--limit") { DefaultValueFactory = _ => 100 };
        var tasks = new Command("tasks", "List a batch's tasks") { tid, tstate, tstage, tcode, tlimit, Json };
        tasks.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var b = p.GetValue(tid);
            _ = await Batches.GetAsync(db, b, ct) ?? throw new BatchNotFoundException(b);
            var rows = await Batches.TasksAsync(db, b, new TaskFilter { State = p.GetValue(tstate)?.ToUpperInvariant(), Stage = p.GetValue(tstage)?.ToUpperInvariant(), ErrorCode = p.GetValue(tcode) }, 0, p.GetValue(tlimit), ct);
            // A task blocked on names: which names, their candidates, and the command that settles each.
            var blocked = await Resolve.BlockedName.ForTasksAsync(db, b, rows, ct);
            if (p.GetValue(Json))
            {
                // The task as the API lists it, and for a blocked one the names it waits on ("names").
                JsonLines.Write(rows.Select(t =>
                {
                    var o = JsonSerializer.SerializeToNode(t, JsonLines.Options)!.AsObject();
                    if (blocked.TryGetValue(t.Id, out var names)) o["names"] = JsonSerializer.SerializeToNode(names, JsonLines.Options);
                    return o;
                }));
                return 0;
            }
            if (rows.Count == 0) { Console.WriteLine($"No tasks in batch {b} match."); return 0; }
            Console.WriteLine($"{"ID",7} {"STAGE",-8} {"STATE",-10} {"TRY",-5} {"CODE",-16} SUBJECT");
            foreach (var t in rows)
            {
                Console.WriteLine($"{t.Id,7} {t.Stage,-8} {t.State,-10} {$"{t.Attempt}/{t.MaxAttempts}",-5} {t.ErrorCode ?? "",-16} {t.Subject}");
                if (blocked.TryGetValue(t.Id, out var names))
                    foreach (var n in names) Console.WriteLine($"{"",8}{Resolve.BlockedName.Describe(n.Kind, n.Input, n.Candidates.Select(c => (c.Id, c.Name, c.Score)))}");
                else if (t.State is TaskState.Failed or TaskState.Blocked && t.ErrorMessage is { } why)
                    Console.WriteLine($"{"",8}{why}");
            }
            // One command per name: choosing settles every task blocked on it.
            var distinct = blocked.Values.SelectMany(n => n).GroupBy(n => (n.Kind, n.Input)).ToList();
            if (distinct.Count > 0)
            {
                Console.WriteLine("To settle a name (every task blocked on it, in every batch), choose its entity:");
                foreach (var g in distinct)
                    Console.WriteLine($"  {Resolve.BlockedName.ChooseCommand(b, g.Key.Kind, g.Key.Input)}   ({g.Count()} task(s))");
                Console.WriteLine("  or, when no candidate is right, curate the catalog: ./grantha catalog merge|add (docs/reference-catalog.md)");
            }
            return 0;
        }));
        yield return tasks;
    }
}
