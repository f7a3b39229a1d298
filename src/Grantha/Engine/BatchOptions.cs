using System.Text.Json;

namespace Grantha.Engine;

/// <summary>Options a batch is created with, stored as JSON on the batch row.</summary>
public sealed record BatchOptions
{
    /// <summary>
    /// Lets the fetch stage reach loopback/private addresses and rewrite the source blogs' hosts
    /// onto the offline source site. Off by default: the SSRF guard refuses such addresses.
    /// </summary>
    public bool AllowOfflineSite { get; init; }

    /// <summary>Maps a source host (e.g. guru-guha.blogspot.com) to a base URL (e.g. http://127.0.0.1:5081).</summary>
    public Dictionary<string, string> HostMap { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per-host politeness for this batch; null means the defaults of the fetch stage.</summary>
    public bool? Politeness { get; init; }

    /// <summary>Minimum milliseconds between two request starts to one host, for this batch (null: the fetch stage default).</summary>
    public int? HostDelayMs { get; init; }

    /// <summary>Requests in flight to one host across all workers, for this batch (null: the fetch stage default).</summary>
    public int? HostConcurrency { get; init; }

    /// <summary>Stages this batch runs through (default: every stage of the pipeline). Its jobs are created from it.</summary>
    public List<string>? Stages { get; init; }

    /// <summary>Options of single stages, by stage name, read by that stage alone (e.g. APPROVE's approval policy).</summary>
    public Dictionary<string, JsonElement>? StageOptions { get; init; }

    /// <summary>The options of <paramref name="stage"/> read as <typeparamref name="T"/>; null when the batch has none.</summary>
    public T? OptionsOf<T>(string stage) where T : class =>
        StageOptions is not null && StageOptions.TryGetValue(stage, out var e) ? e.Deserialize<T>(EngineJson.Options) : null;

    public string ToJson() => JsonSerializer.Serialize(this, EngineJson.Options);

    public static BatchOptions FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? new BatchOptions() : JsonSerializer.Deserialize<BatchOptions>(json, EngineJson.Options) ?? new BatchOptions();
}

/// <summary>
/// A batch option refused when the batch is created (or, for a host map, when a worker reads it): <see cref="Field"/>
/// names the option as the API takes it (<c>hostMap.guru-guha.blogspot.com</c>, <c>politeness</c>).
/// </summary>
public sealed class BatchOptionException(string field, string message, bool notAllowed = false) : ArgumentException(message)
{
    public string Field { get; } = field;
    /// <summary>A host map base that is a URL, but not a server this process allows.</summary>
    public bool NotAllowed { get; } = notAllowed;
}
