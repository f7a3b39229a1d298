using System.Data.Common;
using System.Text.Json;
using Dapper;
using Grantha.Catalog;
using Grantha.Engine;

namespace Grantha.Review;

/// <summary>A curator's edit of one section's text in one script (position as in the extraction).</summary>
public sealed record SectionEdit(string Script, int Position, string Text);

/// <summary>
/// What a curator changes while approving: any field given replaces the staged value; names are catalog ids
/// (an id the catalog does not have is refused: approval never creates a reference entity).
/// </summary>
public sealed record ApprovalEdits
{
    public string? Title { get; init; }
    public string? DisplayTitle { get; init; }
    public string? ComposerId { get; init; }
    public string? TalaId { get; init; }
    public string? DeityId { get; init; }
    public string? KshetraId { get; init; }
    public string? Form { get; init; }
    public IReadOnlyList<string>? RagaIds { get; init; }
    public IReadOnlyList<SectionEdit>? Sections { get; init; }
}

/// <summary>What a name decision lacks for an approval, with the candidates a curator can choose from.</summary>
public sealed record MissingName(string Kind, string Input, string Status, IReadOnlyList<ReviewCandidate> Candidates);

public sealed record ReviewCandidate(string Id, string Name, double Score, string? Reason);

/// <summary>What a review action did: the import's state and version now, and for approve and merge the krithi written.</summary>
public sealed record ReviewOutcome(long Id, long BatchId, string State, long Version, string? PreviousState, long? KrithiId = null, long? KrithiVersion = null,
    bool KrithiCreated = false, IReadOnlyList<KrithiChange>? Edits = null, IReadOnlyList<KrithiConflict>? Conflicts = null, string? Reason = null);

public sealed class StagedImportNotFoundException(long id) : Exception($"Staged import {id} does not exist (list them with ./grantha review list).")
{
    public long Id { get; } = id;
}

/// <summary>The action named a version that is no longer the import's: it changed since it was read (HTTP 409 with the current state).</summary>
public sealed class ReviewVersionConflictException(long id, long expected, long current, string state)
    : Exception($"Staged import {id} is at version {current} ({state}), not {expected}: it changed since you read it. Look at it again, then decide.")
{
    public long Id { get; } = id;
    public long Expected { get; } = expected;
    public long Current { get; } = current;
    public string State { get; } = state;
}

/// <summary>The import cannot be approved as it is: the names or fields listed are missing.</summary>
public sealed class NotApprovableException(long id, IReadOnlyList<MissingName> missing, IReadOnlyList<string> fields)
    : Exception($"Staged import {id} cannot be approved: " + string.Join("; ",
        missing.Select(m => $"{m.Kind} '{m.Input}' is {(m.Status == "unknown" ? "not in the catalog" : "not resolved")}" +
                            (m.Candidates.Count > 0 ? $" (candidates: {string.Join(", ", m.Candidates.Take(3).Select(c => $"{c.Id} {c.Score:0.00}"))})" : ""))
            .Concat(fields)) +
        ". Choose the name (./grantha resolve choose), add it to the reference catalog, or give it as an edit.")
{
    public long Id { get; } = id;
    public IReadOnlyList<MissingName> Missing { get; } = missing;
    public IReadOnlyList<string> Fields { get; } = fields;
}

/// <summary>The work is already in the catalog: a second krithi would be a copy. Merge the import into it instead.</summary>
public sealed class AlreadyInCatalogException(long id, long krithiId, string title)
    : Exception($"Staged import {id} is the same work (composer, title, ragas) as krithi {krithiId} '{title}': merge it (./grantha review merge {id} --into {krithiId}) " +
                "instead of approving a copy; if it is another work that shares all three, approve it with --separate-work (API: separateWork).")
{
    public long Id { get; } = id;
    public long KrithiId { get; } = krithiId;
}

/// <summary>Event kinds and data of review transitions (the event log holds every one, with actor and reason).</summary>
public static class ReviewEvents
{
    public static string Kind(string state) => "review_" + state;

