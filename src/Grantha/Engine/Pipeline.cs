namespace Grantha.Engine;

/// <summary>
/// The stages a batch can go through, in order: the one place that knows the order. Each stage
/// hands its follow-up tasks to the stage after it; construction checks that the payload each
/// stage gives is the payload the next one reads, so a wrongly wired pipeline does not start.
/// The engine knows stages only through the pipeline it is given.
/// </summary>
public sealed class Pipeline
{
    readonly StageHandler[] _stages;
    readonly Dictionary<string, int> _index;

    public Pipeline(params IEnumerable<StageHandler> stages)
    {
        _stages = stages.ToArray();
        if (_stages.Length == 0) throw new ArgumentException("A pipeline needs at least one stage.");
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _stages.Length; i++)
        {
            var s = _stages[i];
            if (string.IsNullOrWhiteSpace(s.Stage) || s.Stage != s.Stage.ToUpperInvariant())
                throw new ArgumentException($"Stage name '{s.Stage}' must be upper case, like FETCH.");
            if (!_index.TryAdd(s.Stage, i)) throw new ArgumentException($"Stage {s.Stage} appears twice in the pipeline.");
            if (i > 0 && _stages[i - 1].NextPayloadType != s.PayloadType)
                throw new ArgumentException($"{_stages[i - 1].Stage} hands on {_stages[i - 1].NextPayloadType.Name}, but {s.Stage} reads {s.PayloadType.Name}.");
        }
    }

    public IReadOnlyList<StageHandler> Stages => _stages;
    public IReadOnlyList<string> Names => _stages.Select(s => s.Stage).ToList();

    /// <summary>A pipeline with <paramref name="stage"/> added at the end.</summary>
    public Pipeline Then(StageHandler stage) => new([.. _stages, stage]);

    public bool Has(string stage) => _index.ContainsKey(stage);

    public StageHandler this[string stage] =>
        _index.TryGetValue(stage, out var i) ? _stages[i] : throw new ArgumentException($"'{stage}' is not a stage of this pipeline; use {string.Join(", ", Names)}.");

    public StageHandler? After(string stage) => _index.TryGetValue(stage, out var i) && i + 1 < _stages.Length ? _stages[i + 1] : null;

    /// <summary>
    /// The stage that follows <paramref name="stage"/> for a batch that runs <paramref name="batchStages"/>:
    /// the next stage of the pipeline if the batch runs it, else none.
    /// </summary>
    public StageHandler? NextFor(string stage, IReadOnlyCollection<string> batchStages) =>
        After(stage) is { } next && batchStages.Contains(next.Stage) ? next : null;

    /// <summary>
    /// The stages a new batch runs: the ones chosen (in pipeline order), or all but the on-demand ones, which
    /// join when the batch carries options for them (<paramref name="stageOptions"/>: stage names).
    /// </summary>
    public IReadOnlyList<string> Choose(IReadOnlyCollection<string>? chosen, IEnumerable<string>? stageOptions = null)
    {
        if (chosen is not { Count: > 0 })
        {
            var asked = stageOptions?.ToHashSet(StringComparer.Ordinal) ?? [];
            return _stages.Where(s => !s.OnDemand || asked.Contains(s.Stage)).Select(s => s.Stage).ToList();
        }
        var names = chosen.Select(n => n.Trim().ToUpperInvariant()).ToHashSet();
        foreach (var n in names)
            if (!Has(n)) throw new ArgumentException($"'{n}' is not a stage of this pipeline; use {string.Join(", ", Names)}.");
        return Names.Where(names.Contains).ToList();
    }

    public StageSettings SettingsOf(string stage) => _index.TryGetValue(stage, out var i) ? _stages[i].Settings : new StageSettings();
}
