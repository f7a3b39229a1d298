namespace Grantha.Manifest;

/// <summary>
/// One data row of a manifest, as the reader delivers it: either an accepted <see cref="ManifestRow"/>
/// or a <see cref="RowError"/>. <see cref="RowNumber"/> is the row number a curator sees in a
/// spreadsheet: the header is row 1, the first data row is row 2, blank rows are counted, and a
/// quoted cell spanning several lines is still one row.
/// </summary>
public abstract record ManifestLine(int RowNumber);

/// <summary>An accepted row. Cells are trimmed with inner whitespace runs collapsed to one space.</summary>
/// <param name="Url">The URL as written (trimmed).</param>
/// <param name="NormalizedUrl">The URL after <see cref="ManifestUrl.Normalize"/>: what the fetch stage fetches and keys on.</param>
/// <param name="Host">The host of <paramref name="NormalizedUrl"/> (lowercase, punycode, no port).</param>
public sealed record ManifestRow(int RowNumber, string Krithi, string? Raga, string Url, string NormalizedUrl, string Host)
    : ManifestLine(RowNumber);

/// <summary>A refused row: <paramref name="Code"/> is one of <see cref="ManifestErrorCode"/>, <paramref name="Message"/> says what to fix.</summary>
public sealed record RowError(int RowNumber, string Code, string Message, string? Krithi, string? Raga, string? RawUrl)
    : ManifestLine(RowNumber);
