using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grantha.Catalog;
using Grantha.Cli;
using Grantha.Engine;

namespace Grantha.Review;

/// <summary>./grantha review list|show|approve|reject|merge|defer|reopen|bulk approve: the curator's queue from the command line.</summary>
public static class ReviewCommands
{
    static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Who acts from the command line (the event log's actor).</summary>
    static string Actor => "cli:" + Environment.UserName;

    public static Command Create()
    {
        var review = new Command("review", "Review staged imports: the queue, one import in full, approve / reject / merge / defer / reopen, bulk approval");
        review.Add(ListCommand());
        review.Add(ShowCommand());
        review.Add(ApproveCommand());
        review.Add(SimpleCommand("reject", "Reject imports with a reason", (db, id, v, reason, ct) => Reviews.RejectAsync(db, id, v, Actor, reason ?? "", ct), reasonRequired: true));
        review.Add(SimpleCommand("defer", "Set imports aside (out of bulk approval until reopened)", (db, id, v, reason, ct) => Reviews.DeferAsync(db, id, v, Actor, reason, ct)));
        review.Add(SimpleCommand("reopen", "Bring rejected or deferred imports back to the queue", (db, id, v, reason, ct) => Reviews.ReopenAsync(db, id, v, Actor, reason, ct)));
        review.Add(MergeCommand());
        var bulk = new Command("bulk", "Bulk actions over a batch's imports");
        bulk.Add(BulkApproveCommand());
        review.Add(bulk);
        return review;
    }

    static Command ListCommand()
    {
        var batch = new Option<long?>("--batch") { Description = "Only this batch's imports" };
        var state = new Option<string[]>("--state") { Description = $"Only these states ({string.Join(", ", ReviewStates.All)}); repeat or comma-separate", AllowMultipleArgumentsPerToken = true };
        var flag = new Option<string[]>("--flag") { Description = $"Only imports with one of these flags ({string.Join(", ", ReviewFlags.All.Select(f => f.Name))})", AllowMultipleArgumentsPerToken = true };
        var noFlags = new Option<bool>("--no-flags") { Description = "Only imports without any flag" };
        var minQuality = new Option<double?>("--min-quality") { Description = "Quality at least Q (0..1)" };
        var maxQuality = new Option<double?>("--max-quality") { Description = "Quality at most Q (0..1)" };
        var composer = new Option<string?>("--composer") { Description = "Only this composer (catalog id)" };
        var raga = new Option<string?>("--raga") { Description = "Only imports in this raga (catalog id)" };
        var text = new Option<string?>("--text") { Description = "Title contains (spelling-insensitive)" };
        var sort = new Option<string?>("--sort") { Description = "quality (worst first, default), -quality, age (oldest first), -age" };
        var limit = new Option<int>("--limit") { Description = "Rows per page (default 50, at most 500)", DefaultValueFactory = _ => ReviewQueue.PageDefault };
        var after = new Option<string?>("--after") { Description = "The cursor of the next page (printed at the end of a page)" };
        var json = new Option<bool>("--json") { Description = "Print JSON Lines: one object per import; {total, states, flags, next} on stderr" };
        var cmd = new Command("list", "The review queue with counts per state and flag") { batch, state, flag, noFlags, minQuality, maxQuality, composer, raga, text, sort, limit, after, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var filter = new ReviewFilter
            {
                BatchId = p.GetValue(batch), States = Split(p.GetValue(state)), NoFlags = p.GetValue(noFlags),
                AnyFlags = (Split(p.GetValue(flag)) ?? []).Aggregate(0, (a, f) => a | ReviewFlags.Parse(f)),
                MinQuality = p.GetValue(minQuality), MaxQuality = p.GetValue(maxQuality), ComposerId = p.GetValue(composer), RagaId = p.GetValue(raga), Text = p.GetValue(text),
            };
            var page = await ReviewQueue.ListAsync(db, filter, p.GetValue(sort), p.GetValue(after), p.GetValue(limit), ct);
            if (p.GetValue(json))
            {
                Cli.JsonLines.Write(page.Items);
                Cli.JsonLines.Totals(new { page.Total, page.States, page.Flags, page.Next });
                return 0;
            }
            foreach (var i in page.Items)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{i.Id,7}  v{i.Version,-3} {i.State,-12} q {i.Quality:0.00}  {i.Title ?? "(no title)"}  [{Names(i.Ragas)}{(i.Composer is { } c ? "; " + (c.Name ?? c.Id) : "")}]")
                    + (i.Flags.Count > 0 ? "  flags: " + string.Join(",", i.Flags) : "") + (i.KrithiId is { } k ? $"  krithi {k}" : ""));
            Console.WriteLine($"{page.Items.Count} of {page.Total} import(s); by state: {string.Join(", ", page.States.Where(s => s.Value > 0).Select(s => $"{s.Key} {s.Value}"))}" +
                              (page.Flags.Any(f => f.Value > 0) ? $"; flags: {string.Join(", ", page.Flags.Where(f => f.Value > 0).Select(f => $"{f.Key} {f.Value}"))}" : "") +
                              (page.Next is { } n ? $"; next page: --after {n}" : ""));
            return 0;
        }));
        return cmd;
    }

    static Command ShowCommand()
    {
        var id = new Argument<long>("id") { Description = "The staged import id (see ./grantha review list)" };
        var json = new Option<bool>("--json") { Description = "Print everything as the API gives it" };
        var cmd = new Command("show", "One import in full: manifest rows, names and candidates, sections per script, catalog look-alikes, history") { id, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var d = await ReviewDetails.GetAsync(db, p.GetValue(id), ct) ?? throw new StagedImportNotFoundException(p.GetValue(id));
            if (p.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(d, JsonOut)); return 0; }
            Print(d);
            return 0;
        }));
        return cmd;
    }

    static void Print(ReviewDetail d)
    {
        var i = d.Import;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"import {i.Id}  version {i.Version}  {i.State}  batch {i.BatchId}  quality {i.Quality:0.00}"));
        Console.WriteLine($"  title     {i.Title ?? "(none)"}");
        Console.WriteLine($"  url       {i.Url}");
        Console.WriteLine($"  ragas     {Names(i.Ragas)}");
        if (i.Composer is { } c) Console.WriteLine($"  composer  {c.Name ?? c.Id} ({c.Id})");
        if (i.Tala is { } t) Console.WriteLine($"  tala      {t.Name ?? t.Id} ({t.Id})");
        if (i.Flags.Count > 0) Console.WriteLine($"  flags     {string.Join(", ", i.Flags)}");
        foreach (var r in d.ManifestRows) Console.WriteLine($"  row       {r.FileName}:{r.RowNumber}  {r.Krithi} | {r.Raga}");
        foreach (var m in d.Missing)
        {
            Console.WriteLine($"  missing   {m.Kind} '{m.Input}' ({m.Status})");
            foreach (var cand in m.Candidates)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"              {cand.Score:0.000}  {cand.Name} ({cand.Id})  {cand.Reason}"));
            Console.WriteLine($"            choose: ./grantha resolve choose {i.BatchId} {m.Kind} \"{m.Input}\" <id>");
        }
        foreach (var w in d.Warnings) Console.WriteLine($"  warning   {w.Code}: {w.Message}");
        foreach (var k in d.CatalogCandidates)
            Console.WriteLine($"  catalog   krithi {k.KrithiId} '{k.Title}' ({k.Why}); differs in: {string.Join(", ", k.Fields.Where(f => !f.Same).Select(f => f.Field).DefaultIfEmpty("nothing"))}");
        foreach (var lyric in d.Draft.Lyrics)
        {
            Console.WriteLine($"\n[{lyric.Script}]");
            foreach (var s in lyric.Sections)
            {
                Console.WriteLine($"  {s.Type.ToUpperInvariant()}{(s.Number is { } n ? $" {n}" : "")}");
                foreach (var line in s.Text.Split('\n')) Console.WriteLine($"    {line}");
            }
        }
        Console.WriteLine("\nhistory");
        foreach (var e in d.History) Console.WriteLine($"  {DateTimeOffset.FromUnixTimeMilliseconds(e.At):yyyy-MM-dd HH:mm:ss}  {e.Kind}  {e.Actor}  {e.Data}");
        Console.WriteLine($"stored page: GET {d.PageUrl}");
    }

    static Command ApproveCommand()
    {
        var ids = new Argument<long[]>("id") { Description = "Staged import id(s)", Arity = ArgumentArity.OneOrMore };
        var version = new Option<long?>("--version") { Description = "The version you read (one id only); default: the current one, read first" };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with the approval)" };
        var title = new Option<string?>("--title") { Description = "Edit: the title" };
        var composer = new Option<string?>("--composer") { Description = "Edit: the composer (catalog id)" };
        var ragas = new Option<string[]>("--raga") { Description = "Edit: the raga(s) (catalog ids, in order)", AllowMultipleArgumentsPerToken = true };
        var tala = new Option<string?>("--tala") { Description = "Edit: the tala (catalog id)" };
        var separate = new Option<bool>("--separate-work") { Description = "Approve as a krithi of its own although a krithi has the same composer, title and ragas (another work)" };
        var json = new Option<bool>("--json") { Description = "Print the outcomes as JSON" };
        var cmd = new Command("approve", "Approve imports: each becomes a krithi (an approved one gets a new revision)") { ids, version, reason, title, composer, ragas, tala, separate, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            var edits = new ApprovalEdits
            {
                Title = p.GetValue(title), ComposerId = p.GetValue(composer), TalaId = p.GetValue(tala),
                RagaIds = Split(p.GetValue(ragas)),
            };
            return await EachAsync(p, p.GetValue(ids) ?? [], version, json, (db, id, v, ct2) => Reviews.ApproveAsync(db, id, v, Actor, p.GetValue(reason), edits, separateWork: p.GetValue(separate), ct: ct2), ct);
        }));
        return cmd;
    }

    static Command MergeCommand()
    {
        var id = new Argument<long>("id") { Description = "Staged import id" };
        var into = new Option<long>("--into") { Description = "The krithi to merge into", Required = true };
        var version = new Option<long?>("--version") { Description = "The import's version you read (default: read first)" };
        var reason = new Option<string?>("--reason") { Description = "Why" };
        var json = new Option<bool>("--json") { Description = "Print the outcome as JSON" };
        var cmd = new Command("merge", "Merge an import into an existing krithi: adds its source and missing scripts; conflicting fields are listed, not overwritten")
            { id, into, version, reason, json };
        cmd.SetAction(Commands.Guarded((p, ct) =>
            EachAsync(p, [p.GetValue(id)], version, json, (db, i, v, ct2) => Reviews.MergeAsync(db, i, v, p.GetValue(into), null, Actor, p.GetValue(reason), ct2), ct)));
        return cmd;
    }

    static Command SimpleCommand(string name, string description, Func<Db, long, long, string?, CancellationToken, Task<ReviewOutcome>> action, bool reasonRequired = false)
    {
        var ids = new Argument<long[]>("id") { Description = "Staged import id(s)", Arity = ArgumentArity.OneOrMore };
        var version = new Option<long?>("--version") { Description = "The version you read (one id only); default: the current one, read first" };
        var reason = new Option<string?>("--reason") { Description = reasonRequired ? "Why (required)" : "Why", Required = reasonRequired };
        var json = new Option<bool>("--json") { Description = "Print the outcomes as JSON" };
        var cmd = new Command(name, description) { ids, version, reason, json };
        cmd.SetAction(Commands.Guarded((p, ct) => EachAsync(p, p.GetValue(ids) ?? [], version, json, (db, id, v, ct2) => action(db, id, v, p.GetValue(reason), ct2), ct)));
        return cmd;
    }

    /// <summary>
    /// Runs an action on each id with the version read just before (or the one given), so a change made in
    /// between is refused rather than overwritten. A refused id does not stop the others; the exit code says.
    /// </summary>
    static async Task<int> EachAsync(ParseResult p, long[] list, Option<long?> version, Option<bool> json,
        Func<Db, long, long, CancellationToken, Task<ReviewOutcome>> action, CancellationToken ct)
    {
        if (p.GetValue(version) is not null && list.Length != 1) throw new ArgumentException("--version goes with one id.");
        await using var db = await Commands.OpenDbAsync(p, ct);
        var results = new List<object>();
        var exit = ExitCodes.Ok;
        foreach (var id in list)
        {
            try
            {
                var v = p.GetValue(version) ?? (await Reviews.HeadAsync(db, id, ct) ?? throw new StagedImportNotFoundException(id)).Version;
                var o = await action(db, id, v, ct);
                results.Add(new { id, ok = true, outcome = o });
                if (!p.GetValue(json))
                    Console.WriteLine($"import {id}: {o.PreviousState} -> {o.State} (version {o.Version})" +
                                      (o.KrithiId is { } k ? $", krithi {k} v{o.KrithiVersion}{(o.KrithiCreated ? " created" : "")}" : "") +
                                      (o.Conflicts is { Count: > 0 } cs ? $"; conflicts left for you: {string.Join(", ", cs.Select(x => x.Field))}" : ""));
            }
            catch (Exception e) when (e is StagedImportNotFoundException or ReviewVersionConflictException or NotApprovableException or AlreadyInCatalogException
                                          or IllegalTransitionException or KrithiNotFoundException or KrithiReferenceException or KrithiVersionConflictException or KrithiRetractedException)
            {
                results.Add(new { id, ok = false, error = e.Message });
                if (!p.GetValue(json)) Console.Error.WriteLine($"error: import {id}: {e.Message}");
                exit = e is StagedImportNotFoundException or KrithiNotFoundException ? ExitCodes.NotFound
                    : e is KrithiReferenceException ? ExitCodes.BadInput : ExitCodes.IllegalTransition;
            }
        }
        if (p.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(results, JsonOut));
        return exit;
    }

    static Command BulkApproveCommand()
    {
        var batch = new Option<long>("--batch") { Description = "The batch whose imports to approve", Required = true };
        var minQuality = new Option<double?>("--min-quality") { Description = "Approve only imports with quality at least Q (0..1)" };
        var minConfidence = new Option<double?>("--min-confidence") { Description = "Approve only imports whose every name scores at least C (0..1)" };
        var noFlags = new Option<bool>("--no-flags") { Description = "Approve only imports without any flag (duplicates are never approved in bulk)" };
        var policy = new Option<bool>("--policy") { Description = $"Use the auto-approval policy's thresholds ({ApprovalCriteria.DefaultPolicy.Describe()}) unless given" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would happen; change nothing" };
        var noWait = new Option<bool>("--no-wait") { Description = "Start the approval batch and return (a running serve or worker approves)" };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with every approval)" };
        var json = new Option<bool>("--json") { Description = "JSON: the plan, and for a real run a last line {matched, approved, skipped, krithisCreated, durationMs}" };
        var cmd = new Command("approve", "Approve every approvable import of a batch, as engine work (pausable: ./grantha pause <approval batch>)")
            { batch, minQuality, minConfidence, noFlags, policy, dryRun, noWait, reason, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            var started = Stopwatch.StartNew();
            var defaults = p.GetValue(policy) ? ApprovalCriteria.DefaultPolicy : new ApprovalCriteria();
            var criteria = new ApprovalCriteria
            {
                MinQuality = p.GetValue(minQuality) ?? defaults.MinQuality, MinConfidence = p.GetValue(minConfidence) ?? defaults.MinConfidence,
                NoFlags = p.GetValue(noFlags) || defaults.NoFlags,
            };
            var asJson = p.GetValue(json);
            await using var db = await Commands.OpenDbAsync(p, ct);
            var filter = new ReviewFilter { BatchId = p.GetValue(batch) };
            _ = await Batches.GetAsync(db, p.GetValue(batch), ct) ?? throw new BatchNotFoundException(p.GetValue(batch));
            if (p.GetValue(dryRun))
            {
                var plan = await BulkApproval.PlanAsync(db, filter, criteria, ct);
                if (asJson) Console.WriteLine(JsonSerializer.Serialize(plan, JsonOut));
                else PrintPlan(plan, dry: true);
                return 0;
            }
            await using var app = GranthaApp.Create(db);
            var run = await BulkApproval.StartAsync(db, app.Pipeline, filter, criteria, Actor, p.GetValue(reason), ct);
            if (!asJson) PrintPlan(run.Plan, dry: false);
            if (run.ApprovalBatchId is not { } approvalBatch)
            {
                var none = new { matched = run.Plan.Matched, approved = 0, skipped = run.Plan.Matched, krithisCreated = 0, durationMs = started.ElapsedMilliseconds };
                Console.WriteLine(asJson ? JsonSerializer.Serialize(none, JsonOut) : "Nothing to approve.");
                return 0;
            }
            if (p.GetValue(noWait))
            {
                Console.Error.WriteLine($"Approval batch {approvalBatch} started; a running ./grantha serve or ./grantha worker on this database approves it. " +
                                        $"Watch: ./grantha batch {approvalBatch}; pause: ./grantha pause {approvalBatch}.");
                if (asJson) Console.WriteLine(JsonSerializer.Serialize(new { approvalBatchId = approvalBatch, matched = run.Plan.Matched }, JsonOut));
                return 0;
            }
            if (!asJson) Console.Error.WriteLine($"Approval batch {approvalBatch}: approving here (Ctrl+C stops; ./grantha pause {approvalBatch} from elsewhere).");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var worker = app.NewWorker().RunAsync(stop.Token);
            await Progress.WatchAsync(db, approvalBatch, bars: !asJson, started, ct);
            await stop.CancelAsync();
            await worker;
            var s = await BulkApproval.SummaryAsync(db, approvalBatch, ct);
            if (!asJson)
            {
                Console.WriteLine($"approval batch {approvalBatch} {s.Status}: matched {s.Matched}, approved {s.Approved} ({s.KrithisCreated} krithi(s) created), skipped {s.Skipped}" +
                                  (s.Failed > 0 ? $", failed {s.Failed} (see ./grantha tasks {approvalBatch} --state FAILED)" : ""));
                foreach (var (code, n) in s.SkippedBy.OrderByDescending(x => x.Value)) Console.WriteLine($"  skipped {n,5}  {code}: {SkipReasons.Text.GetValueOrDefault(code, code)}");
            }
            else Console.WriteLine(JsonSerializer.Serialize(new { matched = s.Matched, approved = s.Approved, skipped = s.Skipped, krithisCreated = s.KrithisCreated, durationMs = started.ElapsedMilliseconds }, JsonOut));
            return s.Failed > 0 ? ExitCodes.Failed : 0;
        }));
        return cmd;
    }

    static void PrintPlan(BulkPlan plan, bool dry)
    {
        Console.WriteLine($"{(dry ? "Dry run" : "Plan")} ({plan.Criteria}): {plan.Matched} import(s) match, {plan.WouldApprove} would be approved, {plan.Skipped.Values.Sum()} skipped.");
        foreach (var (code, n) in plan.Skipped.OrderByDescending(x => x.Value)) Console.WriteLine($"  skip {n,5}  {code}: {plan.SkipReasons[code]}");
        if (dry)
            foreach (var s in plan.Sample)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  e.g. {s.Id,7} {s.Outcome,-7} q {s.Quality:0.00}  {s.Title}{(s.Reason is { } r ? $"  ({r})" : "")}"));
    }

    static string Names(IReadOnlyList<NamedId> ids) => ids.Count == 0 ? "-" : string.Join(" + ", ids.Select(r => r.Name ?? r.Id));

    static List<string>? Split(string[]? values)
    {
        var list = (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return list.Count == 0 ? null : list;
    }
}
