using System.Reflection;

namespace Grantha.Fetch;

/// <summary>The knobs of the fetch stage, with their defaults in one place.</summary>
public sealed record FetchOptions
{
    /// <summary>Redirect hops followed per fetch (each hop is checked again: scheme, address, robots, politeness).</summary>
    public const int MaxRedirectsDefault = 5;
    /// <summary>A krithi page is 55-130 KB; anything far larger is not one.</summary>
    public const long MaxBodyBytesDefault = 5 * 1024 * 1024;
    public static readonly TimeSpan ConnectTimeoutDefault = TimeSpan.FromSeconds(10);
    /// <summary>One request, from sending to the last byte of the body.</summary>
    public static readonly TimeSpan RequestTimeoutDefault = TimeSpan.FromSeconds(20);
    /// <summary>The product token robots.txt groups are matched against.</summary>
    public const string AgentToken = "SangitaGrantha";
    /// <summary>Where a site owner can reach whoever runs this crawler (URL or mailto:), sent in the User-Agent.</summary>
    public const string ContactEnvironmentVariable = "GRANTHA_CONTACT";

    public int MaxRedirects { get; init; } = MaxRedirectsDefault;
    public long MaxBodyBytes { get; init; } = MaxBodyBytesDefault;
    public TimeSpan ConnectTimeout { get; init; } = ConnectTimeoutDefault;
    public TimeSpan RequestTimeout { get; init; } = RequestTimeoutDefault;
    public string? Contact { get; init; } = Environment.GetEnvironmentVariable(ContactEnvironmentVariable) is { Length: > 0 } c ? c : null;
    public HostGateOptions Gate { get; init; } = new();
    /// <summary>
    /// The servers a batch's host map may point at in this process (configuration key <c>Fetch:OfflineSiteAllow</c>, a list;
    /// <c>serve --offline-site</c> adds the site it starts). Nothing by default: no host map is honoured.
    /// </summary>
    public OfflineSites OfflineSites { get; init; } = new();
    public RobotsOptions Robots { get; init; } = new();

    /// <summary><c>SangitaGrantha/&lt;version&gt; (+contact)</c>.</summary>
    public string UserAgent
    {
        get
        {
            var version = typeof(FetchOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                          ?? typeof(FetchOptions).Assembly.GetName().Version?.ToString(3) ?? "0";
            return Contact is null ? $"{AgentToken}/{version}" : $"{AgentToken}/{version} (+{Contact})";
        }
    }
}
