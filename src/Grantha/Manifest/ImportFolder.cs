using System.Runtime.InteropServices;
using Grantha.Engine;
using Microsoft.Win32.SafeHandles;

namespace Grantha.Manifest;

/// <summary>Raised for a server-side manifest path that is refused: outside the import folder, missing, not a regular file.</summary>
public sealed class ImportPathException(string message) : Exception(message);

/// <summary>
/// The one folder whose files the API may read as manifests by path (docs/manifest.md, "The import folder").
/// A file is read only when the real path of every component is inside the folder (a link may point
/// elsewhere inside it, never out), it is a regular file (checked before it is opened, and it is opened
/// without blocking: a pipe would hang the request), and it is not one of the SQLite store's own files:
/// opening and closing those in the server's process drops SQLite's POSIX locks, after which another
/// process may checkpoint and delete the WAL under the running server. Errors name the file relative to
/// the folder and never show the folder's own path or anything the file holds.
/// </summary>
public sealed class ImportFolder(string root)
{
    public const string EnvironmentVariable = "GRANTHA_IMPORT_DIR";
    public const string Default = "imports";

    /// <summary>The SQLite journal files beside a database: each is as much the store as the database file.</summary>
    public static readonly string[] DatabaseSuffixes = ["", "-wal", "-shm", "-journal"];

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The SQLite store's database file, never read (nor its <see cref="DatabaseSuffixes"/>), found by device and inode so links count.</summary>
    public string? DatabaseFile { get; init; }

    public static ImportFolder FromEnvironment(string? explicitRoot = null) =>
        new(explicitRoot ?? Environment.GetEnvironmentVariable(EnvironmentVariable) ?? Default);

    /// <summary>The same folder, refusing the store's own files.</summary>
    public ImportFolder Guarding(Db db) => new(Root) { DatabaseFile = db.SqliteFile };

    /// <summary>
    /// Reads the manifest at <paramref name="path"/> (relative to the folder, or absolute inside it), named by its
    /// path relative to the folder. <see cref="ImportPathException"/> when it may not be read; over <paramref name="maxBytes"/>
    /// (known from its size, before reading) a <see cref="ManifestsRefusedException"/> <c>too_large</c>.
    /// </summary>
    public async Task<ManifestInput> ReadAsync(string? path, long maxBytes, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0'))
            throw new ImportPathException("Give the path of a manifest inside the import folder.");
        var full = Path.GetFullPath(Path.Combine(Root, path));
        // The path as given is not repeated: it may be the server's own (an absolute path elsewhere).
        if (!IsInside(full, Root))
            throw new ImportPathException("A path outside the import folder is refused: give the path of a manifest relative to the import folder.");
        var name = Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/');
        if (!OperatingSystem.IsLinux())
            throw new ImportPathException("Importing by path needs a Linux server; upload the file instead.");

        var realRoot = Native.RealPath(Root) ?? throw new ImportPathException("The server has no import folder; upload the file instead, or ask the operator to create the folder.");
        var real = Native.RealPath(full) ?? throw new ImportPathException($"'{name}' does not exist in the import folder.");
        if (!IsInside(real, realRoot))
            throw new ImportPathException($"'{name}' leads outside the import folder (through a link); only files inside it can be imported.");
        // The type before opening: opening a pipe blocks until a writer comes, opening a device may act on it.
        var before = Native.Stat(real) ?? throw new ImportPathException($"'{name}' does not exist in the import folder.");
        if (!before.IsRegularFile)
            throw new ImportPathException($"'{name}' is not a regular file (a folder, a pipe, a socket or a device); give a CSV file.");
        if (IsDatabase(before))
            throw new ImportPathException($"'{name}' is one of the server's own database files, not a manifest.");
        if (before.Size > maxBytes) throw new ManifestsRefusedException([ManifestBatches.TooLarge(name, before.Size, maxBytes)]);

        using var handle = Native.OpenNonBlocking(real)
            ?? throw new ImportPathException($"'{name}' cannot be read by the server (its permissions?); ask the operator.");
        var opened = Native.Stat(handle);
        // The same file as checked, or the path changed in between (a link swapped): nothing is read then.
        if (opened is not { IsRegularFile: true } o || o.Device != before.Device || o.Inode != before.Inode)
            throw new ImportPathException($"'{name}' changed while it was being opened; try again.");
        if (o.Size > maxBytes) throw new ManifestsRefusedException([ManifestBatches.TooLarge(name, o.Size, maxBytes)]);

        // One byte more than the limit tells a file that grew since its size was read.
        var buffer = new byte[Math.Min(o.Size, maxBytes) + 1];
        var n = 0;
        while (n < buffer.Length && await RandomAccess.ReadAsync(handle, buffer.AsMemory(n), n, ct) is var read and > 0) n += read;
        if (n > maxBytes) throw new ManifestsRefusedException([ManifestBatches.TooLarge(name, n, maxBytes)]);
        return new ManifestInput(name, buffer[..n]) { FromImportFolder = true };
    }

