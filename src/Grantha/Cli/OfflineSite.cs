using System.Text;
using Grantha.Sources;

namespace Grantha.Cli;

/// <summary>What the CLI needs to point a batch at the offline source site.</summary>
public static class OfflineSite
{
    /// <summary>The host map of a site running on its default ports (./grantha sources serve).</summary>
    public static Dictionary<string, string> DefaultHostMap(int basePort = SourceSiteOptions.DefaultBasePort) =>
        Blog.Trinity.Select((b, i) => (b.Host, Url: $"http://127.0.0.1:{basePort + i}"))
            .ToDictionary(x => x.Host, x => x.Url, StringComparer.OrdinalIgnoreCase);

    /// <summary>The site's built-in sample rows as a manifest file, for a demo without ../shared.</summary>
    public static byte[] SampleManifest()
    {
        var sb = new StringBuilder("Krithi,Raga,Hyperlink\r\n");
        foreach (var r in SiteManifest.BuiltInSample) sb.Append($"{Quote(r.Krithi)},{Quote(r.Raga)},{r.Url}\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
