using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Review;

namespace Grantha.Resolve;

/// <summary>A duplicate flag on a staged import. Kinds: duplicate (same work key in the batch), in_catalog (same
/// work key staged by an earlier batch), near_duplicate (same composer and ragas, title a few letters apart).</summary>
public sealed record DuplicateFlag(string Kind, long OtherId, long OtherBatchId, string? OtherTitle, string Reason);

/// <summary>What saving a staged import gave: its version and review state after the write.</summary>
public sealed record StagedImportSaved(long Id, string Status, long? DuplicateOf, IReadOnlyList<DuplicateFlag> Flags, long Version = 1, string ReviewState = ReviewStates.Ready);

/// <summary>
/// The staged_import table (one row per page URL per batch), its manifest rows and its name decisions.
/// De-duplication happens here, inside the writing transaction (serialised per batch), on the work key
/// (composer, title key, raga set): the same work is flagged <c>duplicate</c> and points at the first
/// import, never merged away; a different raga set is a different work, whatever the title.
/// </summary>
public static class StagedImports
{
    public const string Resolved = "resolved";

    public const string NeedsReview = "needs_review";

    /// <summary>Two titles this close (edits), with the same composer and ragas, are flagged as near-duplicates.</summary>
    public const int NearTitleDistance = 2;
    /// <summary>Titles shorter than this are too short for a near-duplicate flag to mean anything.</summary>
    public const int NearTitleMinLength = 6;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Manifest rows of a batch for one URL (the normalised URL the FETCH task was keyed on).</summary>
    public static async Task<IReadOnlyList<ManifestSource>> ManifestRowsAsync(Db db, long batchId, string url, CancellationToken ct = default) =>
        Sources(await db.ReadAsync(c => c.QueryAsync<ManifestRowRead>(ManifestRowsSql, new { batchId, url }), ct));

    /// <summary>The accepted manifest rows of <c>@batchId</c> for <c>@url</c>, as <see cref="ManifestRowRead"/>.</summary>
    internal const string ManifestRowsSql = """
        SELECT r.id AS Id, f.name AS FileName, r.row_number AS RowNumber, r.krithi AS Krithi, r.raga AS Raga
          FROM manifest_row r JOIN manifest_file f ON f.id = r.manifest_file_id
         WHERE r.batch_id = @batchId AND r.normalized_url = @url AND r.status = 'accepted'
         ORDER BY r.id
        """;

    internal static IReadOnlyList<ManifestSource> Sources(IEnumerable<ManifestRowRead> rows) =>
        rows.Select(x => new ManifestSource(x.Id, x.FileName, (int)x.RowNumber, x.Krithi, x.Raga)).ToList();

    internal sealed class ManifestRowRead
    {
        public long Id { get; set; }
        public string FileName { get; set; } = "";
        public long RowNumber { get; set; }
        public string? Krithi { get; set; }
        public string? Raga { get; set; }
    }

    public static object DecisionsJson(PageResolution p) => new
    {
        title = p.Title,
        titleKey = p.TitleKey,
        composer = p.ComposerId,
        ragas = p.Ragas.Select(r => new { id = r.Id, name = r.Name }),
        tala = p.TalaId,
        deity = p.DeityId,
        kshetra = p.KshetraId,
        names = p.Decisions.Select(d => new
        {
            kind = d.Kind, source = d.Source, input = d.Input, status = d.Status, blocking = d.Blocking, rows = d.Rows,
            match = d.Resolution.Match is { } m ? new { id = m.Id, name = m.Name } : null,
            candidates = CandidatesJson(d.Resolution),
        }),
    };

    /// <summary>A name's candidates as stored and shown: id, name, score and the reason in words.</summary>
    static IEnumerable<object> CandidatesJson(Resolution r) =>
        r.Candidates.Select(c => new { id = c.Id, name = c.Name, score = c.Score, reason = ResolutionJson.ReasonText(c) });

    static readonly string[] DecisionColumns =
        ["batch_id", "task_id", "staged_import_id", "kind", "source", "input", "input_key", "decision", "entity_id", "score", "candidates", "rows", "created_at"];

