using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Grantha.Api;
using Grantha.Engine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Grantha.Tests.Api;

/// <summary>The real API host on an in-memory server, over a fresh database, with a key per role.</summary>
public sealed class ApiFixture : IAsyncDisposable
{
    public required TestDb Store { get; init; }
    public required WebApplication App { get; init; }
    public required Dictionary<Role, string> Keys { get; init; }
    public required string ImportDir { get; init; }

    /// <summary>The web server's own limits (request body size) apply only on Kestrel.</summary>
    public Uri? KestrelAddress { get; init; }

    bool OwnsImportDir { get; init; }

    /// <param name="importDir">The import folder, given the store (default: a new empty folder).</param>
    /// <param name="kestrel">A real Kestrel server on a loopback port instead of the in-memory test server.</param>
    /// <param name="metrics">Where /metrics is served and who may read it (default: on the API, open).</param>
    /// <param name="worker">The workers' options when <paramref name="workers"/> (default: a 20 ms poll).</param>
    /// <param name="dashboardRoot">The built dashboard's folder (default: artifacts/web beside the test assembly, which is not built).</param>
    public static async Task<ApiFixture> StartAsync(string store, bool workers = false, Func<TestDb, string>? importDir = null, bool kestrel = false,
        ApiHost.MetricsOptions? metrics = null, WorkerOptions? worker = null, string? dashboardRoot = null)
    {
        var t = await TestDb.CreateAsync(store);
        var dir = importDir?.Invoke(t) ?? Path.Combine(Path.GetTempPath(), "grantha-imports", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        var app = ApiHost.Build(new ApiHost.Options(t.Db, "http://127.0.0.1:0", RunWorkers: workers, ImportFolder: new global::Grantha.Manifest.ImportFolder(dir),
            Worker: worker ?? new WorkerOptions { PollInterval = TimeSpan.FromMilliseconds(20) }, Metrics: metrics ?? new ApiHost.MetricsOptions(),
            DashboardRoot: dashboardRoot), b =>
            {
                if (!kestrel) b.WebHost.UseTestServer();
                b.Logging.SetMinimumLevel(LogLevel.Warning); // the run's console is where a CI failure must stay readable
            });
        await app.StartAsync();
        var keys = new Dictionary<Role, string>();
        foreach (var r in Enum.GetValues<Role>()) keys[r] = await ApiKeys.CreateAsync(t.Db, r.ToString(), r);
        return new ApiFixture
        {
            Store = t, App = app, Keys = keys, ImportDir = dir, OwnsImportDir = importDir is null,
            KestrelAddress = kestrel ? new Uri(app.Urls.First(u => new Uri(u).Port != metrics?.Port)) : null,
        };
    }

    public HttpClient Client(Role? role)
    {
        var c = KestrelAddress is { } a ? new HttpClient { BaseAddress = a, Timeout = TimeSpan.FromMinutes(5) } : App.GetTestClient();
        if (role is { } r) c.DefaultRequestHeaders.Add(ApiKeys.Header, Keys[r]);
        return c;
    }

    public HttpClient ClientWithKey(string key)
    {
        var c = App.GetTestClient();
        c.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        return c;
    }

    public static MultipartFormDataContent Upload(string fileName, string csv)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "files", fileName);
        return form;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Store.DisposeAsync();
        // A folder the test chose (importDir) is the test's to clean.
        if (OwnsImportDir) try { Directory.Delete(ImportDir, true); } catch (IOException) { }
    }
}
