using System.Buffers;
using System.Text;

namespace Grantha.Manifest;

/// <summary>
/// The bytes of a manifest on their way to the CSV parser. It refuses what a text decoder would
/// silently repair: a UTF-16 or binary file, bytes that are not UTF-8 (a decoder would turn them
/// into U+FFFD and the title would be stored broken), and files over the size limit. It strips a
/// UTF-8 BOM. It validates each chunk before handing it on, so the parser never sees a bad byte.
/// </summary>
sealed class ManifestInputStream : Stream
{
    // A NUL this early means binary, whatever else is wrong with the bytes (git looks as far).
    // The reader inspects this much before handing anything on: BOM, file signature, NULs.
    const int BinarySniffBytes = 8000;

    readonly Stream inner;
    readonly string fileName;
    readonly long maxBytes;

    byte[]? head;            // the first bytes, read ahead to inspect them; null once inspected and served
    int headStart, headEnd;
    bool inspected;

    long position;           // bytes of the file consumed so far (BOM included)
    long lineFeeds, carriageReturns;
    readonly byte[] carry = new byte[4]; // an incomplete UTF-8 sequence at the end of the previous chunk
    int carryLength;

    public ManifestInputStream(Stream inner, string fileName, long maxBytes)
    {
        this.inner = inner;
        this.fileName = fileName;
        this.maxBytes = maxBytes;
        if (inner.CanSeek && inner.Length - inner.Position > maxBytes)
            throw TooLarge(inner.Length - inner.Position);
    }

    public override int Read(Span<byte> buffer)
    {
        if (!inspected) Inspect(async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (buffer.IsEmpty) return 0;
        if (TryServeHead(buffer, out var fromHead)) return fromHead;
        var n = inner.Read(buffer);
        Check(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (!inspected) await Inspect(async: true, ct);
        if (buffer.IsEmpty) return 0;
        if (TryServeHead(buffer.Span, out var fromHead)) return fromHead;
        var n = await inner.ReadAsync(buffer, ct);
        Check(buffer.Span[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    async ValueTask Inspect(bool async, CancellationToken ct)
    {
        inspected = true;
        var bytes = new byte[BinarySniffBytes];
        var n = 0;
        while (n < bytes.Length)
        {
            var read = async ? await inner.ReadAsync(bytes.AsMemory(n), ct) : inner.Read(bytes.AsSpan(n));
            if (read == 0) break;
            n += read;
        }
        var start = 0;
        var h = bytes.AsSpan(0, n);
        if (h.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) start = 3;
        else if (h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || h.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || h.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]))
            throw Utf16("it starts with a UTF-16/UTF-32 byte order mark");
        else if (n >= 2 && (h[0] == 0) != (h[1] == 0))
            throw Utf16("every other byte is zero, as in UTF-16 text");
        else if (h.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]))
            throw new ManifestException(ManifestErrorCode.BinaryFile,
                $"{fileName}: this is a zip file (an Excel .xlsx workbook?), not a CSV file. In the spreadsheet use Save As > 'CSV UTF-8 (comma delimited)' and upload that file.");
        else if (h.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]))
            throw new ManifestException(ManifestErrorCode.BinaryFile,
                $"{fileName}: this is an Excel .xls workbook, not a CSV file. In the spreadsheet use Save As > 'CSV UTF-8 (comma delimited)' and upload that file.");

