namespace Grantha.Engine;

/// <summary>Small SQL text helpers shared by both stores.</summary>
public static class Sql
{
    /// <summary>A quoted IN-list of constant state names (never user input).</summary>
    public static string InList(IEnumerable<string> constants) => string.Join(", ", constants.Select(s => "'" + s.Replace("'", "''") + "'"));
}
