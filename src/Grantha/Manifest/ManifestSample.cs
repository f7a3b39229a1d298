namespace Grantha.Manifest;

/// <summary>
/// Writes a valid manifest of any size, shaped like the Trinity manifests (HK titles and ragas,
/// URLs on the three source blogs, CRLF line ends), for benchmarks and tests. The same
/// <c>seed</c> gives the same file; every URL is distinct, so every row is accepted.
/// </summary>
public static class ManifestSample
{
    static readonly string[] Words =
    [
        "abhayAmbA", "jagadambA", "nAyaka", "vara", "dAyaka", "bhaktiM", "SrI", "rAma", "kRshNa", "pAhi",
        "mAM", "SaMkara", "kAmAkshi", "anudinamu", "nannu", "brOva", "rAdA", "sadA", "bAla", "gOpAla",
        "vinAyaka", "subrahmaNya", "mInAkshi", "mEmudaM", "dEhi", "tyAgarAja", "nidhi", "cAla", "kalladA", "endarO",
        "mahAnubhAvulu", "sItA", "pati", "vAtApi", "gaNapatiM", "bhajEhaM", "akhilANDESvari", "rakshamAM", "hiraNmayIM", "lakshmIM",
    ];

    static readonly string[] Ragas =
    [
        "kalyANi", "tODi", "bhairavi", "SankarAbharaNaM", "kAmbhOji", "madhyamAvati", "Ananda bhairavi", "kEdAra gauLa",
        "sahAna", "yadukula kAmbhOji", "karnATaka kApi", "AndALi", "kunjari", "sAvEri", "Arabhi", "SrI", "bilahari",
        "mOhanaM", "hindOLaM", "kharaharapriya", "pantuvarALi", "dhanyAsi", "nATa", "gauLa", "varALi",
    ];

    static readonly (string Host, string Prefix)[] Blogs =
    [
        ("guru-guha.blogspot.com", "dikshitar-kriti"),
        ("thyagaraja-vaibhavam.blogspot.com", "thyagaraja-kriti"),
        ("syamakrishnavaibhavam.blogspot.com", "syama-sastry-kriti"),
    ];

    /// <summary>Writes the header and <paramref name="rows"/> data rows to <paramref name="writer"/>.</summary>
    public static void Generate(int rows, int seed, TextWriter writer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var random = new Random(seed);
        writer.Write($"{ManifestReader.KrithiColumn},{ManifestReader.RagaColumn},{ManifestReader.HyperlinkColumn}\r\n");
        var title = new List<string>(4);
        for (var i = 0; i < rows; i++)
        {
            title.Clear();
            var wordCount = random.Next(1, 5);
            for (var w = 0; w < wordCount; w++) title.Add(Words[random.Next(Words.Length)]);
            var raga = Ragas[random.Next(Ragas.Length)];
            var (host, prefix) = Blogs[random.Next(Blogs.Length)];
            var year = 2007 + random.Next(6);
            var month = 1 + random.Next(12);
            var slug = string.Join('-', title).ToLowerInvariant();
            // The row index in the slug keeps every URL distinct.
            writer.Write($"{string.Join(' ', title)},{raga},http://{host}/{year}/{month:00}/{prefix}-{slug}-{i + 1}.html\r\n");
        }
    }
}
