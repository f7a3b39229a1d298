using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.Extensions.DependencyInjection;

namespace Grantha.Tests;

/// <summary>The composition root: options from configuration, one HTTP client factory, one pipeline.</summary>
public class CompositionTests
{
    [Fact]
    public async Task Options_come_from_configuration_and_the_process_shares_one_pipeline_and_one_fetch_client()
    {
        var dir = Directory.CreateTempSubdirectory("grantha-composition");
        try
        {
            await using var db = Db.Open("sqlite:" + Path.Combine(dir.FullName, "c.db"));
            var config = Composition.Configuration(new Dictionary<string, string?>
            {
                ["Fetch:RequestTimeout"] = "00:00:07",
                ["Fetch:Gate:MinDelay"] = "00:00:00.200",
                ["Worker:PollInterval"] = "00:00:00.050",
                ["Worker:Concurrency:FETCH"] = "3",
                ["Worker:StuckAfter"] = "00:30:00",
            });
            await using var app = GranthaApp.Create(db, config);

            var fetch = app.Services.GetRequiredService<FetchOptions>();
            fetch.RequestTimeout.ShouldBe(TimeSpan.FromSeconds(7));
            fetch.Gate.MinDelay.ShouldBe(TimeSpan.FromMilliseconds(200));
            fetch.MaxRedirects.ShouldBe(FetchOptions.MaxRedirectsDefault);
            var worker = app.Services.GetRequiredService<WorkerOptions>();
            worker.PollInterval.ShouldBe(TimeSpan.FromMilliseconds(50));
            worker.Concurrency.ShouldNotBeNull()[FetchHandler.Name].ShouldBe(3);
            worker.StuckAfter.ShouldBe(TimeSpan.FromMinutes(30));
            worker.WatchInterval.ShouldBe(Watchdog.IntervalDefault);

            app.Pipeline.ShouldBeSameAs(app.Services.GetRequiredService<Pipeline>());
            app.Pipeline.Names.ShouldBe(["MANIFEST", "FETCH", "EXTRACT", "RESOLVE", "APPROVE"]);
            ((FetchHandler)app.Pipeline[FetchHandler.Name]).Options.ShouldBeSameAs(fetch);
            app.Services.GetRequiredService<FetchClient>().ShouldBeSameAs(app.Services.GetRequiredService<FetchClient>());
            app.Services.GetRequiredService<IHttpClientFactory>().ShouldNotBeNull();
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Processes_log_information_but_not_a_line_per_http_request()
    {
        using var logs = Microsoft.Extensions.Logging.LoggerFactory.Create(b => Composition.ConfigureLogging(b));
        logs.CreateLogger("Grantha.Engine.Worker").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information).ShouldBeTrue();
        logs.CreateLogger("System.Net.Http.HttpClient.fetch.LogicalHandler").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information).ShouldBeFalse();
        logs.CreateLogger("Polly").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information).ShouldBeFalse();
        logs.CreateLogger("Polly").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Warning).ShouldBeTrue();
    }
}
