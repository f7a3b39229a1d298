using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Extract;

/// <summary>
/// What the extractor needs from storage for one page: the stored body (through
/// <see cref="PageStore"/>, never the network), the charset the server declared, and the ragas the
/// batch's manifest rows give for the URL.
/// </summary>
public sealed record PageInput(StoredPage Page, byte[] Body, string? DeclaredCharset, IReadOnlyList<string> ManifestRagas)
{
    public const string PageMissing = "page_missing";

    /// <summary>The page of an evidence row (or, without one, the newest stored page for the URL).</summary>
    /// <exception cref="StageException">Permanent <c>page_missing</c>: nothing stored to extract.</exception>
    public static Task<PageInput> LoadAsync(Db db, long batchId, string url, long? evidenceId, CancellationToken ct) =>
        // The page and the manifest's ragas for it in one round trip: a page is read once per EXTRACT task.
        db.ReadAsync(async c =>
        {
            using var grid = await c.QueryMultipleAsync($"""
                {PageStore.WithBodySql(evidenceId is not null)};
                SELECT DISTINCT raga FROM manifest_row WHERE batch_id = @batchId AND normalized_url = @url AND status = 'accepted' AND raga IS NOT NULL AND raga <> ''
                """, new { evidenceId, url, batchId });
            var stored = PageStore.WithBody(await grid.ReadSingleOrDefaultAsync<PageStore.PageBodyRow>());
            var ragas = (await grid.ReadAsync<string>()).Order(StringComparer.Ordinal).ToList();
            if (stored is not { } s || string.IsNullOrEmpty(s.Page.Sha256))
                throw StageException.Permanent(PageMissing, evidenceId is { } e ? $"fetch evidence {e} has no stored page" : $"no stored page for {url}: fetch it first");
            return new PageInput(s.Page, s.Body, CharsetOf(s.Headers) ?? CharsetOf(s.Page.ContentType), ragas);
        }, ct);

    /// <summary>The charset parameter of a Content-Type value, or of the Content-Type in a headers JSON object.</summary>
    internal static string? CharsetOf(string? headersOrContentType)
    {
        if (string.IsNullOrWhiteSpace(headersOrContentType)) return null;
        var value = headersOrContentType;
        if (value.TrimStart().StartsWith('{'))
        {
            try
            {
                var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(value);
                value = headers?.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
            }
            catch (JsonException) { return null; }
            if (value is null) return null;
        }
        return MediaTypeHeaderValue.TryParse(value, out var mt) && !string.IsNullOrWhiteSpace(mt.CharSet) ? mt.CharSet.Trim('"') : null;
    }
}
