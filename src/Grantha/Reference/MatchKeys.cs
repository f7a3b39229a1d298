namespace Grantha.Reference;

/// <summary>
/// The one match key of a catalog entity, unique per kind: the name's key (<see cref="NameKey"/>) with its
/// note in braces ("saranga{hindustani}"). Where two different entries would share a key (the reference
/// list names two ragas alike, or lists one raga twice), the key is made unique with what tells them
/// apart: the melakarta number or the parent's key, then the place in the file.
/// </summary>
public static class MatchKeys
{
    /// <summary>The base key of a name with an optional note.</summary>
    public static string Of(string name, string? qualifier = null)
    {
        var parts = NameKey.Parse(name);
        var note = qualifier ?? parts.Qualifier;
        return note is null || NameKey.Of(note).Length == 0 ? parts.Key : $"{parts.Key}{{{NameKey.Of(note)}}}";
    }

    /// <summary>Keys for the ragas in file order.</summary>
    public static IReadOnlyList<string> ForRagas(IReadOnlyList<Raga> ragas)
    {
        var keys = new string[ragas.Count];
        var bases = ragas.Select(r => Of(r.DisplayName, r.Qualifier)).ToArray();
        foreach (var group in Enumerable.Range(0, ragas.Count).GroupBy(i => bases[i]))
        {
            var members = group.ToList();
            if (members.Count == 1) { keys[members[0]] = bases[members[0]]; continue; }
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var i in members)
            {
                var r = ragas[i];
                var by = r.Melakarta is { } n ? $"mela{n}" : r.ParentName is { } p ? NameKey.Of(p) : "janya";
                var key = $"{bases[i]}@{by}";
                for (var k = 2; !taken.Add(key); k++) key = $"{bases[i]}@{by}#{k}";
                keys[i] = key;
            }
        }
        return keys;
    }

    /// <summary>Keys for entities with one name each (talas, composers, deities, kshetras); they must not collide.</summary>
    public static IReadOnlyList<string> ForNames(string kind, IReadOnlyList<(string Id, string Name)> entities)
    {
        var keys = entities.Select(e => Of(e.Name)).ToList();
        var dup = keys.Select((k, i) => (k, i)).GroupBy(x => x.k).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new InvalidOperationException($"The {kind} catalog has two entities with match key '{dup.Key}': {string.Join(", ", dup.Select(x => entities[x.i].Id))}.");
        return keys;
    }
}
