using System.Collections.Concurrent;
using Grantha.Reference;

namespace Grantha.Resolve;

/// <summary>
/// One entity a <see cref="Resolver"/> can return.
/// </summary>
/// <param name="Names">The entity's own names (the first is its main name); each matches with reason "exact key".</param>
/// <param name="Qualifier">A note such as "Hindustani"; an input without the same note scores a little lower.</param>
/// <param name="ListingGroup">Entities with the same group are one thing listed more than once; they count as one
/// candidate and the listing whose spelling is closest to the input is returned.</param>
public sealed record ResolverEntry(string Id, string Name, IReadOnlyList<string> Names, string? Qualifier = null, string? ListingGroup = null);

/// <summary>Every knob of the decision rule, with its default beside it.</summary>
public sealed record ResolverThresholds
{
    /// <summary>A best candidate below this score is never matched automatically.</summary>
    public const double MatchScoreMinDefault = 0.90;
    /// <summary>The best candidate must lead the runner-up by at least this much to be matched.</summary>
    public const double MatchMarginMinDefault = 0.05;
    /// <summary>Below this best score the input is "unknown" rather than sent to review.</summary>
    public const double ReviewScoreMinDefault = 0.60;
    /// <summary>Candidates scoring below this are not listed.</summary>
    public const double CandidateScoreMinDefault = 0.50;
    public const int MaxCandidatesDefault = 5;

    /// <summary>Same key as one of the entity's own names.</summary>
    public const double ExactScore = 1.0;
    /// <summary>Same key as a synonym: a hair below an own name, so an input that is one raga's name and
    /// another's synonym goes to review.</summary>
    public const double SynonymScore = 0.99;
    /// <summary>Subtracted when the input's note ({Hindustani} ...) differs from the entity's.</summary>
    public const double QualifierMismatchPenalty = 0.06;
    /// <summary>Fuzzy score = 1 - d * (FuzzyEditCost + FuzzyLengthCost / length) - (edit at first or last letter ? FuzzyEdgeCost : 0).
    /// One edit in a 9-letter key scores 0.904; in a 7-letter key 0.889 (never matched alone).</summary>
    public const double FuzzyEditCost = 0.04;
    public const double FuzzyLengthCost = 0.5;
    /// <summary>Differences at the start or end of a name are usually other words (Bhogi / Abhogi, Bhairavi / Bhairavam, Sāranga / Sārang).</summary>
    public const double FuzzyEdgeCost = 0.06;

    public double MatchScoreMin { get; init; } = MatchScoreMinDefault;
    public double MatchMarginMin { get; init; } = MatchMarginMinDefault;
    public double ReviewScoreMin { get; init; } = ReviewScoreMinDefault;
    public double CandidateScoreMin { get; init; } = CandidateScoreMinDefault;
    public int MaxCandidates { get; init; } = MaxCandidatesDefault;

    public static ResolverThresholds Default { get; } = new();

    /// <summary>How many edits the fuzzy search looks at for a key of this length.</summary>
    public static int MaxDistanceFor(int keyLength) => keyLength <= 4 ? 1 : keyLength <= 8 ? 2 : 3;

    public static double FuzzyScore(string a, string b, int distance)
    {
        var length = Math.Max(a.Length, b.Length);
        var edge = a.Length == 0 || b.Length == 0 || a[0] != b[0] || a[^1] != b[^1];
        return 1.0 - distance * (FuzzyEditCost + FuzzyLengthCost / length) - (edge ? FuzzyEdgeCost : 0);
    }
}

/// <summary>
/// The one name-resolution mechanism, used for ragas, talas and composers: exact keys (own names,
/// synonyms, curator aliases) and a bounded fuzzy search, ranked and decided by <see cref="ResolverThresholds"/>.
/// Safe to use from several threads; adding a synonym or alias swaps in a new index.
/// </summary>
public sealed class Resolver
{
    readonly IReadOnlyList<ResolverEntry> _entries;
    readonly Dictionary<string, int> _byId;
    readonly IReadOnlyCollection<string>? _genericWords;
    readonly IReadOnlyCollection<string>? _leadingWords;
    readonly object _gate = new();
    Index _index;

