using System.Globalization;
using System.Text;
using Dapper;
using Grantha.Catalog;
using Grantha.Engine;
using Grantha.Reference;

namespace Grantha.Review;

/// <summary>A confidence range on one field (composer, raga, tala, deity, kshetra): the field's weakest name score.</summary>
public sealed record ConfidenceRange(string Field, double? Min, double? Max);

/// <summary>
/// The review queue's filters; every one is optional and they combine (AND). Flags: <see cref="AnyFlags"/>
/// keeps imports with at least one of those bits, <see cref="NoFlags"/> those with none at all.
/// </summary>
public sealed record ReviewFilter
{
    public long? BatchId { get; init; }
    public IReadOnlyList<string>? States { get; init; }
    public double? MinQuality { get; init; }
    public double? MaxQuality { get; init; }
    public IReadOnlyList<ConfidenceRange>? Confidence { get; init; }
    public string? ComposerId { get; init; }
    public string? RagaId { get; init; }
    public int AnyFlags { get; init; }
    public int WithoutFlags { get; init; }
    public bool NoFlags { get; init; }
    /// <summary>Words of the title (matched on its key, so spelling variants of case and diacritics match).</summary>
    public string? Text { get; init; }

    public static readonly IReadOnlyList<string> ConfidenceFields = ["composer", "raga", "tala", "deity", "kshetra"];

    /// <summary>Refuses what cannot be a filter, with the values that can.</summary>
    public ReviewFilter Validate()
    {
        foreach (var s in States ?? [])
            if (!ReviewStates.IsState(s)) throw new ArgumentException($"Unknown review state '{s}': use {string.Join(", ", ReviewStates.All)}.");
        foreach (var c in Confidence ?? [])
            if (!ConfidenceFields.Contains(c.Field)) throw new ArgumentException($"Unknown confidence field '{c.Field}': use {string.Join(", ", ConfidenceFields)}.");
        if (MinQuality is < 0 or > 1 || MaxQuality is < 0 or > 1) throw new ArgumentException("Quality is between 0 and 1.");
        if (Text is { Length: > 200 }) throw new ArgumentException("The title text is at most 200 characters.");
        return this;
    }

    /// <summary>The WHERE clause (without the state filter when <paramref name="withStates"/> is false: counts per state use the rest).</summary>
    internal (string Where, DynamicParameters Args) Sql(Dialect dialect, bool withStates = true)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        if (BatchId is { } b) { where.Add("s.batch_id = @batchId"); args.Add("batchId", b); }
        // One state is a scalar comparison: the planner then uses the (batch, state, quality) index range.
        if (withStates && States is { Count: 1 } one) { where.Add("s.review_state = @state"); args.Add("state", one[0]); }
        else if (withStates && States is { Count: > 1 } states) { where.Add($"s.review_state {dialect.InArray("states")}"); args.Add("states", states.ToArray()); }
        if (MinQuality is { } qmin) { where.Add("s.quality >= @qmin"); args.Add("qmin", qmin); }
        if (MaxQuality is { } qmax) { where.Add("s.quality <= @qmax"); args.Add("qmax", qmax); }
        var i = 0;
        foreach (var c in Confidence ?? [])
        {
            var column = $"s.{c.Field}_conf";
            if (c.Min is { } min) { where.Add($"{column} >= @cmin{i}"); args.Add($"cmin{i}", min); }
            if (c.Max is { } max) { where.Add($"{column} <= @cmax{i}"); args.Add($"cmax{i}", max); }
            i++;
        }
        if (!string.IsNullOrWhiteSpace(ComposerId)) { where.Add("s.composer_id = @composer"); args.Add("composer", ComposerId.Trim()); }
        // raga_set is the sorted ids joined with '+': a raga is one of them when '+set+' contains '+id+'.
        if (!string.IsNullOrWhiteSpace(RagaId)) { where.Add("('+' || s.raga_set || '+') LIKE @raga ESCAPE '\\'"); args.Add("raga", "%+" + EscapeLike(RagaId.Trim()) + "+%"); }
        if (AnyFlags != 0) { where.Add("(s.flags & @anyFlags) <> 0"); args.Add("anyFlags", AnyFlags); }
        if (WithoutFlags != 0) { where.Add("(s.flags & @withoutFlags) = 0"); args.Add("withoutFlags", WithoutFlags); }
        if (NoFlags) where.Add("s.flags = 0");
        if (!string.IsNullOrWhiteSpace(Text) && NameKey.Of(Text) is { Length: > 0 } key)
        {
            where.Add("s.title_key LIKE @text ESCAPE '\\'");
            args.Add("text", "%" + EscapeLike(key) + "%");
        }
        return (where.Count == 0 ? "1 = 1" : string.Join(" AND ", where), args);
    }

    /// <summary>
    /// Where the counts for this filter are read (V0020): the per-(batch, state, flags) counters when the filter
    /// names nothing else, the narrow title rows when it adds only title text or quality, else the imports.
    /// </summary>
    internal string CountsFrom()
    {
        var others = Confidence is { Count: > 0 } || !string.IsNullOrWhiteSpace(ComposerId) || !string.IsNullOrWhiteSpace(RagaId);
        var text = !string.IsNullOrWhiteSpace(Text);
        if (!others && !text && MinQuality is null && MaxQuality is null)
            return "SELECT s.review_state AS State, s.flags AS Flags, CAST(SUM(s.n) AS BIGINT) AS N FROM review_count s WHERE {where} GROUP BY s.review_state, s.flags";
        return others
            ? "SELECT s.review_state AS State, s.flags AS Flags, COUNT(*) AS N FROM staged_import s WHERE {where} GROUP BY s.review_state, s.flags"
            : "SELECT s.review_state AS State, s.flags AS Flags, COUNT(*) AS N FROM review_queue_row s WHERE {where} GROUP BY s.review_state, s.flags";
    }

    static string EscapeLike(string s) => s.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}