    bool IsDatabase(Native.FileId candidate) =>
        DatabaseFile is { } db && DatabaseSuffixes.Any(s => Native.Stat(db + s) is { } f && f.Device == candidate.Device && f.Inode == candidate.Inode);

    static bool IsInside(string full, string root) =>
        full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// The few libc calls .NET has no API for: the real path, the file type with device and inode (statx: its
    /// layout is the same on every Linux architecture), and an open that does not block.
    /// </summary>
    static class Native
    {
        public readonly record struct FileId(ushort Mode, ulong Inode, ulong Device, long Size)
        {
            public bool IsRegularFile => (Mode & 0xF000) == 0x8000; // S_IFMT, S_IFREG
        }

        const int AtFdCwd = -100, AtEmptyPath = 0x1000;
        const uint StatxBasicStats = 0x7FF;
        const int ORdOnly = 0, ONonBlock = 0x800, OCloExec = 0x80000; // the same values on x86-64 and arm64

        [DllImport("libc", SetLastError = true)] static extern IntPtr realpath(string path, IntPtr resolved);
        [DllImport("libc")] static extern void free(IntPtr pointer);
        [DllImport("libc", SetLastError = true)] static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
        [DllImport("libc", SetLastError = true)] static extern int open(string path, int flags, int mode);

        public static string? RealPath(string path)
        {
            var p = realpath(path, IntPtr.Zero);
            if (p == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUTF8(p); }
            finally { free(p); }
        }

        /// <summary>The file a path names, links followed; null when there is none.</summary>
        public static FileId? Stat(string path)
        {
            var b = new byte[StatxBytes];
            return statx(AtFdCwd, path, 0, StatxBasicStats, b) == 0 ? Read(b) : null;
        }

        /// <summary>The file an open handle is.</summary>
        public static FileId? Stat(SafeFileHandle handle)
        {
            var b = new byte[StatxBytes];
            var added = false;
            handle.DangerousAddRef(ref added);
            try { return statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, b) == 0 ? Read(b) : null; }
            finally { if (added) handle.DangerousRelease(); }
        }

        public static SafeFileHandle? OpenNonBlocking(string path)
        {
            var fd = open(path, ORdOnly | ONonBlock | OCloExec, 0);
            return fd < 0 ? null : new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        }

        const int StatxBytes = 256;

        // struct statx: stx_mode (u16) at 28, stx_ino at 32, stx_size at 40, stx_dev_major and _minor (u32) at 136 and 140.
        static FileId Read(byte[] b) => new(BitConverter.ToUInt16(b, 28), BitConverter.ToUInt64(b, 32),
            ((ulong)BitConverter.ToUInt32(b, 136) << 32) | BitConverter.ToUInt32(b, 140), (long)BitConverter.ToUInt64(b, 40));
    }
}
