using Grantha.Engine;

namespace Grantha.Manifest;

/// <summary>A manifest file handed over by a curator: its name and bytes.</summary>
public sealed record ManifestInput(string Name, byte[] Content);

/// <summary>How a batch enters the pipeline: from manifest files, which its MANIFEST tasks read.</summary>
public static class ManifestBatches
{
    /// <summary>Creates a batch from manifest files; the stages it runs are stored with it (its jobs).</summary>
    public static async Task<long> CreateAsync(Db db, Pipeline pipeline, string name, IReadOnlyList<ManifestInput> manifests, BatchOptions options, string actor,
        ManifestLimits? limits = null, CancellationToken ct = default)
    {
        limits ??= ManifestLimits.Default;
        if (manifests.Count == 0) throw new ArgumentException("Give at least one manifest file.");
        foreach (var m in manifests)
            if (m.Content.LongLength > limits.MaxBytes)
                throw new ManifestException("too_large", $"{m.Name} is {m.Content.LongLength:N0} bytes; the limit is {limits.MaxBytes:N0}. Split the manifest.");
        // The stage list is stored on the batch, so a later build with more stages does not change it.
        var stages = pipeline.Choose(options.Stages, options.StageOptions?.Keys);
        if (!stages.Contains(ManifestHandler.Name))
            throw new ArgumentException($"The stages must include {ManifestHandler.Name}: a batch starts from its manifests.");
        options = options with { Stages = stages.ToList() };
        return await Batches.CreateAsync(db, name, options, actor, stages, async (c, tx, id) =>
        {
            var now = Db.NowMs();
            foreach (var m in manifests) await ManifestHandler.AddFileAsync(db, c, tx, id, m.Name, m.Content, now);
        }, ct);
    }
}
