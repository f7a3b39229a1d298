using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Reference;

/// <summary>How many entities of each kind a seed wrote (inserted or already there).</summary>
public sealed record SeedCounts(int Ragas, int Talas, int Composers, int Deities, int Kshetras, int Names, int Synonyms, bool Changed);

/// <summary>A raga as the catalog tables hold it.</summary>
/// <param name="Origin">seed (ragas.csv) or curator.</param>
/// <param name="MergedInto">Set when a curator marked this row a duplicate of another raga.</param>
public sealed record CatalogRaga(string Id, string Name, string DisplayName, string MatchKey, string? Qualifier, long? Melakarta,
    string? ParentId, string? ParentName, string Arohanam, string Avarohanam, string? ListingGroup, string Origin, string? MergedInto);

/// <summary>A tala's facts beside its name.</summary>
public sealed record CatalogTala(string Id, string Name, string Family, string? Jati, long Aksharas);

/// <summary>One entity with everything that points at it: its names, synonyms, curator aliases, the rows merged into it and its history.</summary>
public sealed record CatalogEntityDetail(CatalogEntity Entity, IReadOnlyList<string> Names, IReadOnlyList<CatalogSynonym> Synonyms,
    IReadOnlyList<CatalogAlias> Aliases, IReadOnlyList<string> MergedFrom, IReadOnlyList<CatalogChange> History, CatalogRaga? Raga, CatalogTala? Tala);

public sealed record CatalogAlias(long Id, string Kind, string Input, string InputKey, string EntityId, long? BatchId, string ChosenBy, long CreatedAt);

public sealed record CatalogSynonym(long Id, string Kind, string Name, string NameKey, string EntityId, string? Note, string Source, string CreatedBy, long CreatedAt);

/// <summary>
/// The reference catalog in the database: the seed (idempotent: upserts by id, so a second run changes
/// nothing; what curators added and merged survives it), listings, curator synonyms and aliases.
/// Resolve/ResolverStore builds the resolvers from it; Reference/Curation adds and merges entities.
/// </summary>
public static class CatalogStore
{
    /// <summary>Bumped when the catalogs written in code change, so existing databases are re-seeded.</summary>
    public const int CodeCatalogVersion = 1;

    /// <summary>The transaction lock of every write to the entity tables: the seed and curation never interleave.</summary>
    internal const long CatalogLockKey = 7349105;

