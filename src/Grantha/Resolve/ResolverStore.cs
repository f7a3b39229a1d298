using Grantha.Engine;
using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>
/// The resolvers of a database: the reference catalog (seeded first when the database has not got this
/// version of it) with what curators added and merged (Reference/Curation) and every synonym and curator alias
/// stored beside it; and a curator's alias or synonym, checked against a live set, stored in the catalog and
/// added to that set.
/// </summary>
public static class ResolverStore
{
    /// <summary>The reference catalogs with what curators added and merged, every synonym in catalog_synonym and every curator alias.</summary>
    public static async Task<ResolverSet> LoadAsync(Db db, CancellationToken ct = default) => (await LoadSeedingAsync(db, ct)).Set;

    /// <summary><see cref="LoadAsync"/>, saying whether it had to seed the catalog first.</summary>
    internal static async Task<(ResolverSet Set, bool Seeded)> LoadSeedingAsync(Db db, CancellationToken ct = default)
    {
        var ragas = RagaCatalog.LoadShared();
        var seeded = await CatalogStore.EnsureSeededAsync(db, ragas, ct);
        var set = ResolverSet.Create(ragas, RagaSynonyms.LoadDefault(), await Curation.LoadAsync(db, ct));
        foreach (var kind in (await CatalogStore.SynonymsAsync(db, null, ct)).Where(s => ReferenceKinds.IsKind(s.Kind)).GroupBy(s => s.Kind))
            set.For(kind.Key).AddSynonyms(kind.Where(s => set.For(kind.Key).Find(s.EntityId) is not null).Select(s => (s.Name, s.EntityId)));
        foreach (var a in await CatalogStore.AliasesAsync(db, null, ct))
            if (ReferenceKinds.IsKind(a.Kind) && set.For(a.Kind).Find(a.EntityId) is not null) set.AddAlias(a.Kind, a.Input, a.EntityId);
        return (set, seeded);
    }

    /// <summary>
    /// Stores a curator's choice (replacing an earlier choice for the same key) and adds it to the set. The
    /// entity must exist in the catalog: a choice never creates one. Returns the stored key.
    /// </summary>
    public static async Task<string> AddAliasAsync(Db db, ResolverSet set, string kind, string input, string entityId, string actor, long? batchId = null, CancellationToken ct = default)
    {
        var entity = set.For(kind).Find(entityId) ?? throw new ArgumentException($"There is no {kind} with id '{entityId}' in the catalog.");
        var key = await CatalogStore.AddAliasAsync(db, kind, input, entity.Id, actor, batchId, ct);
        set.AddAlias(kind, input, entity.Id);
        return key;
    }

    /// <summary>Adds a musicological synonym to the set and the table. False (nothing stored) when the name is another entity's own name.</summary>
    public static async Task<bool> AddSynonymAsync(Db db, ResolverSet set, string kind, string name, string entityId, string? note, string actor, CancellationToken ct = default)
    {
        // A merged duplicate's id names the entity kept: the synonym is stored for that one.
        var entity = set.For(kind).Find(entityId) ?? throw new ArgumentException($"There is no {kind} with id '{entityId}' in the catalog.");
        if (!set.AddSynonym(kind, name, entity.Id)) return false;
        await CatalogStore.AddSynonymAsync(db, kind, name, entity.Id, note, actor, ct);
        return true;
    }
}