    /// <param name="genericWords">Trailing words that only say what kind of name it is ("rAgaM").</param>
    /// <param name="leadingWords">Honorifics dropped before a name ("SrI", "Lord").</param>
    /// <param name="mergedInto">Curator merges: duplicate id → the id kept (chains already followed). A duplicate is
    /// no entity of its own: its names are own names of the kept one and <see cref="Find"/> of its id gives the kept one.</param>
    public Resolver(string kind, IEnumerable<ResolverEntry> entries, IReadOnlyCollection<string>? genericWords = null, ResolverThresholds? thresholds = null,
        IReadOnlyCollection<string>? leadingWords = null, IReadOnlyDictionary<string, string>? mergedInto = null)
    {
        Kind = kind;
        var all = entries.ToList();
        mergedInto ??= new Dictionary<string, string>();
        _entries = all.Where(e => !mergedInto.ContainsKey(e.Id)).ToList();
        _genericWords = genericWords;
        _leadingWords = leadingWords;
        Thresholds = thresholds ?? ResolverThresholds.Default;
        _byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _entries.Count; i++)
            if (!_byId.TryAdd(_entries[i].Id, i))
                throw new ArgumentException($"Duplicate {kind} id '{_entries[i].Id}'.", nameof(entries));
        var names = new List<IndexedName>();
        for (var i = 0; i < _entries.Count; i++)
            foreach (var n in _entries[i].Names)
                if (Indexed(i, n, MatchReason.ExactKey, _entries[i].Qualifier) is { } x) names.Add(x);
        foreach (var duplicate in all.Where(e => mergedInto.ContainsKey(e.Id)))
        {
            if (!_byId.TryGetValue(mergedInto[duplicate.Id], out var kept))
                throw new ArgumentException($"The {kind} '{duplicate.Id}' is merged into '{mergedInto[duplicate.Id]}', which is not among the entries.", nameof(mergedInto));
            if (!_byId.TryAdd(duplicate.Id, kept))
                throw new ArgumentException($"Duplicate {kind} id '{duplicate.Id}'.", nameof(entries));
            foreach (var n in duplicate.Names)
                if (Indexed(kept, n, MatchReason.ExactKey, duplicate.Qualifier) is { } x) names.Add(x);
        }
        _index = new Index(names, new Dictionary<string, int>(StringComparer.Ordinal));
    }

    public string Kind { get; }
    public ResolverThresholds Thresholds { get; }
    public IReadOnlyList<ResolverEntry> Entries => _entries;

    /// <summary>The entity with this id; for a merged duplicate, the entity kept.</summary>
    public ResolverEntry? Find(string id) => _byId.TryGetValue(id, out var i) ? _entries[i] : null;

    /// <summary>Entities whose own name has this key (no synonyms, aliases or fuzzy search).</summary>
    public IReadOnlyList<ResolverEntry> WithKey(string key) =>
        _index.ByKey.TryGetValue(key, out var names)
            ? names.Where(n => n.Reason == MatchReason.ExactKey).Select(n => _entries[n.Entry]).Distinct().ToList()
            : [];

    /// <summary>Adds a musicological synonym (another name of the same entity). Returns false, adding
    /// nothing, when the name already is an own name of a different entity: the catalog keeps them apart.</summary>
    public bool AddSynonym(string name, string id) => AddSynonyms([(name, id)]).Count == 0;

    /// <summary>Adds several synonyms with one rebuild of the index; returns those refused (the name is another entity's own name).</summary>
    public IReadOnlyList<(string Name, string Id)> AddSynonyms(IEnumerable<(string Name, string Id)> synonyms)
    {
        var refused = new List<(string, string)>();
        lock (_gate)
        {
            var names = _index.All.ToList();
            var byKey = names.GroupBy(n => n.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var added = false;
            foreach (var (name, id) in synonyms)
            {
                var entry = EntryIndex(id);
                var parts = Parse(name);
                if (parts.IsEmpty) throw new ArgumentException($"The synonym '{name}' has no letters to match on.", nameof(synonyms));
                if (byKey.TryGetValue(parts.Key, out var existing))
                {
                    if (existing.Any(n => n.Reason == MatchReason.ExactKey && !SameThing(n.Entry, entry))) { refused.Add((name, id)); continue; }
                    if (existing.Any(n => SameThing(n.Entry, entry))) continue;
                }
                var x = Indexed(entry, name, MatchReason.Synonym, null)!;
                names.Add(x);
                if (!byKey.TryGetValue(x.Key, out var list)) byKey[x.Key] = list = [];
                list.Add(x);
                added = true;
            }
            if (added) _index = new Index(names, _index.Aliases);
        }
        return refused;
    }

    /// <summary>A curator's choice: from now on this input (anything with its key) resolves to the entity, matched, reason alias.</summary>
    public void AddAlias(string input, string id)
    {
        var entry = EntryIndex(id);
        var parts = Parse(input);
        if (parts.IsEmpty) throw new ArgumentException($"The alias '{input}' has no letters to match on.", nameof(input));
        lock (_gate)
        {
            var aliases = new Dictionary<string, int>(_index.Aliases, StringComparer.Ordinal) { [parts.FullKey] = entry };
            var names = _index.All.Where(n => !(n.Reason == MatchReason.Alias && n.Key == parts.FullKey)).ToList();
            names.Add(Indexed(entry, input, MatchReason.Alias, null)! with { Key = parts.FullKey });
            _index = new Index(names, aliases);
        }
    }

    /// <summary>The key parts of a name as this resolver reads it (its generic and leading words).</summary>
    public NameKeyParts Parse(string name)
    {
        if (_parsed.TryGetValue(name, out var parts)) return parts;
        parts = NameKey.Parse(name, _genericWords, _leadingWords);
        // Names repeat across a batch (the same raga on hundreds of rows); the bound keeps a long-lived worker small.
        if (_parsed.Count > ParseCacheMax) _parsed.Clear();
        _parsed[name] = parts;
        return parts;
    }

    const int ParseCacheMax = 100_000;
    readonly ConcurrentDictionary<string, NameKeyParts> _parsed = new(StringComparer.Ordinal);

    public Resolution Resolve(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = _index;
        return index.Cache.GetOrAdd(input, (text, ix) => Compute(text, ix), index);
    }

    Resolution Compute(string input, Index index)
    {
        var parts = Parse(input);
        if (parts.IsEmpty) return new Resolution(input, Kind, Decision.Unknown, null, []);

        if (index.Aliases.TryGetValue(parts.FullKey, out var aliased) || index.Aliases.TryGetValue(parts.Key, out aliased))
        {
            var e = _entries[aliased];
            var rest = Rank(parts, index).Where(c => c.Id != e.Id && Group(c.Id) != Group(e.Id));
            var top = new Candidate(e.Id, e.Name, ResolverThresholds.ExactScore, MatchReason.Alias, input);
            return new Resolution(input, Kind, Decision.Matched, new EntityRef(e.Id, e.Name),
                [top, .. rest.Take(Thresholds.MaxCandidates - 1)]);
        }

        var ranked = Rank(parts, index);
        var candidates = ranked.Take(Thresholds.MaxCandidates).ToList();
        if (candidates.Count == 0 || candidates[0].Score < Thresholds.ReviewScoreMin)
            return new Resolution(input, Kind, Decision.Unknown, null, candidates);
        var best = candidates[0];
        var clear = candidates.Count == 1 || best.Score - candidates[1].Score >= Thresholds.MatchMarginMin - 1e-9;
        return best.Score >= Thresholds.MatchScoreMin - 1e-9 && clear
            ? new Resolution(input, Kind, Decision.Matched, new EntityRef(best.Id, best.Name), candidates)
            : new Resolution(input, Kind, Decision.NeedsReview, null, candidates);
    }

    List<Candidate> Rank(NameKeyParts parts, Index index)
    {
        var offers = new Dictionary<int, Offer>();
        void Add(IndexedName n, double score, string reason, int? distance)
        {
            if (score < Thresholds.CandidateScoreMin) return;
            var o = new Offer(n.Entry, score, reason, n.Written, distance, EditDistance.Osa(parts.Spelling, n.Spelling, SpellingDistanceMax));
            if (!offers.TryGetValue(n.Entry, out var had) || Better(o, had)) offers[n.Entry] = o;
        }

        var inputQualifier = QualifierKey(parts.Qualifier);
        foreach (var key in parts.FullKey == parts.Key ? new[] { parts.Key } : new[] { parts.FullKey, parts.Key })
            if (index.ByKey.TryGetValue(key, out var names))
                foreach (var n in names)
                    Add(n, BaseScore(n) - QualifierPenalty(inputQualifier, n), n.Reason, null);

        // Keys are sorted by length; only lengths within reach are compared, and a letter-count
        // lower bound skips most of those before the edit distance is computed.
        var max = ResolverThresholds.MaxDistanceFor(parts.Key.Length);
        var letters = LetterCounts.Of(parts.Key);
        var (from, to) = index.KeysOfLength(parts.Key.Length - max, parts.Key.Length + max);
        for (var k = from; k < to; k++)
        {
            var key = index.Keys[k];
            if (key == parts.Key || key == parts.FullKey || index.LettersApart(k, letters, max)) continue;
            var d = EditDistance.Osa(parts.Key, key, max);
            if (d > max) continue;
            var fuzzy = ResolverThresholds.FuzzyScore(parts.Key, key, d);
            foreach (var n in index.ByKey[key])
                Add(n, fuzzy - (ResolverThresholds.ExactScore - BaseScore(n)) - QualifierPenalty(inputQualifier, n), MatchReason.Fuzzy, d);
        }

        // One candidate per listing group: the listing spelled most like the input.
        return offers.Values
            .GroupBy(o => Group(_entries[o.Entry].Id))
            .Select(g => g.OrderByDescending(o => o.Score).ThenBy(o => o.SpellingDistance).ThenBy(o => o.Entry).First())
            .OrderByDescending(o => o.Score).ThenBy(o => o.SpellingDistance).ThenBy(o => _entries[o.Entry].Name, StringComparer.Ordinal)
            .Select(o => new Candidate(_entries[o.Entry].Id, _entries[o.Entry].Name, Math.Round(o.Score, 4), o.Reason, o.Written, o.Distance))
            .ToList();
    }

    /// <summary>Spelling distance only breaks ties between close candidates; beyond this it is "far".</summary>
    const int SpellingDistanceMax = 6;

    static bool Better(Offer a, Offer b) => a.Score > b.Score || (a.Score == b.Score && a.SpellingDistance < b.SpellingDistance);

    static double BaseScore(IndexedName n) => n.Reason == MatchReason.Synonym ? ResolverThresholds.SynonymScore : ResolverThresholds.ExactScore;

    static double QualifierPenalty(string? inputQualifierKey, IndexedName n) =>
        string.Equals(inputQualifierKey, n.QualifierKey, StringComparison.Ordinal) ? 0 : ResolverThresholds.QualifierMismatchPenalty;

    static string? QualifierKey(string? q) => q is null ? null : NameKey.Of(q);

    string Group(string id) => _entries[_byId[id]] is var e && e.ListingGroup is { } g ? g : e.Id;

    bool SameThing(int a, int b) => a == b || Group(_entries[a].Id) == Group(_entries[b].Id);

    int EntryIndex(string id) => _byId.TryGetValue(id, out var i)
        ? i
        : throw new ArgumentException($"There is no {Kind} with id '{id}'.", nameof(id));

    IndexedName? Indexed(int entry, string written, string reason, string? qualifier)
    {
        var parts = Parse(written);
        if (parts.IsEmpty) return null;
        return new IndexedName(entry, parts.Key, written, parts.Spelling, QualifierKey(qualifier ?? parts.Qualifier), reason);
    }

    /// <summary>How often each letter occurs in a key (27 counts: a-z and anything else). Every edit changes
    /// the counts by at most two, so half their difference is a lower bound of the edit distance.</summary>
    static class LetterCounts
    {
        public const int Size = 27;

        public static byte[] Of(string key)
        {
            var counts = new byte[Size];
            Fill(key, counts);
            return counts;
        }

        public static void Fill(string key, Span<byte> counts)
        {
            foreach (var c in key) counts[c is >= 'a' and <= 'z' ? c - 'a' : Size - 1]++;
        }
    }

    sealed record IndexedName(int Entry, string Key, string Written, string Spelling, string? QualifierKey, string Reason);

    readonly record struct Offer(int Entry, double Score, string Reason, string Written, int? Distance, int SpellingDistance);

    /// <summary>An immutable snapshot: lookups by key, the distinct keys for the fuzzy scan, aliases, and a cache of results.</summary>
    sealed class Index
    {
        public Index(List<IndexedName> all, Dictionary<string, int> aliases)
        {
            All = all;
            Aliases = aliases;
            ByKey = all.GroupBy(n => n.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            Keys = ByKey.Keys.OrderBy(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).ToArray();
            _letters = new byte[Keys.Length * LetterCounts.Size];
            for (var k = 0; k < Keys.Length; k++) LetterCounts.Fill(Keys[k], _letters.AsSpan(k * LetterCounts.Size, LetterCounts.Size));
            var longest = Keys.Length == 0 ? 0 : Keys[^1].Length;
            _lengthStart = new int[longest + 2];
            for (int len = 0, k = 0; len <= longest + 1; len++)
            {
                while (k < Keys.Length && Keys[k].Length < len) k++;
                _lengthStart[len] = k;
            }
        }

        readonly byte[] _letters;
        readonly int[] _lengthStart;

        /// <summary>The range of <see cref="Keys"/> whose length is within [min, max].</summary>
        public (int From, int To) KeysOfLength(int min, int max)
        {
            min = Math.Clamp(min, 0, _lengthStart.Length - 1);
            max = Math.Clamp(max + 1, 0, _lengthStart.Length - 1);
            return (_lengthStart[min], max < _lengthStart.Length - 1 ? _lengthStart[max] : Keys.Length);
        }

        /// <summary>True when key k cannot be within <paramref name="max"/> edits of a key with these letter counts.</summary>
        public bool LettersApart(int k, byte[] letters, int max)
        {
            var offset = k * LetterCounts.Size;
            var diff = 0;
            for (var i = 0; i < LetterCounts.Size; i++)
            {
                var d = _letters[offset + i] - letters[i];
                diff += d < 0 ? -d : d;
                if (diff > 2 * max) return true;
            }
            return false;
        }

        public List<IndexedName> All { get; }
        public Dictionary<string, int> Aliases { get; }
        public Dictionary<string, IndexedName[]> ByKey { get; }
        /// <summary>The distinct keys, shortest first.</summary>
        public string[] Keys { get; }
        public ConcurrentDictionary<string, Resolution> Cache { get; } = new(StringComparer.Ordinal);
    }
}
