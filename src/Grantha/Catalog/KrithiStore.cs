using System.Data.Common;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Catalog;

/// <summary>
/// The krithi catalog: krithi, krithi_raga, krithi_section, krithi_source and the append-only
/// krithi_revision. Writes take the caller's connection and transaction (the review workflow
/// approves inside its own), check the version the caller read (optimistic: a stale one is a
/// <see cref="KrithiVersionConflictException"/>), refuse reference ids the reference catalog lacks,
/// and write one revision per change holding the whole krithi after it. A write that changes
/// nothing writes nothing.
/// </summary>
public static class KrithiStore
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The krithi's own text fields, by column name: how revisions name them, and what a merge compares one by one.</summary>
    static readonly (string Field, Func<KrithiDraft, string?> Get, Func<KrithiDraft, string, KrithiDraft> Set)[] Fields =
    [
        ("title", d => d.Title, (d, v) => d with { Title = v }),
        ("display_title", d => d.DisplayTitle, (d, v) => d with { DisplayTitle = v }),
        ("composer_id", d => d.ComposerId, (d, v) => d with { ComposerId = v }),
        ("form", d => d.Form, (d, v) => d with { Form = v }),
        ("tala_id", d => d.TalaId, (d, v) => d with { TalaId = v }),
        ("deity_id", d => d.DeityId, (d, v) => d with { DeityId = v }),
        ("kshetra_id", d => d.KshetraId, (d, v) => d with { KshetraId = v }),
        ("gist", d => d.Gist, (d, v) => d with { Gist = v }),
        ("meaning", d => d.Meaning, (d, v) => d with { Meaning = v }),
        ("notes", d => d.Notes, (d, v) => d with { Notes = v }),
    ];

    const string RagasField = "ragas", SourceField = "source", StatusField = "status";

    static string LyricField(string script) => "lyrics." + script;

    // ---- writes ----

    /// <summary>A new krithi from an approved draft: version 1, its source and revision 1.</summary>
    public static async Task<KrithiWriteResult> CreateAsync(Dialect dialect, DbConnection c, DbTransaction tx, KrithiDraft draft, KrithiSource source, string actor, string reason)
    {
        draft = Normalize(draft);
        RequireActor(actor);
        draft = await CanonicalReferencesAsync(dialect, c, tx, draft);
        var now = Db.NowMs();
        var after = new KrithiSnapshot
        {
            Version = 1, Status = KrithiStatus.Active, Sources = [Approved(source, actor, now)],
            CreatedAt = now, CreatedBy = actor, UpdatedAt = now, UpdatedBy = actor,
        }.With(draft);
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO krithi (version, status, title, display_title, title_key, work_key, composer_id, form, tala_id, deity_id, kshetra_id,
                                gist, meaning, notes, created_at, created_by, updated_at, updated_by)
            VALUES (@Version, @Status, @Title, @DisplayTitle, @TitleKey, @WorkKey, @ComposerId, @Form, @TalaId, @DeityId, @KshetraId,
                    @Gist, @Meaning, @Notes, @CreatedAt, @CreatedBy, @UpdatedAt, @UpdatedBy)
            RETURNING id
            """, Row(after), tx);
        after = after with { Id = id };
        await InsertRagasAsync(dialect, c, tx, after);
        await InsertSectionsAsync(dialect, c, tx, after);
        await InsertSourceAsync(c, tx, id, after.Sources[0]);
        var changes = Diff(null, after);
        await InsertRevisionAsync(c, tx, after, actor, reason, changes);
        return new KrithiWriteResult(id, after.Version, true, changes, []);
    }

    /// <summary>
    /// Replaces the krithi's fields, ragas and lyrics with <paramref name="draft"/> (a curator's edit, or a
    /// later import of the work chosen over it) and adds <paramref name="source"/> (an URL it already has is
    /// updated to this page). Nothing changed: no revision.
    /// </summary>
    public static Task<KrithiWriteResult> ReviseAsync(Dialect dialect, DbConnection c, DbTransaction tx, long id, long expectedVersion, KrithiDraft draft, KrithiSource? source,
        string actor, string reason)
    {
        draft = Normalize(draft);
        return ChangeAsync(dialect, c, tx, id, expectedVersion, actor, reason, (before, now) =>
        {
            var after = before.With(draft);
            if (source is not null)
            {
                var row = Approved(source, actor, now);
                var same = before.Sources.FirstOrDefault(s => s.Url == row.Url);
                after = after with
                {
                    Sources = same is null ? [.. before.Sources, row]
                        : same with { ApprovedBy = row.ApprovedBy, ApprovedAt = row.ApprovedAt } == row ? before.Sources
                        : before.Sources.Select(s => s.Url == row.Url ? row : s).ToList(),
                };
            }
            return (after, []);
        });
    }

    /// <summary>
    /// Merges another page of the same work: adds its source and every lyric script (and empty field) the
    /// krithi lacks. A field, the ragas or a script's text that differs is not overwritten but returned as a
    /// conflict for a curator. A revision is written only when something was added, so a replay adds nothing.
    /// </summary>
    public static Task<KrithiWriteResult> MergeAsync(Dialect dialect, DbConnection c, DbTransaction tx, long id, long expectedVersion, KrithiDraft incoming, KrithiSource source,
        string actor, string reason)
    {
        incoming = Normalize(incoming);
        return ChangeAsync(dialect, c, tx, id, expectedVersion, actor, reason, (before, now) =>
        {
            var current = before.ToDraft();
            var conflicts = new List<KrithiConflict>();
            foreach (var (field, get, set) in Fields)
            {
                var (have, offered) = (get(current), get(incoming));
                if (offered is null || have == offered) continue;
                if (have is null) current = set(current, offered);
                else conflicts.Add(new KrithiConflict(field, have, offered));
            }
            if (incoming.Ragas.Count > 0 && !SameJson(current.Ragas, incoming.Ragas))
            {
                if (current.Ragas.Count == 0) current = current with { Ragas = incoming.Ragas };
                else conflicts.Add(new KrithiConflict(RagasField, current.Ragas, incoming.Ragas));
            }
            var lyrics = current.Lyrics.ToList();
            foreach (var lyric in incoming.Lyrics)
            {
                var have = current.Lyric(lyric.Script);
                if (have is null) lyrics.Add(lyric);
                else if (!SameJson(have.Sections, lyric.Sections)) conflicts.Add(new KrithiConflict(LyricField(lyric.Script), have.Sections, lyric.Sections));
            }
            current = Normalize(current with { Lyrics = lyrics });
            var sources = before.Sources.Any(s => s.Url == source.Url) ? before.Sources : [.. before.Sources, Approved(source, actor, now)];
            return (before.With(current) with { Sources = sources }, conflicts);
        });
    }

    /// <summary>Retracts the krithi (status retracted; nothing is deleted), with a revision.</summary>
    public static Task<KrithiWriteResult> RetractAsync(Dialect dialect, DbConnection c, DbTransaction tx, long id, long expectedVersion, string actor, string reason) =>
        ChangeAsync(dialect, c, tx, id, expectedVersion, actor, reason, (before, _) => (before with { Status = KrithiStatus.Retracted }, []));

    /// <summary>
    /// The common path of every change: lock and read the krithi, check the version and status, apply
    /// <paramref name="change"/>, write what differs and one revision.
    /// </summary>
    static async Task<KrithiWriteResult> ChangeAsync(Dialect dialect, DbConnection c, DbTransaction tx, long id, long expectedVersion, string actor, string reason,
        Func<KrithiSnapshot, long, (KrithiSnapshot After, IReadOnlyList<KrithiConflict> Conflicts)> change)
    {
        RequireActor(actor);
        var before = await LoadAsync(c, tx, id, dialect.RowLock) ?? throw new KrithiNotFoundException(id);
        if (before.Version != expectedVersion) throw new KrithiVersionConflictException(id, expectedVersion, before.Version);
        if (before.Status == KrithiStatus.Retracted) throw new KrithiRetractedException(id);
        var now = Db.NowMs();
        var (after, conflicts) = change(before, now);
        var changes = Diff(before, after);
        if (changes.Count == 0) return new KrithiWriteResult(id, before.Version, false, [], conflicts);
        if (changes.Any(ch => ch.Field is not StatusField and not SourceField)) await RequireReferencesAsync(dialect, c, tx, after.ToDraft());

        after = after with { Version = before.Version + 1, UpdatedAt = now, UpdatedBy = actor };
        await c.ExecuteAsync("""
            UPDATE krithi SET version = @Version, status = @Status, title = @Title, display_title = @DisplayTitle, title_key = @TitleKey,
                   work_key = @WorkKey, composer_id = @ComposerId, form = @Form, tala_id = @TalaId, deity_id = @DeityId, kshetra_id = @KshetraId,
                   gist = @Gist, meaning = @Meaning, notes = @Notes, updated_at = @UpdatedAt, updated_by = @UpdatedBy
             WHERE id = @Id
            """, Row(after), tx);
        if (changes.Any(ch => ch.Field == RagasField))
        {
            await c.ExecuteAsync("DELETE FROM krithi_raga WHERE krithi_id = @id", new { id }, tx);
            await InsertRagasAsync(dialect, c, tx, after);
        }
        if (changes.Any(ch => ch.Field.StartsWith("lyrics.", StringComparison.Ordinal)))
        {
            await c.ExecuteAsync("DELETE FROM krithi_section WHERE krithi_id = @id", new { id }, tx);
            await InsertSectionsAsync(dialect, c, tx, after);
        }
        foreach (var s in after.Sources.Where(s => !before.Sources.Contains(s)))
        {
            if (before.Sources.Any(b => b.Url == s.Url))
                await c.ExecuteAsync("""
                    UPDATE krithi_source SET batch_id = @BatchId, staged_import_id = @StagedImportId, extraction_id = @ExtractionId,
                           content_sha256 = @ContentSha256, approved_by = @ApprovedBy, approved_at = @ApprovedAt
                     WHERE krithi_id = @id AND url = @Url
                    """, new { id, s.Url, s.BatchId, s.StagedImportId, s.ExtractionId, s.ContentSha256, s.ApprovedBy, s.ApprovedAt }, tx);
            else await InsertSourceAsync(c, tx, id, s);
        }
        await InsertRevisionAsync(c, tx, after, actor, reason, changes);
        return new KrithiWriteResult(id, after.Version, true, changes, conflicts);
    }

    /// <summary>What changed from <paramref name="before"/> (null: nothing, a new krithi) to <paramref name="after"/>.</summary>
    static List<KrithiChange> Diff(KrithiSnapshot? before, KrithiSnapshot after)
    {
        var changes = new List<KrithiChange>();
        if (before is not null && before.Status != after.Status) changes.Add(new KrithiChange(StatusField, before.Status, after.Status));
        var (was, now) = (before?.ToDraft() ?? new KrithiDraft { Title = null! }, after.ToDraft());
        foreach (var (field, get, _) in Fields)
            if (get(was) != get(now)) changes.Add(new KrithiChange(field, get(was), get(now)));
        if (!SameJson(was.Ragas, now.Ragas)) changes.Add(new KrithiChange(RagasField, was.Ragas.Count == 0 ? null : was.Ragas, now.Ragas));
        foreach (var script in KrithiScripts.All)
        {
            var (a, b) = (was.Lyric(script)?.Sections, now.Lyric(script)?.Sections);
            if (!SameJson(a, b)) changes.Add(new KrithiChange(LyricField(script), a, b));
        }
        foreach (var s in after.Sources)
            if (before?.Sources.FirstOrDefault(b => b.Url == s.Url) is var old && old != s)
                changes.Add(new KrithiChange(SourceField, old, s));
        return changes;
    }

    static bool SameJson(object? a, object? b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json);

    static KrithiSourceRow Approved(KrithiSource s, string actor, long now)
    {
        if (string.IsNullOrWhiteSpace(s.Url)) throw new ArgumentException("A source needs its page URL.");
        return new KrithiSourceRow(s.Url.Trim(), s.BatchId, s.StagedImportId, s.ExtractionId, s.ContentSha256, actor, now);
    }

    static void RequireActor(string actor)
    {
        if (string.IsNullOrWhiteSpace(actor)) throw new ArgumentException("Say who makes the change (actor).");
    }

    /// <summary>Checks a draft (a title; known scripts once each; sections and ragas well formed), blank optional fields as null, lyrics in script order.</summary>
    static KrithiDraft Normalize(KrithiDraft d)
    {
        if (string.IsNullOrWhiteSpace(d.Title)) throw new ArgumentException("A krithi needs a title.");
        foreach (var r in d.Ragas)
        {
            if (string.IsNullOrWhiteSpace(r.RagaId)) throw new ArgumentException("A raga of the krithi has no id.");
            if (r.Section is < 1) throw new ArgumentException($"Raga {r.RagaId}: a section position starts at 1.");
        }
        foreach (var l in d.Lyrics)
        {
            if (!KrithiScripts.IsKnown(l.Script)) throw new ArgumentException($"Unknown script '{l.Script}': use one of {string.Join(", ", KrithiScripts.All)}.");
            if (l.Sections.Any(s => s.Position < 1 || string.IsNullOrWhiteSpace(s.Type) || s.Text is null))
                throw new ArgumentException($"The {l.Script} lyric has a section without a position (from 1), a type or a text.");
            if (l.Sections.Select(s => s.Position).Distinct().Count() != l.Sections.Count)
                throw new ArgumentException($"The {l.Script} lyric has two sections at one position.");
        }
        var twice = d.Lyrics.GroupBy(l => l.Script).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"The {twice.Key} lyric is given twice.");
        return d with
        {
            Title = d.Title.Trim(), DisplayTitle = Blank(d.DisplayTitle), ComposerId = Blank(d.ComposerId), Form = Blank(d.Form),
            TalaId = Blank(d.TalaId), DeityId = Blank(d.DeityId), KshetraId = Blank(d.KshetraId),
            Gist = Blank(d.Gist), Meaning = Blank(d.Meaning), Notes = Blank(d.Notes),
            Lyrics = d.Lyrics.OrderBy(l => KrithiScripts.Order(l.Script)).Select(l => l with { Sections = l.Sections.OrderBy(s => s.Position).ToList() }).ToList(),
        };
    }

    /// <summary>The reference tables a draft's ids must be in (constant names, never user text).</summary>
    static readonly (string Kind, string Table, Func<KrithiDraft, IEnumerable<string?>> Ids)[] References =
    [
        ("composer", "catalog_composer", d => [d.ComposerId]),
        ("raga", "catalog_raga", d => d.Ragas.Select(r => r.RagaId)),
        ("tala", "catalog_tala", d => [d.TalaId]),
        ("deity", "catalog_deity", d => [d.DeityId]),
        ("kshetra", "catalog_kshetra", d => [d.KshetraId]),
    ];

    /// <summary>Throws <see cref="KrithiReferenceException"/> listing every id of the draft the reference catalog does not have.</summary>
    static async Task RequireReferencesAsync(Dialect dialect, DbConnection c, DbTransaction tx, KrithiDraft d) =>
        _ = await CanonicalReferencesAsync(dialect, c, tx, d);

    /// <summary>
    /// The draft with every reference id checked (a missing one: <see cref="KrithiReferenceException"/>) and an id
    /// a curator merged into another replaced by the one kept (docs/reference-catalog.md), so a krithi never
    /// names a merged-away entity. One round trip when nothing was merged.
    /// </summary>
    public static async Task<KrithiDraft> CanonicalReferencesAsync(Dialect dialect, DbConnection c, DbTransaction tx, KrithiDraft d)
    {
        // A chain of merges is followed a few steps (a curator cannot merge into a merged row, so it is short).
        for (var hop = 0; hop < 4; hop++)
        {
            var wanted = References.Select((r, i) => (r.Kind, r.Table, Ids: r.Ids(d).OfType<string>().Distinct().ToArray(), Param: "ids" + i)).Where(r => r.Ids.Length > 0).ToList();
            if (wanted.Count == 0) return d;
            var args = new DynamicParameters();
            foreach (var w in wanted) args.Add(w.Param, w.Ids);
            // Every kind in one round trip (an approval is a dozen statements; this was five of them).
            var found = (await c.QueryAsync<(string Kind, string Id, string? MergedInto)>(
                string.Join(" UNION ALL ", wanted.Select(w => $"SELECT '{w.Kind}', id, merged_into FROM {w.Table} WHERE id {dialect.InArray(w.Param)}")), args, tx))
                .ToDictionary(x => (x.Kind, x.Id), x => x.MergedInto);
            var missing = wanted.SelectMany(w => w.Ids.Where(id => !found.ContainsKey((w.Kind, id))).Select(id => new MissingReference(w.Kind, id))).ToList();
            if (missing.Count > 0) throw new KrithiReferenceException(missing);
            if (found.All(x => x.Value is null)) return d;
            string? Kept(string kind, string? id) => id is not null && found.GetValueOrDefault((kind, id)) is { } kept ? kept : id;
            d = d with
            {
                ComposerId = Kept("composer", d.ComposerId), TalaId = Kept("tala", d.TalaId), DeityId = Kept("deity", d.DeityId), KshetraId = Kept("kshetra", d.KshetraId),
                Ragas = d.Ragas.Select(r => r with { RagaId = Kept("raga", r.RagaId)! }).DistinctBy(r => r.RagaId).ToList(),
            };
        }
        return d;
    }

    static object Row(KrithiSnapshot k) => new
    {
        k.Id, k.Version, k.Status, k.Title, k.DisplayTitle, k.TitleKey, k.WorkKey, k.ComposerId, k.Form, k.TalaId, k.DeityId, k.KshetraId,
        k.Gist, k.Meaning, k.Notes, k.CreatedAt, k.CreatedBy, k.UpdatedAt, k.UpdatedBy,
    };

    static Task InsertRagasAsync(Dialect dialect, DbConnection c, DbTransaction tx, KrithiSnapshot k) =>
        dialect.InsertRowsAsync(c, tx, "krithi_raga", ["krithi_id", "position", "raga_id", "section"],
            k.Ragas.Select((r, i) => new object?[] { k.Id, i + 1, r.RagaId, r.Section }));

    static Task InsertSectionsAsync(Dialect dialect, DbConnection c, DbTransaction tx, KrithiSnapshot k) =>
        dialect.InsertRowsAsync(c, tx, "krithi_section", ["krithi_id", "script", "position", "section_type", "number", "madhyama_kala_line", "text"],
            k.Lyrics.SelectMany(l => l.Sections.Select(s => new object?[] { k.Id, l.Script, s.Position, s.Type, s.Number, s.MadhyamaKalaLine, s.Text })));

    static Task InsertSourceAsync(DbConnection c, DbTransaction tx, long id, KrithiSourceRow s) => c.ExecuteAsync("""
        INSERT INTO krithi_source (krithi_id, url, batch_id, staged_import_id, extraction_id, content_sha256, approved_by, approved_at)
        VALUES (@id, @Url, @BatchId, @StagedImportId, @ExtractionId, @ContentSha256, @ApprovedBy, @ApprovedAt)
        """, new { id, s.Url, s.BatchId, s.StagedImportId, s.ExtractionId, s.ContentSha256, s.ApprovedBy, s.ApprovedAt }, tx);

    static Task InsertRevisionAsync(DbConnection c, DbTransaction tx, KrithiSnapshot after, string actor, string reason, IReadOnlyList<KrithiChange> changes) =>
        c.ExecuteAsync("""
            INSERT INTO krithi_revision (krithi_id, version, actor, reason, at, snapshot, changes)
            VALUES (@Id, @Version, @actor, @reason, @UpdatedAt, @snapshot, @changes)
            """, new
        {
            after.Id, after.Version, actor, reason = reason ?? "", after.UpdatedAt,
            snapshot = Serialize(after), changes = JsonSerializer.Serialize(changes, Json),
        }, tx);

    /// <summary>A snapshot as krithi_revision.snapshot stores it.</summary>
    public static string Serialize(KrithiSnapshot k) => JsonSerializer.Serialize(k, Json);

    // ---- reads ----

    const string KrithiColumns = """
        id AS Id, version AS Version, status AS Status, title AS Title, display_title AS DisplayTitle, title_key AS TitleKey, work_key AS WorkKey,
        composer_id AS ComposerId, form AS Form, tala_id AS TalaId, deity_id AS DeityId, kshetra_id AS KshetraId, gist AS Gist, meaning AS Meaning,
        notes AS Notes, created_at AS CreatedAt, created_by AS CreatedBy, updated_at AS UpdatedAt, updated_by AS UpdatedBy
        """;

    /// <summary>The ragas, sections and sources of the krithis whose id is <paramref name="krithiIds"/> (a condition: <c>= @id</c>, or <see cref="Dialect.InArray"/>).</summary>
    static string ChildrenSql(string krithiIds) => $"""
        SELECT krithi_id, raga_id, section FROM krithi_raga WHERE krithi_id {krithiIds} ORDER BY krithi_id, position;
        SELECT krithi_id, script, position, section_type, number, madhyama_kala_line, text FROM krithi_section WHERE krithi_id {krithiIds} ORDER BY krithi_id, script, position;
        SELECT krithi_id, url, batch_id, staged_import_id, extraction_id, content_sha256, approved_by, approved_at FROM krithi_source WHERE krithi_id {krithiIds} ORDER BY krithi_id, id;
        """;

    /// <summary>The krithi as its rows hold it now (null: no such id); <paramref name="rowLock"/> (<see cref="Dialect.RowLock"/>) holds the row for a change.</summary>
    public static async Task<KrithiSnapshot?> LoadAsync(DbConnection c, DbTransaction? tx, long id, string rowLock = "")
    {
        // SQLite's write transaction already holds the database; PostgreSQL locks the one row.
        var k = await c.QuerySingleOrDefaultAsync<KrithiSnapshot>($"SELECT {KrithiColumns} FROM krithi WHERE id = @id{rowLock}", new { id }, tx);
        return k is null ? null : (await WithChildrenAsync(c, tx, [k], "= @id", new { id }))[0];
    }

    /// <summary><paramref name="krithis"/> (rows of <c>krithi</c> only) with their ragas, lyrics and sources, in one round trip.</summary>
    static async Task<IReadOnlyList<KrithiSnapshot>> WithChildrenAsync(DbConnection c, DbTransaction? tx, IReadOnlyList<KrithiSnapshot> krithis, string krithiIds, object args)
    {
        using var grid = await c.QueryMultipleAsync(ChildrenSql(krithiIds), args, tx);
        var ragas = (await grid.ReadAsync<(long KrithiId, string RagaId, long? Section)>()).ToLookup(r => r.KrithiId, r => new KrithiRaga(r.RagaId, (int?)r.Section));
        var sections = (await grid.ReadAsync<(long KrithiId, string Script, long Position, string Type, long? Number, long? MadhyamaKalaLine, string Text)>()).ToLookup(s => s.KrithiId);
        var sources = (await grid.ReadAsync<(long KrithiId, string Url, long? BatchId, long? StagedImportId, long? ExtractionId, string? ContentSha256, string ApprovedBy, long ApprovedAt)>())
            .ToLookup(s => s.KrithiId, s => new KrithiSourceRow(s.Url, s.BatchId, s.StagedImportId, s.ExtractionId, s.ContentSha256, s.ApprovedBy, s.ApprovedAt));
        return krithis.Select(k => k with
        {
            Ragas = ragas[k.Id].ToList(),
            Lyrics = sections[k.Id].GroupBy(s => s.Script).OrderBy(g => KrithiScripts.Order(g.Key))
                .Select(g => new KrithiLyric(g.Key, g.Select(s => new KrithiSection((int)s.Position, s.Type, (int?)s.Number, s.Text, (int?)s.MadhyamaKalaLine)).ToList()))
                .ToList(),
            Sources = sources[k.Id].ToList(),
        }).ToList();
    }

    public static Task<KrithiDetail?> GetAsync(Db db, long id, CancellationToken ct = default) => db.ReadAsync(c => GetAsync(db.Dialect, c, null, id), ct);

    /// <summary>The krithi with the names of its reference ids, its lyrics, sources and revisions; null when there is no such id.</summary>
    public static async Task<KrithiDetail?> GetAsync(Dialect dialect, DbConnection c, DbTransaction? tx, long id)
    {
        var k = await LoadAsync(c, tx, id);
        if (k is null) return null;
        var names = await NamesAsync(dialect, c, tx, [k]);
        var revisions = (await c.QueryAsync<(long Version, string Actor, string Reason, long At, string Changes)>(
                "SELECT version, actor, reason, at, changes FROM krithi_revision WHERE krithi_id = @id ORDER BY version", new { id }, tx))
            .Select(r => new KrithiRevisionView(r.Version, r.Actor, r.Reason, r.At, JsonDocument.Parse(r.Changes).RootElement.Clone())).ToList();
        return Detail(k, names, revisions);
    }

    static KrithiDetail Detail(KrithiSnapshot k, ReferenceNames names, IReadOnlyList<KrithiRevisionView> revisions) =>
        new(k.Id, k.Version, k.Status, k.Title, k.DisplayTitle, k.TitleKey, k.WorkKey,
            names.Of("composer", k.ComposerId), k.Form, names.Of("tala", k.TalaId), names.Of("deity", k.DeityId), names.Of("kshetra", k.KshetraId),
            k.Gist, k.Meaning, k.Notes,
            k.Ragas.Select((r, i) => new KrithiRagaView(i + 1, r.RagaId, names.Of("raga", r.RagaId)?.Name, r.Section)).ToList(),
            k.Lyrics, k.Sources, revisions, k.CreatedAt, k.CreatedBy, k.UpdatedAt, k.UpdatedBy);

    /// <summary>The krithis of a work key (composer, title key, raga set), active ones first: what an import of that work is the same work as.</summary>
    public static async Task<IReadOnlyList<KrithiWork>> FindByWorkKeyAsync(DbConnection c, DbTransaction? tx, string workKey) =>
        (await c.QueryAsync<KrithiWork>("""
            SELECT id AS Id, version AS Version, status AS Status, title AS Title FROM krithi
             WHERE work_key = @workKey ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, id
            """, new { workKey }, tx)).ToList();

    /// <summary>
    /// Krithis matching <paramref name="filter"/> after id <paramref name="afterId"/> (keyset paging, by id), at most
    /// <paramref name="limit"/>, with the count of all that match the filter.
    /// </summary>
    public static Task<KrithiPage> ListAsync(Db db, KrithiFilter filter, long afterId, int limit, CancellationToken ct = default)
    {
        if (limit < 1) throw new ArgumentException("limit must be at least 1.");
        var (where, p) = Where(filter);
        p.Add("afterId", afterId);
        p.Add("take", limit + 1);
        return db.ReadAsync(async c =>
        {
            var count = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM krithi k WHERE {where}", p);
            var rows = (await c.QueryAsync<KrithiSnapshot>($"SELECT {KrithiColumns} FROM krithi k WHERE {where} AND k.id > @afterId ORDER BY k.id LIMIT @take", p)).ToList();
            var more = rows.Count > limit;
            if (more) rows.RemoveAt(limit);
            if (rows.Count == 0) return new KrithiPage([], count, null);
            var ids = rows.Select(r => r.Id).ToArray();
            var ragas = (await c.QueryAsync<(long KrithiId, string RagaId)>(
                $"SELECT krithi_id, raga_id FROM krithi_raga WHERE krithi_id {db.Dialect.InArray("ids")} ORDER BY krithi_id, position", new { ids })).ToLookup(r => r.KrithiId, r => r.RagaId);
            var sources = (await c.QueryAsync<(long KrithiId, string Url)>(
                $"SELECT krithi_id, url FROM krithi_source WHERE krithi_id {db.Dialect.InArray("ids")} ORDER BY krithi_id, id", new { ids })).ToLookup(s => s.KrithiId, s => s.Url);
            rows = rows.Select(r => r with { Ragas = ragas[r.Id].Select(id => new KrithiRaga(id)).ToList() }).ToList();
            var names = await NamesAsync(db.Dialect, c, null, rows);
            var items = rows.Select(r => new KrithiListItem(r.Id, r.Version, r.Status, r.Title, r.DisplayTitle, names.Of("composer", r.ComposerId),
                r.Ragas.Select(x => names.Of("raga", x.RagaId)!).ToList(), names.Of("tala", r.TalaId), sources[r.Id].ToList(), r.UpdatedAt)).ToList();
            return new KrithiPage(items, count, more ? items[^1].Id : null);
        }, ct);
    }

    /// <summary>
    /// The WHERE clause over <c>krithi k</c> that <paramref name="filter"/> means, with its parameters (no user text in
    /// the SQL); <paramref name="sourceBatchId"/>: only krithis with a source from that batch. Throws for an unknown status.
    /// </summary>
    internal static (string Where, DynamicParameters Args) Where(KrithiFilter filter, long? sourceBatchId = null)
    {
        if (filter.Status is { } st && !KrithiStatus.All.Contains(st))
            throw new ArgumentException($"Unknown status '{st}': use {string.Join(" or ", KrithiStatus.All)}.");
        var text = string.IsNullOrWhiteSpace(filter.Text) ? null : filter.Text.Trim();
        var pattern = text is null ? null : "%" + EscapeLike(text.ToLowerInvariant()) + "%";
        var keyPattern = text is null || Reference.NameKey.Of(text) is not { Length: > 0 } key ? null : "%" + EscapeLike(key) + "%";
        var (raga, composer, deity) = (Blank(filter.RagaId), Blank(filter.ComposerId), Blank(filter.DeityId));
        var args = new DynamicParameters(new { pattern, keyPattern, raga, composer, deity, status = filter.Status, sourceBatchId });
        var where = string.Join(" AND ", new[]
        {
            pattern is null ? null : keyPattern is null
                ? @"(LOWER(k.title) LIKE @pattern ESCAPE '\' OR LOWER(k.display_title) LIKE @pattern ESCAPE '\')"
                : @"(LOWER(k.title) LIKE @pattern ESCAPE '\' OR LOWER(k.display_title) LIKE @pattern ESCAPE '\' OR k.title_key LIKE @keyPattern ESCAPE '\')",
            raga is null ? null : "EXISTS (SELECT 1 FROM krithi_raga r WHERE r.krithi_id = k.id AND r.raga_id = @raga)",
            composer is null ? null : "k.composer_id = @composer",
            deity is null ? null : "k.deity_id = @deity",
            filter.Status is null ? null : "k.status = @status",
            sourceBatchId is null ? null : "EXISTS (SELECT 1 FROM krithi_source s WHERE s.krithi_id = k.id AND s.batch_id = @sourceBatchId)",
        }.Where(x => x is not null).DefaultIfEmpty("1 = 1"));
        return (where, args);
    }

    /// <summary>
    /// The next <paramref name="limit"/> krithis after id <paramref name="afterId"/> matching <paramref name="where"/>
    /// (from <see cref="Where"/>), whole: names of their reference ids, ragas, lyrics and sources, no revisions.
    /// Two round trips a page, so a reader of every krithi holds one page at a time.
    /// </summary>
    internal static async Task<IReadOnlyList<KrithiDetail>> PageAsync(Dialect dialect, DbConnection c, string where, DynamicParameters args, long afterId, int limit)
    {
        var p = new DynamicParameters(args);
        p.AddDynamicParams(new { afterId, limit });
        var rows = (await c.QueryAsync<KrithiSnapshot>($"SELECT {KrithiColumns} FROM krithi k WHERE {where} AND k.id > @afterId ORDER BY k.id LIMIT @limit", p)).AsList();
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Id).ToArray();
        var krithis = await WithChildrenAsync(c, null, rows, dialect.InArray("ids"), new { ids });
        var names = await NamesAsync(dialect, c, null, krithis);
        return krithis.Select(k => Detail(k, names, [])).ToList();
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    static string EscapeLike(string s) => s.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");

    static Task<ReferenceNames> NamesAsync(Dialect dialect, DbConnection c, DbTransaction? tx, IReadOnlyList<KrithiSnapshot> krithis) =>
        NamesAsync(dialect, c, tx, krithis.Select(k => k.ToDraft()).ToList());

    /// <summary>Names of the reference ids of <paramref name="drafts"/>, one query per kind.</summary>
    public static async Task<ReferenceNames> NamesAsync(Dialect dialect, DbConnection c, DbTransaction? tx, IReadOnlyList<KrithiDraft> drafts)
    {
        var names = new Dictionary<(string Kind, string Id), string>();
        // Every kind in one round trip: a page of the review queue or the krithi list asks for three or more.
        var wanted = References.Select((r, i) => (r.Kind, r.Table, Ids: drafts.SelectMany(r.Ids).OfType<string>().Distinct().ToArray(), Param: "ids" + i))
            .Where(r => r.Ids.Length > 0).ToList();
        if (wanted.Count == 0) return new ReferenceNames(names);
        var args = new DynamicParameters();
        foreach (var w in wanted) args.Add(w.Param, w.Ids);
        foreach (var (kind, id, name) in await c.QueryAsync<(string, string, string)>(
                     string.Join(" UNION ALL ", wanted.Select(w => $"SELECT '{w.Kind}', id, name FROM {w.Table} WHERE id {dialect.InArray(w.Param)}")), args, tx))
            names[(kind, id)] = name;
        return new ReferenceNames(names);
    }

    /// <summary>Reference ids with their names, by kind (composer, raga, tala, deity, kshetra).</summary>
    public sealed record ReferenceNames(Dictionary<(string Kind, string Id), string> Names)
    {
        public NamedId? Of(string kind, string? id) => id is null ? null : new NamedId(id, Names.GetValueOrDefault((kind, id)));
    }
}
