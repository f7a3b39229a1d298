using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grantha.Api;

namespace Grantha.Tests.Api;

/// <summary>
/// Batches from paths inside the import folder (#10 items 2, 3, 11, 10): only regular files whose every path
/// component stays inside the folder; never the database's own files; no error shows a server path or the
/// content of a file that is not a manifest.
/// </summary>
public class ImportFolderApiTests
{
    const string Batches = BulkImportApiTests.Batches, Csv = BulkImportApiTests.Csv;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(HttpStatusCode Status, JsonElement Problem, string Text)> PostPathAsync(ApiFixture f, string path)
    {
        var r = await f.Client(Role.Operator).PostAsJsonAsync(Batches, new { paths = new[] { path } }, Ct);
        var text = await r.Content.ReadAsStringAsync(Ct);
        return (r.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default, text);
    }

    static async Task<int> BatchCountAsync(ApiFixture f) =>
        (await f.Client(Role.Viewer).GetFromJsonAsync<JsonElement>(Batches, Ct)).GetProperty("items").GetArrayLength();

    static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        p.ExitCode.ShouldBe(0, $"{file} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_link_out_of_the_folder_is_refused_and_no_server_path_or_file_content_is_shown(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        Directory.CreateSymbolicLink(Path.Combine(f.ImportDir, "linkdir"), "/etc");
        File.CreateSymbolicLink(Path.Combine(f.ImportDir, "passwd.csv"), "/etc/passwd");
        Directory.CreateDirectory(Path.Combine(f.ImportDir, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(f.ImportDir, "sub", "up"), "..");
        // Inside the folder, but not a manifest: refused without quoting it.
        File.Copy("/etc/passwd", Path.Combine(f.ImportDir, "copy.csv"));
        File.WriteAllText(Path.Combine(f.ImportDir, "secret.csv"), "user,password\nsomebody,hunter2\n");

        foreach (var p in new[] { "linkdir/passwd", "passwd.csv", "sub/up/../../etc/passwd", "copy.csv", "secret.csv", "../ok.csv", "/etc/passwd", "missing.csv", f.ImportDir + "/../x.csv" })
        {
            var (status, problem, text) = await PostPathAsync(f, p);
            status.ShouldBe(HttpStatusCode.BadRequest, p + ": " + text);
            problem.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
            text.ShouldNotContain("root:", Case.Sensitive, p);
            text.ShouldNotContain("hunter2", Case.Sensitive, p);
            text.ShouldNotContain("password", Case.Sensitive, p);
            text.ShouldNotContain(f.ImportDir, Case.Sensitive, p);
            text.ShouldNotContain(Path.GetTempPath(), Case.Sensitive, p);
        }
        (await BatchCountAsync(f)).ShouldBe(0);

        // A file inside a subfolder is named relative to the import folder.
        File.WriteAllText(Path.Combine(f.ImportDir, "sub", "bad.csv"), "Title,URL\nx,y\n");
        var (_, bad, _) = await PostPathAsync(f, "sub/bad.csv");
        bad.GetProperty("detail").GetString()!.ShouldContain("sub/bad.csv");
        File.WriteAllText(Path.Combine(f.ImportDir, "sub", "ok.csv"), Csv);
        (await PostPathAsync(f, "sub/up/sub/ok.csv")).Status.ShouldBe(HttpStatusCode.Created, "a link that stays inside the folder is fine");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_pipe_a_folder_or_a_device_is_refused_as_not_a_regular_file_without_blocking(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var fifo = Path.Combine(f.ImportDir, "pipe.csv");
        Run("mkfifo", fifo);
        Directory.CreateDirectory(Path.Combine(f.ImportDir, "folder.csv"));
        var paths = new List<string> { "pipe.csv", "folder.csv" };
        // A device node needs root (the tests run as root in CI); elsewhere the pipe and folder stand for it.
        if (Environment.UserName == "root") { Run("mknod", Path.Combine(f.ImportDir, "zero.csv"), "c", "1", "5"); paths.Add("zero.csv"); }

        foreach (var p in paths)
        {
            var request = PostPathAsync(f, p);
            // A guard against the hang this test is about, not a speed check: a reader blocked on the pipe is
            // released by a writer, and the test fails saying so.
            if (p == "pipe.csv" && await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(30), Ct)) != request)
            {
                await using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
                await request;
                Assert.Fail("The request blocked opening a pipe in the import folder.");
            }
            var (status, problem, text) = await request;
            status.ShouldBe(HttpStatusCode.BadRequest, p + ": " + text);
            problem.GetProperty("detail").GetString()!.ShouldContain("not a regular file", Case.Insensitive, p);
        }
        (await BatchCountAsync(f)).ShouldBe(0);
    }

