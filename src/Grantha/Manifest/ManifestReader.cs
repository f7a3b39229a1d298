using System.Runtime.CompilerServices;
using System.Text;
using nietras.SeparatedValues;

namespace Grantha.Manifest;

/// <summary>
/// Reads a manifest (CSV with the columns Krithi, Raga, Hyperlink; docs/manifest.md) as a stream
/// of rows. Every non-blank data row comes out exactly once, accepted or as a <see cref="RowError"/>;
/// a problem with the file as a whole throws <see cref="ManifestException"/>.
/// </summary>
public static class ManifestReader
{
    public const string KrithiColumn = "Krithi";
    public const string RagaColumn = "Raga";
    public const string HyperlinkColumn = "Hyperlink";

    // Big enough that Sep reads a 12 MB file in a few hundred reads, small enough to stay out of the LOH.
    const int ReadBufferChars = 32 * 1024;

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads <paramref name="stream"/> (left open) row by row. It never holds more than one row and
    /// the parser's buffer in memory, plus one key per row to find duplicates. A
    /// <see cref="ManifestException"/> can come after rows were delivered (a bad byte near the end,
    /// an unclosed quote): the whole file is then refused.
    /// </summary>
    public static IAsyncEnumerable<ManifestLine> ReadAsync(Stream stream, string fileName, ManifestLimits? limits = null, CancellationToken ct = default) =>
        ReadAsync(stream, fileName, limits ?? ManifestLimits.Default, quoteHeader: true, ct);

    /// <summary>
    /// How much of a file <see cref="CheckStartAsync"/> reads at least: most manifests (the Trinity's are 8-81 KB)
    /// are read whole, so every file error they have is found; a bigger file's later errors are found by its
    /// MANIFEST task.
    /// </summary>
    public const int CheckStartBytes = 1024 * 1024;

    /// <summary>
    /// The file checks that need only the start of a file, run before a batch exists: size, encoding (BOM,
    /// UTF-16, binary, workbook, bytes that are not UTF-8), the header, and at least one data row; the reader
    /// itself runs them (one place for the rules), over the first <see cref="CheckStartBytes"/> or the whole
    /// file. Null when the start is fine.
    /// </summary>
    public static async Task<ManifestProblem?> CheckStartAsync(ManifestInput file, ManifestLimits limits, CancellationToken ct = default)
    {
        await using var stream = new MemoryStream(file.Content, writable: false);
        try
        {
            // The reader throws a file error when it meets one, or at the end (no header, no rows).
            await foreach (var _ in ReadAsync(stream, file.Name, limits, quoteHeader: !file.FromImportFolder, ct))
                if (stream.Position >= CheckStartBytes) break;
            return null;
        }
        catch (ManifestException e)
        {
            return new ManifestProblem(file.Name, e.Code, e.Message);
        }
    }

    static async IAsyncEnumerable<ManifestLine> ReadAsync(
        Stream stream, string fileName, ManifestLimits limits, bool quoteHeader, [EnumeratorCancellation] CancellationToken ct)
    {
        var input = new ManifestInputStream(stream, fileName, limits.MaxBytes);
        using var text = new StreamReader(input, StrictUtf8, detectEncodingFromByteOrderMarks: false, ReadBufferChars, leaveOpen: true);
        var rows = new RowReader(fileName, limits, quoteHeader);
        using var csv = await Parse(rows, () => Sep.Reader(o => o with
        {
            Sep = new Sep(','),       // never guess: a title with ';' must not change the separator
            HasHeader = false,        // the header is found and checked here, with messages for curators
            DisableColCountCheck = true,
            Unescape = false,         // quotes are checked here, see ManifestCell.Unquote
            InitialBufferLength = ReadBufferChars,
        }).FromAsync(text, ct));

        while (await Parse(rows, () => csv.MoveNextAsync(ct)))
        {
            if (rows.Read(csv.Current) is { } line) yield return line;
        }
        rows.Finish();
    }

    /// <summary>Runs a step of the CSV parser, turning its errors into ones a curator can act on.</summary>
    static async ValueTask<T> Parse<T>(RowReader rows, Func<ValueTask<T>> step)
    {
        try
        {
            return await step();
        }
        catch (NotSupportedException e) when (e.Message.Contains("maximum supported length", StringComparison.Ordinal))
        {
            // Sep refuses rows over 16M chars: in a file under the size limit that is an unclosed quote.
            throw new ManifestException(ManifestErrorCode.UnbalancedQuote,
                $"{rows.FileName}: after row {rows.LastRowNumber} a row runs on for more than 16 million characters: a quote (\") opened there is never closed. " +
                "Quote a whole cell (\"like, this\") and double any quote inside it (\"\").");
        }
        catch (DecoderFallbackException e)
        {
            // ManifestInputStream validates every byte first; this is a second line of defence.
            throw new ManifestException(ManifestErrorCode.NotUtf8,
                $"{rows.FileName}: after row {rows.LastRowNumber} the file is not valid UTF-8 ({e.Message}). Save it as 'CSV UTF-8 (comma delimited)' and upload again.");
        }
    }

