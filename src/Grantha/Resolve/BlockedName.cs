using System.Globalization;
using Dapper;
using Grantha.Engine;
using Grantha.Review;

namespace Grantha.Resolve;

/// <summary>
/// One blocked name in one line, as a curator needs it: the field, the name as written, and the candidates with
/// their catalog ids and scores; equal top scores are called a tie (the best one alone would hide it).
/// </summary>
public static class BlockedName
{
    /// <summary>Scores shown with two decimals: closer than that is the same score to a reader.</summary>
    const double TieWithin = 0.005;

    public static string Describe(string kind, string input, IEnumerable<(string Id, string Name, double Score)> candidates, int max = 5)
    {
        var list = candidates.OrderByDescending(c => c.Score).ToList();
        if (list.Count == 0) return $"{kind} '{input}': no candidate in the catalog";
        var tied = list.TakeWhile(c => list[0].Score - c.Score < TieWithin).Count();
        var shown = string.Join(", ", list.Take(Math.Max(max, tied)).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} ({c.Id}) {c.Score:0.00}")));
        return $"{kind} '{input}': " + (tied > 1 ? $"tie between the first {tied}: " : "candidates: ") + shown + (list.Count > Math.Max(max, tied) ? ", ..." : "");
    }

    /// <summary>The command that settles a blocked name (every task blocked on it, in every batch).</summary>
    public static string ChooseCommand(long batchId, string kind, string input) =>
        $"./grantha resolve choose {batchId} {kind} \"{input.Replace("\"", "\\\"")}\" <entity-id>";

    /// <summary>The names each BLOCKED RESOLVE task among <paramref name="tasks"/> waits on, read from its staged import's decisions.</summary>
    public static async Task<IReadOnlyDictionary<long, IReadOnlyList<MissingName>>> ForTasksAsync(Db db, long batchId, IReadOnlyList<StageTask> tasks, CancellationToken ct = default)
    {
        var blocked = tasks.Where(t => t.Stage == ResolveHandler.Name && t.State == TaskState.Blocked).ToList();
        var result = new Dictionary<long, IReadOnlyList<MissingName>>();
        foreach (var chunk in blocked.Chunk(500))
        {
            var urls = chunk.Select(t => t.Subject).Distinct().ToArray();
            var decisions = (await db.ReadAsync(c => c.QueryAsync<(string Url, string Decisions)>(
                $"SELECT url, decisions FROM staged_import WHERE batch_id = @batchId AND url {db.Dialect.InArray("urls")}", new { batchId, urls }), ct))
                .ToDictionary(r => r.Url, r => r.Decisions);
            foreach (var t in chunk)
                if (decisions.TryGetValue(t.Subject, out var d) && Reviews.MissingNames(d) is { Count: > 0 } names) result[t.Id] = names;
        }
        return result;
    }
}
