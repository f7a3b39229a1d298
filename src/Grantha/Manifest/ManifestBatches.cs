using Grantha.Engine;

namespace Grantha.Manifest;

/// <summary>A manifest file handed over by a curator: its name (the upload's file name, or its path in the import folder) and bytes.</summary>
public sealed record ManifestInput(string Name, byte[] Content)
{
    /// <summary>Read on the server from the import folder: an error never quotes it (it may be any file the caller cannot read).</summary>
    public bool FromImportFolder { get; init; }
}

/// <summary>One file refused at batch creation: its name as the caller gave it, the reader's code, and what to fix.</summary>
public sealed record ManifestProblem(string Name, string Code, string Detail);

/// <summary>Manifests refused as a whole before any batch exists, each file with its reason.</summary>
public sealed class ManifestsRefusedException(IReadOnlyList<ManifestProblem> problems)
    : Exception(string.Join(" ", problems.Select(p => p.Detail)))
{
    public IReadOnlyList<ManifestProblem> Problems { get; } = problems;
    public bool AnyTooLarge => Problems.Any(p => p.Code == ManifestErrorCode.TooLarge);
}

/// <summary>How a batch enters the pipeline: from manifest files, which its MANIFEST tasks read.</summary>
public static class ManifestBatches
{
    /// <summary>Longest batch name: a screen shows it whole; the name is stored and logged with every event.</summary>
    public const int NameMaxChars = 200;

    /// <summary>Longest manifest file name (what Linux allows for one file name).</summary>
    public const int FileNameMaxChars = 255;

    /// <summary>
    /// Creates a batch from manifest files; the stages it runs are stored with it (its jobs). Before anything is
    /// written, every file goes through the reader's checks that need only its start (<see cref="ManifestReader.CheckStartAsync"/>):
    /// one bad file refuses the batch with <see cref="ManifestsRefusedException"/>, listing every bad file. The
    /// files together are at most <see cref="ManifestLimits.MaxBytes"/>, as one upload is. Without a name the
    /// batch is named after its files.
    /// </summary>
    public static async Task<long> CreateAsync(Db db, Pipeline pipeline, string? name, IReadOnlyList<ManifestInput> manifests, BatchOptions options, string actor,
        ManifestLimits? limits = null, CancellationToken ct = default)
    {
        limits ??= ManifestLimits.Default;
        if (manifests.Count == 0) throw new ArgumentException("Give at least one manifest file.");
        if (name is { Length: > NameMaxChars })
            throw new ArgumentException($"The batch name has {name.Length:N0} characters; the limit is {NameMaxChars}. Give a shorter name.");
        // Names are one line: lists, logs and the CLI's one line per bad file show them.
        if (name is not null && name.Any(char.IsControl))
            throw new ArgumentException("The batch name has a line break or another control character; give a name on one line.");
        for (var i = 0; i < manifests.Count; i++)
        {
            if (manifests[i].Name.Length is 0 or > FileNameMaxChars)
                throw new ArgumentException($"Manifest {i + 1}'s file name has {manifests[i].Name.Length:N0} characters; a name has 1 to {FileNameMaxChars}. Rename the file.");
            if (manifests[i].Name.Any(char.IsControl))
                throw new ArgumentException($"Manifest {i + 1}'s file name has a line break or another control character. Rename the file.");
        }
        var problems = manifests.Where(m => m.Content.LongLength > limits.MaxBytes)
            .Select(m => TooLarge(m.Name, m.Content.LongLength, limits.MaxBytes)).ToList();
        var total = manifests.Sum(m => m.Content.LongLength);
        if (problems.Count == 0 && total > limits.MaxBytes)
            problems.Add(new("(all files)", ManifestErrorCode.TooLarge,
                $"The manifests add up to {total:N0} bytes; one batch takes at most {limits.MaxBytes:N0} bytes ({ManifestLimits.Describe(limits.MaxBytes)}). Import them in several batches."));
        if (problems.Count == 0)
            foreach (var m in manifests)
                if (await ManifestReader.CheckStartAsync(m, limits, ct) is { } problem) problems.Add(problem);
        if (problems.Count > 0) throw new ManifestsRefusedException(problems);
        if (options.Politeness == false) await CheckPolitenessOffAsync(manifests, options, limits, ct);

        // The stage list is stored on the batch, so a later build with more stages does not change it.
        var stages = pipeline.Choose(options.Stages, options.StageOptions?.Keys);
        if (!stages.Contains(ManifestHandler.Name))
            throw new ArgumentException($"The stages must include {ManifestHandler.Name}: a batch starts from its manifests.");
        options = options with { Stages = stages.ToList() };
        return await Batches.CreateAsync(db, name ?? DefaultName(manifests), options, actor, stages, async (c, tx, id) =>
        {
            var now = Db.NowMs();
            foreach (var m in manifests) await ManifestHandler.AddFileAsync(db, c, tx, id, m.Name, m.Content, now);
        }, ct);
    }

