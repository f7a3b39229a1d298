using System.Text;
using CsCheck;
using Grantha.Manifest;

namespace Grantha.Tests.Manifest;

/// <summary>
/// Property tests of the manifest reader (issue #10 item 15): random bytes and mutated manifests end in
/// rows and the reader's own <see cref="ManifestException"/>, never another exception and never a hang;
/// a well-formed manifest of any cells reads back exactly. CsCheck shrinks a failure to a small input and
/// prints its seed (rerun with <c>seed:</c> to reproduce).
/// </summary>
public class ManifestFuzzTests
{
    const string Header = "Krithi,Raga,Hyperlink\n";

    // Small limits so that the too-large and too-long paths are reached by small inputs too.
    static readonly ManifestLimits Limits = new() { MaxBytes = 6_000, MaxCellChars = 300 };

    /// <summary>Reads everything; fails on any exception but the file-level one, and on an input that takes longer than the bound.</summary>
    static async Task<(List<ManifestLine> Lines, ManifestException? Refused)> ReadAsync(byte[] bytes, ManifestLimits? limits = null)
    {
        var lines = new List<ManifestLine>();
        using var cts = new CancellationTokenSource();
        var read = Task.Run(async () =>
        {
            await foreach (var line in ManifestReader.ReadAsync(new MemoryStream(bytes), "fuzz.csv", limits ?? Limits, cts.Token)) lines.Add(line);
        });
        // A hang shows as a timeout (the bound is generous: a read of a few KB takes microseconds).
        try { await read.WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (TimeoutException) { await cts.CancelAsync(); throw new Exception($"the reader did not finish within 10 s on a {bytes.Length}-byte input"); }
        catch (ManifestException e) { return (lines, e); }
        return (lines, null);
    }

    static readonly HashSet<string> Codes = typeof(ManifestErrorCode).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();

    static void CheckLines(List<ManifestLine> lines, ManifestException? refused)
    {
        // Row numbers as a spreadsheet shows them: after the header, increasing.
        lines.Select(l => l.RowNumber).ShouldAllBe(n => n >= 2);
        lines.Select(l => l.RowNumber).ShouldBe(lines.Select(l => l.RowNumber).Order());
        foreach (var l in lines)
        {
            if (l is RowError e) { Codes.ShouldContain(e.Code); e.Message.ShouldNotBeNullOrWhiteSpace(); }
            else if (l is ManifestRow r) { r.Krithi.ShouldNotBeNullOrWhiteSpace(); r.Host.ShouldNotBeNullOrWhiteSpace(); }
        }
        if (refused is not null)
        {
            Codes.ShouldContain(refused.Code);
            refused.Message.ShouldNotBeNullOrWhiteSpace();
        }
    }

    static readonly Gen<byte[]> RandomBytes = Gen.OneOf(
        Gen.Byte.Array[0, 2_000],
        // The header, then noise: the row paths, not only the header check.
        Gen.Byte.Array[0, 2_000].Select(b => Encoding.UTF8.GetBytes(Header).Concat(b).ToArray()));

    [Fact]
    public async Task Random_bytes_end_in_rows_or_a_refused_file()
    {
        await RandomBytes.SampleAsync(async bytes =>
        {
            var (lines, refused) = await ReadAsync(bytes);
            CheckLines(lines, refused);
        }, iter: 1_500);
    }

    static readonly byte[] Valid = Encoding.UTF8.GetBytes(Header + string.Join("\n",
        "Sri Nathadi Guruguho,Mayamalavagowla,http://guru-guha.blogspot.com/2007/06/dikshitar-kriti-sri-nathadi-guruguho.html",
        "\"Vatapi, Ganapatim\",Hamsadhwani,http://guru-guha.blogspot.com/2007/05/vatapi.html",
        "\"Say \"\"Rama\"\"\",,https://thyagaraja-vaibhavam.blogspot.com/2008/01/rama.html",
        "ராம ராம,தோடி,http://thyagaraja-vaibhavam.blogspot.com/2008/01/tamil.html",
        "\"two\nlines\",Todi,http://syamakrishnavaibhavam.blogspot.com/2009/02/two.html",
        "",
        "no url,Todi,",
        "bad url,Todi,javascript:alert(1)") + "\r\n");

    // Bytes that matter to a CSV reader and a UTF-8 decoder.
    static readonly byte[] Interesting = [(byte)',', (byte)'"', (byte)'\n', (byte)'\r', 0, 0xEF, 0xBB, 0xBF, 0xC3, 0xE0, 0xAE, 0xFF, 0xFE, (byte)' ', (byte)'\t', (byte)';'];

    /// <summary>One edit of a byte string: flip, insert, delete, duplicate a range, truncate.</summary>
    static readonly Gen<Func<byte[], byte[]>> Mutation = Gen.OneOf(
        Gen.Select(Gen.Int.NonNegative, Gen.Byte, (at, b) => (Func<byte[], byte[]>)(s => { if (s.Length == 0) return s; var c = (byte[])s.Clone(); c[at % c.Length] = b; return c; })),
        Gen.Select(Gen.Int.NonNegative, Gen.Int[0, Interesting.Length - 1], (at, i) => (Func<byte[], byte[]>)(s => [.. s[..(at % (s.Length + 1))], Interesting[i], .. s[(at % (s.Length + 1))..]])),
        Gen.Select(Gen.Int.NonNegative, Gen.Int[1, 40], (at, n) => (Func<byte[], byte[]>)(s => { var a = at % (s.Length + 1); var e = Math.Min(s.Length, a + n); return [.. s[..a], .. s[e..]]; })),
        Gen.Select(Gen.Int.NonNegative, Gen.Int[1, 200], (at, n) => (Func<byte[], byte[]>)(s => { var a = at % (s.Length + 1); var e = Math.Min(s.Length, a + n); return [.. s[..e], .. s[a..e], .. s[e..]]; })),
        Gen.Int.NonNegative.Select(at => (Func<byte[], byte[]>)(s => s[..(at % (s.Length + 1))])));

    [Fact]
    public async Task Mutated_manifests_end_in_rows_or_a_refused_file()
    {
        await Mutation.Array[1, 8].SampleAsync(async edits =>
        {
            var bytes = edits.Aggregate(Valid, (s, edit) => edit(s));
            var (lines, refused) = await ReadAsync(bytes);
            CheckLines(lines, refused);
        }, iter: 2_000);
    }

    /// <summary>A cell of anything a curator might type or paste: letters, Tamil and Devanagari, commas, quotes, line breaks.</summary>
    static readonly Gen<string> Cell = Gen.String[Gen.OneOf(
        Gen.Char['a', 'z'], Gen.Char['A', 'Z'], Gen.Char['\u0B85', '\u0BB9'], Gen.Char['\u0905', '\u0939'],
        Gen.Const(','), Gen.Const('"'), Gen.Const(' '), Gen.Const('\n'), Gen.Const(';'), Gen.Const('\''), Gen.Const('#')), 1, 40]
        .Where(s => !string.IsNullOrWhiteSpace(s));

    static readonly Gen<string> Path = Gen.String[Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['0', '9'], Gen.Const('-')), 1, 30];