    /// <summary>
    /// The state of one read: the header's columns and the rows seen so far. Without <paramref name="quoteHeader"/>
    /// a header without the columns is described, not quoted: the file may be anything on the server (/etc/passwd).
    /// </summary>
    sealed class RowReader(string fileName, ManifestLimits limits, bool quoteHeader)
    {
        public string FileName => fileName;
        public int LastRowNumber { get; private set; } = 1;

        int columnCount = -1; // -1: header not read yet
        int krithiAt, ragaAt = -1, hyperlinkAt;
        int dataRows;
        readonly Dictionary<(string Krithi, string? Raga, string Url), int> seen = new();
        string[] cells = new string[4];

        public ManifestLine? Read(SepReader.Row row)
        {
            var rowNumber = row.RowIndex + 1;
            var count = row.ColCount;
            if (cells.Length < count) cells = new string[Math.Max(count, cells.Length * 2)];

            var badQuotes = -1;
            var blank = true;
            for (var i = 0; i < count; i++)
            {
                switch (ManifestCell.Unquote(row[i].Span, out cells[i]))
                {
                    case ManifestCell.Quoting.Unbalanced:
                        // Sep's line number for the first row is off; a header is on line 1 unless blank lines precede it.
                        var line = row.RowIndex == 0 ? 1 : row.LineNumberFrom;
                        throw new ManifestException(ManifestErrorCode.UnbalancedQuote,
                            $"{fileName}: row {rowNumber} (line {line}): a quote (\") in this row is not closed where its cell ends, so the rows after it were read as part of one cell. " +
                            "Quote a whole cell (\"like, this\") and double any quote inside it (\"\").");
                    case ManifestCell.Quoting.BadQuotes when badQuotes < 0:
                        badQuotes = i;
                        break;
                }
                if (blank && !ManifestCell.IsBlank(cells[i])) blank = false;
            }
            // Blank rows carry no data: skipped, but they keep their number in the row count.
            if (blank) return null;
            LastRowNumber = rowNumber;
            if (columnCount < 0)
            {
                ReadHeader(count);
                return null;
            }
            dataRows++;
            return ReadData(rowNumber, count, badQuotes);
        }

        public void Finish()
        {
            if (columnCount < 0)
                throw new ManifestException(ManifestErrorCode.EmptyFile,
                    $"{fileName}: the file is empty. A manifest starts with the header row {KrithiColumn},{RagaColumn},{HyperlinkColumn} followed by one row per krithi.");
            if (dataRows == 0)
                throw new ManifestException(ManifestErrorCode.NoRows,
                    $"{fileName}: the file has a header row but no data rows. Add one row per krithi below the header.");
        }

        void ReadHeader(int count)
        {
            int krithi = -1, raga = -1, hyperlink = -1;
            var found = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                var name = cells[i].Trim().Trim('\uFEFF').Trim();
                found.Add(name);
                ref var slot = ref krithi;
                if (name.Equals(KrithiColumn, StringComparison.OrdinalIgnoreCase)) slot = ref krithi;
                else if (name.Equals(RagaColumn, StringComparison.OrdinalIgnoreCase)) slot = ref raga;
                else if (name.Equals(HyperlinkColumn, StringComparison.OrdinalIgnoreCase)) slot = ref hyperlink;
                else continue; // other columns are allowed and ignored
                if (slot >= 0)
                    throw new ManifestException(ManifestErrorCode.DuplicateColumns,
                        $"{fileName}: the header names the column '{name}' twice (columns {slot + 1} and {i + 1}). Keep one of them.");
                slot = i;
            }
            var missing = new List<string>();
            if (krithi < 0) missing.Add(KrithiColumn);
            if (hyperlink < 0) missing.Add(HyperlinkColumn);
            if (missing.Count > 0)
            {
                var hint =
                    !quoteHeader
                        ? $"A manifest starts with the header row {KrithiColumn},{RagaColumn},{HyperlinkColumn}; is this file a manifest?"
                    : found.Any(f => f.Contains("://", StringComparison.Ordinal))
                        ? $"The first row looks like data: add the header row {KrithiColumn},{RagaColumn},{HyperlinkColumn} above it."
                    : found.Count == 1 && found[0].IndexOfAny([';', '\t', '|']) >= 0
                        ? "The columns are separated by ';', tab or '|': save the file as comma-separated CSV ('CSV UTF-8 (comma delimited)')."
                        : $"The header must name the columns {KrithiColumn} and {HyperlinkColumn} ({RagaColumn} is optional), in any order and any case; rename the columns.";
                var has = quoteHeader
                    ? $"it has: {string.Join(", ", found.Select(f => $"'{Short(f)}'"))}"
                    : $"its {found.Count} cell(s) are not shown, as the file is from the import folder";
                throw new ManifestException(ManifestErrorCode.MissingColumns,
                    $"{fileName}: the header row has no column {string.Join(" and no column ", missing)}; {has}. {hint}");
            }
            columnCount = count;
            krithiAt = krithi;
            ragaAt = raga;
            hyperlinkAt = hyperlink;
        }

