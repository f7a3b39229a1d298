using System.Text.Json.Serialization;

namespace Grantha.Resolve;

/// <summary>What a resolver decided about one input.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Decision>))]
public enum Decision
{
    /// <summary>One entity, with a high score clearly ahead of the runner-up (or a curator's alias).</summary>
    [JsonStringEnumMemberName("matched")] Matched,
    /// <summary>Something is close but not certain: a person picks from the candidates.</summary>
    [JsonStringEnumMemberName("needs_review")] NeedsReview,
    /// <summary>Nothing in the catalog is close.</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
    /// <summary>The cell says the work is a ragamalika; its ragas come from the page, section by section.</summary>
    [JsonStringEnumMemberName("ragamalika")] Ragamalika,
}

/// <summary>Why a candidate was proposed.</summary>
public static class MatchReason
{
    /// <summary>The input has the same match key as one of the entity's own names.</summary>
    public const string ExactKey = "exact key";
    /// <summary>The input has the key of a musicological synonym of the entity (e.g. Kalyani for Mechakalyani).</summary>
    public const string Synonym = "synonym";
    /// <summary>A curator said this input means this entity.</summary>
    public const string Alias = "alias";
    /// <summary>The keys differ by <see cref="Candidate.Distance"/> edits.</summary>
    public const string Fuzzy = "fuzzy";
}

public sealed record EntityRef(string Id, string Name);

/// <param name="MatchedName">The written name (own name, synonym or alias) whose key was compared.</param>
/// <param name="Distance">Edit distance between the keys, for fuzzy candidates.</param>
public sealed record Candidate(string Id, string Name, double Score, string Reason, string MatchedName, int? Distance = null);

/// <param name="Kind">"raga", "tala" or "composer".</param>
/// <param name="Candidates">Best first, at most <see cref="ResolverThresholds.MaxCandidates"/>.</param>
public sealed record Resolution(string Input, string Kind, Decision Decision, EntityRef? Match, IReadOnlyList<Candidate> Candidates)
{
    public Candidate? Top => Candidates.Count > 0 ? Candidates[0] : null;
}

public static class DecisionNames
{
    /// <summary>The snake_case name used in storage and JSON: matched, needs_review, unknown, ragamalika.</summary>
    public static string ToWire(this Decision d) => d switch
    {
        Decision.Matched => "matched",
        Decision.NeedsReview => "needs_review",
        Decision.Unknown => "unknown",
        Decision.Ragamalika => "ragamalika",
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, null),
    };
}
