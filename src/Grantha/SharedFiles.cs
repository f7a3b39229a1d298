namespace Grantha;

/// <summary>
/// Finds the project's <c>shared/</c> folder, which lives beside the checkout (never inside it:
/// its manifests, pages and reference data belong to third parties).
/// </summary>
public static class SharedFiles
{
    /// <summary>Environment variable that names the folder explicitly.</summary>
    public const string EnvironmentVariable = "GRANTHA_SHARED";

    /// <summary>The shared folder, or null when it is absent.</summary>
    public static string? Root { get; } = Locate();

    public static string ManifestsDir => Path.Combine(Require(), "manifests");
    public static string PagesDir => Path.Combine(Require(), "pages");
    public static string ReferenceDir => Path.Combine(Require(), "reference");

    /// <summary>The three Trinity manifests (1,240 rows), in a fixed order.</summary>
    public static IReadOnlyList<string> TrinityManifests => new[]
    {
        Path.Combine(ManifestsDir, "Dikshitar-Krithi-For-Import.csv"),
        Path.Combine(ManifestsDir, "Thyagaraja-Krithi-For-Import.csv"),
        Path.Combine(ManifestsDir, "Syama-Sastri-Krithi-For-Import.csv"),
    };

    /// <summary>
    /// The Trinity manifests when the shared folder is present, else null: what the offline site
    /// serves by default (given null, it serves its built-in sample).
    /// </summary>
    public static IReadOnlyList<string>? TrinityManifestsIfPresent => Root is null ? null : TrinityManifests;

    public static string Require() => Root ?? throw new DirectoryNotFoundException(
        "The shared folder was not found: put it beside the checkout as ../shared, or set GRANTHA_SHARED.");

    static string? Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
            return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "manifests")) && dir.FullName != start.TrimEnd('/'))
                    return candidate;
                candidate = Path.Combine(dir.FullName, "..", "shared");
                if (Directory.Exists(Path.Combine(candidate, "manifests")))
                    return Path.GetFullPath(candidate);
            }
        }
        return null;
    }
}
