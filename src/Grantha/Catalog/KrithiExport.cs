using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapper;
using Grantha.Engine;

namespace Grantha.Catalog;

/// <summary>
/// The krithi catalog read for an export (docs/review.md): every krithi matching the krithi list's
/// filters, optionally only those with a source from one batch, whole (names, ragas, lyrics, sources),
/// in id order, a page at a time, so memory does not grow with the catalog.
/// </summary>
public static class KrithiExport
{
    /// <summary>Krithis read per round trip pair: a page with its lyrics in six scripts stays well under a megabyte.</summary>
    public const int PageSize = 200;

    /// <summary>
    /// How a manifest cell names several ragas: a spaced dash, the separator the Trinity manifests use
    /// ("bhUpALaM - bhauLi") and the first one RESOLVE splits a raga cell on.
    /// </summary>
    public const string RagaSeparator = " - ";

    /// <summary>The CSV header. Krithi, Raga and Hyperlink first and in this order: the manifest reader's columns.</summary>
    public static readonly string[] Columns =
    [
        "Krithi", "Raga", "Hyperlink", "id", "version", "status", "display_title", "composer", "tala", "form", "deity", "kshetra",
        "composer_id", "raga_ids", "tala_id", "deity_id", "kshetra_id", "scripts", "sources", "approved_by", "updated_at", "updated_by",
    ];

    /// <summary>A krithi as GET /v1/admin/krithis/{id} gives it, without its revisions (the history is not part of an export).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                t =>
                {
                    // Not written, but still known, so the export reads back as a KrithiDetail (with no revisions).
                    if (t.Type == typeof(KrithiDetail)) t.Properties.Single(p => p.Name == "revisions").ShouldSerialize = (_, _) => false;
                },
            },
        },
    };

    /// <summary>Checks the filter and the batch before anything is written: an unknown status is an <see cref="ArgumentException"/>.</summary>
    public static async Task ValidateAsync(Db db, KrithiFilter filter, long? sourceBatchId, CancellationToken ct = default)
    {
        _ = KrithiStore.Where(filter, sourceBatchId);
        if (sourceBatchId is not { } batch) return;
        // A deleted batch leaves its approved sources in the catalog: it still selects them.
        var known = await db.ReadAsync(c => c.ExecuteScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM batch WHERE id = @batch) OR EXISTS (SELECT 1 FROM krithi_source WHERE batch_id = @batch)
            """, new { batch }), ct);
        if (!known) throw new BatchNotFoundException(batch);
    }

    /// <summary>
    /// The matching krithis in id order, read on one connection a page at a time. Not retried: the caller
    /// is writing them out, and a half-sent export cannot be taken back.
    /// </summary>
    public static async IAsyncEnumerable<KrithiDetail> ReadAsync(Db db, KrithiFilter filter, long? sourceBatchId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var (where, args) = KrithiStore.Where(filter, sourceBatchId);
        await using var c = await db.OpenAsync(ct);
        for (long after = 0; ;)
        {
            ct.ThrowIfCancellationRequested();
            var page = await KrithiStore.PageAsync(db.Dialect, c, where, args, after, PageSize);
            foreach (var k in page) yield return k;
            if (page.Count < PageSize) yield break;
            after = page[^1].Id;
        }
    }

    /// <summary>The krithi's CSV line, in the order of <see cref="Columns"/>.</summary>
    public static string?[] Cells(KrithiDetail k) =>
    [
        k.Title,
        string.Join(RagaSeparator, k.Ragas.Select(r => r.Name ?? r.Id)),
        k.Sources.FirstOrDefault()?.Url,
        Invariant(k.Id),
        Invariant(k.Version),
        k.Status,
        k.DisplayTitle,
        k.Composer?.Name,
        k.Tala?.Name,
        k.Form,
        k.Deity?.Name,
        k.Kshetra?.Name,
        k.Composer?.Id,
        string.Join(' ', k.Ragas.Select(r => r.Id)),
        k.Tala?.Id,
        k.Deity?.Id,
        k.Kshetra?.Id,
        string.Join(' ', k.Lyrics.Select(l => l.Script)),
        string.Join(' ', k.Sources.Select(s => s.Url)),
        string.Join("; ", k.Sources.Select(s => s.ApprovedBy).Distinct()),
        DateTimeOffset.FromUnixTimeMilliseconds(k.UpdatedAt).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        k.UpdatedBy,
    ];

    static string Invariant(long n) => n.ToString(CultureInfo.InvariantCulture);
}
