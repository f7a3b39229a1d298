using System.Diagnostics.Metrics;

namespace Grantha.Resolve;

/// <summary>Counters of the RESOLVE stage (meter "Grantha.Resolve").</summary>
public static class ResolveMetrics
{
    public const string MeterName = "Grantha.Resolve";
    static readonly Meter Meter = new(MeterName);

    /// <summary>Pages resolved, by status (resolved, needs_review).</summary>
    public static readonly Counter<long> Pages = Meter.CreateCounter<long>("grantha_resolve_pages", description: "Pages resolved by status");
}
