namespace Grantha.OfflineSite;

/// <summary>The composer a blog is devoted to; it decides the page's section style.</summary>
public enum Composer { Dikshitar, Tyagaraja, SyamaSastri }

/// <summary>One source blog: its host and the fixed facts its template prints.</summary>
public sealed record Blog(
    Composer Composer,
    string Host,
    string Name,
    string PostPrefix,
    string ComposerName,
    string IntroComposer,
    string Author,
    string Description,
    string TimeZoneOffset)
{
    public const string DikshitarHost = "guru-guha.blogspot.com";
    public const string TyagarajaHost = "thyagaraja-vaibhavam.blogspot.com";
    public const string SyamaSastriHost = "syamakrishnavaibhavam.blogspot.com";

    /// <summary>The three Trinity blogs, in the order of the Trinity manifests (Dikshitar, Thyagaraja, Syama Sastri).</summary>
    public static IReadOnlyList<Blog> Trinity { get; } =
    [
        new(Composer.Dikshitar, DikshitarHost, "Guru Guha Vaibhavam", "Dikshitar Kriti", "Muthuswami Dikshitar",
            "SrI muttusvAmi dIkshitar", "V Govindan", "Kritis of Sri Muthuswami Dikshitar with meanings", "+05:30"),
        new(Composer.Tyagaraja, TyagarajaHost, "Thyagaraja Vaibhavam", "Thyagaraja Kriti", "Tyagaraja",
            "SrI tyAgarAja", "V Govindan", "Kritis of Sri Tyagaraja: text in many scripts and meanings", "+01:00"),
        new(Composer.SyamaSastri, SyamaSastriHost, "Shyama Krishna Vaibhavam", "Syama Sastry Kriti", "Syama Sastri",
            "SrI SyAmA Sastry", "V Govindan", "Kritis of Sri Syama Sastri with meanings", "-07:00"),
    ];

    /// <summary>The blog for a host; an unknown host borrows a Trinity style chosen from its name.</summary>
    public static Blog ForHost(string host)
    {
        var known = Trinity.FirstOrDefault(b => string.Equals(b.Host, host, StringComparison.OrdinalIgnoreCase));
        if (known is not null) return known;
        var style = Trinity[(int)(SiteRandom.Hash(0, host.ToLowerInvariant()) % 3)];
        return style with { Host = host.ToLowerInvariant(), Name = host.Split('.')[0] };
    }
}