    /// <summary>The POSIX locks this process holds on a file (/proc/locks), by inode.</summary>
    static int LocksHeld(string file)
    {
        var inode = new FileInfo(file).Exists ? Inode(file) : -1;
        return File.ReadAllLines("/proc/locks").Count(l =>
        {
            var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var at = Array.IndexOf(parts, "POSIX");
            if (at < 0 || parts.Length < at + 5) return false;
            var pid = parts[at + 3];
            var device = parts[at + 4].Split(':');
            return pid == Environment.ProcessId.ToString() && device.Length == 3 && long.Parse(device[2]) == inode;
        });
    }

    static long Inode(string file)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", file]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(text.Trim());
    }

    /// <summary>
    /// Reading the database file as a manifest opened and closed it in the server's own process, which drops the
    /// process's POSIX locks on it: another process then checkpointed and deleted the WAL under the running server.
    /// Every way to name the database's files is refused, and the locks are still held afterwards.
    /// </summary>
    [Fact]
    public async Task The_database_and_its_wal_shm_and_journal_are_never_read_even_through_a_link()
    {
        await using var f = await ApiFixture.StartAsync("sqlite", importDir: t => Path.GetDirectoryName(t.Db.SqliteFile)!);
        var db = f.Store.Db.SqliteFile!;
        var name = Path.GetFileName(db);
        // An open connection holds its locks (WAL mode: a shared lock on the database and on the -shm file).
        await using var open = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}");
        await open.OpenAsync(Ct);
        await using (var cmd = open.CreateCommand()) { cmd.CommandText = "SELECT COUNT(*) FROM batch"; await cmd.ExecuteScalarAsync(Ct); }
        var before = (Db: LocksHeld(db), Shm: LocksHeld(db + "-shm"));
        before.Db.ShouldBeGreaterThan(0, "the test needs the server's locks to watch");

        var paths = new List<string>();
        var links = Path.Combine(f.ImportDir, "links");
        Directory.CreateDirectory(links);
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            paths.Add(name + suffix);
            File.CreateSymbolicLink(Path.Combine(links, $"sym{suffix}.csv"), db + suffix);
            paths.Add($"links/sym{suffix}.csv");
            if (File.Exists(db + suffix))
            {
                Run("ln", db + suffix, Path.Combine(links, $"hard{suffix}.csv"));
                paths.Add($"links/hard{suffix}.csv");
            }
        }
        foreach (var p in paths)
        {
            var (status, _, text) = await PostPathAsync(f, p);
            status.ShouldBe(HttpStatusCode.BadRequest, p + ": " + text);
            text.ShouldNotContain(db, Case.Sensitive, p);
        }
        LocksHeld(db).ShouldBe(before.Db, "the server's locks on its database were dropped");
        LocksHeld(db + "-shm").ShouldBe(before.Shm, "the server's locks on its -shm file were dropped");
        (await BatchCountAsync(f)).ShouldBe(0);
        File.WriteAllText(Path.Combine(f.ImportDir, "ok.csv"), Csv);
        (await PostPathAsync(f, "ok.csv")).Status.ShouldBe(HttpStatusCode.Created);
    }
}
