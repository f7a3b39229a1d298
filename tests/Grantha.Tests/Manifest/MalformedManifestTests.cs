using System.Text;
using Grantha.Manifest;
using static Grantha.Manifest.ManifestErrorCode;

namespace Grantha.Tests.Manifest;

/// <summary>
/// Manifests a curator can get wrong, generated in code. Each case states the documented outcome:
/// a file error, or how many rows are accepted and which rows fail with which code. Each case
/// also checks that nothing else is lost: accepted + refused rows = the non-blank data rows.
/// </summary>
public class MalformedManifestTests
{
    /// <param name="DataRows">Non-blank data rows in the file: what accepted + errors must add up to.</param>
    /// <param name="MessageHas">Text the file error's message must contain (what to fix, where).</param>
    /// <param name="MinBytes">The generated file is at least this big (for the size cases).</param>
    public sealed record Case(
        Func<byte[]> Bytes, string? FileError = null, int DataRows = 0, int Accepted = 0,
        (int Row, string Code)[]? Errors = null, ManifestLimits? Limits = null, bool ForwardOnly = false,
        string? MessageHas = null, Action<ManifestRun>? Also = null, int MinBytes = 0);

    const string H = "Krithi,Raga,Hyperlink\n";
    static string U(int n) => $"http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-{n}.html";
    static string R(string title, string raga, int n, string nl = "\n") => $"{title},{raga},{U(n)}{nl}";
    static string Valid(int rows, string nl = "\n") => string.Concat(Enumerable.Range(1, rows).Select(i => R($"kriti {i}", "kalyANi", i, nl)));
    static Func<byte[]> Text(string s) => () => Encoding.UTF8.GetBytes(s);
    static Func<byte[]> Bytes(params byte[][] parts) => () => parts.SelectMany(p => p).ToArray();
    static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    static Func<byte[]> Sample(int rows) => () =>
    {
        var w = new StringWriter();
        ManifestSample.Generate(rows, seed: 7, w);
        return B(w.ToString());
    };

