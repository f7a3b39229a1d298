namespace Grantha.Manifest;

/// <summary>Size limits the reader enforces.</summary>
public sealed record ManifestLimits
{
    /// <summary>
    /// 64 MiB: about 500,000 rows of the Trinity manifests' shape. Also what one batch's files add up to at most,
    /// and so what one upload carries (<see cref="UploadBytesMax"/>).
    /// </summary>
    public const long MaxBytesDefault = 64L * 1024 * 1024;

    /// <summary>
    /// The web server's request body limit (Kestrel and the multipart form read, set from here in ApiHost): the
    /// manifests plus 1 MiB for the multipart headers and the form's other fields. Kestrel's own default
    /// (30,000,000 bytes) refused a 35 MB manifest that the documented limit allows.
    /// </summary>
    public const long UploadBytesMax = MaxBytesDefault + 1024 * 1024;

    /// <summary>Longest cell (in UTF-16 chars): long enough for any title or URL a blog has, short enough to stop pasted pages.</summary>
    public const int MaxCellCharsDefault = 2_000;

    public static readonly ManifestLimits Default = new();

    /// <summary>Bytes of the file, BOM included; a larger file is refused with <c>too_large</c>.</summary>
    public long MaxBytes { get; init; } = MaxBytesDefault;

    /// <summary>Chars of one Krithi, Raga or Hyperlink cell; a longer cell is a <c>cell_too_long</c> row error.</summary>
    public int MaxCellChars { get; init; } = MaxCellCharsDefault;

    /// <summary>A size for a person: "64 MiB", "1.5 MiB", "800 bytes".</summary>
    public static string Describe(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MiB" : $"{bytes:N0} bytes";
}
