using System.CommandLine;
using Grantha.Engine;
using Grantha.Manifest;
using Npgsql;

namespace Grantha.Cli;

/// <summary>The command tree of ./grantha. Each command opens the database (migrating it) itself.</summary>
public static class Commands
{
    public static readonly Option<string?> DbOption = new("--db")
    {
        Description = "Database: sqlite:<path> (default sqlite:data/grantha.db) or a PostgreSQL URL / connection string. Also GRANTHA_DB.",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Sangita Grantha: bulk import of krithi manifests into the catalog.") { DbOption };
        root.Add(DemoCommand.Build());
        root.Add(ImportCommand.Build());
        foreach (var c in BatchCommands.Build()) root.Add(c);
        foreach (var c in ServiceCommands.Build()) root.Add(c);
        root.Add(KeyCommands.Create());
        foreach (var c in ExtractCommands.Build()) root.Add(c);
        root.Add(ResolveCommands.Create());
        root.Add(CatalogCommands.Create());
        root.Add(Catalog.KrithiCommands.Create());
        root.Add(Review.ReviewCommands.Create());
        root.Add(ExportCommand.Build());
        return root;
    }

    /// <summary>Opens and migrates the database the command names.</summary>
    public static async Task<Db> OpenDbAsync(ParseResult parse, CancellationToken ct)
    {
        var db = Db.Open(Db.ResolveSpec(parse.GetValue(DbOption)));
        await Migrations.ApplyAsync(db, ct);
        return db;
    }

    /// <summary>Runs a command body, turning the errors a user can cause into a message and an exit code.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guarded(Func<ParseResult, CancellationToken, Task<int>> body) => async (parse, ct) =>
    {
        try { return await body(parse, ct); }
        catch (IllegalTransitionException e) { return Fail(ExitCodes.IllegalTransition, e.Message); }
        catch (BatchNotFoundException e) { return Fail(ExitCodes.NotFound, e.Message + " List batches with ./grantha batches."); }
        catch (Review.StagedImportNotFoundException e) { return Fail(ExitCodes.NotFound, e.Message); }
        catch (Catalog.KrithiNotFoundException e) { return Fail(ExitCodes.NotFound, e.Message + " List krithis with ./grantha krithis list."); }
        catch (Exception e) when (e is Review.ReviewVersionConflictException or Review.NotApprovableException or Review.AlreadyInCatalogException
                                      or Catalog.KrithiVersionConflictException or Catalog.KrithiRetractedException)
        {
            return Fail(ExitCodes.IllegalTransition, e.Message);
        }
        catch (Catalog.KrithiReferenceException e) { return Fail(ExitCodes.BadInput, e.Message); }
        catch (ManifestException e) { return Fail(ExitCodes.BadInput, $"{e.Code}: {e.Message}"); }
        catch (ManifestsRefusedException e)
        {
            // One line per bad file.
            foreach (var p in e.Problems) Fail(ExitCodes.BadInput, $"{p.Detail} [{p.Code}]");
            return ExitCodes.BadInput;
        }
        catch (ImportPathException e) { return Fail(ExitCodes.BadInput, e.Message); }
        catch (Reference.CatalogEntityNotFoundException e) { return Fail(ExitCodes.NotFound, e.Message); }
        catch (Reference.CatalogConflictException e) { return Fail(ExitCodes.BadInput, e.Message); }
        catch (FileNotFoundException e) { return Fail(ExitCodes.BadInput, e.Message); }
        catch (ArgumentException e) { return Fail(ExitCodes.BadInput, e.Message); }
        catch (NpgsqlException e) when (e.InnerException is System.Net.Sockets.SocketException)
        {
            return Fail(ExitCodes.Failed, $"Cannot reach PostgreSQL ({e.Message}). Check --db or GRANTHA_DB.");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return ExitCodes.Interrupted; }
    };

    static int Fail(int code, string message)
    {
        Console.Error.WriteLine("error: " + message);
        return code;
    }
}
