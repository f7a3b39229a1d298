using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grantha.Api;
using Grantha.Cli;

namespace Grantha.Catalog;

/// <summary>krithis list, krithis show: the krithi catalog from the command line.</summary>
public static class KrithiCommands
{
    static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var krithis = new Command("krithis", "The krithi catalog: what curators approved, with lyrics, sources and revisions");
        krithis.Add(ListCommand());
        krithis.Add(ShowCommand());
        return krithis;
    }

    static Command ListCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON Lines: one object per krithi; {total, next} on stderr" };
        var limit = new Option<int?>("--limit") { Description = "Print at most N krithis (default: all)" };
        var text = new Option<string?>("--text") { Description = "Only titles (or display titles) containing this text" };
        var raga = new Option<string?>("--raga") { Description = "Only krithis in this raga (its catalog id)" };
        var composer = new Option<string?>("--composer") { Description = "Only krithis of this composer (catalog id)" };
        var afterId = new Option<long>("--after") { Description = "Start after this krithi id (the next page of a --limit list)" };
        var cmd = new Command("list", "List krithis by id with their ragas, composer and source URLs") { json, limit, text, raga, composer, afterId };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            var max = p.GetValue(limit);
            if (max is < 1) throw new ArgumentException("--limit must be at least 1.");
            await using var db = await Commands.OpenDbAsync(p, ct);
            var filter = new KrithiFilter(p.GetValue(text), p.GetValue(raga), p.GetValue(composer));
            var items = new List<KrithiListItem>();
            KrithiPage page;
            var after = p.GetValue(afterId);
            do
            {
                var take = Math.Min(BulkImportApi.PageMax, max is { } m ? m - items.Count : BulkImportApi.PageMax);
                page = await KrithiStore.ListAsync(db, filter, after, take, ct);
                items.AddRange(page.Items);
                after = page.Next ?? 0;
            } while (page.Next is not null && (max is null || items.Count < max));
            var next = max is not null && page.Next is not null ? page.Next : null;
            if (p.GetValue(json))
            {
                Cli.JsonLines.Write(items);
                Cli.JsonLines.Totals(new { total = page.Count, next });
                return 0;
            }
            foreach (var k in items)
            {
                Console.WriteLine($"{k.Id,6}  v{k.Version}{(k.Status == KrithiStatus.Active ? "" : $" [{k.Status}]")}  {Title(k.Title, k.DisplayTitle)}" +
                                  $"  raga {Names(k.Ragas)}{(k.Composer is { } c ? $"  composer {Name(c)}" : "")}{(k.Tala is { } t ? $"  tala {Name(t)}" : "")}");
                foreach (var url in k.Sources) Console.WriteLine($"        {url}");
            }
            Console.WriteLine(page.Count == 0 ? "No krithis match." : $"{items.Count} of {page.Count} krithi(s){(next is { } n ? $"; next page: --after {n}" : "")}");
            return 0;
        }));
        return cmd;
    }

    static Command ShowCommand()
    {
        var id = new Argument<long>("id") { Description = "The krithi id (see ./grantha krithis list)" };
        var json = new Option<bool>("--json") { Description = "Print the krithi as the API gives it" };
        var cmd = new Command("show", "Show a krithi: ragas, lyrics per script by section, sources and revisions") { id, json };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            if (await KrithiStore.GetAsync(db, p.GetValue(id), ct) is not { } k)
            {
                Console.Error.WriteLine($"error: krithi {p.GetValue(id)} does not exist. List krithis with ./grantha krithis list.");
                return ExitCodes.NotFound;
            }
            if (p.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(k, JsonOut)); return 0; }
            Print(k);
            return 0;
        }));
        return cmd;
    }

    static void Print(KrithiDetail k)
    {
        Console.WriteLine($"krithi {k.Id}  version {k.Version}  {k.Status}");
        Console.WriteLine($"  title     {Title(k.Title, k.DisplayTitle)}");
        Console.WriteLine($"  ragas     {string.Join(", ", k.Ragas.Select(r => $"{r.Name ?? r.Id} ({r.Id}){(r.Section is { } s ? $" from section {s}" : "")}"))}");
        foreach (var (label, value) in new[] { ("composer", k.Composer), ("tala", k.Tala), ("deity", k.Deity), ("kshetra", k.Kshetra) })
            if (value is not null) Console.WriteLine($"  {label,-9} {Name(value)}");
        if (k.Form is not null) Console.WriteLine($"  form      {k.Form}");
        foreach (var lyric in k.Lyrics)
        {
            Console.WriteLine();
            Console.WriteLine($"[{lyric.Script}]");
            foreach (var s in lyric.Sections)
            {
                Console.WriteLine($"  {s.Type.ToUpperInvariant()}{(s.Number is { } n ? $" {n}" : "")}");
                foreach (var line in s.Text.Split('\n')) Console.WriteLine($"    {line}");
            }
        }
        foreach (var (label, text) in new[] { ("gist", k.Gist), ("meaning", k.Meaning), ("notes", k.Notes) })
            if (text is not null) Console.WriteLine($"\n{label}: {text}");
        Console.WriteLine("\nsources");
        foreach (var s in k.Sources)
            Console.WriteLine($"  {s.Url}  batch {s.BatchId?.ToString(CultureInfo.InvariantCulture) ?? "-"}, import {s.StagedImportId?.ToString(CultureInfo.InvariantCulture) ?? "-"}, " +
                              $"sha256 {s.ContentSha256 ?? "-"}, approved by {s.ApprovedBy} at {When(s.ApprovedAt)}");
        Console.WriteLine("revisions");
        foreach (var r in k.Revisions)
            Console.WriteLine($"  v{r.Version}  {When(r.At)}  {r.Actor}  {r.Reason}  changed: {string.Join(", ", r.Changes.EnumerateArray().Select(c => c.GetProperty("field").GetString()).Distinct())}");
    }

    static string Title(string title, string? display) => display is null || display == title ? title : $"{title} ({display})";

    static string Name(NamedId n) => n.Name is null ? n.Id : $"{n.Name} ({n.Id})";

    static string Names(IReadOnlyList<NamedId> ids) => ids.Count == 0 ? "-" : string.Join(" + ", ids.Select(r => r.Name ?? r.Id));

    static string When(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