    static readonly string[] PrivateHosts =
    [
        "localhost", "LOCALHOST.", "app.localhost", "127.0.0.1", "127.1", "0x7f.1", "0177.0.0.1", "2130706433", "0", "0.0.0.0",
        "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255",
        "[::1]", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:10.0.0.1]", "[64:ff9b::a9fe:a9fe]", "[2002:c0a8:0101::1]",
        "[fe80::1]", "[fc00::1]", "[fd12:3456::1]", "[ff02::1]",
    ];

    static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- file shape
        ["empty file"] = new(Text(""), EmptyFile, MessageHas: "header row"),
        ["BOM only"] = new(() => [0xEF, 0xBB, 0xBF], EmptyFile),
        ["blank lines only"] = new(Text("\n\r\n  \n,,\n"), EmptyFile),
        ["header only"] = new(Text(H), NoRows, MessageHas: "no data rows"),
        ["header and blank rows only"] = new(Text(H + "\n,,\n  , ,\n"), NoRows),
        ["wrong headers"] = new(Text("Title,Raga,URL\n" + R("a", "b", 1)), MissingColumns, MessageHas: "no column Krithi and no column Hyperlink; it has: 'Title', 'Raga', 'URL'"),
        ["header without Hyperlink"] = new(Text("Krithi,Raga\nabc,kalyANi\n"), MissingColumns, MessageHas: "no column Hyperlink"),
        ["semicolon-separated file"] = new(Text("Krithi;Raga;Hyperlink\nabc;kalyANi;" + U(1) + "\n"), MissingColumns, MessageHas: "comma-separated"),
        ["no header row"] = new(Text(Valid(2)), MissingColumns, MessageHas: "looks like data"),
        ["column named twice"] = new(Text("Krithi,Raga,Hyperlink,KRITHI\n" + R("a", "b", 1)), DuplicateColumns, MessageHas: "twice"),
        ["headers in other case, order, with spaces"] = new(Text($" hyperlink ,KRITHI,  rAgA \n{U(1)},kriti one,kalyANi\n{U(2)},kriti two,tODi\n"), DataRows: 2, Accepted: 2,
            Also: r => r.Accepted[0].ShouldBe(new ManifestRow(2, "kriti one", "kalyANi", U(1), U(1), "guru-guha.blogspot.com"))),
        ["quoted header cells"] = new(Text("\"Krithi\",\"Raga\",\"Hyperlink\"\n" + Valid(2)), DataRows: 2, Accepted: 2),
        ["no Raga column"] = new(Text($"Krithi,Hyperlink\nkriti one,{U(1)}\nkriti two,{U(2)}\n"), DataRows: 2, Accepted: 2,
            Also: r => r.Accepted.ShouldAllBe(a => a.Raga == null)),
        ["extra columns ignored"] = new(Text($"Notes,Krithi,Raga,Hyperlink,Source\nfirst,kriti one,kalyANi,{U(1)},x\n,kriti two,tODi,{U(2)},\n"), DataRows: 2, Accepted: 2,
            Also: r => r.Accepted.Select(a => a.Krithi).ShouldBe(["kriti one", "kriti two"])),
        ["blank lines before the header"] = new(Text("\n\n" + H + R("a", "b", 1)), DataRows: 1, Accepted: 1,
            Also: r => r.Accepted[0].RowNumber.ShouldBe(4)),

        // ---- encodings and bytes
        ["binary"] = new(() => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D], BinaryFile),
        ["NUL byte in a valid file"] = new(Bytes(B(H + Valid(3)), [0x00], B(Valid(1))), BinaryFile, MessageHas: "line 5"),
        ["xlsx workbook"] = new(Bytes([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], B("[Content_Types].xml")), BinaryFile, MessageHas: "Excel"),
        ["xls workbook"] = new(() => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], BinaryFile, MessageHas: ".xls"),
        ["Latin-1 bytes"] = new(Bytes(B(H + Valid(1)), B("kaly"), [0xC1], B("Ni,kalyANi,http://guru-guha.blogspot.com/x.html\n")), NotUtf8, MessageHas: "line 3, byte 103: 0xC1"),
        ["Latin-1 e-acute"] = new(Bytes(B(H), B("caf"), [0xE9], B(",kalyANi," + U(1) + "\n")), NotUtf8, MessageHas: "line 2"),
        ["UTF-8 cut off at the end"] = new(Bytes(B(H + "kriti,raga," + U(1) + "\n"), [0xE0, 0xA4]), NotUtf8, MessageHas: "ends in the middle"),
        ["overlong UTF-8"] = new(Bytes(B(H + "kriti"), [0xC0, 0xAF], B(",raga," + U(1) + "\n")), NotUtf8),
        ["UTF-8 BOM"] = new(Bytes([0xEF, 0xBB, 0xBF], B(H + Valid(3))), DataRows: 3, Accepted: 3),
        ["UTF-16 LE with BOM"] = new(() => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(H + Valid(1))], Utf16, MessageHas: "CSV UTF-8"),
        ["UTF-16 BE without BOM"] = new(() => Encoding.BigEndianUnicode.GetBytes(H + Valid(1)), Utf16),
        ["UTF-32 LE with BOM"] = new(() => [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(H)], Utf16),

        // ---- line ends, quotes
        ["CRLF line ends"] = new(Text(H.Replace("\n", "\r\n") + Valid(4, "\r\n")), DataRows: 4, Accepted: 4),
        ["LF line ends, no final line end"] = new(Text(H + Valid(3).TrimEnd('\n')), DataRows: 3, Accepted: 3),
        ["CR-only line ends"] = new(Text(H.Replace("\n", "\r") + Valid(4, "\r")), DataRows: 4, Accepted: 4,
            Also: r => r.Accepted.Select(a => a.RowNumber).ShouldBe([2, 3, 4, 5])),
        ["mixed line ends"] = new(Text(H + R("a", "x", 1, "\r\n") + R("b", "x", 2, "\r") + R("c", "x", 3, "\n")), DataRows: 3, Accepted: 3),
        ["quoted comma in a title"] = new(Text(H + $"\"nannu, brOva\",kalyANi,{U(1)}\n" + R("b", "x", 2)), DataRows: 2, Accepted: 2,
            Also: r => r.Accepted[0].Krithi.ShouldBe("nannu, brOva")),
        ["doubled quotes in a quoted title"] = new(Text(H + $"\"say \"\"rAma\"\"\",kalyANi,{U(1)}\n"), DataRows: 1, Accepted: 1,
            Also: r => r.Accepted[0].Krithi.ShouldBe("say \"rAma\"")),
        ["quotes inside an unquoted title"] = new(Text(H + $"say \"rAma\" now,kalyANi,{U(1)}\n"), DataRows: 1, Accepted: 1,
            Also: r => r.Accepted[0].Krithi.ShouldBe("say \"rAma\" now")),
        ["line break inside a quoted title"] = new(Text(H + R("a", "x", 1) + $"\"first\nsecond\",kalyANi,{U(2)}\n" + R("c", "x", 3)), DataRows: 3, Accepted: 2,
            Errors: [(3, NewlineInCell)], Also: r => r.Accepted[1].RowNumber.ShouldBe(4)),
        ["CRLF inside a quoted URL"] = new(Text(H + $"a,x,\"{U(1)}\r\nmore\"\r\n" + R("b", "x", 2, "\r\n")), DataRows: 2, Accepted: 1, Errors: [(2, NewlineInCell)]),
        ["unclosed quote opening a cell"] = new(Text(H + R("a", "x", 1) + $"\"broken,kalyANi,{U(2)}\n" + R("c", "x", 3)), UnbalancedQuote, MessageHas: "row 3 (line 3)"),
        ["stray quote inside a cell"] = new(Text(H + R("a", "x", 1) + $"bro\"ken,kalyANi,{U(2)}\n" + R("c", "x", 3) + R("d", "x", 4)), UnbalancedQuote, MessageHas: "row 3"),
        ["stray quote closed rows later"] = new(Text(H + $"bro\"ken,kalyANi,{U(1)}\n" + R("c", "x", 2) + $"d,\"x\",{U(3)}\n"), UnbalancedQuote),
        ["unclosed quote running past 16M chars"] = new(() => [.. B(H + R("a", "x", 1) + "\""), .. Enumerable.Repeat((byte)'x', 17_000_000)], UnbalancedQuote, MessageHas: "after row 2"),
        ["unclosed quote in the first row, past 16M chars"] = new(() => [.. B("\"Krithi"), .. Enumerable.Repeat((byte)'x', 17_000_000)], UnbalancedQuote, MessageHas: "after row 1"),
        ["text after a closing quote"] = new(Text(H + $"\"nannu\" brOva,kalyANi,{U(1)}\n" + R("b", "x", 2)), DataRows: 2, Accepted: 1, Errors: [(2, BadQuotes)]),

        // ---- size
        ["10 MB file, streamed"] = new(Sample(90_000), DataRows: 90_000, Accepted: 90_000, ForwardOnly: true, MinBytes: 10_000_000,
            Also: r => r.Accepted.Select(a => a.NormalizedUrl).Distinct().Count().ShouldBe(90_000)),
        ["over the size limit, seekable"] = new(Text(H + Valid(100)), TooLarge, Limits: new() { MaxBytes = 1_000 }, MessageHas: "1,000 bytes",
            Also: r => r.Accepted.ShouldBeEmpty()),
        ["over the size limit, not seekable"] = new(Text(H + Valid(2_000)), TooLarge, Limits: new() { MaxBytes = 10_000 }, ForwardOnly: true),
        ["exactly at the size limit"] = new(Text(H + R("a", "x", 1)), DataRows: 1, Accepted: 1,
            Limits: new() { MaxBytes = Encoding.UTF8.GetByteCount(H + R("a", "x", 1)) }),
        ["cell over the length limit"] = new(Text(H + R(new string('a', 2_001), "x", 1) + R(new string('a', 2_000), "x", 2) + R("c", "x", 3)), DataRows: 3, Accepted: 2,
            Errors: [(2, CellTooLong)], Also: r => r.Errors[0].Krithi!.Length.ShouldBe(2_000)),
        ["URL over the length limit"] = new(Text(H + $"a,x,http://guru-guha.blogspot.com/{new string('p', 3_000)}.html\n" + R("b", "x", 2)), DataRows: 2, Accepted: 1, Errors: [(2, CellTooLong)]),
        ["a pasted page in one cell"] = new(Text(H + $"\"{string.Concat(Enumerable.Repeat("lyrics, ", 200_000))}\",x,{U(1)}\n" + R("b", "x", 2)), DataRows: 2, Accepted: 1, Errors: [(2, CellTooLong)]),

        // ---- URLs
        ["javascript:, file:, data:, ftp:, mailto: URLs"] = new(Text(H +
            "a,x,javascript:alert(1)\nb,x,file:///etc/passwd\nc,x,\"data:text/html,<script>alert(1)</script>\"\nd,x,ftp://guru-guha.blogspot.com/x\ne,x,mailto:someone@example.com\nf,x,JAVASCRIPT:alert(1)\n" + R("g", "x", 1)),
            DataRows: 7, Accepted: 1, Errors: [(2, UnsupportedScheme), (3, UnsupportedScheme), (4, UnsupportedScheme), (5, UnsupportedScheme), (6, UnsupportedScheme), (7, UnsupportedScheme)]),
        ["private and loopback addresses, every spelling"] = new(Text(H + string.Concat(PrivateHosts.Select((h, i) => $"k{i},x,http://{h}/page.html\n")) + R("ok", "x", 1)),
            DataRows: PrivateHosts.Length + 1, Accepted: 1, Errors: PrivateHosts.Select((_, i) => (i + 2, PrivateAddress)).ToArray()),
        ["public IP literals"] = new(Text(H + "a,x,http://[2001:4860:4860::8888]/x\nb,x,http://8.8.8.8:8080/x\nc,x,http://[::ffff:8.8.8.8]/x\n"), DataRows: 3, Accepted: 3,
            Also: r => r.Accepted.Select(a => a.NormalizedUrl).ShouldBe(["http://[2001:4860:4860::8888]/x", "http://8.8.8.8:8080/x", "http://[::ffff:8.8.8.8]/x"])),
        ["user name or password in the URL"] = new(Text(H + "a,x,http://user:pw@guru-guha.blogspot.com/x\nb,x,http://user@guru-guha.blogspot.com/x\nc,x,http://@guru-guha.blogspot.com/x\n" + R("d", "x", 1)),
            DataRows: 4, Accepted: 1, Errors: [(2, UserinfoInUrl), (3, UserinfoInUrl), (4, UserinfoInUrl)]),
        ["unparsable URLs"] = new(Text(H + "a,x,guru-guha.blogspot.com/x.html\nb,x,http//guru-guha.blogspot.com/x\nc,x,http://\nd,x,http://guru guha.com/x\ne,x,http://256.1.1.1/x\nf,x,http:guru-guha.blogspot.com\ng,x,http://guru-guha.blogspot.com:99999/\n" + R("h", "x", 1)),
            DataRows: 8, Accepted: 1, Errors: [(2, BadUrl), (3, BadUrl), (4, BadUrl), (5, BadUrl), (6, BadUrl), (7, BadUrl), (8, BadUrl)]),

        // ---- duplicates
        ["exact duplicate rows"] = new(Text(H + R("a", "x", 1) + R("b", "x", 2) + R("a", "x", 1) + R("a", "x", 1)), DataRows: 4, Accepted: 2,
            Errors: [(4, DuplicateRow), (5, DuplicateRow)], Also: r => r.Errors[0].Message.ShouldContain("row 2")),
        ["duplicate after normalizing URL and whitespace"] = new(Text(H + R("a  b", "x", 1) + $" a b ,x,HTTP://Guru-Guha.BlogSpot.com:80/2007/07/./dikshitar-kriti-1.html#top\n"), DataRows: 2, Accepted: 1, Errors: [(3, DuplicateRow)]),
        ["same URL, different titles"] = new(Text(H + R("kAmAkshi anudinamu", "bhairavi", 1) + R("(ambA) kAmAkshi anudinamu", "bhairavi", 1) + R("kAmAkshi anudinamu", "tODi", 1)), DataRows: 3, Accepted: 3,
            Also: r => r.Accepted.Select(a => a.NormalizedUrl).Distinct().Count().ShouldBe(1)),

        // ---- cell contents
        ["formula-like cells"] = new(Text(H + R("=HYPERLINK(1)", "x", 1) + R("+1", "x", 2) + R("@SUM(1)", "x", 3) + R("\tabc", "x", 4) + $"\"\rabc\",x,{U(5)}\n" +
            R("-2+3", "x", 6) + R(" =1", "x", 7) + R("a", "=x", 8) + R("a", "-x", 9) + R("ok", "-", 10) + R("a-b", "x-y", 11)),
            DataRows: 11, Accepted: 2, Errors: [(2, FormulaLikeCell), (3, FormulaLikeCell), (4, FormulaLikeCell), (5, FormulaLikeCell), (6, FormulaLikeCell), (7, FormulaLikeCell), (8, FormulaLikeCell), (9, FormulaLikeCell), (10, FormulaLikeCell)],
            Also: r => r.Accepted.Select(a => (a.Krithi, a.Raga)).ShouldBe([("ok", null), ("a-b", "x-y")])),
        ["control characters"] = new(Text(H + R("a\u0001b", "x", 1) + R("a", "x\u007f", 2) + R("a\u202Eb", "x", 3) + R("a\u0085b", "x", 4) + R("a\u200Bb", "x", 5) + R("ok", "x", 6)),
            DataRows: 6, Accepted: 1, Errors: [(2, ControlCharacter), (3, ControlCharacter), (4, ControlCharacter), (5, ControlCharacter), (6, ControlCharacter)]),
        ["blank lines in the middle and at the end"] = new(Text(H + R("a", "x", 1) + "\n\n" + R("b", "x", 2) + "\r\n , , \n" + R("c", "x", 3) + "\n\n\n"), DataRows: 3, Accepted: 3,
            Also: r => r.Accepted.Select(a => a.RowNumber).ShouldBe([2, 5, 8])),
        ["trailing commas"] = new(Text(H + $"a,x,{U(1)},\nb,x,{U(2)},,,\n"), DataRows: 2, Accepted: 2),
        ["extra field from an unquoted comma"] = new(Text(H + $"nannu, brOva,kalyANi,{U(1)}\n" + R("b", "x", 2)), DataRows: 2, Accepted: 1, Errors: [(2, WrongFieldCount)]),
        ["missing fields"] = new(Text(H + $"a,{U(1)}\nb\n" + R("c", "x", 3)), DataRows: 3, Accepted: 1, Errors: [(2, WrongFieldCount), (3, WrongFieldCount)]),
        ["empty and whitespace-only cells"] = new(Text(H + $",x,{U(1)}\n   ,x,{U(2)}\na,x,\nb,x,   \nc,  ,{U(3)}\nd,,{U(4)}\n-,x,{U(5)}\n"),
            DataRows: 7, Accepted: 2, Errors: [(2, MissingTitle), (3, MissingTitle), (4, MissingUrl), (5, MissingUrl), (8, MissingTitle)],
            Also: r => r.Accepted.ShouldAllBe(a => a.Raga == null)),
        ["Indic-script titles"] = new(Text(H + R("ఎందరో మహానుభావులు", "శ్రీ", 1) + R("वातापि गणपतिं", "हंसध्वनि", 2) + R("காமாக்ஷி", "பைரவி", 3) + R("ಶ್ರೀ\u200Dಗಣನಾಥ", "ಕಲ್ಯಾಣಿ", 4) + R("നന്ദി\u200C", "ശ്രീ", 5)),
            DataRows: 5, Accepted: 5, Also: r => r.Accepted[0].Krithi.ShouldBe("ఎందరో మహానుభావులు")),
        ["whitespace collapsed"] = new(Text(H + $"  abhayAmbA \t  jagadambA\u00A0 , kEdAra   gauLa ,  {U(1)}  \n"), DataRows: 1, Accepted: 1,
            Also: r => (r.Accepted[0].Krithi, r.Accepted[0].Raga, r.Accepted[0].Url).ShouldBe(("abhayAmbA jagadambA", "kEdAra gauLa", U(1)))),
        ["semicolons and tabs are not separators"] = new(Text(H + $"a;b,x\ty,{U(1)}\n"), DataRows: 1, Accepted: 1,
            Also: r => (r.Accepted[0].Krithi, r.Accepted[0].Raga).ShouldBe(("a;b", "x y"))),
        ["every row refused is still no file error"] = new(Text(H + "a,x,javascript:1\nb,x,\n"), DataRows: 2, Errors: [(2, UnsupportedScheme), (3, MissingUrl)]),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Fact]
    public void There_are_at_least_forty_cases() => Cases.Count.ShouldBeGreaterThanOrEqualTo(40);

    [Theory, MemberData(nameof(Names))]
    public async Task Gives_the_documented_outcome_and_loses_nothing(string name)
    {
        var c = Cases[name];
        var bytes = c.Bytes();
        bytes.Length.ShouldBeGreaterThanOrEqualTo(c.MinBytes);
        var run = await ManifestRun.ReadAsync(bytes, c.Limits, c.ForwardOnly);

        if (c.FileError is not null)
        {
            run.FileError.ShouldNotBeNull($"expected file error {c.FileError}");
            run.FileError.Code.ShouldBe(c.FileError, run.FileError.Message);
            run.FileError.Message.ShouldStartWith("test.csv: ");
            if (c.MessageHas is not null) run.FileError.Message.ShouldContain(c.MessageHas);
        }
        else
        {
            run.ShouldBeReadable();
            run.Errors.Select(e => (e.RowNumber, e.Code)).ShouldBe(c.Errors ?? [], string.Join("\n", run.Errors));
            run.Accepted.Count.ShouldBe(c.Accepted);
            // Nothing else is lost: every data row comes out once, as accepted or refused, in order.
            (run.Accepted.Count + run.Errors.Count).ShouldBe(c.DataRows);
            var numbers = run.Accepted.Select(a => a.RowNumber).Concat(run.Errors.Select(e => e.RowNumber)).Order().ToList();
            numbers.Distinct().Count().ShouldBe(numbers.Count);
            run.Errors.ShouldAllBe(e => e.Message.Length > 0);
        }
        c.Also?.Invoke(run);
    }
}