/// <summary>Orders of the queue: worst quality first (the default: what needs eyes), best first, oldest, newest.</summary>
public static class ReviewSort
{
    public const string Quality = "quality";
    public const string QualityDesc = "-quality";
    public const string Oldest = "age";
    public const string Newest = "-age";

    public static readonly IReadOnlyList<string> All = [Quality, QualityDesc, Oldest, Newest];

    public static string Parse(string? s) => string.IsNullOrWhiteSpace(s) ? Quality
        : All.Contains(s.Trim()) ? s.Trim() : throw new ArgumentException($"Unknown sort '{s}': use {string.Join(", ", All)}.");
}

/// <summary>One import in the queue: what a row of the screen shows.</summary>
/// <param name="Missing">For an import that needs review: the unresolved names with their candidates, so a curator can choose from the queue.</param>
public sealed record ReviewItem(long Id, long BatchId, string Url, string? Title, string State, long Version, double Quality, IReadOnlyList<string> Flags,
    NamedId? Composer, IReadOnlyList<NamedId> Ragas, NamedId? Tala, IReadOnlyDictionary<string, double?> Confidence, long? DuplicateOf, long? KrithiId,
    string? ReviewedBy, long? ReviewedAt, string? Reason, long CreatedAt, long UpdatedAt, IReadOnlyList<MissingName> Missing);

/// <summary>
/// A page of the queue with the counts a screen shows beside it, for the same filter: per state (the
/// filter without its state part, so every tab shows its number) and per flag (the filter as given).
/// </summary>
public sealed record ReviewPage(IReadOnlyList<ReviewItem> Items, long Total, IReadOnlyDictionary<string, long> States, IReadOnlyDictionary<string, long> Flags, string? Next);

/// <summary>The review queue: filtered, counted, keyset-paged.</summary>
public static class ReviewQueue
{
    public const int PageDefault = 50;
    public const int PageMax = 500;

    internal const string ItemColumns = """
        s.id AS Id, s.batch_id AS BatchId, s.url AS Url, s.title AS Title, s.review_state AS State, s.version AS Version, s.quality AS Quality,
        s.flags AS Flags, s.composer_id AS ComposerId, s.raga_set AS RagaSet, s.tala_id AS TalaId, s.composer_conf AS ComposerConf, s.raga_conf AS RagaConf,
        s.tala_conf AS TalaConf, s.deity_conf AS DeityConf, s.kshetra_conf AS KshetraConf, s.duplicate_of AS DuplicateOf, s.krithi_id AS KrithiId,
        s.reviewed_by AS ReviewedBy, s.reviewed_at AS ReviewedAt, s.review_reason AS Reason, s.created_at AS CreatedAt, s.updated_at AS UpdatedAt,
        CASE WHEN s.review_state = 'needs_review' THEN s.decisions END AS Decisions
        """;