    /// <summary>Writes every reference entity, its names and the shipped synonyms. Safe to run any number of times.</summary>
    /// <param name="ragaCatalog">The raga list already read (default: ragas.csv).</param>
    public static async Task<SeedCounts> SeedAsync(Db db, RagaCatalog? ragaCatalog = null, string actor = "seed", CancellationToken ct = default)
    {
        ragaCatalog ??= RagaCatalog.LoadShared();
        var fingerprint = Fingerprint(ragaCatalog);
        var ragas = ragaCatalog.All;
        var ragaKeys = MatchKeys.ForRagas(ragas);
        var talas = TalaCatalog.All;
        var talaKeys = MatchKeys.ForNames(TalaCatalog.Kind, talas.Select(t => (t.Id, t.Name)).ToList());
        var composerKeys = MatchKeys.ForNames(ComposerCatalog.Kind, ComposerCatalog.All.Select(c => (c.Id, c.Name)).ToList());
        var deityKeys = MatchKeys.ForNames(DeityCatalog.Kind, DeityCatalog.All.Select(c => (c.Id, c.Name)).ToList());
        var kshetraKeys = MatchKeys.ForNames(KshetraCatalog.Kind, KshetraCatalog.All.Select(c => (c.Id, c.Name)).ToList());

        var names = new List<object?[]>();
        void Names(string kind, string id, IEnumerable<string> ns)
        {
            foreach (var n in ns.Distinct(StringComparer.Ordinal))
                names.Add([kind, id, n, ReferenceKinds.Parse(kind, n).Key]);
        }
        foreach (var r in ragas) Names(RagaCatalog.Kind, r.Id, r.Names);
        foreach (var t in talas) Names(TalaCatalog.Kind, t.Id, t.Names);
        foreach (var c in ComposerCatalog.All) Names(ComposerCatalog.Kind, c.Id, c.Names);
        foreach (var d in DeityCatalog.All) Names(DeityCatalog.Kind, d.Id, d.Names);
        foreach (var k in KshetraCatalog.All) Names(KshetraCatalog.Kind, k.Id, k.Names);

        var synonyms = new List<(string Kind, string Name, string Key, string Id, string? Note)>();
        foreach (var s in RagaSynonyms.LoadDefault().All)
            synonyms.Add((RagaCatalog.Kind, s.Name, ReferenceKinds.Parse(RagaCatalog.Kind, s.Name).Key, ragaCatalog.RagaOf(s).Id, s.Note));

        return await db.WriteAsync(async (c, t) =>
        {
            // Workers starting together may all find the catalog missing: one seeds, the others then find it done.
            await db.Dialect.TransactionLockAsync(c, t, CatalogLockKey);
            var now = Db.NowMs();
            var previous = await c.ExecuteScalarAsync<string?>("SELECT fingerprint FROM catalog_seed WHERE id = 1", transaction: t);
            // Keys can move between rows when the source changes; clearing them first keeps the UNIQUE constraints satisfiable.
            // Only the shipped rows: a curator's row keeps its key (it is nowhere in the source).
            if (previous is not null && previous != fingerprint)
                foreach (var table in new[] { "catalog_raga", "catalog_tala", "catalog_composer", "catalog_deity", "catalog_kshetra" })
                    await c.ExecuteAsync($"UPDATE {table} SET match_key = '~' || id" + (table == "catalog_raga" ? ", melakarta = NULL" : "") + " WHERE origin = 'seed'", transaction: t);
            await MakeRoomForShippedAsync(c, t, RagaCatalog.Kind, ragas.Select((r, i) => new Shipped(r.Id, r.Name, ragaKeys[i], r.Melakarta)).ToList(), actor, now);
            await MakeRoomForShippedAsync(c, t, TalaCatalog.Kind, talas.Select((x, i) => new Shipped(x.Id, x.Name, talaKeys[i], null)).ToList(), actor, now);
            await MakeRoomForShippedAsync(c, t, ComposerCatalog.Kind, ComposerCatalog.All.Select((x, i) => new Shipped(x.Id, x.Name, composerKeys[i], null)).ToList(), actor, now);
            await MakeRoomForShippedAsync(c, t, DeityCatalog.Kind, DeityCatalog.All.Select((x, i) => new Shipped(x.Id, x.Name, deityKeys[i], null)).ToList(), actor, now);
            await MakeRoomForShippedAsync(c, t, KshetraCatalog.Kind, KshetraCatalog.All.Select((x, i) => new Shipped(x.Id, x.Name, kshetraKeys[i], null)).ToList(), actor, now);

            // Multi-row statements: a fresh database is seeded by the first RESOLVE task of an import,
            // and ~2,700 single-row statements were a second of the import's time on PostgreSQL.
            await db.Dialect.InsertRowsAsync(c, t, "catalog_raga",
                ["id", "name", "display_name", "match_key", "qualifier", "melakarta", "parent_id", "parent_name", "arohanam", "avarohanam", "listing_group", "file_order", "updated_at"],
                ragas.Select((r, i) => new object?[] { r.Id, r.Name, r.DisplayName, ragaKeys[i], r.Qualifier, r.Melakarta, r.ParentId, r.ParentName, r.Arohanam, r.Avarohanam, r.ListingGroup, i + 1, now }),
                """
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, display_name = excluded.display_name, match_key = excluded.match_key,
                  qualifier = excluded.qualifier, melakarta = excluded.melakarta, parent_id = excluded.parent_id, parent_name = excluded.parent_name,
                  arohanam = excluded.arohanam, avarohanam = excluded.avarohanam, listing_group = excluded.listing_group, file_order = excluded.file_order,
                  origin = 'seed', updated_at = CASE WHEN catalog_raga.match_key = excluded.match_key AND catalog_raga.name = excluded.name THEN catalog_raga.updated_at ELSE excluded.updated_at END
                """);
            await db.Dialect.InsertRowsAsync(c, t, "catalog_tala", ["id", "name", "match_key", "family", "jati", "aksharas", "updated_at"],
                talas.Select((x, i) => new object?[] { x.Id, x.Name, talaKeys[i], x.Family, x.Jati, x.Aksharas, now }),
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, match_key = excluded.match_key, family = excluded.family, jati = excluded.jati, aksharas = excluded.aksharas, origin = 'seed'");
            foreach (var (table, rows) in new (string, IEnumerable<object?[]>)[]
            {
                ("catalog_composer", ComposerCatalog.All.Select((x, i) => new object?[] { x.Id, x.Name, composerKeys[i], now })),
                ("catalog_deity", DeityCatalog.All.Select((x, i) => new object?[] { x.Id, x.Name, deityKeys[i], now })),
                ("catalog_kshetra", KshetraCatalog.All.Select((x, i) => new object?[] { x.Id, x.Name, kshetraKeys[i], now })),
            })
                await db.Dialect.InsertRowsAsync(c, t, table, ["id", "name", "match_key", "updated_at"], rows,
                    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, match_key = excluded.match_key, origin = 'seed'");

            await db.Dialect.InsertRowsAsync(c, t, "catalog_name", ["kind", "entity_id", "name", "name_key"], names,
                "ON CONFLICT (kind, entity_id, name) DO UPDATE SET name_key = excluded.name_key");
            await db.Dialect.InsertRowsAsync(c, t, "catalog_synonym", ["kind", "name", "name_key", "entity_id", "note", "source", "created_by", "created_at"],
                synonyms.Select(x => new object?[] { x.Kind, x.Name, x.Key, x.Id, x.Note, "seed", "seed", now }),
                "ON CONFLICT (kind, name_key, entity_id) DO NOTHING");

            var counts = new SeedCounts(ragas.Count, talas.Count, ComposerCatalog.All.Count, DeityCatalog.All.Count, KshetraCatalog.All.Count,
                names.Count, synonyms.Count, previous != fingerprint);
            await c.ExecuteAsync("""
                INSERT INTO catalog_seed (id, fingerprint, counts, seeded_at) VALUES (1, @fingerprint, @counts, @now)
                ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, counts = excluded.counts,
                  seeded_at = CASE WHEN catalog_seed.fingerprint = excluded.fingerprint THEN catalog_seed.seeded_at ELSE excluded.seeded_at END
                """, new { fingerprint, counts = JsonSerializer.Serialize(counts), now }, t);
            return counts;
        }, ct);
    }

    /// <summary>Seeds the catalog when the database has not got this version of it; true when it did.</summary>
    public static async Task<bool> EnsureSeededAsync(Db db, RagaCatalog ragaCatalog, CancellationToken ct = default)
    {
        var fingerprint = await db.ReadAsync(c => c.ExecuteScalarAsync<string?>("SELECT fingerprint FROM catalog_seed WHERE id = 1"), ct);
        if (fingerprint == Fingerprint(ragaCatalog)) return false;
        await SeedAsync(db, ragaCatalog, ct: ct);
        return true;
    }

    /// <summary>A shipped entity as the seed is about to write it.</summary>
    sealed record Shipped(string Id, string Name, string MatchKey, int? Melakarta);

    /// <summary>
    /// When the shipped catalog comes to list what a curator had added, the shipped row wins and the curator's is
    /// kept, never deleted: the same id becomes the shipped row (action shipped); another id with the same match
    /// key (or, for a raga, the same melakarta number: one number, one scale) is merged into the shipped row. Both
    /// are written to the audit trail. Without this the seed would fail on the UNIQUE keys.
    /// </summary>
    static async Task MakeRoomForShippedAsync(DbConnection c, DbTransaction t, string kind, IReadOnlyList<Shipped> shipped, string actor, long now)
    {
        var table = Table(kind);
        var isRaga = kind == RagaCatalog.Kind;
        var curated = (await c.QueryAsync<RagaRead>(
            $"SELECT id AS Id, name AS Name, match_key AS MatchKey, {(isRaga ? "CAST(melakarta AS BIGINT)" : "NULL")} AS Melakarta, merged_into AS MergedInto FROM {table} WHERE origin = 'curator' ORDER BY id",
            transaction: t)).ToList();
        if (curated.Count == 0) return;
        var byId = shipped.ToDictionary(x => x.Id, StringComparer.Ordinal);
        var byKey = shipped.ToDictionary(x => x.MatchKey, StringComparer.Ordinal);
        var byMela = shipped.Where(x => x.Melakarta is not null).ToDictionary(x => (long)x.Melakarta!.Value);
        foreach (var r in curated)
        {
            if (byId.TryGetValue(r.Id, out var same))
            {
                // The upsert that follows turns the row into the shipped one (origin seed).
                await Curation.AppendAsync(c, t, kind, Curation.Actions.Shipped, r.Id, null, same.Name,
                    new { curatorName = r.Name, shippedName = same.Name }, "the shipped catalog now lists this id: its row replaces the curator's", actor, now);
                continue;
            }
            var clash = byKey.GetValueOrDefault(r.MatchKey) ?? (r.Melakarta is { } m ? byMela.GetValueOrDefault(m) : null);
            if (clash is null) continue;
            await c.ExecuteAsync($"UPDATE {table} SET match_key = '~' || id{(isRaga ? ", melakarta = NULL" : "")}, merged_into = COALESCE(merged_into, @into), updated_at = @now WHERE id = @id",
                new { into = clash.Id, now, id = r.Id }, t);
            if (r.MergedInto is null)
                await Curation.AppendAsync(c, t, kind, Curation.Actions.Merge, r.Id, clash.Id, r.Name,
                    new { duplicate = r.Name, kept = clash.Name, melakarta = r.Melakarta },
                    $"the shipped catalog now lists {clash.Name} ({clash.Id}) with the same {(byKey.ContainsKey(r.MatchKey) ? "match key" : "melakarta number")}", actor, now);
        }
    }

    public static async Task<IReadOnlyList<CatalogRaga>> RagasAsync(Db db, CancellationToken ct = default) =>
        (await db.ReadAsync(c => c.QueryAsync<RagaRead>($"{RagaSelect} ORDER BY file_order, id"), ct)).Select(r => r.ToRaga()).ToList();

    /// <summary>
    /// A raga row (or the id, name, key and merge of another kind) read by property: SQLite gives a NULL melakarta
    /// (CAST, no declared type) the type byte[], which a positional record refuses when the first row read is a janya.
    /// </summary>
    sealed class RagaRead
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string MatchKey { get; set; } = "";
        public string? Qualifier { get; set; }
        public long? Melakarta { get; set; }
        public string? ParentId { get; set; }
        public string? ParentName { get; set; }
        public string Arohanam { get; set; } = "";
        public string Avarohanam { get; set; } = "";
        public string? ListingGroup { get; set; }
        public string Origin { get; set; } = "";
        public string? MergedInto { get; set; }

        public CatalogRaga ToRaga() => new(Id, Name, DisplayName, MatchKey, Qualifier, Melakarta, ParentId, ParentName, Arohanam, Avarohanam, ListingGroup, Origin, MergedInto);
    }

    const string RagaSelect = """
        SELECT id AS Id, name AS Name, display_name AS DisplayName, match_key AS MatchKey, qualifier AS Qualifier, CAST(melakarta AS BIGINT) AS Melakarta,
               parent_id AS ParentId, parent_name AS ParentName, arohanam AS Arohanam, avarohanam AS Avarohanam, listing_group AS ListingGroup,
               origin AS Origin, merged_into AS MergedInto
          FROM catalog_raga
        """;

    /// <summary>Entities of a kind in id order, with where they came from and where a merged one went.</summary>
    public static async Task<IReadOnlyList<CatalogEntity>> EntitiesAsync(Db db, string kind, CancellationToken ct = default)
    {
        var table = Table(kind);
        return (await db.ReadAsync(c => c.QueryAsync<CatalogEntity>(
            $"SELECT @kind AS Kind, id AS Id, name AS Name, match_key AS MatchKey, origin AS Origin, merged_into AS MergedInto FROM {table} ORDER BY id", new { kind }), ct)).ToList();
    }

    /// <summary>One entity with its names, synonyms, aliases, the rows merged into it and its history; null when there is none.</summary>
    public static async Task<CatalogEntityDetail?> EntityAsync(Db db, string kind, string id, CancellationToken ct = default)
    {
        var table = Table(kind);
        return await db.ReadAsync(async c =>
        {
            var e = await c.QuerySingleOrDefaultAsync<CatalogEntity>(
                $"SELECT @kind AS Kind, id AS Id, name AS Name, match_key AS MatchKey, origin AS Origin, merged_into AS MergedInto FROM {table} WHERE id = @id", new { kind, id });
            if (e is null) return null;
            var names = (await c.QueryAsync<string>("SELECT name FROM catalog_name WHERE kind = @kind AND entity_id = @id ORDER BY name", new { kind, id })).ToList();
            var synonyms = (await c.QueryAsync<CatalogSynonym>($"{SynonymSelect} WHERE kind = @kind AND entity_id = @id ORDER BY id", new { kind, id })).ToList();
            var aliases = (await c.QueryAsync<CatalogAlias>($"{AliasSelect} WHERE kind = @kind AND entity_id = @id ORDER BY id", new { kind, id })).ToList();
            var mergedFrom = (await c.QueryAsync<string>($"SELECT id FROM {table} WHERE merged_into = @id ORDER BY id", new { id })).ToList();
            var history = (await c.QueryAsync<CatalogChange>($"SELECT {Curation.ChangeColumns} FROM catalog_change WHERE kind = @kind AND (entity_id = @id OR into_id = @id) ORDER BY id",
                new { kind, id })).ToList();
            var raga = kind == RagaCatalog.Kind ? (await c.QuerySingleOrDefaultAsync<RagaRead>($"{RagaSelect} WHERE id = @id", new { id }))?.ToRaga() : null;
            var tala = kind == TalaCatalog.Kind
                ? await c.QuerySingleOrDefaultAsync<CatalogTala>("SELECT id AS Id, name AS Name, family AS Family, jati AS Jati, CAST(aksharas AS BIGINT) AS Aksharas FROM catalog_tala WHERE id = @id", new { id })
                : null;
            return new CatalogEntityDetail(e, names, synonyms, aliases, mergedFrom, history, raga, tala);
        }, ct);
    }

    public static async Task<IReadOnlyList<CatalogAlias>> AliasesAsync(Db db, string? kind = null, CancellationToken ct = default) =>
        (await db.ReadAsync(c => c.QueryAsync<CatalogAlias>($"{AliasSelect} WHERE @kind IS NULL OR kind = @kind ORDER BY id", new { kind }), ct)).ToList();

    public static async Task<IReadOnlyList<CatalogSynonym>> SynonymsAsync(Db db, string? kind = null, CancellationToken ct = default) =>
        (await db.ReadAsync(c => c.QueryAsync<CatalogSynonym>($"{SynonymSelect} WHERE @kind IS NULL OR kind = @kind ORDER BY id", new { kind }), ct)).ToList();

    const string AliasSelect = """
        SELECT id AS Id, kind AS Kind, input AS Input, input_key AS InputKey, entity_id AS EntityId, batch_id AS BatchId, chosen_by AS ChosenBy, created_at AS CreatedAt
          FROM catalog_alias
        """;

    const string SynonymSelect = """
        SELECT id AS Id, kind AS Kind, name AS Name, name_key AS NameKey, entity_id AS EntityId, note AS Note, source AS Source, created_by AS CreatedBy, created_at AS CreatedAt
          FROM catalog_synonym
        """;

    /// <summary>
    /// Stores a curator's choice (replacing an earlier choice for the same key). The caller checks that the
    /// entity is in the catalog: a choice never creates one. Returns the stored key.
    /// </summary>
    public static async Task<string> AddAliasAsync(Db db, string kind, string input, string entityId, string actor, long? batchId = null, CancellationToken ct = default)
    {
        var key = ReferenceKinds.Parse(kind, input).FullKey;
        if (key.Length == 0) throw new ArgumentException($"'{input}' has no letters to match on.");
        await db.WriteAsync((c, t) => c.ExecuteAsync("""
            INSERT INTO catalog_alias (kind, input, input_key, entity_id, batch_id, chosen_by, created_at)
            VALUES (@kind, @input, @key, @entityId, @batchId, @actor, @now)
            ON CONFLICT (kind, input_key) DO UPDATE SET input = excluded.input, entity_id = excluded.entity_id, batch_id = excluded.batch_id,
              chosen_by = excluded.chosen_by, created_at = excluded.created_at
            """, new { kind, input, key, entityId, batchId, actor, now = Db.NowMs() }, t), ct);
        return key;
    }

    /// <summary>
    /// Stores a musicological synonym with its audit row (the caller has checked that it joins no two catalog
    /// entities). Null when the table had it already: nothing changed.
    /// </summary>
    public static async Task<CatalogChange?> AddSynonymAsync(Db db, string kind, string name, string entityId, string? note, string actor, CancellationToken ct = default)
    {
        var key = ReferenceKinds.Parse(kind, name).Key;
        return await db.WriteAsync(async (c, t) =>
        {
            var now = Db.NowMs();
            var added = await c.ExecuteAsync("""
                INSERT INTO catalog_synonym (kind, name, name_key, entity_id, note, source, created_by, created_at)
                VALUES (@kind, @name, @key, @entityId, @note, 'curator', @actor, @now)
                ON CONFLICT (kind, name_key, entity_id) DO NOTHING
                """, new { kind, name, key, entityId, note, actor, now }, t);
            return added == 0 ? null : await Curation.AppendAsync(c, t, kind, Curation.Actions.Synonym, entityId, null, name, new { name, key, note }, note, actor, now);
        }, ct);
    }

    internal static string Table(string kind) => kind switch
    {
        RagaCatalog.Kind => "catalog_raga",
        TalaCatalog.Kind => "catalog_tala",
        ComposerCatalog.Kind => "catalog_composer",
        DeityCatalog.Kind => "catalog_deity",
        KshetraCatalog.Kind => "catalog_kshetra",
        _ => throw new ArgumentException(ReferenceKinds.UnknownKindMessage(kind)),
    };

    /// <summary>Changes when ragas.csv, the shipped synonyms or the catalogs in code change.</summary>
    static string Fingerprint(RagaCatalog ragaCatalog)
    {
        var sb = new StringBuilder().Append(CodeCatalogVersion).Append('|');
        foreach (var r in ragaCatalog.All) sb.Append(r.Id).Append(':').Append(r.Name).Append(':').Append(r.ParentName).Append(':').Append(r.Arohanam).Append(':').Append(r.Avarohanam).Append('|');
        foreach (var s in RagaSynonyms.LoadDefault().All) sb.Append(s.Raga).Append('=').Append(s.Name).Append('|');
        foreach (var t in TalaCatalog.All) sb.Append(t.Id).Append(string.Join(',', t.Names)).Append('|');
        foreach (var c in ComposerCatalog.All) sb.Append(c.Id).Append(string.Join(',', c.Names)).Append('|');
        foreach (var d in DeityCatalog.All) sb.Append(d.Id).Append(string.Join(',', d.Names)).Append('|');
        foreach (var k in KshetraCatalog.All) sb.Append(k.Id).Append(string.Join(',', k.Names)).Append('|');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
