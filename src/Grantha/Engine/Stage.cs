namespace Grantha.Engine;

/// <summary>The pipeline stages, in order. Each batch has one job per stage.</summary>
public static class Stage
{
    public const string Manifest = "MANIFEST";
    public const string Fetch = "FETCH";
    public const string Extract = "EXTRACT";
    public const string Resolve = "RESOLVE";

    public static readonly IReadOnlyList<string> All = [Manifest, Fetch, Extract, Resolve];

    public static bool IsKnown(string stage) => All.Contains(stage);
}
