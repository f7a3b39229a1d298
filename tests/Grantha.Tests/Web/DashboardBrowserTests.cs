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
    public async Task An_operator_imports_by_drag_and_drop_watches_it_live_retries_by_code_a_curator_reviews_chooses_bulk_approves_exports_and_a_viewer_sees_no_control()
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

        // A tenth of the pages answer 404 (decided per URL, the same on every run): FETCH failures to group and retry.
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions
        {
            BasePort = 0, Manifests = [Path.Combine(shared, "manifests", Manifest)], Faults = new SiteFaults { NotFound = 0.1 },
        }, Ct);
        await using var f = await ApiFixture.StartAsync("sqlite", workers: true, kestrel: true, dashboardRoot: web);
        f.App.Services.GetRequiredService<global::Grantha.Fetch.OfflineSites>().Allow(site.HostMap.Values);
        var baseUrl = f.KestrelAddress!.ToString().TrimEnd('/');

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        page.PageError += (_, e) => consoleErrors.Add(e);
        // Nothing the dashboard shows may reach another host: the stored pages are shown inert.
        var foreign = new List<string>();
        page.Request += (_, r) => { if (Uri.TryCreate(r.Url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && !r.Url.StartsWith(baseUrl, StringComparison.Ordinal)) foreign.Add(r.Url); };
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

        // Politeness per host: each manifest host with its delay and the batch's fetch tasks on it.
        var hosts = page.Locator("table.hosts");
        await Assertions.Expect(hosts).ToBeVisibleAsync();
        foreach (var host in site.HostMap.Keys) await Assertions.Expect(hosts).ToContainTextAsync(host);
        (await hosts.InnerTextAsync()).ShouldNotContain("127.0.0.1"); // the offline site a host is mapped onto stays hidden

        // An error group drills down to its task; the drawer shows the last error.
        var code = "not_found";
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show FETCH tasks with {code}" }).ClickAsync();
        await Assertions.Expect(page.Locator(".taskbutton").First).ToContainTextAsync(code);
        await page.Locator(".taskbutton").First.ClickAsync();
        var drawer = page.GetByRole(AriaRole.Dialog, new() { Name = "Task #" , Exact = false });
        await Assertions.Expect(drawer.GetByRole(AriaRole.Heading, new() { Name = "Last error" })).ToBeVisibleAsync();
        await Assertions.Expect(drawer).ToContainTextAsync(code);
        await Shot("04-task-drawer");
        await drawer.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // The filtered task list downloads as CSV: every task the filter shows, and only those.
        var failedFetches = await page.Locator(".taskbutton").CountAsync();
        var tasksCsv = await DownloadAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Export tasks CSV" }).ClickAsync());
        var taskLines = tasksCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        (taskLines.Length - 1).ShouldBe(failedFetches);
        taskLines.Skip(1).ShouldAllBe(l => l.Contains(code));

        // Retry by code: a confirmation that says what will happen, then what did.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Retry {code}" }).First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("go back to the queue with fresh attempts");
        await Shot("05-retry-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Retry ", Exact = false }).ClickAsync();
        await Assertions.Expect(page.GetByText("Retried ", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".titlebar .badge")).ToHaveTextAsync("completed", new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Shot("05b-batch-hosts-and-names");

        // Review: approve one ready import, reject one with a reason.
        await page.GetByRole(AriaRole.Link, new() { Name = "Review" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();
        // By the form: "State" is also in the label of the counts ("Imports by state").
        var filters = page.Locator("form[aria-label='Review filters']");
        await filters.GetByLabel("Batch").FillAsync("1");
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

        // The queue's export downloads what its filter shows.
        var queueCsv = await DownloadAsync(page, () => page.GetByRole(AriaRole.Group, new() { Name = "Export these imports" })
            .GetByRole(AriaRole.Button, new() { Name = "CSV", Exact = true }).ClickAsync());
        // The approved and the rejected ones have left "ready"; a third is still there, by its page's address.
        var third = await page.Locator("ol.queue > li").Nth(2).Locator(".muted.wrap").InnerTextAsync();
        queueCsv.ShouldContain(third[(third.LastIndexOf("— ", StringComparison.Ordinal) + 2)..].Trim());
        queueCsv.ShouldStartWith("Krithi,Raga,Hyperlink,state");

        // A blocked name: the import opened beside the queue with its stored page (inert), the name chosen from its
        // candidates in one click; the import becomes approvable and is approved.
        await filters.Locator("select").First.SelectOptionAsync("needs_review");
        await filters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var blocked = page.Locator("ol.queue > li", new() { HasText = "(best:" }).First;
        await blocked.GetByRole(AriaRole.Button, new() { Name = "Open #", Exact = false }).ClickAsync();
        var detail = page.Locator("#review-detail");
        await Assertions.Expect(detail.GetByRole(AriaRole.Heading, new() { Name = "Names" })).ToBeVisibleAsync();
        var frame = detail.Locator("iframe.sourcepage");
        await Assertions.Expect(frame).ToHaveAttributeAsync("sandbox", "");
        await Assertions.Expect(page.FrameLocator("#review-detail iframe.sourcepage").Locator("body")).Not.ToBeEmptyAsync();
        await page.WaitForTimeoutAsync(500); // the frame paints after its document is there
        await Shot("06b-review-detail");
        await detail.GetByRole(AriaRole.Button, new() { Name = "Choose ", Exact = false }).First.ClickAsync();
        await Assertions.Expect(detail.GetByText("Now ready", new() { Exact = false })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await detail.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("approved", new() { Timeout = 15_000 });
        await detail.GetByRole(AriaRole.Button, new() { Name = "Close the import (Escape)" }).ClickAsync();

        // Bulk approval: the dry run first, then the approval it announced.
        var bulk = page.Locator("section.bulk");
        await bulk.GetByLabel("Batch").FillAsync("1");
        await bulk.GetByRole(AriaRole.Radio, new() { Name = "Thresholds" }).CheckAsync();
        await bulk.GetByLabel("Min quality").FillAsync("0");
        await bulk.GetByLabel("Min confidence").FillAsync("0");
        await Assertions.Expect(bulk.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeDisabledAsync();
        await bulk.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var plan = bulk.GetByRole(AriaRole.Region, new() { Name = "Dry run" });
        await Assertions.Expect(plan).ToContainTextAsync("would be approved");
        await Shot("06c-bulk-dry-run");
        var approveN = bulk.GetByRole(AriaRole.Button, new() { Name = "Approve ", Exact = false });
        var n = int.Parse((await approveN.InnerTextAsync()).Replace("Approve", "").Replace(",", "").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        n.ShouldBeGreaterThan(0);
        await approveN.ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(confirm).ToContainTextAsync($"{n} import", new() { Timeout = 5_000 });
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Approve ", Exact = false }).ClickAsync();
        await Assertions.Expect(bulk.Locator(".bulkprogress")).ToContainTextAsync($"{n} import{(n == 1 ? "" : "s")} approved", new() { Timeout = 60_000 });
        await Shot("06d-bulk-approved");

        // The approved krithi is in the catalog, and the catalog's export downloads it.
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
        var catalogCsv = await DownloadAsync(page, () => page.GetByRole(AriaRole.Group, new() { Name = "Export these krithis" })
            .GetByRole(AriaRole.Button, new() { Name = "CSV", Exact = true }).ClickAsync());
        catalogCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBeGreaterThan(1);

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
        (await page.GetByRole(AriaRole.Heading, new() { Name = "Bulk approve" }).CountAsync()).ShouldBe(0);
        // A viewer opens an import too (under the list at 390 px), and finds no choice to make.
        var viewerFilters = page.Locator("form[aria-label='Review filters']");
        await viewerFilters.Locator("select").First.SelectOptionAsync("");
        await viewerFilters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.Locator("ol.queue > li").First.GetByRole(AriaRole.Button, new() { Name = "Open #", Exact = false }).ClickAsync();
        await Assertions.Expect(page.Locator("#review-detail").GetByRole(AriaRole.Heading, new() { Name = "Names" })).ToBeVisibleAsync();
        (await page.GetByRole(AriaRole.Button, new() { Name = "Choose ", Exact = false }).CountAsync()).ShouldBe(0);
        await Shot("09-review-viewer-390px");

        consoleErrors.ShouldBeEmpty();
        foreign.ShouldBeEmpty();
    }

    /// <summary>Clicks what starts a download and answers the downloaded file's text.</summary>
    static async Task<string> DownloadAsync(IPage page, Func<Task> click)
    {
        var download = await page.RunAndWaitForDownloadAsync(click);
        var path = await download.PathAsync();
        return await File.ReadAllTextAsync(path, Ct);
    }
}
