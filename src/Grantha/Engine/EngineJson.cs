using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grantha.Engine;

/// <summary>
/// The JSON settings of everything the engine stores (payloads, results, options, event data):
/// web defaults (camelCase), nulls left out. One place, so a payload written by one stage reads
/// the same in the next.
/// </summary>
public static class EngineJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);
    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}
