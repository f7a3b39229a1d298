using System.Collections.Concurrent;
using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>
/// The servers this process lets a batch's host map point at (the offline source site it started, or an
/// allow-list given at start: <c>--offline-site</c>, <c>--offline-site-allow</c>, <c>Fetch:OfflineSiteAllow</c>).
/// Mapping a host onto another server reaches loopback, so it is a development feature: with nothing
/// allowed, no host map is honoured. Checked when a batch is created (<see cref="Check"/>) and again by
/// the fetch stage before it connects (<see cref="HostMapping"/>): a batch row written by another process
/// does not get past it.
/// </summary>
public sealed class OfflineSites
{
    readonly ConcurrentDictionary<string, bool> _origins = new(StringComparer.Ordinal);

    public OfflineSites(IEnumerable<string>? baseUrls = null) => Allow(baseUrls ?? []);

    /// <summary>Allows the origins (scheme, host, port) of <paramref name="baseUrls"/>.</summary>
    /// <exception cref="ArgumentException">A URL is not an absolute http(s) URL.</exception>
    public OfflineSites Allow(IEnumerable<string> baseUrls)
    {
        foreach (var u in baseUrls)
        {
            if (ParseBase(u) is not { } b) throw new ArgumentException($"Offline site '{u}' is not an http(s) URL such as http://127.0.0.1:5081.");
            _origins[Origin(b)] = true;
        }
        return this;
    }

    /// <summary>True when some server is allowed: the API takes host maps only then.</summary>
    public bool Any => !_origins.IsEmpty;

    public bool Allows(Uri baseUrl) => _origins.ContainsKey(Origin(baseUrl));

    /// <summary>scheme://host:port, lower case: what a connection goes to.</summary>
    public static string Origin(Uri u) => $"{u.Scheme}://{u.Host.ToLowerInvariant()}:{u.Port}";

    /// <summary>An absolute http(s) base URL (a path prefix is allowed), or null.</summary>
    public static Uri? ParseBase(string? baseUrl) =>
        baseUrl is { Length: > 0 } s && Uri.TryCreate(s.Trim().EndsWith('/') ? s.Trim() : s.Trim() + "/", UriKind.Absolute, out var b)
        && b.Scheme is "http" or "https" && b.UserInfo.Length == 0 ? b : null;

    /// <summary>
    /// A batch's offline-site options as a caller sent them: every map entry an http(s) base URL that this
    /// process allows; a map only with <see cref="BatchOptions.AllowOfflineSite"/>. Messages name the field and
    /// the source host, never an allowed address.
    /// </summary>
    /// <exception cref="BatchOptionException">The first entry refused, with its field.</exception>
    public void Check(BatchOptions options)
    {
        if (!options.AllowOfflineSite && options.HostMap.Count == 0) return;
        if (!options.AllowOfflineSite)
            throw new BatchOptionException("allowOfflineSite", "A hostMap needs allowOfflineSite: true.");
        if (!Any)
            throw new BatchOptionException("allowOfflineSite",
                "This server does not map hosts onto other servers. Start it with --offline-site (or --offline-site-allow <url>) to allow it.");
        foreach (var (host, baseUrl) in options.HostMap)
        {
            var field = $"hostMap.{host}";
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host.Trim()) == UriHostNameType.Unknown)
                throw new BatchOptionException("hostMap", "Every hostMap key is a source host name, such as guru-guha.blogspot.com.");
            if (ParseBase(baseUrl) is not { } b)
                throw new BatchOptionException(field, $"The base URL for {host} is not an absolute http(s) URL such as http://127.0.0.1:5081.");
            if (!Allows(b))
                throw new BatchOptionException(field, $"The base URL for {host} is not an offline site this server allows (see --offline-site-allow).", notAllowed: true);
        }
    }
}
