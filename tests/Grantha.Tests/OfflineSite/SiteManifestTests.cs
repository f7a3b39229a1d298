using Grantha.OfflineSite;

namespace Grantha.Tests.OfflineSite;

/// <summary>The site serves what it is given; finding ../shared is the CLI's job (SharedFiles).</summary>
public class SiteManifestTests
{
    [Fact]
    public void No_manifest_serves_the_built_in_sample_whether_or_not_shared_is_there()
    {
        SiteManifest.Load(null).ShouldBeSameAs(SiteManifest.BuiltInSample);
        SiteManifest.Load([]).ShouldBeSameAs(SiteManifest.BuiltInSample);
    }

    [Fact]
    public void The_cli_default_is_the_trinity_manifests_exactly_when_shared_is_there()
    {
        if (SharedFiles.Root is null) SharedFiles.TrinityManifestsIfPresent.ShouldBeNull();
        else SharedFiles.TrinityManifestsIfPresent.ShouldBe(SharedFiles.TrinityManifests);
    }
}
