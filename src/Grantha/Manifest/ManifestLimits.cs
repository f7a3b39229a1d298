namespace Grantha.Manifest;

/// <summary>Size limits the reader enforces.</summary>
public sealed record ManifestLimits
{
    /// <summary>64 MiB: about 500,000 rows of the Trinity manifests' shape.</summary>
    public const long MaxBytesDefault = 64L * 1024 * 1024;

    /// <summary>Longest cell (in UTF-16 chars): long enough for any title or URL a blog has, short enough to stop pasted pages.</summary>
    public const int MaxCellCharsDefault = 2_000;

    public static readonly ManifestLimits Default = new();

    /// <summary>Bytes of the file, BOM included; a larger file is refused with <c>too_large</c>.</summary>
    public long MaxBytes { get; init; } = MaxBytesDefault;

    /// <summary>Chars of one Krithi, Raga or Hyperlink cell; a longer cell is a <c>cell_too_long</c> row error.</summary>
    public int MaxCellChars { get; init; } = MaxCellCharsDefault;
}
