using System.Text;
using Grantha.Manifest;

namespace Grantha.Tests.Manifest;

/// <summary>What reading one manifest gave: accepted rows, row errors, and the file error if any.</summary>
public sealed record ManifestRun(List<ManifestRow> Accepted, List<RowError> Errors, ManifestException? FileError)
{
    public static Task<ManifestRun> ReadAsync(string text, ManifestLimits? limits = null) =>
        ReadAsync(Encoding.UTF8.GetBytes(text), limits);

    public static async Task<ManifestRun> ReadAsync(byte[] bytes, ManifestLimits? limits = null, bool forwardOnly = false)
    {
        Stream stream = new MemoryStream(bytes, writable: false);
        if (forwardOnly) stream = new ForwardOnlyStream(stream);
        return await ReadAsync(stream, limits);
    }

    public static async Task<ManifestRun> ReadAsync(Stream stream, ManifestLimits? limits = null)
    {
        var run = new ManifestRun([], [], null);
        try
        {
            await foreach (var line in ManifestReader.ReadAsync(stream, "test.csv", limits, TestContext.Current.CancellationToken))
            {
                switch (line)
                {
                    case ManifestRow row: run.Accepted.Add(row); break;
                    case RowError error: run.Errors.Add(error); break;
                }
            }
        }
        catch (ManifestException e)
        {
            return run with { FileError = e };
        }
        return run;
    }

    /// <summary>Fails with the file error's message, so a test shows why a file was refused.</summary>
    public ManifestRun ShouldBeReadable()
    {
        FileError.ShouldBeNull(FileError?.Message);
        return this;
    }
}

/// <summary>A stream that cannot seek (like a network upload), so the reader cannot know its length up front.</summary>
public sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public long MaxPosition { get; private set; }
    public override int Read(byte[] buffer, int offset, int count) => Track(inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Track(inner.Read(buffer));
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Track(await inner.ReadAsync(buffer, ct));
    int Track(int n) { MaxPosition += n; return n; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => MaxPosition; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
