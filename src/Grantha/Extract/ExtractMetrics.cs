using System.Diagnostics.Metrics;

namespace Grantha.Extract;

/// <summary>The "Grantha.Extract" meter: pages extracted (clean or with warnings) and warnings by code.</summary>
public static class ExtractMetrics
{
    public const string MeterName = "Grantha.Extract";

    static readonly Meter Meter = new(MeterName);

    /// <summary>Pages extracted, tagged outcome=clean|warnings.</summary>
    public static readonly Counter<long> Pages =
        Meter.CreateCounter<long>("grantha.extract.pages", description: "Pages extracted, by outcome");
}
