using System.Text.Json;
using Grantha.Engine;

namespace Grantha.Fetch;

/// <summary>
/// The result JSON of a completed FETCH task. The next stage finds the page through
/// <see cref="Sha256"/> (<see cref="PageStore.LoadBodyAsync"/>) or <see cref="EvidenceId"/>.
/// </summary>
public sealed record FetchResult
{
    public string Url { get; init; } = "";
    public string FinalUrl { get; init; } = "";
    /// <summary>The HTTP status of the answer: 200, or 304 when the stored page was confirmed unchanged.</summary>
    public int Status { get; init; }
    public string Sha256 { get; init; } = "";
    public long Bytes { get; init; }
    public bool NotModified { get; init; }
    /// <summary>Time on the wire across every hop, without politeness waits.</summary>
    public long ElapsedMs { get; init; }
    public long EvidenceId { get; init; }
    public string? ContentType { get; init; }
    /// <summary>An earlier attempt of this task had already stored the page: nothing was fetched again.</summary>
    public bool Resumed { get; init; }

    public static FetchResult From(StoredPage page, bool resumed = false) => new()
    {
        Url = page.Url, FinalUrl = page.FinalUrl, Status = page.Status, Sha256 = page.Sha256, Bytes = page.Size,
        NotModified = page.NotModified, ElapsedMs = page.ElapsedMs, EvidenceId = page.EvidenceId,
        ContentType = page.ContentType, Resumed = resumed,
    };

    public string ToJson() => JsonSerializer.Serialize(this, EngineJson.Options);

    public static FetchResult FromJson(string json) =>
        JsonSerializer.Deserialize<FetchResult>(json, EngineJson.Options) ?? throw new FormatException("empty fetch result");
}