    static string Quote(string cell) => "\"" + cell.Replace("\"", "\"\"") + "\"";

    static string Collapsed(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task A_well_formed_manifest_of_any_cells_reads_back_row_for_row()
    {
        var row = Gen.Select(Cell, Cell, Path);
        await row.Array[1, 30].SampleAsync(async rows =>
        {
            var text = Header + string.Concat(rows.Select((r, i) => $"{Quote(r.Item1)},{Quote(r.Item2)},http://guru-guha.blogspot.com/2009/{i}/{r.Item3}.html\r\n"));
            var (lines, refused) = await ReadAsync(Encoding.UTF8.GetBytes(text), ManifestLimits.Default);
            refused.ShouldBeNull();
            lines.Count.ShouldBe(rows.Length);
            for (var i = 0; i < rows.Length; i++)
            {
                // A line break inside a quoted cell is legal CSV but not a title: the row is refused, and says so.
                if (rows[i].Item1.Contains('\n') || rows[i].Item2.Contains('\n'))
                {
                    lines[i].ShouldBeOfType<RowError>().Code.ShouldBe(ManifestErrorCode.NewlineInCell);
                    continue;
                }
                var got = lines[i].ShouldBeOfType<ManifestRow>();
                got.Krithi.ShouldBe(Collapsed(rows[i].Item1));
                got.Raga.ShouldBe(Collapsed(rows[i].Item2));
                got.Host.ShouldBe("guru-guha.blogspot.com");
            }
        }, iter: 500);
    }
}