        position = start;
        if (start > maxBytes) throw TooLarge(start);
        Check(h[start..]);
        head = bytes;
        headStart = start;
        headEnd = n;
    }

    bool TryServeHead(Span<byte> buffer, out int count)
    {
        count = 0;
        if (head is null) return false;
        count = Math.Min(buffer.Length, headEnd - headStart);
        head.AsSpan(headStart, count).CopyTo(buffer);
        headStart += count;
        if (headStart == headEnd) head = null;
        if (count == 0) return false;
        return true;
    }

    /// <summary>Checks the next chunk of the file; chunks come in file order and each byte is checked once.</summary>
    void Check(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            if (carryLength > 0) throw NotUtf8(position - carryLength, carry[0], "the file ends in the middle of a character");
            return;
        }
        if (position + chunk.Length > maxBytes) throw TooLarge(position + chunk.Length);
        if (position < BinarySniffBytes)
        {
            var sniff = chunk[..(int)Math.Min(chunk.Length, BinarySniffBytes - position)];
            if (sniff.IndexOf((byte)0) is var nul and >= 0)
            {
                Count(chunk[..nul]);
                throw Binary(position + nul);
            }
        }

        var i = 0;
        if (carryLength > 0) i = FinishCarry(chunk);
        while (i < chunk.Length)
        {
            // ASCII without NUL is the common case: skip it in bulk.
            var rest = chunk[i..];
            var next = rest.IndexOfAnyExceptInRange((byte)1, (byte)0x7F);
            if (next < 0) { Count(rest); i = chunk.Length; break; }
            Count(rest[..next]);
            i += next;
            if (chunk[i] == 0) throw Binary(position + i);
            var status = Rune.DecodeFromUtf8(chunk[i..], out _, out var consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                chunk[i..].CopyTo(carry);
                carryLength = chunk.Length - i;
                i = chunk.Length;
                break;
            }
            if (status != OperationStatus.Done) throw NotUtf8(position + i, chunk[i], null);
            i += consumed;
        }
        position += chunk.Length;
    }

    /// <summary>Completes a character split across two chunks; returns where the chunk's own characters start.</summary>
    int FinishCarry(ReadOnlySpan<byte> chunk)
    {
        Span<byte> joined = stackalloc byte[8];
        carry.AsSpan(0, carryLength).CopyTo(joined);
        var take = Math.Min(4, chunk.Length);
        chunk[..take].CopyTo(joined[carryLength..]);
        var status = Rune.DecodeFromUtf8(joined[..(carryLength + take)], out _, out var consumed);
        var start = position - carryLength;
        if (status == OperationStatus.NeedMoreData)
        {
            // Still incomplete (a 1-byte chunk): keep collecting.
            chunk[..take].CopyTo(carry.AsSpan(carryLength));
            carryLength += take;
            return chunk.Length;
        }
        if (status != OperationStatus.Done) throw NotUtf8(start, carry[0], null);
        var used = consumed - carryLength;
        carryLength = 0;
        return used;
    }

    void Count(ReadOnlySpan<byte> ascii)
    {
        if (ascii.IsEmpty) return;
        lineFeeds += ascii.Count((byte)'\n');
        carriageReturns += ascii.Count((byte)'\r');
    }

    // Lines end in LF or CRLF; a file of CR-only line ends counts its CRs.
    long Line => 1 + (lineFeeds > 0 ? lineFeeds : carriageReturns);

    ManifestException NotUtf8(long offset, byte value, string? why) => new(ManifestErrorCode.NotUtf8,
        $"{fileName}: line {Line}, byte {offset}: 0x{value:X2} is not valid UTF-8 ({why ?? "not a UTF-8 character"}). " +
        "The file was probably saved as Latin-1/Windows-1252 ('CSV (comma delimited)'); save it as 'CSV UTF-8 (comma delimited)' and upload again.");

    ManifestException Binary(long offset) => new(ManifestErrorCode.BinaryFile,
        $"{fileName}: line {Line}, byte {offset}: a NUL byte; this is a binary file, not CSV text. Export the sheet as 'CSV UTF-8 (comma delimited)'.");

    ManifestException Utf16(string why) => new(ManifestErrorCode.Utf16,
        $"{fileName}: the file is UTF-16 or UTF-32 text ({why}), e.g. Excel's 'Unicode Text'. Save it as 'CSV UTF-8 (comma delimited)' and upload again.");

    ManifestException TooLarge(long size) => new(ManifestErrorCode.TooLarge,
        $"{fileName}: the file is larger than the limit of {maxBytes:N0} bytes ({maxBytes / (1024.0 * 1024):0.#} MiB; read {size:N0} bytes so far). Split it into smaller manifests.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
