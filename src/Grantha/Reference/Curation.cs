using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Grantha.Engine;

namespace Grantha.Reference;

/// <summary>
/// A reference entity a curator adds. Every kind has an id (a slug) and a name; a raga also has either a
/// melakarta number or a parent melakarta, and its scales; a tala its aksharas (and family, jati).
/// </summary>
public sealed record NewEntity(string Kind, string Id, string Name)
{
    public string? Reason { get; init; }
    public int? Melakarta { get; init; }
    public string? ParentId { get; init; }
    public string? Arohanam { get; init; }
    public string? Avarohanam { get; init; }
    /// <summary>Dhruva, Matya, ... Chapu, or a variant's own name (Desadi); default: the tala's name.</summary>
    public string? Family { get; init; }
    public string? Jati { get; init; }
    public int? Aksharas { get; init; }
}

/// <summary>One entry of the curation audit trail (table catalog_change).</summary>
/// <param name="Action">add, merge, synonym or shipped (<see cref="Curation.Actions"/>).</param>
/// <param name="EntityId">The entity added, the duplicate of a merge, the entity a synonym names.</param>
/// <param name="IntoId">A merge's kept entity.</param>
/// <param name="Name">The name added (entity or synonym), or the duplicate's name.</param>
/// <param name="Detail">JSON: what was written.</param>
public sealed record CatalogChange(long Id, string Kind, string Action, string EntityId, string? IntoId, string? Name, string Detail, string? Reason, string Actor, long At);

/// <summary>An entity as listings show it: where it came from, and where it went if it was merged.</summary>
/// <param name="Origin">seed (ragas.csv, the catalogs in code) or curator.</param>
/// <param name="MergedInto">Set when a curator marked this row a duplicate of another.</param>
public sealed record CatalogEntity(string Kind, string Id, string Name, string MatchKey, string Origin, string? MergedInto);

/// <summary>An entity a curator added, as the resolvers read it.</summary>
public sealed record CuratedEntity(string Kind, string Id, string Name, IReadOnlyList<string> Names, string? Qualifier);

/// <summary>A duplicate and the entity it was merged into.</summary>
public sealed record CatalogMerge(string Kind, string DuplicateId, string KeptId);

/// <summary>What curators changed on top of the seed: the resolvers add it to the shipped catalogs.</summary>
public sealed class CuratedCatalog(IReadOnlyList<CuratedEntity> added, IReadOnlyList<CatalogMerge> merges)
{
    public static CuratedCatalog None { get; } = new([], []);

    public IReadOnlyList<CuratedEntity> Added { get; } = added;
    public IReadOnlyList<CatalogMerge> Merges { get; } = merges;

    public IEnumerable<CuratedEntity> AddedOf(string kind) => Added.Where(e => e.Kind == kind);

    /// <summary>Duplicate id → the id finally kept (a row merged into a row that was merged later follows it).</summary>
    public IReadOnlyDictionary<string, string> MergesOf(string kind)
    {
        var direct = Merges.Where(m => m.Kind == kind).ToDictionary(m => m.DuplicateId, m => m.KeptId, StringComparer.Ordinal);
        var final = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dup in direct.Keys)
        {
            var kept = direct[dup];
            // Merging into a merged row is refused, so chains end; the bound guards a hand-edited database.
            for (var hops = 0; direct.TryGetValue(kept, out var next) && hops < direct.Count; hops++) kept = next;
            final[dup] = kept;
        }
        return final;
    }
}

/// <summary>The request contradicts the catalog: an id or a name that is taken, a merge that cannot be (HTTP 409, CLI exit 4).</summary>
public sealed class CatalogConflictException(string message) : Exception(message);

/// <summary>The entity a command acts on does not exist (HTTP 404, CLI exit 3).</summary>
public sealed class CatalogEntityNotFoundException(string kind, string id)
    : Exception($"There is no {kind} '{id}' in the catalog (see ./grantha catalog list {kind}).")
{
    public string Kind { get; } = kind;
    public string Id { get; } = id;
}

