namespace Grantha.Tests;

/// <summary>
/// Guards tests that read ../shared. In CI (CI=true) a missing folder is a failure with a clear
/// message; elsewhere the test is skipped with a visible reason.
/// </summary>
public static class Shared
{
    public static string Require()
    {
        if (SharedFiles.Root is { } root) return root;
        const string why = "../shared is missing (manifests, pages, reference data): put it beside the checkout or set GRANTHA_SHARED";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(why);
        Assert.Skip(why);
        return null!;
    }
}
