namespace Grantha.Manifest;

/// <summary>Raised for a server-side manifest path outside the import folder (or missing).</summary>
public sealed class ImportPathException(string message) : Exception(message);

/// <summary>
/// The one folder whose files the API may read as manifests by path. Anything outside it
/// (.., absolute paths elsewhere, symlinks pointing out) is refused.
/// </summary>
public sealed class ImportFolder(string root)
{
    public const string EnvironmentVariable = "GRANTHA_IMPORT_DIR";
    public const string Default = "imports";

    public string Root { get; } = Path.GetFullPath(root);

    public static ImportFolder FromEnvironment(string? explicitRoot = null) =>
        new(explicitRoot ?? Environment.GetEnvironmentVariable(EnvironmentVariable) ?? Default);

    /// <summary>The full path of a file inside the folder, or an <see cref="ImportPathException"/>.</summary>
    public string Resolve(string relativeOrAbsolute)
    {
        if (string.IsNullOrWhiteSpace(relativeOrAbsolute) || relativeOrAbsolute.Contains('\0'))
            throw new ImportPathException("Give the path of a manifest inside the import folder.");
        var full = Path.GetFullPath(Path.Combine(Root, relativeOrAbsolute));
        if (!IsInside(full)) throw new ImportPathException($"'{relativeOrAbsolute}' is outside the import folder {Root}; only files inside it can be imported by path.");
        if (!File.Exists(full)) throw new ImportPathException($"'{relativeOrAbsolute}' does not exist in the import folder {Root}.");
        var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        if (target is not null && !IsInside(Path.GetFullPath(target.FullName)))
            throw new ImportPathException($"'{relativeOrAbsolute}' is a link that points outside the import folder.");
        return full;
    }

    bool IsInside(string full) => full.StartsWith(Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
