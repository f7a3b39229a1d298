using System.CommandLine;
using Grantha.Api;

namespace Grantha.Cli;

/// <summary>keys create | list | revoke: the API keys (docs: README, API).</summary>
public static class KeyCommands
{
    static string Actor => "cli:" + Environment.UserName;

    public static Command Create()
    {
        var keyName = new Argument<string>("name") { Description = "Who or what uses the key (letters, digits, . _ - @ :)" };
        var role = new Option<string>("--role") { Description = "viewer, curator, operator or admin", DefaultValueFactory = _ => "viewer" };
        var create = new Command("create", "Create an API key (printed once)") { keyName, role };
        create.SetAction(Commands.Guarded(async (p, ct) =>
        {
            var r = ApiKeys.ParseRole(p.GetValue(role)!);
            await using var db = await Commands.OpenDbAsync(p, ct);
            Console.WriteLine(await ApiKeys.CreateAsync(db, p.GetValue(keyName)!, r, Actor, ct));
            return ExitCodes.Ok;
        }));

        var json = new Option<bool>("--json") { Description = "Print JSON Lines: one object per key (name, role, createdAt, revokedAt), as GET /v1/admin/keys" };
        var list = new Command("list", "Every key: name, role, created, revoked (never a secret)") { json };
        list.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            var keys = await ApiKeys.ListAsync(db, ct);
            if (p.GetValue(json)) { JsonLines.Write(keys); return ExitCodes.Ok; }
            if (keys.Count == 0) Console.WriteLine("No keys. ./grantha keys create <name> --role <role> makes one (serve makes an admin key on a fresh database).");
            foreach (var k in keys)
                Console.WriteLine($"{k.Name,-32} {k.Role,-9} created {Time(k.CreatedAt)}  {(k.RevokedAt is { } at ? "revoked " + Time(at) : "active")}");
            return ExitCodes.Ok;
        }));

        var revokeName = new Argument<string>("name") { Description = "The key's name (./grantha keys list)" };
        var revoke = new Command("revoke", "Revoke a key: requests with it are refused (401) from the next one on") { revokeName };
        revoke.SetAction(Commands.Guarded(async (p, ct) =>
        {
            await using var db = await Commands.OpenDbAsync(p, ct);
            if (await ApiKeys.RevokeAsync(db, p.GetValue(revokeName)!, Actor, ct) is not { } k)
            {
                Console.Error.WriteLine("error: no key has that name; ./grantha keys list shows them.");
                return ExitCodes.NotFound;
            }
            Console.WriteLine($"revoked {k.Name} ({k.Role}) at {Time(k.RevokedAt!.Value)}; requests with it are refused from now on.");
            return ExitCodes.Ok;
        }));

        return new Command("keys", "API keys: create, list, revoke") { create, list, revoke };
    }

    static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") + "Z";
}
