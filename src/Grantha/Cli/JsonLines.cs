using System.Text.Encodings.Web;
using System.Text.Json;

namespace Grantha.Cli;

/// <summary>
/// The --json convention of every list command (README, "JSON output"): one JSON object per line on stdout, one per
/// item and nothing else, so <c>| head</c> and <c>| jq</c> work on any size; the list's totals and next cursor, when it
/// has them, as one JSON object on stderr. A command that acts (not a list) prints one JSON object.
/// </summary>
public static class JsonLines
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write<T>(IEnumerable<T> items, TextWriter? output = null)
    {
        output ??= Console.Out;
        foreach (var item in items) output.WriteLine(JsonSerializer.Serialize(item, Options));
    }

    /// <summary>The list's totals and next cursor: one line on stderr, out of the way of the items.</summary>
    public static void Totals(object totals) => Console.Error.WriteLine(JsonSerializer.Serialize(totals, Options));
}
