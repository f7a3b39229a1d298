using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Grantha.Manifest;

/// <summary>
/// The one URL normaliser: the manifest reader, the fetch stage and the idempotency keys all use
/// it, so one page is one key however a curator wrote its URL. It also refuses, cheaply and early,
/// URLs that must never be fetched (other schemes, credentials, private address literals); the
/// fetch stage still checks the addresses DNS gives at fetch time.
/// </summary>
public static class ManifestUrl
{
    /// <summary>
    /// The normalized form of an http(s) URL: scheme and host lowercase, host in punycode without a
    /// trailing dot, default port dropped, fragment dropped, dot segments resolved, path case kept,
    /// percent-escapes uppercase (unreserved ones decoded), query kept as written (not sorted:
    /// servers may care about order) except that an empty query ('?' alone) is dropped. Throws <see cref="FormatException"/> (message starts with
    /// the error code) for a URL that <see cref="Check"/> refuses.
    /// </summary>
    public static string Normalize(string url)
    {
        var check = Check(url);
        return check.IsAccepted ? check.NormalizedUrl! : throw new FormatException($"{check.ErrorCode}: {check.ErrorMessage}");
    }

    /// <summary>Normalizes <paramref name="url"/> or says why it is refused (a row error code of <see cref="ManifestErrorCode"/>).</summary>
    public static UrlCheck Check(string url)
    {
        var s = url.Trim();
        if (s.Length == 0) return Refuse(ManifestErrorCode.MissingUrl, "The Hyperlink cell is empty: put the page's URL in it.");
        if (s.AsSpan().IndexOfAny(SpaceOrControl) >= 0)
            return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' contains a space or control character: copy the URL again from the browser's address bar.");

        var colon = SchemeLength(s);
        if (colon <= 0)
            return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' is not an absolute URL: it must start with http:// or https://.");
        var scheme = s[..colon].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
            return Refuse(ManifestErrorCode.UnsupportedScheme, $"'{Short(s)}' uses the scheme '{scheme}:': only http:// and https:// pages can be imported.");
        if (!s.AsSpan(colon + 1).StartsWith("//"))
            return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' is not a valid URL: '{scheme}:' must be followed by '//' and a host.");

        var authority = s.AsSpan(colon + 3);
        var end = authority.IndexOfAny("/?#\\");
        if (end >= 0) authority = authority[..end];
        if (authority.Contains('@'))
            return Refuse(ManifestErrorCode.UserinfoInUrl, $"'{Short(s)}' contains a user name or password before '@': remove it; manifests list public pages only.");

        if (!Uri.TryCreate(s, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' is not a valid URL: check the host and port.");

        string host;
        switch (uri.HostNameType)
        {
            case UriHostNameType.IPv4:
            case UriHostNameType.IPv6:
                var address = IPAddress.Parse(uri.Host.Trim('[', ']'));
                if (BlockedRange(address) is { } range)
                    return Refuse(ManifestErrorCode.PrivateAddress, $"'{Short(s)}' points at {address} ({range}), which is not a public web site.");
                var plain = new IPAddress(address.GetAddressBytes()); // without an IPv6 zone (%eth0)
                host = plain.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{plain}]" : plain.ToString();
                break;
            case UriHostNameType.Dns:
                // IdnHost is slow; an ASCII host is already punycode (Uri lowercases it).
                try { host = (Ascii.IsValid(uri.Host) ? uri.Host : uri.IdnHost).ToLowerInvariant().TrimEnd('.'); }
                catch (UriFormatException) { return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' has a host name that is not valid."); }
                if (host.Length == 0 || host.Contains(".."))
                    return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' has a host name that is not valid.");
                if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
                    return Refuse(ManifestErrorCode.PrivateAddress, $"'{Short(s)}' points at {host} (this machine), which is not a public web site.");
                // A numeric last label is an IP address the URL parser could not read (e.g. 256.1.1.1).
                if (IsNumericLabel(host.AsSpan(host.LastIndexOf('.') + 1)))
                    return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' has a host that is neither a valid IP address nor a host name.");
                break;
            default:
                return Refuse(ManifestErrorCode.BadUrl, $"'{Short(s)}' has no valid host.");
        }

        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        var pathAndQuery = uri.PathAndQuery;
        if (pathAndQuery.EndsWith('?') && pathAndQuery.IndexOf('?') == pathAndQuery.Length - 1) pathAndQuery = pathAndQuery[..^1]; // an empty query
        var normalized = $"{scheme}://{host}{port}{pathAndQuery}";
        return new UrlCheck(normalized, host, null, null);
    }

    /// <summary>
    /// Why an address must not be fetched (e.g. "loopback"), or null for a public address.
    /// Covers IPv4 and IPv6 private, loopback, link-local, CGNAT, multicast, unspecified,
    /// documentation and reserved ranges, and IPv4 addresses embedded in IPv6
    /// (<c>::ffff:127.0.0.1</c>, NAT64, 6to4). The fetch stage applies it to resolved addresses too.
    /// </summary>
    public static string? BlockedRange(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            foreach (var (net, bits, name) in BlockedV4)
                if (Matches(b, net, bits)) return name;
            return null;
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "not an IP address";

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        foreach (var (net, bits, name) in BlockedV6)
            if (Matches(v6, net, bits)) return name;
        // IPv4 inside IPv6: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:abcd:...
        ReadOnlySpan<byte> embedded =
            Matches(v6, MappedPrefix, 96) || Matches(v6, CompatiblePrefix, 96) || Matches(v6, Nat64Prefix, 96) ? v6[12..] :
            Matches(v6, SixToFourPrefix, 16) ? v6[2..6] : default;
        if (embedded.IsEmpty) return null;
        return BlockedRange(new IPAddress(embedded)) is { } inner ? inner + " (inside an IPv6 address)" : null;
    }

    static readonly (byte[] Net, int Bits, string Name)[] BlockedV4 =
    [
        ([0, 0, 0, 0], 8, "unspecified/this network"),
        ([10, 0, 0, 0], 8, "private network"),
        ([100, 64, 0, 0], 10, "carrier-grade NAT"),
        ([127, 0, 0, 0], 8, "loopback"),
        ([169, 254, 0, 0], 16, "link-local"),
        ([172, 16, 0, 0], 12, "private network"),
        ([192, 0, 0, 0], 24, "IETF protocol assignments"),
        ([192, 0, 2, 0], 24, "documentation"),
        ([192, 88, 99, 0], 24, "6to4 relay"),
        ([192, 168, 0, 0], 16, "private network"),
        ([198, 18, 0, 0], 15, "benchmarking"),
        ([198, 51, 100, 0], 24, "documentation"),
        ([203, 0, 113, 0], 24, "documentation"),
        ([224, 0, 0, 0], 4, "multicast"),
        ([240, 0, 0, 0], 4, "reserved/broadcast"),
    ];

    static readonly (byte[] Net, int Bits, string Name)[] BlockedV6 =
    [
        (new byte[16], 128, "unspecified"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"),
        ([0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only"),
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 32, "documentation"),
        ([0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7, "unique local (private network)"),
        ([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10, "link-local"),
        ([0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local (private network)"),
        ([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8, "multicast"),
    ];

    static readonly byte[] MappedPrefix = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0];
    static readonly byte[] CompatiblePrefix = new byte[16];
    static readonly byte[] Nat64Prefix = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    static readonly byte[] SixToFourPrefix = [0x20, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    static bool Matches(ReadOnlySpan<byte> address, ReadOnlySpan<byte> net, int bits)
    {
        var whole = bits / 8;
        if (!address[..whole].SequenceEqual(net[..whole])) return false;
        var rest = bits % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (address[whole] & mask) == (net[whole] & mask);
    }

    // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    static int SchemeLength(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetter(s[0])) return -1;
        for (var i = 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == ':') return i;
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return -1;
        }
        return -1;
    }

    static bool IsNumericLabel(ReadOnlySpan<char> label) =>
        label.Length > 0 && (!label.ContainsAnyExceptInRange('0', '9') ||
            (label.StartsWith("0x", StringComparison.Ordinal) && !label[2..].ContainsAnyExcept(HexDigits)));

    static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    static readonly SearchValues<char> SpaceOrControl = SearchValues.Create(
        string.Concat(Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(c => char.IsWhiteSpace(c) || char.IsControl(c))));

    static string Short(string s) => s.Length <= 80 ? s : s[..77] + "...";

    static UrlCheck Refuse(string code, string message) => new(null, null, code, message);
}

/// <summary>The verdict of <see cref="ManifestUrl.Check"/>: a normalized URL and host, or an error code and message.</summary>
public readonly record struct UrlCheck(string? NormalizedUrl, string? Host, string? ErrorCode, string? ErrorMessage)
{
    public bool IsAccepted => ErrorCode is null;
}
