using System.Globalization;
using System.Text.Json;

namespace Grantha.Resolve;

/// <summary>
/// The public JSON of a resolution (CLI and API): <c>{input, kind, decision, match: {id, name} | null,
/// candidates: [{id, name, score, reason}]}</c>. Decision is matched, needs_review or unknown; a raga cell
/// that says ragamalika is not one catalog raga, so it is "unknown" with <c>"ragamalika": true</c>.
/// </summary>
public static class ResolutionJson
{
    /// <summary>"exact key", "synonym", "alias", or "fuzzy (distance 2)".</summary>
    public static string ReasonText(Candidate c) => c.Reason == MatchReason.Fuzzy && c.Distance is { } d
        ? string.Create(CultureInfo.InvariantCulture, $"fuzzy (distance {d})")
        : c.Reason;

    public static string WireDecision(Resolution r) => r.Decision == Decision.Ragamalika ? "unknown" : r.Decision.ToWire();

    /// <param name="parts">For a composite raga cell ("bhUpALaM - bhauLi"): each raga it names, resolved on its own.</param>
    public static void Write(Utf8JsonWriter w, Resolution r, IReadOnlyList<Resolution>? parts = null)
    {
        w.WriteStartObject();
        w.WriteString("input", r.Input);
        w.WriteString("kind", r.Kind);
        w.WriteString("decision", WireDecision(r));
        if (r.Match is { } m)
        {
            w.WriteStartObject("match");
            w.WriteString("id", m.Id);
            w.WriteString("name", m.Name);
            w.WriteEndObject();
        }
        else w.WriteNull("match");
        w.WriteStartArray("candidates");
        foreach (var c in r.Candidates)
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            w.WriteString("name", c.Name);
            w.WriteNumber("score", c.Score);
            w.WriteString("reason", ReasonText(c));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (r.Decision == Decision.Ragamalika) w.WriteBoolean("ragamalika", true);
        if (parts is { Count: > 1 })
        {
            w.WriteStartArray("parts");
            foreach (var part in parts) Write(w, part);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    public static string ToJson(Resolution r, IReadOnlyList<Resolution>? parts = null)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(w, r, parts);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
