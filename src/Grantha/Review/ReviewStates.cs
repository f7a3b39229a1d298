using Grantha.Engine;

namespace Grantha.Review;

/// <summary>
/// The review states of a staged import, and the machine that moves between them (drawn in
/// docs/state-machines.md). RESOLVE puts an import in <see cref="NeedsReview"/> (a name is not
/// resolved) or <see cref="Ready"/>; a curator (or the batch's auto-approval policy) decides.
/// </summary>
public static class ReviewStates
{
    public const string NeedsReview = "needs_review";
    public const string Ready = "ready";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Merged = "merged";
    public const string Deferred = "deferred";

    public static readonly IReadOnlyList<string> All = [NeedsReview, Ready, Approved, Rejected, Merged, Deferred];

    /// <summary>States a curator still has to decide on: RESOLVE may rewrite these in place.</summary>
    public static readonly IReadOnlyList<string> Pending = [NeedsReview, Ready, Deferred];

    public static bool IsState(string s) => All.Contains(s);

    public static readonly StateMachine Machine = new("staged import",
    [
        // RESOLVE again (a curator's choice, a catalog change, a re-extraction) moves a pending import
        // between the two; a deferred one stays deferred until a curator reopens it.
        (NeedsReview, [Ready, Deferred, Rejected]),
        (Ready, [NeedsReview, Approved, Merged, Rejected, Deferred]),
        (Deferred, [Ready, NeedsReview, Rejected]),
        // Reopened by a curator: back to what RESOLVE says about it.
        (Rejected, [Ready, NeedsReview]),
        // An explicit re-approval writes a new revision of the krithi (nothing else moves an approved import).
        (Approved, [Approved]),
    ], [Approved, Merged]);
}

/// <summary>
/// Flags of a staged import, stored as bits of staged_import.flags so that the queue filters and
/// counts them with plain integer arithmetic on either store.
/// </summary>
public static class ReviewFlags
{
    /// <summary>Same work (composer, title, ragas) as an earlier page of this batch: never approved by bulk.</summary>
    public const int Duplicate = 1;
    /// <summary>Same composer and ragas as another page of the batch, title a few letters apart.</summary>
    public const int NearDuplicate = 2;
    /// <summary>The same work was staged by an earlier batch.</summary>
    public const int InCatalog = 4;
    /// <summary>A name matched only by spelling distance (score below <see cref="LowConfidenceBelow"/>).</summary>
    public const int LowConfidence = 8;
    /// <summary>The extractor warned about the page.</summary>
    public const int Warnings = 16;
    /// <summary>A name is not resolved: the import cannot be approved until it is.</summary>
    public const int Unresolved = 32;

    /// <summary>A matched name scoring below this (a fuzzy match) flags the import as low confidence.</summary>
    public const double LowConfidenceBelow = 0.95;

    public static readonly IReadOnlyList<(string Name, int Bit)> All =
    [
        ("duplicate", Duplicate), ("near_duplicate", NearDuplicate), ("in_catalog", InCatalog),
        ("low_confidence", LowConfidence), ("warnings", Warnings), ("unresolved", Unresolved),
    ];

    public static int Parse(string name) =>
        All.FirstOrDefault(f => f.Name == name.Trim().ToLowerInvariant()) is { Bit: > 0 } f ? f.Bit
            : throw new ArgumentException($"Unknown flag '{name}': use {string.Join(", ", All.Select(x => x.Name))}.");

    public static IReadOnlyList<string> Names(int flags) => All.Where(f => (flags & f.Bit) != 0).Select(f => f.Name).ToList();
}
