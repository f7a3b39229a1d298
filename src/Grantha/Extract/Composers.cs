using System.Text.RegularExpressions;

namespace Grantha.Extract;

/// <summary>The Trinity, by the names the catalog uses, and the ways a page reveals which one it is.</summary>
public static partial class Composers
{
    public const string SyamaSastri = "Syama Sastri";
    public const string Tyagaraja = "Tyagaraja";
    public const string Dikshitar = "Muthuswami Dikshitar";

    /// <summary>One blog per composer.</summary>
    public static string? OfHost(string? host) => host?.ToLowerInvariant() switch
    {
        "guru-guha.blogspot.com" => Dikshitar,
        "thyagaraja-vaibhavam.blogspot.com" => Tyagaraja,
        "syamakrishnavaibhavam.blogspot.com" => SyamaSastri,
        _ => null,
    };

    /// <summary>A composer named in prose (intro sentence, post title): <c>SrI SyAmA Sastry</c>, <c>SrI tyAgarAja</c>, <c>dIkshitar</c>.</summary>
    public static string? InText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        // A quoted title ('tyAgarAja yOga vaibhavaM') or "Lord tyAgarAja" (the deity of tiruvArUr)
        // names no composer.
        var t = QuotedRegex().Replace(text.Length > 2000 ? text[..2000] : text, " ").ToLowerInvariant();
        var hits = new List<(int At, string Name)>();
        if (SyamaRegex().Match(t) is { Success: true } s) hits.Add((s.Index, SyamaSastri));
        foreach (Match ty in TyagarajaRegex().Matches(t))
        {
            if (t.AsSpan(0, ty.Index).TrimEnd().EndsWith("lord")) continue;
            hits.Add((ty.Index, Tyagaraja));
            break;
        }
        if (DikshitarRegex().Match(t) is { Success: true } d) hits.Add((d.Index, Dikshitar));
        return hits.Count == 0 ? null : hits.MinBy(h => h.At).Name;
    }

    /// <summary>The mudra a composer signs with, found in the Latin lyric.</summary>
    public static string? ByMudra(string? latinLyric)
    {
        if (string.IsNullOrEmpty(latinLyric)) return null;
        var t = latinLyric.ToLowerInvariant();
        if (GuruguhaRegex().IsMatch(t)) return Dikshitar;
        if (SyamaKrishnaRegex().IsMatch(t)) return SyamaSastri;
        if (TyagarajaRegex().IsMatch(t)) return Tyagaraja;
        return null;
    }

    [GeneratedRegex(@"[‘“][^’”]{0,200}[’”]", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex QuotedRegex();
    [GeneratedRegex(@"s?h?yaa?maa?\s*saa?str", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex SyamaRegex();
    [GeneratedRegex(@"t?h?yaa?gaa?raa?j", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex TyagarajaRegex();
    [GeneratedRegex(@"d(?:ii|i|ee)k?sh?it|mutt?h?usv|muthusw", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex DikshitarRegex();
    [GeneratedRegex(@"guru\s*guha", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex GuruguhaRegex();
    [GeneratedRegex(@"syaa?ma\s*kr?i?u?sh?na", RegexOptions.CultureInvariant, RegexBudget.Ms)]
    private static partial Regex SyamaKrishnaRegex();
}
