using System.Text;
using Grantha.OfflineSite;

namespace Grantha.Cli;

/// <summary>What the CLI needs to point a batch at the offline source site.</summary>
public static class OfflineSiteLink
{
    /// <summary>The host map of a site running on its default ports (./grantha sources serve).</summary>
    public static Dictionary<string, string> DefaultHostMap(int basePort = SourceSiteOptions.DefaultBasePort) =>
        Blog.Trinity.Select((b, i) => (b.Host, Url: $"http://127.0.0.1:{basePort + i}"))
            .ToDictionary(x => x.Host, x => x.Url, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Before an import that maps hosts onto other servers: every server must take a connection,
    /// or its FETCH tasks would only retry <c>robots_unavailable</c> until someone noticed.
    /// </summary>
    /// <exception cref="ArgumentException">A server does not answer; the message says what to start or fix.</exception>
    public static async Task CheckReachableAsync(IReadOnlyDictionary<string, string> hostMap, CancellationToken ct, TimeSpan? patience = null)
    {
        foreach (var group in hostMap.GroupBy(kv => new Uri(kv.Value).GetComponents(UriComponents.HostAndPort, UriFormat.Unescaped)))
        {
            var target = new Uri(group.First().Value);
            // A site started a moment ago (sources serve &) may still be preparing its pages.
            var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(5));
            while (!await AnswersAsync(target, ct))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    var hosts = string.Join(", ", group.Select(kv => kv.Key));
                    throw new ArgumentException($"Nothing answers at {group.Key} (mapped for {hosts}). Start the offline site first " +
                                                "(./grantha sources serve), or correct --host-map.");
                }
                await Task.Delay(250, ct);
            }
        }
    }

    static async Task<bool> AnswersAsync(Uri target, CancellationToken ct)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(1));
        try { await tcp.ConnectAsync(target.Host, target.Port, wait.Token); return true; }
        catch (Exception e) when (e is System.Net.Sockets.SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested)) { return false; }
    }

    /// <summary>The site's built-in sample rows as a manifest file, for a demo without ../shared.</summary>
    public static byte[] SampleManifest()
    {
        var sb = new StringBuilder("Krithi,Raga,Hyperlink\r\n");
        foreach (var r in SiteManifest.BuiltInSample) sb.Append($"{Quote(r.Krithi)},{Quote(r.Raga)},{r.Url}\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