    /// <summary>A stable 64-bit advisory-lock key for (composer, raga set): the first 8 bytes of its SHA-256.</summary>
    internal static long WorkLockKey(string composerId, string ragaSet) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"staged-work|{composerId}|{ragaSet}")), 0);

    /// <summary>
    /// The review columns RESOLVE writes: the flags it knows (unresolved, low confidence, warnings; the
    /// duplicate bits come after the duplicate check) and each field's confidence, the weakest of its names
    /// (a matched name's score, an unresolved one's best candidate; names another source replaced do not count).
    /// </summary>
    public sealed record ReviewColumns(int Flags, double? ComposerConf, double? RagaConf, double? TalaConf, double? DeityConf, double? KshetraConf)
    {
        public static ReviewColumns Of(PageResolution p, int warningCount)
        {
            var counted = p.Decisions.Where(d => d.Status is not (NameStatus.Superseded or NameStatus.Ragamalika)).ToList();
            double? Conf(string kind) => counted.Where(d => d.Kind == kind).Select(d => d.Resolution.Top?.Score ?? 0).DefaultIfEmpty(double.NaN).Min() is var m && double.IsNaN(m) ? null : Math.Round(m, 4);
            var flags = (p.NeedsReview ? ReviewFlags.Unresolved : 0)
                        | (warningCount > 0 ? ReviewFlags.Warnings : 0)
                        | (counted.Any(d => d.Status == NameStatus.Matched && d.Resolution.Top is { } top && top.Score < ReviewFlags.LowConfidenceBelow) ? ReviewFlags.LowConfidence : 0);
            return new ReviewColumns(flags, Conf("composer"), Conf("raga"), Conf("tala"), Conf("deity"), Conf("kshetra"));
        }
    }

    /// <summary>
    /// Writes (or rewrites: a retried task, a curator's choice, a re-extraction) the staged import of one page,
    /// its rows and decisions, and flags duplicates. A rewrite bumps the version; it moves a pending import
    /// (needs review, ready) to what this resolution says, and leaves a deferred or decided one where it is.
    /// </summary>
    public static Task<StagedImportSaved> SaveAsync(Db db, long batchId, long? taskId, string url, long extractionId, PageResolution p,
        IReadOnlyList<ManifestSource> rows, CancellationToken ct = default, int warningCount = 0) =>
        db.WriteOutputAsync(async (c, tx) =>
        {
            // Imports that could be copies of each other (same composer and ragas: the duplicate and
            // near-duplicate checks below) are written one at a time, in any batch, so they always
            // see each other; other pages do not wait. SQLite has one writer anyway. The lock is
            // taken by the insert itself (one round trip less per page).
            long? workLock = !db.Dialect.OneWriter && p.ComposerId is not null && p.RagaSet is not null ? WorkLockKey(p.ComposerId, p.RagaSet) : null;
            var now = Db.NowMs();
            var status = p.NeedsReview ? NeedsReview : Resolved;
            var workKey = p.WorkKey;
            var decisions = JsonSerializer.Serialize(DecisionsJson(p), Json);
            var qualityJson = JsonSerializer.Serialize(p.QualityReasons, Json);
            var review = ReviewColumns.Of(p, warningCount);
            var reviewState = p.NeedsReview ? ReviewStates.NeedsReview : ReviewStates.Ready;

            // "fresh": the row was inserted, not rewritten, so it has no rows or decisions to replace. A rewrite
            // keeps the state a curator gave it unless it is still pending (previous_state: what it was).
            var (id, fresh, version, state, previous) = await c.QuerySingleAsync<(long Id, bool Fresh, long Version, string State, string? Previous)>($"""
                INSERT INTO staged_import (batch_id, task_id, url, extraction_id, status, title, title_key, composer_id, raga_set, tala_id, deity_id, kshetra_id,
                                           work_key, decisions, duplicate_of, duplicate_flags, quality, quality_reasons, created_at, updated_at,
                                           review_state, version, flags, warning_count, composer_conf, raga_conf, tala_conf, deity_conf, kshetra_conf)
                SELECT @batchId, @taskId, @url, @extractionId, @status, @Title, @TitleKey, @ComposerId, @RagaSet, @TalaId, @DeityId, @KshetraId,
                       @workKey, @decisions, NULL, '[]', @Quality, @qualityJson, @now, @now,
                       @reviewState, 1, @Flags, @warningCount, @ComposerConf, @RagaConf, @TalaConf, @DeityConf, @KshetraConf
                  {(workLock is null ? "" : db.Dialect.LockInStatement("workLock"))}
                 WHERE true
                ON CONFLICT (batch_id, url) DO UPDATE SET task_id = excluded.task_id, extraction_id = excluded.extraction_id, status = excluded.status,
                  title = excluded.title, title_key = excluded.title_key, composer_id = excluded.composer_id, raga_set = excluded.raga_set,
                  tala_id = excluded.tala_id, deity_id = excluded.deity_id, kshetra_id = excluded.kshetra_id, work_key = excluded.work_key,
                  decisions = excluded.decisions, quality = excluded.quality, quality_reasons = excluded.quality_reasons, updated_at = excluded.updated_at,
                  version = staged_import.version + 1, flags = excluded.flags, warning_count = excluded.warning_count,
                  composer_conf = excluded.composer_conf, raga_conf = excluded.raga_conf, tala_conf = excluded.tala_conf,
                  deity_conf = excluded.deity_conf, kshetra_conf = excluded.kshetra_conf,
                  previous_state = staged_import.review_state,
                  review_state = CASE WHEN staged_import.review_state IN ('{ReviewStates.NeedsReview}', '{ReviewStates.Ready}') THEN excluded.review_state ELSE staged_import.review_state END
                RETURNING id, {db.Dialect.InsertedNotUpdated}, version, review_state, previous_state
                """, new { batchId, taskId, url, extractionId, status, p.Title, p.TitleKey, p.ComposerId, RagaSet = p.Ragas.Count == 0 ? null : p.RagaSet,
                    p.TalaId, p.DeityId, p.KshetraId, workKey, decisions, p.Quality, qualityJson, now, workLock, reviewState,
                    review.Flags, warningCount, review.ComposerConf, review.RagaConf, review.TalaConf, review.DeityConf, review.KshetraConf }, tx);
            if (!fresh && previous is not null && previous != state)
            {
                ReviewStates.Machine.Check(previous, state, "re-resolve the import");
                await Events.AppendAsync(c, tx, new Event(batchId, null, taskId, ReviewEvents.Kind(state), "resolve", now,
                    ReviewEvents.Data(id, previous, state, version, "resolved again: " + (p.NeedsReview ? "a name is still not resolved" : "every name resolved"))));
            }

            if (!fresh)
            {
                await c.ExecuteAsync("DELETE FROM staged_import_row WHERE staged_import_id = @id", new { id }, tx);
                await c.ExecuteAsync("DELETE FROM resolution_decision WHERE staged_import_id = @id", new { id }, tx);
            }
            await db.Dialect.InsertRowsAsync(c, tx, "staged_import_row", ["staged_import_id", "manifest_row_id"], rows.Select(r => new object?[] { id, r.Id }));
            await db.Dialect.InsertRowsAsync(c, tx, "resolution_decision", DecisionColumns, p.Decisions.Select(d => new object?[]
            {
                batchId, taskId, id, d.Kind, d.Source, d.Input, d.InputKey, d.Status, d.Resolution.Match?.Id, d.Resolution.Top?.Score,
                JsonSerializer.Serialize(CandidatesJson(d.Resolution), Json),
                d.Rows, now,
            }));

            var flags = new List<DuplicateFlag>();
            long? duplicateOf = null;
            if (workKey is not null)
            {
                // One query for both checks: the same work anywhere, and (titles long enough to
                // compare) other titles of this batch with the same composer and ragas.
                var near = p.TitleKey.Length >= NearTitleMinLength;
                var others = (await c.QueryAsync<(long Id, long BatchId, string? Title, string? TitleKey, long Same)>($"""
                    SELECT id, batch_id, title, title_key, CASE WHEN work_key = @workKey THEN 1 ELSE 0 END AS same FROM staged_import
                     WHERE id <> @id AND status = 'resolved'
                       AND (work_key = @workKey{(near ? " OR (batch_id = @batchId AND composer_id = @ComposerId AND raga_set = @RagaSet AND title_key <> @TitleKey)" : "")})
                     ORDER BY id
                    """, new { workKey, id, batchId, p.ComposerId, p.RagaSet, p.TitleKey }, tx)).ToList();
                var same = others.Where(o => o.Same == 1).ToList();
                var inBatch = same.Where(s => s.BatchId == batchId && s.Id < id).ToList();
                if (inBatch.Count > 0)
                {
                    duplicateOf = inBatch[0].Id;
                    flags.Add(new DuplicateFlag("duplicate", inBatch[0].Id, batchId, inBatch[0].Title,
                        "same composer, title and ragas as another page of this batch"));
                }
                foreach (var other in same.Where(s => s.BatchId != batchId).Take(1))
                    flags.Add(new DuplicateFlag("in_catalog", other.Id, other.BatchId, other.Title, $"the same work was staged by batch {other.BatchId}"));

                foreach (var n in others.Where(o => o.Same == 0 && o.TitleKey is not null))
                {
                    var d = EditDistance.Osa(p.TitleKey, n.TitleKey!, NearTitleDistance);
                    var contains = n.TitleKey!.Length >= NearTitleMinLength && (p.TitleKey.Contains(n.TitleKey) || n.TitleKey.Contains(p.TitleKey));
                    if (d <= NearTitleDistance || contains)
                        flags.Add(new DuplicateFlag("near_duplicate", n.Id, n.BatchId, n.Title,
                            contains ? "same composer and ragas; one title contains the other" : $"same composer and ragas; titles {d} letter(s) apart"));
                }
            }
            // A fresh row already says "no duplicate"; a rewritten one may carry flags of its last run.
            if (!fresh || duplicateOf is not null || flags.Count > 0)
            {
                var bits = (duplicateOf is null ? 0 : ReviewFlags.Duplicate)
                           | (flags.Any(f => f.Kind == "near_duplicate") ? ReviewFlags.NearDuplicate : 0)
                           | (flags.Any(f => f.Kind == "in_catalog") ? ReviewFlags.InCatalog : 0);
                await c.ExecuteAsync("UPDATE staged_import SET duplicate_of = @duplicateOf, duplicate_flags = @flags, flags = @all WHERE id = @id",
                    new { id, duplicateOf, flags = JsonSerializer.Serialize(flags, Json), all = review.Flags | bits }, tx);
            }
            return new StagedImportSaved(id, status, duplicateOf, flags, version, state);
        }, ct);
}
