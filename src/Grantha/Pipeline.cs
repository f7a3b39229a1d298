using Grantha.Engine;
using Grantha.Extract;
using Grantha.Fetch;
using Grantha.Manifest;
using Grantha.Resolve;
using Microsoft.Extensions.Logging;

namespace Grantha;

/// <summary>The stages this build runs, in order, and how a batch enters them.</summary>
public static class Pipeline
{
    /// <summary>Stages a new batch goes through.</summary>
    public static readonly IReadOnlyList<string> Stages = [Stage.Manifest, Stage.Fetch, Stage.Extract, Stage.Resolve];

    /// <summary>One handler per stage, sharing what is costly to build (the HTTP client).</summary>
    public static IReadOnlyList<IStageHandler> Handlers(ILoggerFactory? logs = null) =>
    [
        new ManifestHandler(),
        new FetchHandler(),
        new ExtractHandler(),
        new ResolveHandler(),
    ];

    public sealed record ManifestInput(string Name, byte[] Content);

    /// <summary>Creates a batch from manifest files; the MANIFEST tasks parse them.</summary>
    public static async Task<long> CreateBatchAsync(Db db, string name, IReadOnlyList<ManifestInput> manifests, BatchOptions options, string actor, ManifestLimits? limits = null, CancellationToken ct = default)
    {
        limits ??= ManifestLimits.Default;
        if (manifests.Count == 0) throw new ArgumentException("Give at least one manifest file.");
        foreach (var m in manifests)
            if (m.Content.LongLength > limits.MaxBytes)
                throw new ManifestException("too_large", $"{m.Name} is {m.Content.LongLength:N0} bytes; the limit is {limits.MaxBytes:N0}. Split the manifest.");
        // The stage list is stored on the batch, so a later build with more stages does not change it.
        var stages = options.Stages is { Count: > 0 } chosen ? Stages.Where(chosen.Contains).ToList() : Stages.ToList();
        options = options with { Stages = stages };
        return await Batches.CreateAsync(db, name, options, actor, stages, async (c, tx, id) =>
        {
            var now = Db.NowMs();
            foreach (var m in manifests) await ManifestHandler.AddFileAsync(c, tx, id, m.Name, m.Content, now);
        }, ct);
    }
}
