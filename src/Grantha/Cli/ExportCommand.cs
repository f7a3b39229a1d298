using System.CommandLine;
using Grantha.Review;

namespace Grantha.Cli;

/// <summary>export: the QA export of a batch's staged imports as CSV, JSON or JSON Lines (docs/review.md).</summary>
public static class ExportCommand
{
    public static Command Build()
    {
        var batch = new Option<long?>("--batch") { Description = "Batch id (see ./grantha batches)" };
        var what = new Option<string>("--what") { Description = "What to export: staged (the batch's staged imports)", DefaultValueFactory = _ => "staged" };
        var format = new Option<string>("--format") { Description = "csv, json or jsonl", DefaultValueFactory = _ => "csv" };
        var output = new Option<string?>("--out") { Description = "File to write (default: standard output)" };
        var bom = new Option<bool>("--bom") { Description = "Start the CSV with a UTF-8 BOM, so Excel reads it as UTF-8" };
        var state = new Option<string?>("--state") { Description = "Only imports in this state: resolved or needs_review" };
        var flag = new Option<string?>("--flag") { Description = "Only imports with this duplicate flag: duplicate, in_catalog or near_duplicate" };
        var cmd = new Command("export", "Export a batch's staged imports for QA (CSV lines are manifest rows: fixed, they import again)")
            { batch, what, format, output, bom, state, flag };
        cmd.SetAction(Commands.Guarded(async (p, ct) =>
        {
            // Every option is checked before the database is opened or a file is created.
            switch (p.GetValue(what)?.Trim().ToLowerInvariant())
            {
                case "staged": break;
                case "krithis": throw new ArgumentException("--what krithis is not built yet: the krithi catalog export comes with review.");
                case var w: throw new ArgumentException($"Unknown --what '{w}': use staged.");
            }
            var f = Export.ParseFormat(p.GetValue(format));
            var id = p.GetValue(batch) ?? throw new ArgumentException("--batch is required: the id of the batch to export (see ./grantha batches).");
            var filter = new ExportFilter(id, Blank(p.GetValue(state)), Blank(p.GetValue(flag)));
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
            Console.Error.WriteLine($"batch {id}: {count} {(f == ExportFormat.Csv ? "manifest rows" : "staged imports")} written to {path}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