    /// <summary>
    /// Politeness off (no per-host delay or slot limit) is for loopback benchmarks and the demo: every host of the
    /// batch's rows must be mapped onto the offline site, or the batch is refused (the fetch stage also keeps the
    /// gate for a host the batch does not map).
    /// </summary>
    static async Task CheckPolitenessOffAsync(IReadOnlyList<ManifestInput> manifests, BatchOptions options, ManifestLimits limits, CancellationToken ct)
    {
        var mapped = options.AllowOfflineSite
            ? options.HostMap.Keys.Select(k => k.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
        var unmapped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in manifests)
        {
            await using var stream = new MemoryStream(m.Content, writable: false);
            try
            {
                await foreach (var line in ManifestReader.ReadAsync(stream, m.Name, limits, ct))
                    if (line is ManifestRow r && !mapped.Contains(r.Host)) unmapped.Add(r.Host);
            }
            // A file refused later by its MANIFEST task fetches nothing.
            catch (ManifestException) { }
        }
        if (unmapped.Count > 0)
            throw new BatchOptionException("politeness",
                $"Politeness can be turned off only when every host is mapped onto the offline site (loopback benchmarks); " +
                $"{unmapped.Count:N0} host(s) are not, e.g. {unmapped.First()}. Drop --no-politeness (politeness: false), or map the hosts.");
    }

    /// <summary>The files' names joined, shortened to <see cref="NameMaxChars"/> (a long list ends in "…").</summary>
    public static string DefaultName(IReadOnlyList<ManifestInput> manifests)
    {
        var joined = string.Join(" + ", manifests.Select(m => m.Name));
        return joined.Length <= NameMaxChars ? joined : joined[..(NameMaxChars - 1)] + "…";
    }

    /// <summary>
    /// A manifest the CLI names (its own user's file: a pipe such as <c>&lt;(cmd)</c> is fine), read up to one byte
    /// past <paramref name="maxBytes"/>: a device that never ends (/dev/zero) is refused, not read into memory.
    /// </summary>
    public static async Task<ManifestInput> ReadFileAsync(string path, long maxBytes, CancellationToken ct = default)
    {
        var name = Path.GetFileName(path);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        if (file.CanSeek && file.Length > maxBytes) throw new ManifestsRefusedException([TooLarge(name, file.Length, maxBytes)]);
        using var content = new MemoryStream();
        var buffer = new byte[81920];
        while (await file.ReadAsync(buffer, ct) is var n and > 0)
        {
            if (content.Length + n > maxBytes) throw new ManifestsRefusedException([TooLarge(name, null, maxBytes)]);
            content.Write(buffer, 0, n);
        }
        return new ManifestInput(name, content.ToArray());
    }

    /// <summary>A file over the limit, named as the caller knows it.</summary>
    public static ManifestProblem TooLarge(string name, long? bytes, long maxBytes) => new(name, ManifestErrorCode.TooLarge,
        (bytes is { } b ? $"{name}: the file is {b:N0} bytes; the limit is" : $"{name}: the file is over the limit of")
        + $" {maxBytes:N0} bytes ({ManifestLimits.Describe(maxBytes)}). Split it into smaller manifests.");
}
