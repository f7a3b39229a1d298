using System.CommandLine;
using System.Text.Json;
using Grantha.Engine;
using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Cli;

/// <summary>
/// catalog seed | ragas | list | show | add | merge | synonym add|list | aliases | history: the reference catalog and
/// its curation (docs/reference-catalog.md). Every change re-queues the blocked imports it settles and says what
/// happens next; --run resolves them in this process.
/// </summary>
public static class CatalogCommands
{
    static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Who changes the catalog from this shell, for the audit trail (the API writes api:&lt;key name&gt;).</summary>
    public static string Actor => $"cli:{Environment.UserName}";

    public static Command Create()
    {
        var catalog = new Command("catalog", "The reference catalog: ragas, talas, composers, deities, kshetras, synonyms, curator aliases, and its curation");

        var seedJson = new Option<bool>("--json") { Description = "Print JSON" };
        var seed = new Command("seed", "Write the reference catalog into the database (idempotent: a second run changes nothing; curators' additions and merges stay)") { seedJson };
        seed.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var counts = await CatalogStore.SeedAsync(db, ct: ct);
            if (p.GetValue(seedJson)) { Console.WriteLine(JsonSerializer.Serialize(counts, JsonOut)); return 0; }
            Console.WriteLine($"catalog {(counts.Changed ? "seeded" : "already up to date")}: {counts.Ragas} ragas, {counts.Talas} talas, {counts.Composers} composers, " +
                              $"{counts.Deities} deities, {counts.Kshetras} kshetras, {counts.Names} names, {counts.Synonyms} shipped synonyms");
            return 0;
        }));
        catalog.Add(seed);

        var ragasJson = new Option<bool>("--json") { Description = "Print JSON Lines: one object per raga" };
        var ragas = new Command("ragas", "List the catalog's ragas (seeding the catalog first if needed)") { ragasJson };
        ragas.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            await ResolverStore.LoadAsync(db, ct);
            var rows = await CatalogStore.RagasAsync(db, ct);
            if (p.GetValue(ragasJson)) { JsonLines.Write(rows); return 0; }
            foreach (var r in rows)
                Console.WriteLine($"{r.Id,-34} {(r.Melakarta is { } n ? $"mela {n,2}" : "       "),-8} {r.Name}{(r.ParentName is { } pa ? $"  (janya of {pa})" : "")}{Marks(r.Origin, r.MergedInto)}");
            return 0;
        }));
        catalog.Add(ragas);

        var kind = new Argument<string>("kind") { Description = "raga, tala, composer, deity or kshetra" };
        var listJson = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List the entities of one kind with their ids and match keys (curator-added and merged rows marked)") { kind, listJson };
        list.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            await ResolverStore.LoadAsync(db, ct);
            var rows = await CatalogStore.EntitiesAsync(db, p.GetValue(kind)!, ct);
            if (p.GetValue(listJson)) { JsonLines.Write(rows); return 0; }
            foreach (var r in rows) Console.WriteLine($"{r.Id,-34} {r.MatchKey,-30} {r.Name}{Marks(r.Origin, r.MergedInto)}");
            return 0;
        }));
        catalog.Add(list);

        catalog.Add(ShowCommand());
        catalog.Add(AddCommand());
        catalog.Add(MergeCommand());
        catalog.Add(SynonymCommand());

        var aliasJson = new Option<bool>("--json") { Description = "Print JSON" };
        var aliases = new Command("aliases", "List curator choices (written name -> catalog entity)") { aliasJson };
        aliases.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var rows = await CatalogStore.AliasesAsync(db, null, ct);
            if (p.GetValue(aliasJson)) { JsonLines.Write(rows); return 0; }
            foreach (var a in rows) Console.WriteLine($"{a.Kind,-8} {a.Input,-28} -> {a.EntityId,-30} by {a.ChosenBy}{(a.BatchId is { } b ? $" (batch {b})" : "")}");
            if (rows.Count == 0) Console.WriteLine("No curator choices yet (./grantha resolve choose <batch-id> <kind> \"<name>\" <entity-id>).");
            return 0;
        }));
        catalog.Add(aliases);
        catalog.Add(HistoryCommand());
        return catalog;
    }

    static string Marks(string origin, string? mergedInto) =>
        (origin == Curation.Origins.Curator ? "  [added by a curator]" : "") + (mergedInto is { } m ? $"  [merged into {m}]" : "");

    static Command ShowCommand()
    {
        var kind = new Argument<string>("kind") { Description = "raga, tala, composer, deity or kshetra" };
        var id = new Argument<string>("id") { Description = "The entity's id (see ./grantha catalog list <kind>)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("show", "Show one entity: its names, synonyms, aliases, rows merged into it, where it went if merged, and its history") { kind, id, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            await ResolverStore.LoadAsync(db, ct);
            var k = p.GetValue(kind)!;
            var d = await CatalogStore.EntityAsync(db, k, p.GetValue(id)!, ct) ?? throw new CatalogEntityNotFoundException(k, p.GetValue(id)!);
            if (p.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(CurationApi.EntityView.Of(d), JsonOut)); return 0; }
            var e = d.Entity;
            Console.WriteLine($"{e.Kind} {e.Id}: {e.Name} ({(e.Origin == Curation.Origins.Curator ? "added by a curator" : "shipped")}), match key {e.MatchKey}");
            if (e.MergedInto is { } into) Console.WriteLine($"  merged into {into}: its names resolve to {into}");
            if (d.Raga is { } r)
                Console.WriteLine($"  {(r.Melakarta is { } n ? $"melakarta {n}" : $"janya of {r.ParentName} ({r.ParentId})")}; arohanam {r.Arohanam}; avarohanam {r.Avarohanam}");
            if (d.Tala is { } t) Console.WriteLine($"  family {t.Family}{(t.Jati is { } j ? $", jati {j}" : "")}, {t.Aksharas} aksharas");
            Console.WriteLine($"  names: {string.Join(", ", d.Names)}");
            foreach (var s in d.Synonyms) Console.WriteLine($"  synonym: {s.Name} ({s.Source}{(s.Note is { } note ? $": {note}" : "")})");
            foreach (var a in d.Aliases) Console.WriteLine($"  alias: {a.Input} (chosen by {a.ChosenBy})");
            foreach (var m in d.MergedFrom) Console.WriteLine($"  merged into it: {m}");
            foreach (var h in d.History) Console.WriteLine($"  {Line(h)}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The options every change takes.</summary>
    sealed record ChangeOptions(Option<string?> Reason, Option<bool> Run, Option<bool> NoRun, Option<bool> Json)
    {
        public static ChangeOptions New() => new(
            new Option<string?>("--reason") { Description = "Why (kept in the audit trail: ./grantha catalog history)" },
            new Option<bool>("--run") { Description = "Resolve the re-queued tasks in this process now, and print how each ended (the default when no worker is running)" },
            new Option<bool>("--no-run") { Description = "Only re-queue: leave the tasks for ./grantha worker or serve even when none is running" },
            new Option<bool>("--json") { Description = "Print JSON: {change, requeue} (+ run)" });

        public void AddTo(Command c) { c.Add(Reason); c.Add(Run); c.Add(NoRun); c.Add(Json); }
    }

    static Command AddCommand()
    {
        var add = new Command("add", "Add an entity the catalog lacks (refused when its id or its name is taken); re-queues the blocked imports it settles");

        var o = ChangeOptions.New();
        var id = IdArgument();
        var name = NameOption();
        var mela = new Option<int?>("--melakarta") { Description = "Its melakarta number (1-72), if it is a melakarta" };
        var parent = new Option<string?>("--parent") { Description = "The id of its parent melakarta, if it is a janya" };
        var aro = new Option<string>("--arohanam") { Description = "The ascending scale, e.g. \"S R2 G3 P D2 S\"", Required = true };
        var ava = new Option<string>("--avarohanam") { Description = "The descending scale, e.g. \"S D2 P G3 R2 S\"", Required = true };
        var raga = new Command("raga", "Add a raga: a melakarta (--melakarta) or a janya (--parent), with its scales") { id, name, mela, parent, aro, ava };
        o.AddTo(raga);
        raga.SetAction(Commands.Guarded((p, ct) => ChangeAsync(p, o, (db, ct) => CatalogChanges.AddAsync(db, new NewEntity(RagaCatalog.Kind, p.GetValue(id)!, p.GetValue(name)!)
        {
            Reason = p.GetValue(o.Reason), Melakarta = p.GetValue(mela), ParentId = p.GetValue(parent), Arohanam = p.GetValue(aro), Avarohanam = p.GetValue(ava),
        }, Actor, ct), ct)));
        add.Add(raga);

        var ot = ChangeOptions.New();
        var tid = IdArgument();
        var tname = NameOption();
        var aksharas = new Option<int>("--aksharas") { Description = "Beats in one cycle (Adi 8, Misra Chapu 7)", Required = true };
        var family = new Option<string?>("--family") { Description = "Dhruva, Matya, Rupaka, Jhampa, Triputa, Ata, Eka, Chapu, or its own name (default)" };
        var jati = new Option<string?>("--jati") { Description = "Tisra, Chatusra, Khanda, Misra or Sankeerna" };
        var tala = new Command("tala", "Add a tala with its aksharas") { tid, tname, aksharas, family, jati };
        ot.AddTo(tala);
        tala.SetAction(Commands.Guarded((p, ct) => ChangeAsync(p, ot, (db, ct) => CatalogChanges.AddAsync(db, new NewEntity(TalaCatalog.Kind, p.GetValue(tid)!, p.GetValue(tname)!)
        {
            Reason = p.GetValue(ot.Reason), Aksharas = p.GetValue(aksharas), Family = p.GetValue(family), Jati = p.GetValue(jati),
        }, Actor, ct), ct)));
        add.Add(tala);

        foreach (var kind in new[] { ComposerCatalog.Kind, DeityCatalog.Kind, KshetraCatalog.Kind })
        {
            var ok = ChangeOptions.New();
            var kid = IdArgument();
            var kname = NameOption();
            var cmd = new Command(kind, $"Add a {kind}") { kid, kname };
            ok.AddTo(cmd);
            cmd.SetAction(Commands.Guarded((p, ct) => ChangeAsync(p, ok, (db, ct) =>
                CatalogChanges.AddAsync(db, new NewEntity(kind, p.GetValue(kid)!, p.GetValue(kname)!) { Reason = p.GetValue(ok.Reason) }, Actor, ct), ct)));
            add.Add(cmd);
        }
        return add;
    }

    static Argument<string> IdArgument() => new("id") { Description = "The new id: lowercase letters, digits and hyphens, e.g. jhanjhuti" };

    static Option<string> NameOption() => new("--name") { Description = "The name as it should be shown, e.g. \"Jhanjhūti\"", Required = true };

    static Command MergeCommand()
    {
        var o = ChangeOptions.New();
        var kind = new Argument<string>("kind") { Description = "raga, tala, composer, deity or kshetra" };
        var duplicate = new Argument<string>("duplicate-id") { Description = "The row that is a duplicate: its names and id will resolve to the kept one" };
        var into = new Option<string>("--into") { Description = "The id of the row to keep", Required = true };
        var cmd = new Command("merge", "Mark two catalog rows as one entity (the duplicate stays, marked merged); re-queues the blocked imports it settles") { kind, duplicate, into };
        o.AddTo(cmd);
        cmd.SetAction(Commands.Guarded((p, ct) => ChangeAsync(p, o, (db, ct) =>
            CatalogChanges.MergeAsync(db, p.GetValue(kind)!, p.GetValue(duplicate)!, p.GetValue(into)!, p.GetValue(o.Reason), Actor, ct), ct)));
        return cmd;
    }

    static Command SynonymCommand()
    {
        var synonym = new Command("synonym", "The synonym table (another name of the same entity, e.g. Todi = Hanumatodi)");
        var o = ChangeOptions.New();
        var sKind = new Argument<string>("kind") { Description = "raga, tala, composer, deity or kshetra" };
        var sName = new Argument<string>("name") { Description = "The other name, e.g. \"Todi\"" };
        var sId = new Argument<string>("entity-id") { Description = "The catalog id (see ./grantha catalog list <kind>)" };
        var sNote = new Option<string?>("--note") { Description = "Why they are the same (shown to reviewers, kept in the audit trail)" };
        var add = new Command("add", "Add a synonym (refused when the name is another entity's own name); re-queues the blocked imports it settles") { sKind, sName, sId, sNote, o.Run, o.Json };
        add.SetAction(Commands.Guarded((p, ct) => ChangeAsync(p, o, (db, ct) =>
            CatalogChanges.AddSynonymAsync(db, p.GetValue(sKind)!, p.GetValue(sName)!, p.GetValue(sId)!, p.GetValue(sNote), Actor, ct), ct)));
        synonym.Add(add);
        var synJson = new Option<bool>("--json") { Description = "Print JSON" };
        var synList = new Command("list", "List the synonym table") { synJson };
        synList.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            await ResolverStore.LoadAsync(db, ct);
            var rows = await CatalogStore.SynonymsAsync(db, null, ct);
            if (p.GetValue(synJson)) { JsonLines.Write(rows); return 0; }
            foreach (var s in rows) Console.WriteLine($"{s.Kind,-8} {s.Name,-28} = {s.EntityId,-30} {s.Source}");
            return 0;
        }));
        synonym.Add(synList);
        return synonym;
    }

    static Command HistoryCommand()
    {
        var kind = new Option<string?>("--kind") { Description = "Only this kind" };
        var entity = new Option<string?>("--entity") { Description = "Only changes of this entity id (either side of a merge)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("history", "The curation audit trail: who added, merged or gave a synonym, when and why") { kind, entity, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var rows = await Curation.HistoryAsync(db, p.GetValue(kind), p.GetValue(entity), 0, int.MaxValue, ct);
            if (p.GetValue(json)) { JsonLines.Write(rows.Select(CurationApi.ChangeView.Of)); return 0; }
            foreach (var h in rows) Console.WriteLine(Line(h));
            if (rows.Count == 0) Console.WriteLine("No curation yet (./grantha catalog add | merge | synonym add).");
            return 0;
        }));
        return cmd;
    }

    static string Line(CatalogChange h)
    {
        var what = h.Action switch
        {
            Curation.Actions.Add => $"added {h.Kind} {h.EntityId} ({h.Name})",
            Curation.Actions.Merge => $"merged {h.Kind} {h.EntityId} ({h.Name}) into {h.IntoId}",
            Curation.Actions.Synonym => $"synonym '{h.Name}' for {h.Kind} {h.EntityId}",
            Curation.Actions.Shipped => $"{h.Kind} {h.EntityId} ({h.Name}) is now shipped",
            _ => $"{h.Action} {h.Kind} {h.EntityId}",
        };
        return $"#{h.Id} {DateTimeOffset.FromUnixTimeMilliseconds(h.At):yyyy-MM-dd HH:mm:ss} {h.Actor}: {what}{(h.Reason is { } r ? $" — {r}" : "")}";
    }

    /// <summary>Makes the change, prints what it re-queued and what happens next; with --run resolves the re-queued tasks here.</summary>
    static async Task<int> ChangeAsync(ParseResult p, ChangeOptions o, Func<Db, CancellationToken, Task<CatalogChangeResult>> change, CancellationToken ct)
    {
        await using var db = await Commands.OpenDbAsync(p, ct);
        var result = await change(db, ct);
        var report = result.Requeue;
        IReadOnlyList<(long TaskId, long BatchId, string State, string? Error)>? ran = null;
        if (RunHere(report.Tasks, report.Workers.Count, p.GetValue(o.Run), p.GetValue(o.NoRun), p.GetValue(o.Json)))
            ran = await RunHereAsync(db, report, ct);
        if (p.GetValue(o.Json))
        {
            var view = CurationApi.ChangeResultView.Of(result);
            Console.WriteLine(ran is null
                ? JsonSerializer.Serialize(view, JsonOut)
                : JsonSerializer.Serialize(new { view.Change, view.Requeue, run = ran.Select(r => new { taskId = r.TaskId, batchId = r.BatchId, state = r.State, error = r.Error }) }, JsonOut));
            return 0;
        }
        Console.WriteLine(result.Change is { } c ? Line(c) : "Nothing changed: the catalog had that already.");
        foreach (var n in report.Names) Console.WriteLine($"  {n.Kind} '{n.Input}': {n.Before} -> {n.After}{(n.EntityId is { } e ? $" ({e})" : "")}");
        foreach (var b in report.Batches)
            Console.WriteLine(b.NotRequeued is { } why ? $"  batch {b.BatchId}: not re-queued: {why}" : $"  batch {b.BatchId}: {b.Tasks} blocked task(s) re-queued");
        if (ran is null)
            Console.WriteLine(report.Tasks > 0 && report.Workers.Count == 0 ? $"{report.Next} (Without --no-run they are resolved in this process.)" : report.Next);
        else
        {
            foreach (var r in ran) Console.WriteLine($"  task {r.TaskId} (batch {r.BatchId}): {r.State}{(r.Error is { } err && r.State != TaskState.Succeeded ? $": {err}" : "")}");
            Console.WriteLine($"Resolved here: {ran.Count(r => r.State == TaskState.Succeeded)} succeeded, {ran.Count(r => r.State == TaskState.Blocked)} blocked again, " +
                              $"{ran.Count(r => r.State is not (TaskState.Succeeded or TaskState.Blocked))} other.");
        }
        return 0;
    }

    /// <summary>
    /// Whether a command that re-queued blocked tasks resolves them in its own process: when asked (--run), or when no
    /// worker is running on the database (nothing else would), unless --no-run. Says so on stderr (one line).
    /// </summary>
    public static bool RunHere(long tasks, int workers, bool run, bool noRun, bool json)
    {
        if (tasks == 0 || noRun || (!run && workers > 0)) return false;
        if (!json)
            Console.Error.WriteLine(run
                ? $"Resolving the {tasks} re-queued task(s) in this process..."
                : $"No worker is running on this database: resolving the {tasks} re-queued task(s) in this process (Ctrl+C leaves them queued for ./grantha worker).");
        return true;
    }

    /// <summary>A RESOLVE-only worker in this process until every re-queued task has left the queue (Ctrl+C stops it).</summary>
    static async Task<IReadOnlyList<(long TaskId, long BatchId, string State, string? Error)>> RunHereAsync(Db db, RequeueReport report, CancellationToken ct)
    {
        await using var app = GranthaApp.Create(db);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = app.NewWorker(new WorkerOptions { Stages = [ResolveHandler.Name] }).RunAsync(stop.Token);
        try
        {
            while (true)
            {
                var states = await CatalogChanges.TaskStatesAsync(db, report, ct);
                // PAUSED counts as settled here: an operator paused the batch meanwhile; it waits for resume.
                if (states.All(s => s.State is not (TaskState.Pending or TaskState.Running or TaskState.RetryWait))) return states;
                await Task.Delay(100, ct);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