    public static Task<ReviewPage> ListAsync(Db db, ReviewFilter filter, string? sort = null, string? after = null, int limit = PageDefault, CancellationToken ct = default)
    {
        filter.Validate();
        var order = ReviewSort.Parse(sort);
        limit = Math.Clamp(limit, 1, PageMax);
        var cursor = Cursor.Parse(after, order);
        return db.ReadAsync(async c =>
        {
            var (where, args) = filter.Sql(db.Dialect);
            var (keyset, orderBy) = order switch
            {
                ReviewSort.Quality => ("(s.quality > @cq OR (s.quality = @cq AND s.id > @cid))", "s.quality, s.id"),
                ReviewSort.QualityDesc => ("(s.quality < @cq OR (s.quality = @cq AND s.id < @cid))", "s.quality DESC, s.id DESC"),
                ReviewSort.Newest => ("s.id < @cid", "s.id DESC"),
                _ => ("s.id > @cid", "s.id"),
            };
            if (cursor is { } k) { args.Add("cq", k.Quality); args.Add("cid", k.Id); }
            args.Add("limit", limit);
            // The page and the counts in one round trip. Counts are grouped by (state, flags): few groups, read
            // from the narrowest source that answers the filter (CountsFrom); the sums per flag are made here.
            var (countWhere, _) = filter.Sql(db.Dialect, withStates: false);
            using var grid = await c.QueryMultipleAsync(
                $"SELECT {ItemColumns} FROM staged_import s WHERE {where}{(cursor is null ? "" : " AND " + keyset)} ORDER BY {orderBy} LIMIT @limit;\n" +
                filter.CountsFrom().Replace("{where}", countWhere, StringComparison.Ordinal), args);
            var rows = (await grid.ReadAsync<Row>()).ToList();
            var groups = (await grid.ReadAsync<(string State, long Flags, long N)>()).ToList();
            var states = ReviewStates.All.ToDictionary(s => s, s => groups.Where(g => g.State == s).Sum(g => g.N));
            var inFilter = groups.Where(g => filter.States is not { Count: > 0 } wanted || wanted.Contains(g.State)).ToList();
            var flags = ReviewFlags.All.ToDictionary(f => f.Name, f => inFilter.Where(g => (g.Flags & f.Bit) != 0).Sum(g => g.N));
            var total = inFilter.Sum(g => g.N);

            var names = await NamesAsync(db.Dialect, c, rows);
            var items = rows.Select(r => r.ToItem(names)).ToList();
            var next = rows.Count == limit ? new Cursor(rows[^1].Quality, rows[^1].Id).ToString() : null;
            return new ReviewPage(items, total, states, flags, next);
        }, ct);
    }

    static Task<KrithiStore.ReferenceNames> NamesAsync(Dialect dialect, System.Data.Common.DbConnection c, IReadOnlyList<Row> rows) =>
        KrithiStore.NamesAsync(dialect, c, null, rows.Select(r => new KrithiDraft
        {
            ComposerId = r.ComposerId, TalaId = r.TalaId, Ragas = r.RagaIds.Select(id => new KrithiRaga(id)).ToList(),
        }).ToList());

    /// <summary>The position after an item: its quality and id (opaque to clients: base64url of both).</summary>
    sealed record Cursor(double Quality, long Id)
    {
        public override string ToString() =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Quality:R}|{Id}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static Cursor? Parse(string? s, string order)
        {
            if (string.IsNullOrWhiteSpace(s)) return null;
            try
            {
                var b64 = s.Trim().Replace('-', '+').Replace('_', '/');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=')));
                var parts = text.Split('|');
                return new Cursor(double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
            {
                throw new ArgumentException($"The cursor 'after' is not one this list gave (order {order}): start again without it.");
            }
        }
    }

    internal class Row
    {
        public long Id { get; set; }
        public long BatchId { get; set; }
        public string Url { get; set; } = "";
        public string? Title { get; set; }
        public string State { get; set; } = "";
        public long Version { get; set; }
        public double Quality { get; set; }
        public long Flags { get; set; }
        public string? ComposerId { get; set; }
        public string? RagaSet { get; set; }
        public string? TalaId { get; set; }
        public double? ComposerConf { get; set; }
        public double? RagaConf { get; set; }
        public double? TalaConf { get; set; }
        public double? DeityConf { get; set; }
        public double? KshetraConf { get; set; }
        public long? DuplicateOf { get; set; }
        public long? KrithiId { get; set; }
        public string? ReviewedBy { get; set; }
        public long? ReviewedAt { get; set; }
        public string? Reason { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public string? Decisions { get; set; }

        public IReadOnlyList<string> RagaIds => string.IsNullOrEmpty(RagaSet) ? [] : RagaSet.Split('+');

        public ReviewItem ToItem(KrithiStore.ReferenceNames names) => new(Id, BatchId, Url, Title, State, Version, Quality, ReviewFlags.Names((int)Flags),
            names.Of("composer", ComposerId), RagaIds.Select(id => names.Of("raga", id)!).ToList(), names.Of("tala", TalaId),
            new Dictionary<string, double?> { ["composer"] = ComposerConf, ["raga"] = RagaConf, ["tala"] = TalaConf, ["deity"] = DeityConf, ["kshetra"] = KshetraConf },
            DuplicateOf, KrithiId, ReviewedBy, ReviewedAt, Reason, CreatedAt, UpdatedAt, Decisions is null ? [] : Reviews.MissingNames(Decisions));
    }
}
