using System.CommandLine;
using System.Net;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Cli;
using Grantha.Engine;
using Grantha.Tests.Extract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grantha.Tests.Api;

/// <summary>
/// /health/ready answers 503 when the store cannot be written or its migrations are behind the code's, with a
/// problem-details body naming the failed check and nothing of the connection; serve refuses to start then.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public class ReadinessTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_store_that_refuses_writes_is_not_ready(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await using (var ready = await HostAsync(t.Spec))
            (await ready.GetTestClient().GetAsync("/health/ready", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await MakeReadOnlyAsync(t, store);
        await using var app = await HostAsync(t.Spec);
        var r = await app.GetTestClient().GetAsync("/health/ready", Ct);
        var body = await r.Content.ReadAsStringAsync(Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("status").GetInt32().ShouldBe(503);
        json.GetProperty("detail").GetString()!.ShouldContain("database: the store refused a write");
        Check(json, "database").GetProperty("status").GetString().ShouldBe("Unhealthy");
        Check(json, "migrations").GetProperty("status").GetString().ShouldBe("Healthy");
        ShouldNotLeak(body, t);
        // Alive all the same: liveness does not read the store.
        (await app.GetTestClient().GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Migrations_behind_the_code_are_not_ready(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var latest = Migrations.For(t.Db.Kind).Max(m => m.Version);
        await t.Db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM schema_migration WHERE version = @latest", new { latest }, tx));
        await using var app = await HostAsync(t.Spec);

        var r = await app.GetTestClient().GetAsync("/health/ready", Ct);
        var body = await r.Content.ReadAsStringAsync(Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("detail").GetString()!.ShouldContain($"migrations: the database lacks V{latest:D4}");
        Check(json, "migrations").GetProperty("status").GetString().ShouldBe("Unhealthy");
        Check(json, "database").GetProperty("status").GetString().ShouldBe("Healthy");
        ShouldNotLeak(body, t);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Serve_does_not_start_on_a_store_that_is_not_ready(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        await MakeReadOnlyAsync(t, store);

        var root = new RootCommand { Commands.DbOption };
        foreach (var c in ServiceCommands.Build()) root.Add(c);
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        int code;
        try { code = await root.Parse(["serve", "--url", "http://127.0.0.1:0", "--db", t.Spec]).InvokeAsync(cancellationToken: Ct); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }

        code.ShouldBe(ExitCodes.Failed);
        var error = e.ToString().Trim();
        error.Split('\n').ShouldHaveSingleItem();
        error.ShouldStartWith("error: not ready: database: the store refused a write");
        ShouldNotLeak(error, t);
    }

    /// <summary>
    /// serve on an address another process holds (a second serve, a demo), for its API or its metrics port, exits
    /// with one line that names the address and the option to change, not the host's stack trace.
    /// </summary>
    [Theory]
    [InlineData("--url")]
    [InlineData("--metrics-port")]
    public async Task Serve_on_a_taken_port_exits_with_one_line_that_says_what_to_do(string option)
    {
        await using var t = await TestDb.CreateAsync("sqlite");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        string[] args = option == "--url"
            ? ["serve", "--url", $"http://127.0.0.1:{port}", "--no-workers", "--db", t.Spec]
            : ["serve", "--url", "http://127.0.0.1:0", "--metrics-port", $"{port}", "--no-workers", "--db", t.Spec];

        var root = new RootCommand { Commands.DbOption };
        foreach (var c in ServiceCommands.Build()) root.Add(c);
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        int code;
        try { code = await root.Parse(args).InvokeAsync(cancellationToken: Ct); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }

        code.ShouldBe(ExitCodes.Failed);
        var error = e.ToString().Trim();
        error.Split('\n').ShouldHaveSingleItem();
        error.ShouldBe($"error: http://127.0.0.1:{port} is taken: another process listens on port {port} (a second serve, a demo?). Stop it, or choose another port with {option}.");
        ShouldNotLeak(error, t);
    }

    static JsonElement Check(JsonElement json, string name) =>
        json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    static void ShouldNotLeak(string text, TestDb t)
    {
        if (t.Spec.StartsWith("sqlite:")) text.ShouldNotContain(Path.GetDirectoryName(t.Spec["sqlite:".Length..])!);
        else
        {
            var cs = new NpgsqlConnectionStringBuilder(t.Spec);
            text.ShouldNotContain(cs.Database!);
            text.ShouldNotContain("Host=", Case.Insensitive);
            text.ShouldNotContain(cs.Host + ":" + cs.Port);
        }
    }

    /// <summary>
    /// PostgreSQL: new sessions of the database are read-only. SQLite: as root, file modes stop nothing; a file
    /// format write version SQLite does not know makes it open the file read-only (SQLITE_READONLY on the first
    /// write, as on a read-only mount).
    /// </summary>
    static async Task MakeReadOnlyAsync(TestDb t, string store)
    {
        if (store == "postgres")
        {
            var name = new NpgsqlConnectionStringBuilder(t.Spec).Database;
            await using var c = new NpgsqlConnection(TestDb.RequirePostgres());
            await c.OpenAsync(Ct);
            await c.ExecuteAsync($"ALTER DATABASE {name} SET default_transaction_read_only = on");
            return;
        }
        await t.Db.WriteAsync((c, tx) => Task.CompletedTask);
        await using (var c = await t.Db.OpenAsync(Ct)) await c.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        SqliteConnection.ClearAllPools();
        await using var f = File.Open(t.Spec["sqlite:".Length..], FileMode.Open, FileAccess.ReadWrite);
        f.Seek(18, SeekOrigin.Begin);
        f.WriteByte(3);
    }

    /// <summary>The API host (no workers) over a store opened afresh, so its sessions see the store as it is now.</summary>
    static async Task<AppOnDb> HostAsync(string spec)
    {
        var db = Db.Open(spec);
        var app = ApiHost.Build(new ApiHost.Options(db, "http://127.0.0.1:0", RunWorkers: false), b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.SetMinimumLevel(LogLevel.Critical);
        });
        await app.StartAsync(Ct);
        return new AppOnDb(app, db);
    }

    sealed record AppOnDb(WebApplication App, Db Db) : IAsyncDisposable
    {
        public HttpClient GetTestClient() => App.GetTestClient();

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
            await Db.DisposeAsync();
        }
    }
}
