using System.Diagnostics;

namespace Grantha.Fetch;

/// <summary>
/// The time a request may still be sent under its <see cref="HostPermit"/>: from its reserved start
/// until the start window closes. It is checked at the socket, just before the request's first
/// byte is written (<see cref="WindowedStream"/>), because between the gate and the socket a GC or a
/// descheduled thread can take longer than the window; a request checked only at the gate could
/// then reach the host right after the next holder's. A late request is not written at all: the
/// send throws <see cref="LateSendException"/> and the gate gives the start back and asks again.
/// </summary>
public sealed class SendWindow
{
    static readonly AsyncLocal<SendWindow?> Current = new();

    readonly long _askedAt;
    readonly TimeSpan _until;
    readonly TimeSpan _window;
    readonly TaskCompletionSource<long> _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _written;

    /// <param name="askedAt">Stopwatch timestamp taken before the store's clock was read.</param>
    /// <param name="until">How long after <paramref name="askedAt"/> the reserved start lies.</param>
    /// <param name="window">How long after the reserved start the request may still go out.</param>
    public SendWindow(long askedAt, TimeSpan until, TimeSpan window)
    {
        _askedAt = askedAt; _until = until; _window = window;
    }

    /// <summary>
    /// When the request's first byte was written (a <see cref="Stopwatch"/> timestamp); cancelled when nothing
    /// was (<see cref="Abandon"/>). The gate records it, so the next request to the host is spaced from it.
    /// </summary>
    public Task<long> Sent => _sent.Task;

    /// <summary>The request will not be written under this window (it failed, or was late).</summary>
    public void Abandon() => _sent.TrySetCanceled();

    /// <summary>The Stopwatch timestamp the window counts from (taken before the store's clock was read).</summary>
    public long AskedAt => _askedAt;

    /// <summary>Called once, when the request's first byte is written: the request has started (politeness check).</summary>
    public Action? Started { get; init; }

    /// <summary>How far past the window's close it is now (zero or less: still open).</summary>
    public TimeSpan Lateness => Stopwatch.GetElapsedTime(_askedAt) - _until - _window;

    /// <summary>Requests sent by this flow until the scope is disposed are held to <paramref name="window"/>.</summary>
    public static IDisposable Enter(SendWindow? window)
    {
        var previous = Current.Value;
        Current.Value = window;
        return new Scope(previous);
    }

    /// <summary>
    /// Called by the connection stream before it writes: the first write of the flow's request must
    /// fall within the window; once it did, the request is out and later writes pass.
    /// </summary>
    internal static void CheckBeforeWrite()
    {
        if (Current.Value is not { } w || Volatile.Read(ref w._written) == 1) return;
        var late = w.Lateness;
        if (late > TimeSpan.Zero) throw new LateSendException(late);
        if (Interlocked.Exchange(ref w._written, 1) == 0)
        {
            w._sent.TrySetResult(Stopwatch.GetTimestamp());
            w.Started?.Invoke();
        }
    }

    /// <summary>The late send inside whatever the HTTP stack wrapped it in, if that is what failed.</summary>
    public static LateSendException? FindLate(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is LateSendException late) return late;
        return null;
    }

    sealed class Scope(SendWindow? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>The request's window closed before its first byte was written; nothing was sent.</summary>
public sealed class LateSendException(TimeSpan late)
    : Exception($"The request's start window closed {late.TotalMilliseconds:F0} ms before it could be written; it was not sent.")
{
    public TimeSpan Late { get; } = late;
}

/// <summary>A connection's stream that asks <see cref="SendWindow"/> before each write.</summary>
internal sealed class WindowedStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        SendWindow.CheckBeforeWrite();
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        SendWindow.CheckBeforeWrite();
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
    {
        SendWindow.CheckBeforeWrite();
        return inner.WriteAsync(buffer, offset, count, ct);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        SendWindow.CheckBeforeWrite();
        return inner.WriteAsync(buffer, ct);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
