using Grantha.Api;
using Grantha.OfflineSite;
using Grantha.Tests.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Grantha.Tests.Web;

/// <summary>
/// The dashboard in a real browser (Debian's chromium driven by Playwright; no browser download) against the real
/// API host on Kestrel with its workers and the offline source site (#11). Needs chromium, the built dashboard
/// (artifacts/web: ./grantha or test.sh builds it) and ../shared; in CI (CI=true) a missing one fails, elsewhere the
/// test is skipped with the reason. Screenshots of each screen go to artifacts/screenshots/ (ignored), for people.
/// </summary>
public class DashboardBrowserTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Manifest = "Musical-Trinity-Krithi-Test-60.csv";

    static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "web", "package.json"))) return d.FullName;
        return null;
    }

    static string Chromium => Environment.GetEnvironmentVariable("GRANTHA_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";

    static void SkipOrFail(string why)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(why);
        Assert.Skip(why);
    }

    [Fact]
    public async Task An_operator_imports_by_drag_and_drop_watches_it_live_retries_by_code_reviews_and_a_viewer_sees_no_control()
    {
        var shared = Shared.Require();
        var root = RepoRoot();
        var web = root is null ? null : Path.Combine(root, "artifacts", "web");
        if (web is null || !File.Exists(Path.Combine(web, "index.html")))
            SkipOrFail("the dashboard is not built (artifacts/web): run ./grantha or ./test.sh with Node.js 20 and npm");
        if (!File.Exists(Chromium))
            SkipOrFail($"no browser at {Chromium}: apt-get install chromium (test.sh does), or set GRANTHA_CHROMIUM");
        var shots = Path.Combine(root!, "artifacts", "screenshots");
        Directory.CreateDirectory(shots);

        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { BasePort = 0, Manifests = [Path.Combine(shared, "manifests", Manifest)] }, Ct);
        await using var f = await ApiFixture.StartAsync("sqlite", workers: true, kestrel: true, dashboardRoot: web);
        f.App.Services.GetRequiredService<global::Grantha.Fetch.OfflineSites>().Allow(site.HostMap.Values);
        var baseUrl = f.KestrelAddress!.ToString().TrimEnd('/');

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        page.PageError += (_, e) => consoleErrors.Add(e);
        page.SetDefaultTimeout(15_000);
        Task Shot(string name) => page.ScreenshotAsync(new() { Path = Path.Combine(shots, name + ".png"), FullPage = true });

        // Sign in with an admin key (the host map option is an admin's).
        await page.GotoAsync(baseUrl + "/");
        await Shot("01-sign-in");
        await page.GetByLabel("API key").FillAsync(f.Keys[Role.Admin]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Batches" })).ToBeVisibleAsync();

        // New batch: the manifest dropped on the page (a real drop event carrying the file), hosts mapped onto the site.
        await page.GetByText("Fetch from an offline site").ClickAsync();
        await page.GetByLabel("Host map").FillAsync(string.Join("\n", site.HostMap.Select(h => $"{h.Key}={h.Value}")));
        await page.GetByLabel("No politeness delay").CheckAsync();
        var csv = await File.ReadAllTextAsync(Path.Combine(shared, "manifests", Manifest), Ct);
        var drop = await page.EvaluateHandleAsync("""
            csv => { const dt = new DataTransfer(); dt.items.add(new File([csv], 'Musical-Trinity-Krithi-Test-60.csv', { type: 'text/csv' })); return dt; }
            """, csv);
        await page.DispatchEventAsync("[data-testid=dropzone]", "drop", new Dictionary<string, object> { ["dataTransfer"] = drop });
        await page.GetByLabel("Name (optional)").FillAsync("trinity 60");
        await Shot("02-new-batch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 1 file" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "#1 trinity 60" })).ToBeVisibleAsync();

        // Live: the page is never reloaded; the status reaches "completed" through the event stream alone.
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await Assertions.Expect(page.Locator(".titlebar .badge")).ToHaveTextAsync("completed", new() { Timeout = 120_000 });
        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).ShouldBeTrue();
        await Assertions.Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "FETCH: 100% done" , Exact = false })).ToBeVisibleAsync();
        await Shot("03-batch-completed");

        // An error group drills down to its task; the drawer shows the last error.
        var group = page.Locator("table.errors tbody tr.codegroup").First;
        var code = (await group.Locator("code").InnerTextAsync()).Trim();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show RESOLVE tasks with {code}" }).ClickAsync();
        await page.Locator(".taskbutton").First.ClickAsync();
        var drawer = page.GetByRole(AriaRole.Dialog, new() { Name = "Task #" , Exact = false });
        await Assertions.Expect(drawer.GetByRole(AriaRole.Heading, new() { Name = "Last error" })).ToBeVisibleAsync();
        await Assertions.Expect(drawer).ToContainTextAsync(code);
        await Shot("04-task-drawer");
        await drawer.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Retry by code: a confirmation that says what will happen, then what did.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Retry {code}" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("go back to the queue with fresh attempts");
        await Shot("05-retry-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Retry ", Exact = false }).ClickAsync();
        await Assertions.Expect(page.GetByText("Retried ", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".titlebar .badge")).ToHaveTextAsync("completed", new() { Timeout = 60_000 });

        // Review: approve one ready import, reject one with a reason.
        await page.GetByRole(AriaRole.Link, new() { Name = "Review" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();
        // By the form: "State" is also in the label of the counts ("Imports by state").
        var filters = page.Locator("form[aria-label='Review filters']");
        await filters.Locator("select").First.SelectOptionAsync("ready");
        await filters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var title = (await page.Locator("ol.queue > li").First.Locator(".qhead strong").InnerTextAsync()).Trim();
        var first = page.Locator("ol.queue > li", new() { Has = page.GetByText(title, new() { Exact = true }) }).First;
        await first.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(first.GetByRole(AriaRole.Status)).ToContainTextAsync("approved as krithi");
        var secondTitle = (await page.Locator("ol.queue > li").Nth(1).Locator(".qhead strong").InnerTextAsync()).Trim();
        var second = page.Locator("ol.queue > li", new() { Has = page.GetByText(secondTitle, new() { Exact = true }) }).First;
        await second.GetByRole(AriaRole.Button, new() { Name = "Reject…" }).ClickAsync();
        await second.GetByLabel("Reason for rejecting", new() { Exact = false }).FillAsync("not a krithi: a varnam");
        await second.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        await Assertions.Expect(second.GetByRole(AriaRole.Status)).ToContainTextAsync("rejected");
        await Shot("06-review");

        // The approved krithi is in the catalog.
        await page.GetByRole(AriaRole.Link, new() { Name = "Catalog" }).ClickAsync();
        // The review queue has a "Title contains" filter too: wait until it is gone.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Catalog" })).ToBeVisibleAsync();
        await page.GetByLabel("Title contains").FillAsync(title);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        // The catalog's title may be the display title: the search finds it by either.
        await page.Locator("ul.krithis button").First.ClickAsync();
        await Assertions.Expect(page.Locator("#krithi-title")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sources" })).ToBeVisibleAsync();
        await Shot("07-catalog");

        // A viewer finds no control: no new batch, no pause, cancel or retry, no review action.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByLabel("API key").FillAsync(f.Keys[Role.Viewer]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signing in keeps the page one was on (the catalog here).
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Catalog" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Batches" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "#1 trinity 60" })).ToBeVisibleAsync();
        (await page.GetByRole(AriaRole.Heading, new() { Name = "New batch" }).CountAsync()).ShouldBe(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "#1 trinity 60" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Errors" })).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(390, 844);
        await Shot("08-batch-viewer-390px");
        foreach (var name in new[] { "Pause", "Resume", "Cancel", "Retry" })
            (await page.GetByRole(AriaRole.Button, new() { Name = name }).CountAsync()).ShouldBe(0, name);
        await page.GetByRole(AriaRole.Link, new() { Name = "Review" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();
        (await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).CountAsync()).ShouldBe(0);

        consoleErrors.ShouldBeEmpty();
    }
}