        ManifestLine ReadData(int rowNumber, int count, int badQuotes)
        {
            var rawKrithi = cells[krithiAt];
            var rawRaga = ragaAt >= 0 && ragaAt < count ? cells[ragaAt] : null;
            var rawUrl = hyperlinkAt < count ? cells[hyperlinkAt] : null;
            RowError Error(string code, string message) =>
                new(rowNumber, code, message, Shown(rawKrithi), Shown(rawRaga), Shown(rawUrl));

            if (badQuotes >= 0)
                return Error(ManifestErrorCode.BadQuotes,
                    $"Column {badQuotes + 1} has text after its closing quote: quote the whole cell (\"like, this\") and double any quote inside it (\"\").");
            if (count < columnCount)
                return Error(ManifestErrorCode.WrongFieldCount,
                    $"The row has {count} cells but the header has {columnCount}: fill in the missing cells (leave a cell empty with nothing between two commas).");
            for (var i = columnCount; i < count; i++)
                if (!ManifestCell.IsBlank(cells[i]))
                    return Error(ManifestErrorCode.WrongFieldCount,
                        $"The row has {count} cells but the header has {columnCount} (extra text: '{Short(cells[i].Trim())}'). A title with a comma must be quoted: \"like, this\".");

            if (Check(rawKrithi, KrithiColumn, isText: true) is { } krithiProblem) return Error(krithiProblem.Code, krithiProblem.Message);
            if (rawRaga is not null && Check(rawRaga, RagaColumn, isText: true) is { } ragaProblem) return Error(ragaProblem.Code, ragaProblem.Message);
            if (rawUrl is not null && Check(rawUrl, HyperlinkColumn, isText: false) is { } urlProblem) return Error(urlProblem.Code, urlProblem.Message);

            var krithi = ManifestCell.Clean(rawKrithi);
            if (krithi.Length == 0 || krithi == "-")
                return Error(ManifestErrorCode.MissingTitle, $"The {KrithiColumn} cell is empty: put the krithi's title in it.");
            if (ManifestCell.FormulaProblem(krithi) is { } krithiFormula)
                return Error(ManifestErrorCode.FormulaLikeCell, $"The {KrithiColumn} cell {krithiFormula}: remove that character.");
            // "-" is how spreadsheets say "none": no raga.
            var raga = rawRaga is null ? null : ManifestCell.Clean(rawRaga) is { Length: > 0 } r && r != "-" ? r : null;
            if (raga is not null && ManifestCell.FormulaProblem(raga) is { } ragaFormula)
                return Error(ManifestErrorCode.FormulaLikeCell, $"The {RagaColumn} cell {ragaFormula}: remove that character.");

            var url = (rawUrl ?? "").Trim();
            var check = ManifestUrl.Check(url);
            if (!check.IsAccepted) return Error(check.ErrorCode!, check.ErrorMessage!);

            var key = (krithi, raga, check.NormalizedUrl!);
            if (seen.TryGetValue(key, out var first))
                return Error(ManifestErrorCode.DuplicateRow,
                    $"The same krithi, raga and URL are already in row {first}: delete this row.");
            seen.Add(key, rowNumber);
            return new ManifestRow(rowNumber, krithi, raga, url, check.NormalizedUrl!, check.Host!);
        }

        (string Code, string Message)? Check(string value, string column, bool isText) =>
            ManifestCell.Problem(value, isText, limits.MaxCellChars) is { } p
                ? (p.Code, $"The {column} cell {p.Why}{Fix(p.Code)}")
                : null;

        static string Fix(string code) => code switch
        {
            ManifestErrorCode.CellTooLong => ": shorten it (was a whole page pasted into it?).",
            ManifestErrorCode.FormulaLikeCell => ": remove that character.",
            _ => ".",
        };

        // What a row error shows of a cell: trimmed, and short enough to store and display.
        string? Shown(string? value)
        {
            if (value is null) return null;
            var t = value.Trim();
            return t.Length <= limits.MaxCellChars ? t : t[..limits.MaxCellChars];
        }

        static string Short(string s) => s.Length <= 60 ? s : s[..57] + "...";
    }
}
