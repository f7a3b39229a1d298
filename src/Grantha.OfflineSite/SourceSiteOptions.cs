namespace Grantha.OfflineSite;

/// <summary>How the offline source site runs (see docs/source-site.md).</summary>
public sealed record SourceSiteOptions
{
    public const long DefaultSeed = 42;

    /// <summary>First port; hosts get BasePort, BasePort+1, ... in manifest order (Dikshitar, Thyagaraja, Syama Sastri).</summary>
    public const int DefaultBasePort = 5081;

    /// <summary>Seed for pages, ground truth and fault decisions.</summary>
    public long Seed { get; init; } = DefaultSeed;

    /// <summary>First port, or 0 to let the OS pick a free port per host (tests).</summary>
    public int BasePort { get; init; } = DefaultBasePort;

    public SiteFaults Faults { get; init; } = SiteFaults.None;

    /// <summary>Manifest CSV files to serve; null = the built-in sample (the CLI passes the Trinity manifests in ../shared when present).</summary>
    public IReadOnlyList<string>? Manifests { get; init; }

    /// <summary>Rows to serve directly (instead of manifests); for tests and tools.</summary>
    public IReadOnlyList<SourceRow>? Rows { get; init; }

    /// <summary>When set, every page's ground truth is written there as &lt;page&gt;.json at start.</summary>
    public string? TruthDir { get; init; }

    /// <summary>When set, every request is appended there as one JSON line.</summary>
    public string? LogFile { get; init; }

    /// <summary>Generate every page in the background right after start (pages are cached either way).</summary>
    public bool Pregenerate { get; init; }
}
