using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Tests.Engine;
using Grantha.Tests.Extract;

namespace Grantha.Tests.Api;

/// <summary>API keys: no key name in an error, listing, revocation that holds from the next request, its audit event; rows revoked, never changed.</summary>
public class ApiKeysTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_403_says_which_role_is_needed_but_never_names_the_key(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var key = await ApiKeys.CreateAsync(f.Store.Db, "alice-laptop", Role.Viewer, "test", Ct);
        using var c = f.ClientWithKey(key);

        var r = await c.PostAsync("/v1/admin/bulk-import/batches/1/pause", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var body = await r.Content.ReadAsStringAsync(Ct);
        body.ShouldContain("needs the operator role");
        body.ShouldNotContain("alice-laptop");
        // Nor does the 403 of the key routes.
        (await (await c.GetAsync("/v1/admin/keys", Ct)).Content.ReadAsStringAsync(Ct)).ShouldNotContain("alice-laptop");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_revoked_key_gets_401_from_the_next_request_and_the_revocation_is_an_event(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        using var admin = f.Client(Role.Admin);
        var created = await admin.PostAsJsonAsync("/v1/admin/keys", new { name = "ci-bot", role = "operator" }, Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("key").GetString()!;
        using var bot = f.ClientWithKey(secret);
        (await bot.GetAsync("/v1/admin/bulk-import/batches", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Only an admin revokes, and the role is checked first.
        (await f.Client(Role.Operator).PostAsync("/v1/admin/keys/ci-bot/revoke", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var revoked = await admin.PostAsync("/v1/admin/keys/ci-bot/revoke", null, Ct);
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await revoked.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("revokedAt").ValueKind.ShouldBe(JsonValueKind.Number);

        var refused = await bot.GetAsync("/v1/admin/bulk-import/batches", Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldNotContain("ci-bot");

        // Once: a second revocation is refused; an unknown name is a 404 that does not repeat it.
        (await admin.PostAsync("/v1/admin/keys/ci-bot/revoke", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var unknown = await admin.PostAsync("/v1/admin/keys/no-such-key/revoke", null, Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync(Ct)).ShouldNotContain("no-such-key");

        var events = await f.Store.Db.ReadAsync(c => c.QueryAsync<(string Kind, string Actor, string Data)>(
            "SELECT kind, actor, data FROM event WHERE kind IN ('api_key_created', 'api_key_revoked') AND data LIKE '%ci-bot%' ORDER BY id"));
        events.Select(e => (e.Kind, e.Actor)).ShouldBe([("api_key_created", "api:Admin"), ("api_key_revoked", "api:Admin")]);

        var list = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/keys", Ct);
        var row = list.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "ci-bot");
        row.GetProperty("role").GetString().ShouldBe("operator");
        row.GetProperty("revokedAt").ValueKind.ShouldBe(JsonValueKind.Number);
        var listed = list.GetRawText();
        listed.ShouldNotContain(secret);
        listed.ShouldNotContain(ApiKeys.Hash(secret));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_revoked_key_stays_revoked_and_no_key_is_deleted_or_replaced(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var secret = await ApiKeys.CreateAsync(t.Db, "ci-bot", Role.Operator, "test", Ct);
        await ApiKeys.RevokeAsync(t.Db, "ci-bot", "test", Ct);

        var attacks = new List<string>
        {
            "UPDATE api_key SET revoked_at = NULL WHERE name = 'ci-bot'",
            "UPDATE api_key SET role = 'admin' WHERE name = 'ci-bot'",
            "DELETE FROM api_key WHERE name = 'ci-bot'",
            "INSERT INTO api_key (name, key_hash, role, created_at) VALUES ('ci-bot', @hash, 'admin', 0) ON CONFLICT (name) DO UPDATE SET revoked_at = NULL",
        };
        if (store == "sqlite") attacks.Add("INSERT OR REPLACE INTO api_key (name, key_hash, role, created_at) VALUES ('ci-bot', @hash, 'admin', 0)");
        else attacks.Add("TRUNCATE api_key");
        await AppendOnlyTests.AllRefusedAsync(t.Db, attacks, new { hash = ApiKeys.Hash(secret) });
        (await ApiKeys.FindAsync(t.Db, secret, Ct)).ShouldBeNull();
        (await ApiKeys.ListAsync(t.Db, Ct)).ShouldHaveSingleItem().RevokedAt.ShouldNotBeNull();
    }
}

/// <summary>./grantha keys create | list | revoke, with the console captured (so not in parallel).</summary>
[Collection(nameof(ConsoleCapture))]
public class KeyCommandsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Keys_list_and_revoke_on_the_command_line(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var (code, output, error) = await RunAsync("keys", "create", "build-server", "--role", "operator", "--db", t.Spec);
        code.ShouldBe(0, error);
        var secret = output.Trim();
        (await ApiKeys.FindAsync(t.Db, secret, Ct)).ShouldBe(("build-server", Role.Operator));

        (code, output, _) = await RunAsync("keys", "list", "--db", t.Spec);
        code.ShouldBe(0);
        output.ShouldContain("build-server");
        output.ShouldContain("active");
        output.ShouldNotContain(secret);
        // --json: one object per key, as GET /v1/admin/keys names the fields; never a secret.
        (code, output, _) = await RunAsync("keys", "list", "--json", "--db", t.Spec);
        code.ShouldBe(0);
        var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ShouldHaveSingleItem();
        listed.GetProperty("name").GetString().ShouldBe("build-server");
        listed.GetProperty("role").GetString().ShouldBe("operator");
        listed.GetProperty("createdAt").GetInt64().ShouldBeGreaterThan(0);
        listed.GetProperty("revokedAt").ValueKind.ShouldBe(JsonValueKind.Null);
        output.ShouldNotContain(secret);

        (code, output, _) = await RunAsync("keys", "revoke", "build-server", "--db", t.Spec);
        code.ShouldBe(0);
        output.ShouldContain("revoked build-server (operator)");
        (await ApiKeys.FindAsync(t.Db, secret, Ct)).ShouldBeNull();
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT actor FROM event WHERE kind = 'api_key_revoked'"))).ShouldStartWith("cli:");

        (code, _, error) = await RunAsync("keys", "revoke", "build-server", "--db", t.Spec);
        code.ShouldBe(ExitCodes.IllegalTransition);
        error.Trim().Split('\n').ShouldHaveSingleItem();
        (code, _, error) = await RunAsync("keys", "revoke", "nobody", "--db", t.Spec);
        code.ShouldBe(ExitCodes.NotFound);
        error.ShouldNotContain("nobody");
        // A revoked key's name stays taken, and a role is a name, never a number or a list.
        (code, _, _) = await RunAsync("keys", "create", "build-server", "--db", t.Spec);
        code.ShouldBe(ExitCodes.BadInput);
        foreach (var role in new[] { "4", "viewer,curator" })
            (await RunAsync("keys", "create", "other", "--role", role, "--db", t.Spec)).Code.ShouldBe(ExitCodes.BadInput);
        (code, output, _) = await RunAsync("keys", "list", "--db", t.Spec);
        output.ShouldContain("revoked 20");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task When_every_key_is_revoked_serve_makes_another_bootstrap_key_under_a_new_name(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var e = Console.Error;
        Console.SetError(new StringWriter());
        try
        {
            var first = await ServiceCommands.PrintBootstrapKeyAsync(t.Db, Ct);
            (await ServiceCommands.PrintBootstrapKeyAsync(t.Db, Ct)).ShouldBeNull("an active key exists");
            await ApiKeys.RevokeAsync(t.Db, "bootstrap-admin", "test", Ct);
            var second = await ServiceCommands.PrintBootstrapKeyAsync(t.Db, Ct);
            (await ApiKeys.FindAsync(t.Db, second!, Ct)).ShouldBe(("bootstrap-admin-2", Role.Admin));
            (await ApiKeys.FindAsync(t.Db, first!, Ct)).ShouldBeNull();
        }
        finally { Console.SetError(e); }
    }

    static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => ConsoleCapture.RunAsync([KeyCommands.Create()], args);
}