    public static string Data(long stagedImportId, string from, string to, long version, string? reason, long? krithiId = null) =>
        JsonSerializer.Serialize(new { stagedImportId, from, to, version, reason, krithiId }, EngineJson.Options);
}

/// <summary>
/// The curator's actions on a staged import: approve (optionally with edits), reject, merge into a krithi,
/// defer, reopen. Each runs in one transaction that locks the import, checks the version the curator saw
/// and the review state machine, writes the krithi (through <see cref="KrithiStore"/>), moves the import
/// and appends the event. Two actions on one import: one wins, the other gets a version conflict.
/// </summary>
public static class Reviews
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The import as an action reads it, locked for the transaction.</summary>
    internal sealed class Locked
    {
        public long Id { get; set; }
        public long BatchId { get; set; }
        public string ReviewState { get; set; } = "";
        public string Status { get; set; } = "";
        public long Version { get; set; }
        public long? KrithiId { get; set; }
        public long? ReviewTaskId { get; set; }
        public string? ReviewOutcome { get; set; }
        public string Decisions { get; set; } = "{}";
        public long Flags { get; set; }
    }

    /// <summary>The import's batch and version, for a caller that acts on what it is now (the CLI reads it first); null when there is none.</summary>
    public static Task<(long BatchId, long Version)?> HeadAsync(Db db, long id, CancellationToken ct = default) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<(long BatchId, long Version)?>("SELECT batch_id, version FROM staged_import WHERE id = @id", new { id }), ct);

    internal static async Task<Locked> LockAsync(Dialect dialect, DbConnection c, DbTransaction tx, long id, long? expectedVersion)
    {
        var row = await c.QuerySingleOrDefaultAsync<Locked>($"""
            SELECT id AS Id, batch_id AS BatchId, review_state AS ReviewState, status AS Status, version AS Version, krithi_id AS KrithiId,
                   review_task_id AS ReviewTaskId, review_outcome AS ReviewOutcome, decisions AS Decisions, flags AS Flags
              FROM staged_import WHERE id = @id{dialect.RowLock}
            """, new { id }, tx) ?? throw new StagedImportNotFoundException(id);
        if (expectedVersion is { } v && v != row.Version) throw new ReviewVersionConflictException(id, v, row.Version, row.ReviewState);
        return row;
    }

    /// <summary>
    /// Approves the import: a new krithi (or, for an approved import, a new revision of its krithi: an explicit
    /// re-approval). Refused when a name is unresolved, a required field is missing, or the work is already a
    /// krithi (merge instead). <paramref name="taskId"/>: the APPROVE task doing it, so a retried task can tell
    /// its own earlier approval from someone else's.
    /// </summary>
    /// <param name="separateWork">The curator says this is another work than the krithi with the same work key (two
    /// compositions sharing composer, title and ragas, e.g. a blog's "-1" and "-2"): approve it as a krithi of its own.</param>
    public static Task<ReviewOutcome> ApproveAsync(Db db, long id, long? expectedVersion, string actor, string? reason = null, ApprovalEdits? edits = null,
        long? taskId = null, bool separateWork = false, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => ApproveAsync(db.Dialect, c, tx, id, expectedVersion, actor, reason, edits, taskId, separateWork), ct);

    public static async Task<ReviewOutcome> ApproveAsync(Dialect dialect, DbConnection c, DbTransaction tx, long id, long? expectedVersion, string actor, string? reason,
        ApprovalEdits? edits, long? taskId, bool separateWork = false)
    {
        RequireActor(actor);
        CheckReason(reason);
        var row = await LockAsync(dialect, c, tx, id, expectedVersion);
        if (row.ReviewState == ReviewStates.NeedsReview) throw new NotApprovableException(id, MissingNames(row.Decisions), []);
        ReviewStates.Machine.Check(row.ReviewState, ReviewStates.Approved, row.ReviewState == ReviewStates.Approved ? "approve again" : "approve");

        var staged = await KrithiDrafts.FromStagedImportAsync(c, tx, id) ?? throw new StagedImportNotFoundException(id);
        var (draft, changes) = Apply(staged.Draft, edits);
        var missingFields = new List<string>();
        if (string.IsNullOrWhiteSpace(draft.Title)) missingFields.Add("no title (give one as an edit)");
        if (draft.ComposerId is null) missingFields.Add("no composer (the page names none: give composerId as an edit)");
        if (draft.Ragas.Count == 0) missingFields.Add("no raga (give ragaIds as an edit)");
        if (missingFields.Count > 0) throw new NotApprovableException(id, [], missingFields);
        reason = string.IsNullOrWhiteSpace(reason) ? "approved" : reason.Trim();
        if (separateWork) reason += " (a separate work from the krithis with the same composer, title and ragas)";

        KrithiWriteResult written;
        var created = false;
        if (row.ReviewState == ReviewStates.Approved && row.KrithiId is { } existing)
        {
            var current = await KrithiStore.LoadAsync(c, tx, existing, dialect.RowLock) ?? throw new KrithiNotFoundException(existing);
            draft = await KrithiStore.CanonicalReferencesAsync(dialect, c, tx, draft);
            written = await KrithiStore.ReviseAsync(dialect, c, tx, existing, current.Version, draft, staged.Source, actor, "re-approved: " + reason);
        }
        else
        {
            // One krithi per work: approvals of the same work (any batch, any process) take turns here. The work
            // key is the one the krithi will have: ids of entities merged since RESOLVE become the kept ones first.
            draft = await KrithiStore.CanonicalReferencesAsync(dialect, c, tx, draft);
            if (draft.WorkKey is { } workKey)
            {
                await dialect.TransactionLockAsync(c, tx, WorkLock(workKey));
                if (!separateWork && (await KrithiStore.FindByWorkKeyAsync(c, tx, workKey)).FirstOrDefault(k => k.Status == KrithiStatus.Active) is { } same)
                    throw new AlreadyInCatalogException(id, same.Id, same.Title);
            }
            written = await KrithiStore.CreateAsync(dialect, c, tx, draft, staged.Source, actor, reason);
            created = true;
        }
        var outcome = new ReviewOutcome(id, row.BatchId, ReviewStates.Approved, row.Version + 1, row.ReviewState, written.Id, written.Version, created,
            changes.Count == 0 ? null : changes, null, reason);
        await MoveAsync(c, tx, row, outcome, actor, taskId);
        return outcome;
    }

    /// <summary>Merges the import into krithi <paramref name="krithiId"/>: its source and any lyric script or empty field the krithi lacks; differing fields come back as conflicts, untouched.</summary>
    public static Task<ReviewOutcome> MergeAsync(Db db, long id, long? expectedVersion, long krithiId, long? expectedKrithiVersion, string actor, string? reason = null,
        CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            RequireActor(actor);
            CheckReason(reason);
            var row = await LockAsync(db.Dialect, c, tx, id, expectedVersion);
            if (row.ReviewState == ReviewStates.NeedsReview) throw new NotApprovableException(id, MissingNames(row.Decisions), []);
            ReviewStates.Machine.Check(row.ReviewState, ReviewStates.Merged, "merge");
            var staged = await KrithiDrafts.FromStagedImportAsync(c, tx, id) ?? throw new StagedImportNotFoundException(id);
            var krithi = await KrithiStore.LoadAsync(c, tx, krithiId, db.Dialect.RowLock) ?? throw new KrithiNotFoundException(krithiId);
            var incoming = await KrithiStore.CanonicalReferencesAsync(db.Dialect, c, tx, staged.Draft);
            reason = string.IsNullOrWhiteSpace(reason) ? "merged" : reason.Trim();
            var written = await KrithiStore.MergeAsync(db.Dialect, c, tx, krithiId, expectedKrithiVersion ?? krithi.Version, incoming, staged.Source, actor,
                $"merged staged import {id}: {reason}");
            var outcome = new ReviewOutcome(id, row.BatchId, ReviewStates.Merged, row.Version + 1, row.ReviewState, written.Id, written.Version, false, null,
                written.Conflicts, reason);
            await MoveAsync(c, tx, row, outcome, actor, null);
            return outcome;
        }, ct);

    /// <summary>Rejects the import (a reason is required: it is what the next curator reads).</summary>
    public static Task<ReviewOutcome> RejectAsync(Db db, long id, long? expectedVersion, string actor, string reason, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("Give a reason for the rejection (--reason): it is what the next curator reads.");
        return SimpleAsync(db, id, expectedVersion, actor, reason.Trim(), _ => ReviewStates.Rejected, "reject", ct);
    }

    /// <summary>Sets the import aside: it stays out of bulk approval until a curator reopens it.</summary>
    public static Task<ReviewOutcome> DeferAsync(Db db, long id, long? expectedVersion, string actor, string? reason = null, CancellationToken ct = default) =>
        SimpleAsync(db, id, expectedVersion, actor, string.IsNullOrWhiteSpace(reason) ? "deferred" : reason.Trim(), _ => ReviewStates.Deferred, "defer", ct);

    /// <summary>Brings a rejected or deferred import back: ready, or needs review when a name is still unresolved.</summary>
    public static Task<ReviewOutcome> ReopenAsync(Db db, long id, long? expectedVersion, string actor, string? reason = null, CancellationToken ct = default) =>
        SimpleAsync(db, id, expectedVersion, actor, string.IsNullOrWhiteSpace(reason) ? "reopened" : reason.Trim(),
            row => row.Status == "needs_review" ? ReviewStates.NeedsReview : ReviewStates.Ready, "reopen", ct);

    static Task<ReviewOutcome> SimpleAsync(Db db, long id, long? expectedVersion, string actor, string reason, Func<Locked, string> target, string action, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            RequireActor(actor);
            CheckReason(reason);
            var row = await LockAsync(db.Dialect, c, tx, id, expectedVersion);
            var to = target(row);
            ReviewStates.Machine.Check(row.ReviewState, to, action);
            var outcome = new ReviewOutcome(id, row.BatchId, to, row.Version + 1, row.ReviewState, Reason: reason);
            await MoveAsync(c, tx, row, outcome, actor, null);
            return outcome;
        }, ct);

    /// <summary>Writes the transition: state, version, who, why, what it did; and its event.</summary>
    static async Task MoveAsync(DbConnection c, DbTransaction tx, Locked row, ReviewOutcome outcome, string actor, long? taskId)
    {
        var now = Db.NowMs();
        var n = await c.ExecuteAsync("""
            UPDATE staged_import SET review_state = @State, previous_state = @PreviousState, version = @Version, krithi_id = COALESCE(@KrithiId, krithi_id),
                   reviewed_by = @actor, reviewed_at = @now, review_reason = @Reason, review_task_id = @taskId, review_outcome = @outcomeJson, updated_at = @now
             WHERE id = @Id AND version = @old
            """, new { outcome.State, outcome.PreviousState, outcome.Version, outcome.KrithiId, actor, now, outcome.Reason, taskId,
                outcomeJson = JsonSerializer.Serialize(outcome, Json), outcome.Id, old = row.Version }, tx);
        // The row is locked (PostgreSQL) or the writer is alone (SQLite): a miss here is a bug, not a race.
        if (n != 1) throw new InvalidOperationException($"Staged import {row.Id} changed under its lock.");
        await Events.AppendAsync(c, tx, new Event(row.BatchId, null, taskId, ReviewEvents.Kind(outcome.State), actor, now,
            ReviewEvents.Data(row.Id, row.ReviewState, outcome.State, outcome.Version, outcome.Reason, outcome.KrithiId)));
    }

    /// <summary>The blocking names of a staged import's decisions, with their candidates.</summary>
    public static IReadOnlyList<MissingName> MissingNames(string decisionsJson)
    {
        using var doc = JsonDocument.Parse(decisionsJson);
        if (!doc.RootElement.TryGetProperty("names", out var names)) return [];
        return names.EnumerateArray()
            .Where(n => n.TryGetProperty("blocking", out var b) && b.ValueKind == JsonValueKind.True)
            .Select(n => new MissingName(n.GetProperty("kind").GetString() ?? "", n.GetProperty("input").GetString() ?? "", n.GetProperty("status").GetString() ?? "",
                n.TryGetProperty("candidates", out var cs)
                    ? cs.EnumerateArray().Select(x => new ReviewCandidate(x.GetProperty("id").GetString() ?? "", x.GetProperty("name").GetString() ?? "",
                        x.GetProperty("score").GetDouble(), x.TryGetProperty("reason", out var r) ? r.GetString() : null)).ToList()
                    : []))
            .DistinctBy(m => (m.Kind, m.Input))
            .ToList();
    }

    /// <summary>The draft with the curator's edits, and each edit as a change (field, staged value, curator's value).</summary>
    public static (KrithiDraft Draft, IReadOnlyList<KrithiChange> Changes) Apply(KrithiDraft draft, ApprovalEdits? edits)
    {
        if (edits is null) return (draft, []);
        var changes = new List<KrithiChange>();
        string? Field(string name, string? staged, string? edit)
        {
            if (edit is null) return staged;
            var value = edit.Trim().Length == 0 ? null : edit.Trim();
            if (value != staged) changes.Add(new KrithiChange(name, staged, value));
            return value;
        }
        var d = draft with
        {
            Title = Field("title", draft.Title, edits.Title) ?? "",
            DisplayTitle = Field("display_title", draft.DisplayTitle, edits.DisplayTitle),
            ComposerId = Field("composer_id", draft.ComposerId, edits.ComposerId),
            TalaId = Field("tala_id", draft.TalaId, edits.TalaId),
            DeityId = Field("deity_id", draft.DeityId, edits.DeityId),
            KshetraId = Field("kshetra_id", draft.KshetraId, edits.KshetraId),
            Form = Field("form", draft.Form, edits.Form),
        };
        if (edits.RagaIds is { } ragaIds)
        {
            var ragas = ragaIds.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct().Select(r => new KrithiRaga(r)).ToList();
            if (!ragas.Select(r => r.RagaId).SequenceEqual(draft.Ragas.Select(r => r.RagaId)))
            {
                changes.Add(new KrithiChange("ragas", draft.Ragas.Select(r => r.RagaId).ToList(), ragas.Select(r => r.RagaId).ToList()));
                d = d with { Ragas = ragas };
            }
        }
        foreach (var s in edits.Sections ?? [])
        {
            var lyric = d.Lyric(s.Script) ?? throw new ArgumentException($"The import has no lyric in script '{s.Script}' to edit (it has: {string.Join(", ", d.Lyrics.Select(l => l.Script))}).");
            var section = lyric.Sections.FirstOrDefault(x => x.Position == s.Position)
                          ?? throw new ArgumentException($"The {s.Script} lyric has no section at position {s.Position} (positions {string.Join(", ", lyric.Sections.Select(x => x.Position))}).");
            if (section.Text == s.Text) continue;
            changes.Add(new KrithiChange($"lyrics.{s.Script}.{s.Position}", section.Text, s.Text));
            var sections = lyric.Sections.Select(x => x.Position == s.Position ? x with { Text = s.Text } : x).ToList();
            d = d with { Lyrics = d.Lyrics.Select(l => l.Script == s.Script ? l with { Sections = sections } : l).ToList() };
        }
        return (d, changes);
    }

    /// <summary>A stable advisory-lock key for a work key (the first 8 bytes of its SHA-256).</summary>
    internal static long WorkLock(string workKey) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("krithi-work|" + workKey)), 0);

    /// <summary>The longest reason a decision keeps (what a curator writes, not a document).</summary>
    public const int ReasonMax = 2_000;

    /// <summary>Refuses a reason longer than <see cref="ReasonMax"/> before anything is read or written.</summary>
    internal static void CheckReason(string? reason)
    {
        if (reason is { Length: > ReasonMax }) throw new ArgumentException($"A reason is at most {ReasonMax:N0} characters (this one has {reason.Length:N0}).");
    }

    static void RequireActor(string actor)
    {
        if (string.IsNullOrWhiteSpace(actor)) throw new ArgumentException("A review action needs an actor (the key's name, or the CLI user).");
    }
}
