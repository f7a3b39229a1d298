using nietras.SeparatedValues;

namespace Grantha.OfflineSite;

/// <summary>One manifest row the site serves a page for.</summary>
public sealed record SourceRow(string Krithi, string Raga, string Url);

/// <summary>
/// Loads the manifest rows the offline site serves: the given manifest files, else a small
/// built-in sample of the site's own making. The site does not look for ../shared itself; the
/// CLI passes the Trinity manifests from there (SharedFiles.TrinityManifestsIfPresent in grantha).
/// </summary>
public static class SiteManifest
{
    static readonly string[] Columns = ["Krithi", "Raga", "Hyperlink"];

    public static IReadOnlyList<SourceRow> Load(IReadOnlyList<string>? manifests)
    {
        return manifests is { Count: > 0 } ? manifests.SelectMany(Read).ToList() : BuiltInSample;
    }

    public static IReadOnlyList<SourceRow> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Manifest not found: {path}", path);
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, Trim = SepTrim.All }).FromFile(path);
        foreach (var column in Columns)
            if (!reader.Header.ColNames.Contains(column))
                throw new InvalidDataException($"Manifest {path} has no '{column}' column (expected header Krithi,Raga,Hyperlink).");
        var rows = new List<SourceRow>();
        foreach (var row in reader)
        {
            var url = row["Hyperlink"].ToString();
            if (string.IsNullOrWhiteSpace(url)) continue;
            rows.Add(new SourceRow(row["Krithi"].ToString(), row["Raga"].ToString(), url));
        }
        return rows;
    }

    /// <summary>
    /// Rows used when no manifest is given (the CLI without ../shared). Made up for the site (titles are plausible HK, not
    /// taken from the manifests); they still cover a svara jati, a ragamalika, a composite raga,
    /// a `_NN` slug and two rows naming one post.
    /// </summary>
    public static IReadOnlyList<SourceRow> BuiltInSample { get; } =
    [
        new("SrI guru guhAya namastE", "kalyANi", "http://guru-guha.blogspot.com/2008/03/dikshitar-kriti-sri-guru-guhaaya.html"),
        new("kamalAmbikE pAhi", "tODi", "http://guru-guha.blogspot.com/2008/05/dikshitar-kriti-kamalaambike-paahi.html"),
        new("nIla kaNTham bhajE", "rAga mAlikA", "http://guru-guha.blogspot.com/2008/09/dikshitar-kriti-neela-kantham-bhaje.html"),
        new("ArdhanArISvaraM", "bhUpALaM - bhauLi", "http://guru-guha.blogspot.com/2007/11/dikshitar-kriti-ardhanaareesvaram.html"),
        new("rAma nIvE gati", "madhyamAvati", "http://thyagaraja-vaibhavam.blogspot.com/2007/10/thyagaraja-kriti-rama-neeve-gati.html"),
        new("sItA pati manasu", "kharaharapriya", "http://thyagaraja-vaibhavam.blogspot.com/2008/01/thyagaraja-kriti-seetaa-pati-manasu.html"),
        new("nAda sudhA rasam", "Arabhi", "http://thyagaraja-vaibhavam.blogspot.com/2008/06/thyagaraja-kriti-naada-sudhaa-rasam.html"),
        new("nAda sudhA rasam", "bilahari", "http://thyagaraja-vaibhavam.blogspot.com/2008/06/thyagaraja-kriti-naada-sudhaa-rasam_13.html"),
        new("(SrI) dEvI nI pada", "bhairavi", "http://syamakrishnavaibhavam.blogspot.com/2011/05/syama-sastry-kriti-devi-nee-pada.html"),
        new("dEvI nI pada (SrI)", "bhairavi", "http://syamakrishnavaibhavam.blogspot.com/2011/05/syama-sastry-kriti-devi-nee-pada.html"),
        new("SankarI Sambhavi", "Ananda bhairavi", "http://syamakrishnavaibhavam.blogspot.com/2011/06/syama-sastry-kriti-sankari-sambhavi.html"),
        new("pAlaya mAM SivE", "SankarAbharaNaM", "http://syamakrishnavaibhavam.blogspot.com/2011/07/syama-sastry-kriti-paalaya-maam-sive.html"),
    ];
}
