using System.Net;
using System.Net.Sockets;

namespace Grantha.Fetch;

/// <summary>
/// The SSRF rule: which resolved addresses a fetch may connect to. Public unicast only, unless
/// the request goes to a base URL of the batch's offline site, which may also be loopback (and
/// nothing else that is not public). Checked on the addresses actually connected to, inside
/// <see cref="FetchClient"/>'s connect callback, so a DNS answer that changes between checks
/// (rebinding) cannot slip through.
/// </summary>
public static class AddressGuard
{
    /// <summary>True if <paramref name="address"/> may be connected to.</summary>
    public static bool Permits(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (allowLoopback && IPAddress.IsLoopback(address)) return true;
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => IsPublicV6(address),
            _ => false,
        };
    }

    static bool IsPublicV4(byte[] b) => !(
        b[0] == 0                                   // 0.0.0.0/8 "this network", unspecified
        || b[0] == 10                               // 10/8 private
        || b[0] == 127                              // loopback
        || (b[0] == 100 && (b[1] & 0xC0) == 64)     // 100.64/10 carrier-grade NAT
        || (b[0] == 169 && b[1] == 254)             // link-local (cloud metadata lives here)
        || (b[0] == 172 && (b[1] & 0xF0) == 16)     // 172.16/12 private
        || (b[0] == 192 && b[1] == 168)             // 192.168/16 private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)  // 192.0.0/24 protocol assignments
        || (b[0] == 192 && b[1] == 0 && b[2] == 2)  // documentation
        || (b[0] == 198 && (b[1] & 0xFE) == 18)     // 198.18/15 benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)
        || (b[0] == 203 && b[1] == 0 && b[2] == 113)
        || b[0] >= 224);                            // multicast, reserved, broadcast

    static bool IsPublicV6(IPAddress a)
    {
        var b = a.GetAddressBytes();
        if (a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.IPv6Loopback)) return false;
        if (a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || a.IsIPv6Multicast) return false;
        if ((b[0] & 0xFE) == 0xFC) return false;                                  // fc00::/7 unique local
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return false; // 2001:db8::/32 documentation
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return false;  // 2001::/32 Teredo hides a v4 server
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return false;            // ::/96 IPv4-compatible (deprecated)
        // Prefixes that embed an IPv4 address are judged by that address.
        if (b[0] == 0x20 && b[1] == 0x02) return IsPublicV4(b[2..6]);             // 2002::/16 6to4
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return IsPublicV4(b[12..16]);                                         // 64:ff9b::/96 NAT64
        return true;
    }
}

/// <summary>Thrown inside the connect callback when every resolved address is refused.</summary>
public sealed class AddressRefusedException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"refused to connect to {host} ({string.Join(", ", addresses)}): not a public address")
{
    public string Host { get; } = host;
    public IReadOnlyList<IPAddress> Addresses { get; } = addresses;
}
