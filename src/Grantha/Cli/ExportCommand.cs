using System.CommandLine;
using Grantha.Catalog;
using Grantha.Review;

namespace Grantha.Cli;

/// <summary>export: the QA export of staged imports (one batch's or every batch's), or of catalog krithis, as CSV, JSON or JSON Lines (docs/review.md).</summary>
public static class ExportCommand
{
    public static Command Build()
    {
        var batch = new Option<long?>("--batch") { Description = "Batch id (see ./grantha batches): its staged imports (default: every batch's), or the krithis with a source from it" };
        var what = new Option<string>("--what") { Description = "staged (staged imports) or krithis (the krithi catalog)", DefaultValueFactory = _ => "staged" };
        var format = new Option<string>("--format") { Description = "csv, json or jsonl", DefaultValueFactory = _ => "csv" };
        var output = new Option<string?>("--out") { Description = "File to write (default: standard output)" };
        var bom = new Option<bool>("--bom") { Description = "Start the CSV with a UTF-8 BOM, so Excel reads it as UTF-8" };
        var state = new Option<string?>("--state") { Description = "Staged: only imports in this review state (needs_review, ready, approved, rejected, merged, deferred)" };
        var flag = new Option<string?>("--flag") { Description = "Staged: only imports with this duplicate flag: duplicate, in_catalog or near_duplicate" };
        var text = new Option<string?>("--text") { Description = "Krithis: only titles (or display titles) containing this text" };
        var raga = new Option<string?>("--raga") { Description = "Krithis: only those in this raga (its catalog id)" };
        var composer = new Option<string?>("--composer") { Description = "Krithis: only those of this composer (catalog id)" };
        var deity = new Option<string?>("--deity") { Description = "Krithis: only those to this deity (catalog id)" };
        var status = new Option<string?>("--status") { Description = "Krithis: only active or only retracted ones" };
        var cmd = new Command("export", "Export staged imports (of one batch or all), or the krithi catalog, for QA (CSV lines start as manifest rows: fixed, they import again)")
            { batch, what, format, output, bom, state, flag, text, raga, composer, deity, status };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            // Every option is checked before the database is opened or a file is created.
            var w = Export.ParseWhat(p.GetValue(what));
            var f = Export.ParseFormat(p.GetValue(format));
            var id = p.GetValue(batch);
            var filter = new ExportFilter(id, Blank(p.GetValue(state)), Blank(p.GetValue(flag)))
            {
                What = w,
                Krithis = new KrithiFilter(Blank(p.GetValue(text)), Blank(p.GetValue(raga)), Blank(p.GetValue(composer)), Blank(p.GetValue(deity)), Blank(p.GetValue(status))),
            };
            await using var db = await Commands.OpenDbAsync(p, ct);
            await Export.ValidateAsync(db, filter, ct);

            if (p.GetValue(output) is not { Length: > 0 } path)
            {
                await using var stdout = Console.OpenStandardOutput();
                await Export.WriteAsync(db, filter, f, stdout, p.GetValue(bom), ct);
                return ExitCodes.Ok;
            }
            // Written beside the target and moved into place, so a failed export never leaves half a file under its name.
            var part = path + ".part";
            long count;
            try
            {
                await using (var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                    count = await Export.WriteAsync(db, filter, f, file, p.GetValue(bom), ct);
                File.Move(part, path, overwrite: true);
            }
            catch
            {
                File.Delete(part);
                throw;
            }
            var from = id is { } b ? $"batch {b}" : w == ExportWhat.Staged ? "all batches" : "catalog";
            Console.Error.WriteLine($"{from}: {count} {Export.Units(filter, f)} written to {path}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