/// <summary>
/// Curation of the reference catalog in the database: a curator adds an entity the shipped catalog lacks, or
/// marks two rows as one (the duplicate row stays, with <c>merged_into</c>). Each change is one transaction
/// with its audit row (catalog_change). The caller checks names against the live resolvers first
/// (Resolve/CatalogChanges); the checks here are those the tables can answer. The pipeline never calls this.
/// </summary>
public static partial class Curation
{
    public static class Origins
    {
        public const string Seed = "seed";
        public const string Curator = "curator";
    }

    public static class Actions
    {
        public const string Add = "add";
        public const string Merge = "merge";
        public const string Synonym = "synonym";
        public const string Shipped = "shipped";
    }

    /// <summary>The jatis a tala may name (TalaCatalog's).</summary>
    public static readonly IReadOnlyList<string> Jatis = ["Tisra", "Chatusra", "Khanda", "Misra", "Sankeerna"];

    public const int IdLengthMax = 80;

    /// <summary>The longest cycle a tala may have: Simhanandana, the longest of the 108 talas, has 128 (the longest suladi tala, Sankeerna Dhruva, 29).</summary>
    public const int AksharasMax = 128;

    /// <summary>
    /// Checks what needs no database: the id is a slug, the name has letters, and the kind's own fields are there
    /// and plausible. Throws <see cref="ArgumentException"/> with the reason.
    /// </summary>
    public static void Validate(NewEntity e)
    {
        if (!ReferenceKinds.IsKind(e.Kind)) throw new ArgumentException(ReferenceKinds.UnknownKindMessage(e.Kind));
        if (e.Id is null || e.Id.Length > IdLengthMax || !IdRegex().IsMatch(e.Id))
            throw new ArgumentException($"The id '{e.Id}' is not a slug: use lowercase letters a-z, digits and single hyphens, e.g. 'jhanjhuti' or 'misra-jhampa' (at most 80 characters).");
        CatalogNames.Check(e.Name ?? "", "name");
        CatalogNames.CheckNote(e.Reason, "reason");
        if (string.IsNullOrWhiteSpace(e.Name) || NamesOf(e).Count == 0)
            throw new ArgumentException($"The name '{e.Name}' has no letters to match on.");
        var isRaga = e.Kind == ReferenceKinds.Raga;
        if (!isRaga && (e.Melakarta is not null || e.ParentId is not null || e.Arohanam is not null || e.Avarohanam is not null))
            throw new ArgumentException("melakarta, parent, arohanam and avarohanam are for ragas only.");
        if (e.Kind != ReferenceKinds.Tala && (e.Family is not null || e.Jati is not null || e.Aksharas is not null))
            throw new ArgumentException("family, jati and aksharas are for talas only.");
        if (isRaga)
        {
            if ((e.Melakarta is null) == string.IsNullOrWhiteSpace(e.ParentId))
                throw new ArgumentException("A raga is either a melakarta (give its number, 1-72) or a janya (give its parent melakarta's id), not both and not neither.");
            if (e.Melakarta is { } n and (< 1 or > 72)) throw new ArgumentException($"Melakarta {n} is not a number from 1 to 72.");
            Scale("arohanam", e.Arohanam);
            Scale("avarohanam", e.Avarohanam);
        }
        if (e.Kind == ReferenceKinds.Tala)
        {
            if (e.Aksharas is not { } a || a < 1 || a > AksharasMax)
                throw new ArgumentException($"A tala needs its aksharas, the beats of one cycle (1-{AksharasMax}): Adi has 8, Misra Chapu 7.");
            if (e.Jati is { } j && !Jatis.Contains(j, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"Unknown jati '{j}': use one of {string.Join(", ", Jatis)}.");
            if (e.Family is { } f && string.IsNullOrWhiteSpace(f)) throw new ArgumentException("The family, if given, needs letters.");
        }
    }

    /// <summary>
    /// A scale as ragas.csv writes it, read leniently: swaras S R G M P D N, each with an optional variant
    /// 1-3 and octave dots, separated by spaces; notes in parentheses or braces are kept but not read;
    /// lowercase is accepted and written in capitals. At least two swaras. Returns the scale as stored.
    /// </summary>
    public static string Scale(string what, string? scale)
    {
        if (string.IsNullOrWhiteSpace(scale)) throw new ArgumentException($"The {what} is missing: write the swaras, e.g. \"S R2 G3 P D2 S\".");
        var text = SpaceRegex().Replace(scale.Trim(), " ");
        var read = NoteRegex().Replace(text, " ");
        var swaras = 0;
        foreach (var token in read.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Decomposed, so a precomposed dotted letter (Ṇ) reads as the letter and its octave dot.
            var swara = token.ToUpperInvariant().Normalize(NormalizationForm.FormD);
            if (!SwaraTokenRegex().IsMatch(swara))
                throw new ArgumentException($"The {what} \"{scale}\" has '{token}', which is no swara: write S R1 R2 R3 G1 G2 G3 M1 M2 P D1 D2 D3 N1 N2 N3 separated by spaces, e.g. \"S R2 G3 P D2 S\".");
            swaras += SwaraRegex().Count(swara);
        }
        if (swaras < 2) throw new ArgumentException($"The {what} \"{scale}\" names fewer than two swaras.");
        // Capitals outside the notes; the notes as written.
        var stored = new StringBuilder();
        var last = 0;
        foreach (Match note in NoteRegex().Matches(text))
        {
            stored.Append(text[last..note.Index].ToUpperInvariant()).Append(note.Value);
            last = note.Index + note.Length;
        }
        return stored.Append(text[last..].ToUpperInvariant()).ToString();
    }

    /// <summary>The names an entity answers to: a raga's "/" alternatives (and the name as written), else the name.</summary>
    public static IReadOnlyList<string> NamesOf(NewEntity e)
    {
        var name = e.Name?.Trim() ?? "";
        if (e.Kind != ReferenceKinds.Raga) return ReferenceKinds.Parse(e.Kind, name).IsEmpty ? [] : [name];
        var (_, names, _) = RagaCatalog.ParseName(name);
        return names.Count == 0 ? [] : names.Contains(name) ? names : [.. names, name];
    }

    /// <summary>Refuses an id the kind's table holds already (any row: shipped, added or merged). <see cref="AddAsync"/> checks again in its transaction.</summary>
    public static async Task RefuseTakenIdAsync(Db db, NewEntity e, CancellationToken ct = default)
    {
        var taken = await db.ReadAsync(c => c.QuerySingleOrDefaultAsync<EntityRow?>(
            $"SELECT id AS Id, name AS Name, origin AS Origin, merged_into AS MergedInto FROM {Table(e.Kind)} WHERE id = @Id", new { e.Id }), ct);
        if (taken is not null) throw IdTaken(e, taken);
    }

    static CatalogConflictException IdTaken(NewEntity e, EntityRow taken) => new($"The {e.Kind} id '{e.Id}' is taken by {Describe(taken)}: choose another id.");

    /// <summary>
    /// Adds the entity (origin curator) with its names and its audit row. Refuses an id that is taken, a match
    /// key that is stored, a melakarta number that is taken, and a parent that is missing, merged or no melakarta.
    /// The caller has checked the name against the resolvers (synonyms and aliases included).
    /// </summary>
    public static async Task<CatalogChange> AddAsync(Db db, NewEntity e, string actor, CancellationToken ct = default)
    {
        Validate(e);
        var table = Table(e.Kind);
        var name = e.Name.Trim();
        var (display, _, qualifier) = e.Kind == ReferenceKinds.Raga ? RagaCatalog.ParseName(name) : (name, [], null);
        var matchKey = e.Kind == ReferenceKinds.Raga ? MatchKeys.Of(display, qualifier) : MatchKeys.Of(name);
        var names = NamesOf(e);
        return await db.WriteAsync(async (c, t) =>
        {
            await db.Dialect.TransactionLockAsync(c, t, CatalogStore.CatalogLockKey);
            var now = Db.NowMs();
            if (await RowAsync(c, t, e.Kind, e.Id) is { } taken) throw IdTaken(e, taken);
            var sameKey = await c.QuerySingleOrDefaultAsync<EntityRow>($"SELECT id AS Id, name AS Name, origin AS Origin, merged_into AS MergedInto FROM {table} WHERE match_key = @matchKey",
                new { matchKey }, t);
            if (sameKey is not null)
                throw new CatalogConflictException($"The name '{name}' has the match key '{matchKey}', which belongs to {Describe(sameKey)}.");

            object detail;
            if (e.Kind == ReferenceKinds.Raga)
            {
                var arohanam = Scale("arohanam", e.Arohanam);
                var avarohanam = Scale("avarohanam", e.Avarohanam);
                string? parentId = null, parentName = null;
                if (e.Melakarta is { } n)
                {
                    var mela = await c.QuerySingleOrDefaultAsync<EntityRow>(
                        "SELECT id AS Id, name AS Name, origin AS Origin, merged_into AS MergedInto FROM catalog_raga WHERE melakarta = @n", new { n }, t);
                    if (mela is not null) throw new CatalogConflictException($"Melakarta {n} is already {Describe(mela)}: a melakarta number names one scale.");
                }
                else
                {
                    parentId = e.ParentId!.Trim();
                    var parent = await c.QuerySingleOrDefaultAsync<RagaRow>(
                        "SELECT id AS Id, name AS Name, CAST(melakarta AS BIGINT) AS Melakarta, merged_into AS MergedInto, parent_name AS ParentName FROM catalog_raga WHERE id = @parentId",
                        new { parentId }, t)
                        ?? throw new ArgumentException($"The parent raga '{parentId}' is not in the catalog (see ./grantha catalog list raga).");
                    if (parent.MergedInto is { } into)
                        throw new CatalogConflictException($"The parent raga '{parentId}' was merged into '{into}': name '{into}' as the parent.");
                    if (parent.Melakarta is null)
                        throw new ArgumentException($"The parent must be a melakarta: {parent.Name} ({parent.Id}) is a janya of {parent.ParentName}.");
                    parentName = parent.Name;
                }
                await c.ExecuteAsync("""
                    INSERT INTO catalog_raga (id, name, display_name, match_key, qualifier, melakarta, parent_id, parent_name, arohanam, avarohanam,
                                              listing_group, file_order, updated_at, origin)
                    VALUES (@Id, @name, @display, @matchKey, @qualifier, @Melakarta, @parentId, @parentName, @arohanam, @avarohanam,
                            NULL, (SELECT COALESCE(MAX(file_order), 0) + 1 FROM catalog_raga), @now, 'curator')
                    """, new { e.Id, name, display, matchKey, qualifier, e.Melakarta, parentId, parentName, arohanam, avarohanam, now }, t);
                detail = new { name, melakarta = e.Melakarta, parent = parentId, arohanam, avarohanam, names };
            }
            else if (e.Kind == ReferenceKinds.Tala)
            {
                var family = e.Family?.Trim() ?? name;
                var jati = e.Jati is { } j ? Jatis.First(x => x.Equals(j.Trim(), StringComparison.OrdinalIgnoreCase)) : null;
                await c.ExecuteAsync("""
                    INSERT INTO catalog_tala (id, name, match_key, family, jati, aksharas, updated_at, origin)
                    VALUES (@Id, @name, @matchKey, @family, @jati, @Aksharas, @now, 'curator')
                    """, new { e.Id, name, matchKey, family, jati, e.Aksharas, now }, t);
                detail = new { name, family, jati, aksharas = e.Aksharas, names };
            }
            else
            {
                await c.ExecuteAsync($"INSERT INTO {table} (id, name, match_key, updated_at, origin) VALUES (@Id, @name, @matchKey, @now, 'curator')",
                    new { e.Id, name, matchKey, now }, t);
                detail = new { name, names };
            }
            foreach (var n in names)
                await c.ExecuteAsync("INSERT INTO catalog_name (kind, entity_id, name, name_key) VALUES (@Kind, @Id, @n, @key)",
                    new { e.Kind, e.Id, n, key = ReferenceKinds.Parse(e.Kind, n).Key }, t);
            return await AppendAsync(c, t, e.Kind, Actions.Add, e.Id, null, name, detail, e.Reason, actor, now);
        }, ct);
    }

    /// <summary>
    /// Marks <paramref name="duplicateId"/> as the same entity as <paramref name="keptId"/>: from now on its names
    /// and its id resolve to the kept one. Refuses merging a row into itself, into a missing row, into a row that
    /// is itself merged (not followed: the record says what the curator meant), a row merged already, and a
    /// melakarta (two melakartas are two scales; a melakarta is the parent other ragas name).
    /// </summary>
    public static async Task<CatalogChange> MergeAsync(Db db, string kind, string duplicateId, string keptId, string? reason, string actor, CancellationToken ct = default)
    {
        var table = Table(kind);
        if (string.IsNullOrWhiteSpace(keptId)) throw new ArgumentException("Name the entity to keep (--into <id>).");
        if (duplicateId == keptId) throw new CatalogConflictException($"Cannot merge {kind} '{duplicateId}' into itself: name the other row to keep.");
        return await db.WriteAsync(async (c, t) =>
        {
            await db.Dialect.TransactionLockAsync(c, t, CatalogStore.CatalogLockKey);
            var dup = await RowAsync(c, t, kind, duplicateId) ?? throw new CatalogEntityNotFoundException(kind, duplicateId);
            var kept = await RowAsync(c, t, kind, keptId)
                ?? throw new ArgumentException($"There is no {kind} '{keptId}' to merge into (see ./grantha catalog list {kind}).");
            if (dup.MergedInto is { } was)
                throw new CatalogConflictException($"{Describe(dup)} is already merged into '{was}'.");
            if (kept.MergedInto is { } on)
                throw new CatalogConflictException($"{Describe(kept)} is itself merged into '{on}': merge into '{on}' instead (merges are not followed, so the record names the row you keep).");
            if (kind == ReferenceKinds.Raga)
            {
                var melas = (await c.QueryAsync<RagaRow>("SELECT id AS Id, name AS Name, CAST(melakarta AS BIGINT) AS Melakarta FROM catalog_raga WHERE id IN (@duplicateId, @keptId)",
                    new { duplicateId, keptId }, t)).ToDictionary(x => x.Id, x => x.Melakarta);
                if (melas[duplicateId] is { } a && melas[keptId] is { } b)
                    throw new CatalogConflictException($"{dup.Name} (melakarta {a}) and {kept.Name} (melakarta {b}) are both melakartas: two melakartas are two scales, never one raga.");
                if (melas[duplicateId] is { } m)
                    throw new CatalogConflictException($"{dup.Name} is melakarta {m}, the parent other ragas name: keep it and merge {kept.Name} ({keptId}) into it instead.");
            }
            var now = Db.NowMs();
            await c.ExecuteAsync($"UPDATE {table} SET merged_into = @keptId, updated_at = @now WHERE id = @duplicateId", new { keptId, now, duplicateId }, t);
            return await AppendAsync(c, t, kind, Actions.Merge, duplicateId, keptId, dup.Name,
                new { duplicate = dup.Name, kept = kept.Name, keptOrigin = kept.Origin, duplicateOrigin = dup.Origin }, reason, actor, now);
        }, ct);
    }

    /// <summary>Every entity a curator added (not merged away or not, the resolvers decide) and every merge.</summary>
    public static async Task<CuratedCatalog> LoadAsync(Db db, CancellationToken ct = default) =>
        await db.ReadAsync(async c =>
        {
            var added = new List<CuratedEntity>();
            var merges = new List<CatalogMerge>();
            foreach (var kind in ReferenceKinds.All)
            {
                var table = Table(kind);
                var qualifier = kind == ReferenceKinds.Raga ? "qualifier" : "NULL";
                var rows = (await c.QueryAsync<(string Id, string Name, string? Qualifier)>(
                    $"SELECT id, name, {qualifier} FROM {table} WHERE origin = 'curator' ORDER BY id")).ToList();
                if (rows.Count > 0)
                {
                    var names = (await c.QueryAsync<(string Id, string Name)>($"""
                        SELECT n.entity_id, n.name FROM catalog_name n JOIN {table} e ON e.id = n.entity_id
                         WHERE n.kind = @kind AND e.origin = 'curator' ORDER BY n.entity_id, n.name
                        """, new { kind })).ToLookup(x => x.Id, x => x.Name);
                    added.AddRange(rows.Select(r => new CuratedEntity(kind, r.Id, r.Name, [r.Name, .. names[r.Id].Where(n => n != r.Name)], r.Qualifier)));
                }
                merges.AddRange((await c.QueryAsync<(string Id, string Into)>($"SELECT id, merged_into FROM {table} WHERE merged_into IS NOT NULL ORDER BY id"))
                    .Select(m => new CatalogMerge(kind, m.Id, m.Into)));
            }
            return new CuratedCatalog(added, merges);
        }, ct);

    /// <summary>The audit trail, oldest first, keyset-paged by id; optionally one kind and one entity (as either side of a merge).</summary>
    public static async Task<IReadOnlyList<CatalogChange>> HistoryAsync(Db db, string? kind = null, string? entityId = null, long afterId = 0, int limit = 1000, CancellationToken ct = default)
    {
        if (kind is not null && !ReferenceKinds.IsKind(kind)) throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind));
        return (await db.ReadAsync(c => c.QueryAsync<CatalogChange>($"""
            SELECT {ChangeColumns} FROM catalog_change
             WHERE (@kind IS NULL OR kind = @kind) AND (@entityId IS NULL OR entity_id = @entityId OR into_id = @entityId) AND id > @afterId
             ORDER BY id LIMIT @limit
            """, new { kind, entityId, afterId, limit }), ct)).ToList();
    }

    /// <summary>Appends one audit row inside the caller's transaction.</summary>
    internal static async Task<CatalogChange> AppendAsync(DbConnection c, DbTransaction t, string kind, string action, string entityId, string? intoId, string? name,
        object detail, string? reason, string actor, long now)
    {
        var json = JsonSerializer.Serialize(detail, DetailJson);
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO catalog_change (kind, action, entity_id, into_id, name, detail, reason, actor, at)
            VALUES (@kind, @action, @entityId, @intoId, @name, @json, @reason, @actor, @now) RETURNING id
            """, new { kind, action, entityId, intoId, name, json, reason, actor, now }, t);
        return new CatalogChange(id, kind, action, entityId, intoId, name, json, reason, actor, now);
    }

    internal const string ChangeColumns =
        "id AS Id, kind AS Kind, action AS Action, entity_id AS EntityId, into_id AS IntoId, name AS Name, detail AS Detail, reason AS Reason, actor AS Actor, at AS At";

    static readonly JsonSerializerOptions DetailJson = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string Table(string kind) => CatalogStore.Table(kind);

    static Task<EntityRow?> RowAsync(DbConnection c, DbTransaction t, string kind, string id) =>
        c.QuerySingleOrDefaultAsync<EntityRow?>($"SELECT id AS Id, name AS Name, origin AS Origin, merged_into AS MergedInto FROM {Table(kind)} WHERE id = @id", new { id }, t);

    static string Describe(EntityRow r) =>
        $"{r.Name} ({r.Id}, {(r.Origin == Origins.Curator ? "added by a curator" : "shipped")}{(r.MergedInto is { } m ? $", merged into {m}" : "")})";

    sealed record EntityRow(string Id, string Name, string Origin, string? MergedInto);

    /// <summary>Read by property: on SQLite a NULL melakarta (CAST, no declared type) reads as byte[], which a positional record refuses.</summary>
    sealed class RagaRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public long? Melakarta { get; set; }
        public string? MergedInto { get; set; }
        public string? ParentName { get; set; }
    }

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdRegex();

    [GeneratedRegex(@"\([^)]*\)|\{[^}]*\}")]
    private static partial Regex NoteRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpaceRegex();

    /// <summary>One or more swaras glued ("SS", "S*M1P"), each with an optional variant and octave dots (combining dot below or above).</summary>
    [GeneratedRegex(@"^([SRGMPDN][\u0323\u0307]?[1-3]?[\u0323\u0307]?\*?)+$")]
    private static partial Regex SwaraTokenRegex();

    [GeneratedRegex(@"[SRGMPDN]")]
    private static partial Regex SwaraRegex();
}
