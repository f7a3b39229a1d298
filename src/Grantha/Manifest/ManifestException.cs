namespace Grantha.Manifest;

/// <summary>
/// The file as a whole cannot be read (wrong encoding, no header, too large ...). The message names
/// the file, the line where it can, and what to fix. Rows delivered before it was thrown are not a
/// partial import: the whole file is refused.
/// </summary>
public sealed class ManifestException(string code, string message) : Exception(message)
{
    /// <summary>One of the file-level codes of <see cref="ManifestErrorCode"/>.</summary>
    public string Code { get; } = code;
}
