using System.CommandLine;
using System.Text.Json;
using Grantha.Reference;
using Grantha.Resolve;

namespace Grantha.Cli;

/// <summary>catalog seed, catalog ragas, catalog list, catalog synonym add, catalog aliases.</summary>
public static class CatalogCommands
{
    static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var catalog = new Command("catalog", "The reference catalog: ragas, talas, composers, deities, kshetras, synonyms and curator aliases");

        var seedJson = new Option<bool>("--json") { Description = "Print JSON" };
        var seed = new Command("seed", "Write the reference catalog into the database (idempotent: a second run changes nothing)") { seedJson };
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

        var ragasJson = new Option<bool>("--json") { Description = "Print JSON" };
        var ragas = new Command("ragas", "List the catalog's ragas (seeding the catalog first if needed)") { ragasJson };
        ragas.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            await ResolverStore.LoadAsync(db, ct);
            var rows = await CatalogStore.RagasAsync(db, ct);
            if (p.GetValue(ragasJson)) { Console.WriteLine(JsonSerializer.Serialize(rows, JsonOut)); return 0; }
            foreach (var r in rows)
                Console.WriteLine($"{r.Id,-34} {(r.Melakarta is { } n ? $"mela {n,2}" : "       "),-8} {r.Name}{(r.ParentName is { } pa ? $"  (janya of {pa})" : "")}");
            return 0;
        }));
        catalog.Add(ragas);

        var kind = new Argument<string>("kind") { Description = "raga, tala, composer, deity or kshetra" };
        var listJson = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List the entities of one kind with their ids and match keys") { kind, listJson };
        list.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            await ResolverStore.LoadAsync(db, ct);
            var rows = await CatalogStore.EntitiesAsync(db, p.GetValue(kind)!, ct);
            if (p.GetValue(listJson)) { Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { id = r.Id, name = r.Name, matchKey = r.MatchKey }), JsonOut)); return 0; }
            foreach (var r in rows) Console.WriteLine($"{r.Id,-34} {r.MatchKey,-30} {r.Name}");
            return 0;
        }));
        catalog.Add(list);

        var synonym = new Command("synonym", "The synonym table (another name of the same entity, e.g. Todi = Hanumatodi)");
        var sKind = new Argument<string>("kind") { Description = "raga, tala, composer, deity or kshetra" };
        var sName = new Argument<string>("name") { Description = "The other name, e.g. \"Todi\"" };
        var sId = new Argument<string>("entity-id") { Description = "The catalog id (see ./grantha catalog list <kind>)" };
        var sNote = new Option<string?>("--note") { Description = "Why they are the same (shown to reviewers)" };
        var add = new Command("add", "Add a synonym (refused when the name is another entity's own name)") { sKind, sName, sId, sNote };
        add.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var set = await ResolverStore.LoadAsync(db, ct);
            var ok = await ResolverStore.AddSynonymAsync(db, set, p.GetValue(sKind)!, p.GetValue(sName)!, p.GetValue(sId)!, p.GetValue(sNote), Environment.UserName, ct);
            if (!ok)
            {
                Console.Error.WriteLine($"error: '{p.GetValue(sName)}' is the own name of another {p.GetValue(sKind)}; the catalog keeps them apart.");
                return ExitCodes.BadInput;
            }
            Console.WriteLine($"synonym added: {p.GetValue(sName)} = {p.GetValue(sId)}");
            return 0;
        }));
        synonym.Add(add);
        var synJson = new Option<bool>("--json") { Description = "Print JSON" };
        var synList = new Command("list", "List the synonym table") { synJson };
        synList.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            await ResolverStore.LoadAsync(db, ct);
            var rows = await CatalogStore.SynonymsAsync(db, null, ct);
            if (p.GetValue(synJson)) { Console.WriteLine(JsonSerializer.Serialize(rows, JsonOut)); return 0; }
            foreach (var s in rows) Console.WriteLine($"{s.Kind,-8} {s.Name,-28} = {s.EntityId,-30} {s.Source}");
            return 0;
        }));
        synonym.Add(synList);
        catalog.Add(synonym);

        var aliasJson = new Option<bool>("--json") { Description = "Print JSON" };
        var aliases = new Command("aliases", "List curator choices (written name -> catalog entity)") { aliasJson };
        aliases.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var rows = await CatalogStore.AliasesAsync(db, null, ct);
            if (p.GetValue(aliasJson)) { Console.WriteLine(JsonSerializer.Serialize(rows, JsonOut)); return 0; }
            foreach (var a in rows) Console.WriteLine($"{a.Kind,-8} {a.Input,-28} -> {a.EntityId,-30} by {a.ChosenBy}{(a.BatchId is { } b ? $" (batch {b})" : "")}");
            if (rows.Count == 0) Console.WriteLine("No curator choices yet (./grantha resolve choose <batch-id> <kind> \"<name>\" <entity-id>).");
            return 0;
        }));
        catalog.Add(aliases);
        return catalog;
    }
}
