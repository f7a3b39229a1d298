using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>
/// Rewrites source URLs onto the batch's offline site and back. The logical URL (the one in the
/// manifest, the evidence, robots and politeness) keeps the source host; only the wire URL, the
/// one connected to, points at the mapped base. Applies only when the batch allows the offline
/// site; then requests to a mapped base may reach loopback (see <see cref="AddressGuard"/>). Every
/// base must be a server this process allows (<see cref="OfflineSites"/>): the batch row alone, which
/// any process with the database could have written, does not open loopback.
/// </summary>
public sealed class HostMapping
{
    readonly List<(string Host, Uri Base)> _map = [];

    public static readonly HostMapping None = new(new BatchOptions(), new OfflineSites());

    /// <exception cref="BatchOptionException">An entry is not an http(s) base URL, or not one <paramref name="allowed"/> names;
    /// the message names the source host, never the base (an address of this machine).</exception>
    public HostMapping(BatchOptions options, OfflineSites allowed)
    {
        if (!options.AllowOfflineSite) return;
        foreach (var (host, baseUrl) in options.HostMap)
        {
            if (OfflineSites.ParseBase(baseUrl) is not { } b)
                throw new BatchOptionException($"hostMap.{host}", $"The host map's base URL for {host} is not an http(s) URL");
            if (!allowed.Allows(b))
                throw new BatchOptionException($"hostMap.{host}", $"The host map sends {host} to a server this process does not allow " +
                                                  "(start the worker with --offline-site-allow, or Fetch:OfflineSiteAllow)", notAllowed: true);
            _map.Add((host.Trim().ToLowerInvariant(), b));
        }
    }

    public bool IsEmpty => _map.Count == 0;

    /// <summary>True when requests to <paramref name="logical"/>'s host go to a mapped base (the offline site), not to the host itself.</summary>
    public bool Maps(Uri logical) => _map.Exists(e => string.Equals(e.Host, logical.Host, StringComparison.OrdinalIgnoreCase));

    /// <summary>The URL to connect to for <paramref name="logical"/>, and whether it is an offline-site base.</summary>
    public (Uri Wire, bool Offline) ToWire(Uri logical)
    {
        foreach (var (host, b) in _map)
            if (string.Equals(host, logical.Host, StringComparison.OrdinalIgnoreCase))
                return (new Uri(b, logical.PathAndQuery.TrimStart('/')), true);
        return (logical, IsOfflineBase(logical));
    }

    /// <summary>
    /// The logical URL behind a wire URL (e.g. a redirect's Location on the offline site). When
    /// several hosts share one base, the host of <paramref name="current"/> (this hop's) wins.
    /// </summary>
    public Uri ToLogical(Uri wire, Uri current)
    {
        (string Host, Uri Base)? best = null;
        foreach (var entry in _map)
        {
            if (!SameAuthority(entry.Base, wire) || !wire.AbsolutePath.StartsWith(entry.Base.AbsolutePath, StringComparison.Ordinal)) continue;
            if (best is null || entry.Base.AbsolutePath.Length > best.Value.Base.AbsolutePath.Length
                || (entry.Base.AbsolutePath.Length == best.Value.Base.AbsolutePath.Length && string.Equals(entry.Host, current.Host, StringComparison.OrdinalIgnoreCase)))
                best = entry;
        }
        if (best is not { } m) return wire;
        var rest = wire.PathAndQuery[(m.Base.AbsolutePath.Length - 1)..];
        return new Uri(new Uri($"{current.Scheme}://{m.Host}/"), rest);
    }

    /// <summary>The logical URL a redirect on <paramref name="wire"/> (fetched for <paramref name="current"/>) points to.</summary>
    public Uri ResolveRedirect(Uri current, Uri wire, string location) =>
        Uri.TryCreate(wire, location, out var target)
            ? ToLogical(target, current)
            : throw Engine.StageException.Permanent(FetchErrors.BadUrl, $"{current} redirects to an invalid location '{location}'");

    bool IsOfflineBase(Uri wire)
    {
        foreach (var (_, b) in _map) if (SameAuthority(b, wire)) return true;
        return false;
    }

    static bool SameAuthority(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);
}
