using System.Net;
using System.Net.Sockets;
using Grantha.Cli;

namespace Grantha.Tests.OfflineSite;

/// <summary>An import onto the offline site checks first that something answers there.</summary>
public class OfflineSiteCheckTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_mapped_server_that_answers_passes_and_one_that_does_not_says_what_to_start()
    {
        var listening = new TcpListener(IPAddress.Loopback, 0);
        listening.Start();
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        try
        {
            var up = $"http://127.0.0.1:{((IPEndPoint)listening.LocalEndpoint).Port}";
            await OfflineSiteLink.CheckReachableAsync(new Dictionary<string, string> { ["a.blogspot.com"] = up, ["b.blogspot.com"] = up }, Ct);

            var e = await Should.ThrowAsync<ArgumentException>(() => OfflineSiteLink.CheckReachableAsync(
                new Dictionary<string, string> { ["a.blogspot.com"] = up, ["guru-guha.blogspot.com"] = $"http://127.0.0.1:{closedPort}" }, Ct, TimeSpan.FromMilliseconds(300)));
            e.Message.ShouldContain($"127.0.0.1:{closedPort}");
            e.Message.ShouldContain("guru-guha.blogspot.com");
            e.Message.ShouldContain("./grantha sources serve");
        }
        finally { listening.Stop(); }
    }

    [Fact]
    public async Task A_site_that_starts_listening_a_moment_later_is_waited_for()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var late = new TcpListener(IPAddress.Loopback, port);
        var starting = Task.Run(async () => { await Task.Delay(600, Ct); late.Start(); }, Ct);
        try
        {
            await OfflineSiteLink.CheckReachableAsync(new Dictionary<string, string> { ["a.blogspot.com"] = $"http://127.0.0.1:{port}" }, Ct, TimeSpan.FromSeconds(10));
        }
        finally { await starting; late.Stop(); }
    }
}
