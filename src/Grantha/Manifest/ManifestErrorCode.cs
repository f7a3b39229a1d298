namespace Grantha.Manifest;

/// <summary>
/// Every code the manifest reader reports; docs/manifest.md explains each and what the curator
/// should fix. File codes come with a <see cref="ManifestException"/>, row codes with a <see cref="RowError"/>.
/// </summary>
public static class ManifestErrorCode
{
    // File errors: the whole file is refused.
    public const string EmptyFile = "empty_file";
    public const string NoRows = "no_rows";
    public const string TooLarge = "too_large";
    public const string BinaryFile = "binary_file";
    public const string NotUtf8 = "not_utf8";
    public const string Utf16 = "utf16";
    public const string MissingColumns = "missing_columns";
    public const string DuplicateColumns = "duplicate_columns";
    public const string UnbalancedQuote = "unbalanced_quote";

    // Row errors: the row is refused, every other row is still read.
    public const string WrongFieldCount = "wrong_field_count";
    public const string BadQuotes = "bad_quotes";
    public const string CellTooLong = "cell_too_long";
    public const string NewlineInCell = "newline_in_cell";
    public const string ControlCharacter = "control_character";
    public const string FormulaLikeCell = "formula_like_cell";
    public const string MissingTitle = "missing_title";
    public const string MissingUrl = "missing_url";
    public const string BadUrl = "bad_url";
    public const string UnsupportedScheme = "unsupported_scheme";
    public const string UserinfoInUrl = "userinfo_in_url";
    public const string PrivateAddress = "private_address";
    public const string DuplicateRow = "duplicate_row";
}
