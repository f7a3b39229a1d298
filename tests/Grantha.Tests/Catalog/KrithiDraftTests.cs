using Dapper;
using Grantha.Catalog;
using Grantha.Engine;
using Grantha.Fetch;
using Grantha.Resolve;
using Grantha.OfflineSite;
using Grantha.Tests.Engine;
using Grantha.Tests.Resolve;

namespace Grantha.Tests.Catalog;

/// <summary>Drafts built from real staged imports: a small import run through RESOLVE on the offline site, then approved into the catalog.</summary>
public class KrithiDraftTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The site's sample (a ragamalika, a composite raga cell) and a second page of kamalAmbikE pAhi.</summary>
    static readonly IReadOnlyList<SourceRow> Rows = [.. SiteManifest.BuiltInSample, new("kamalAmbikE pAhi", "tODi", ResolveStageTests.DuplicateWorkUrl)];

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task A_staged_import_gives_its_resolved_ids_ragas_lyrics_and_source_and_a_second_page_merges(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        await using var site = await SourceSite.StartAsync(new SourceSiteOptions { Seed = 42, BasePort = 0, Rows = Rows }, Ct);
        using var fetch = Grantha.Tests.Fetch.FetchTasks.ForSite(site.HostMap.Values);
        var batch = await ResolveStageTests.BatchAsync(t.Db, site, Rows, "drafts");
        (await EngineHarness.RunUntilSettledAsync(t.Db, batch, ResolveStageTests.Handlers(fetch), TimeSpan.FromSeconds(90))).ShouldBe(BatchStatus.Completed);
        var staged = await ResolveQueries.StagedAsync(t.Db, batch, StagedImports.Resolved, 0, 100, Ct);
        staged.Count.ShouldBeGreaterThan(5);

        var drafts = new Dictionary<string, StagedKrithiDraft>();
        foreach (var s in staged)
        {
            var d = (await t.Db.ReadAsync(c => KrithiDrafts.FromStagedImportAsync(c, null, s.Id)))!;
            drafts[s.Url] = d;
            d.Status.ShouldBe(StagedImports.Resolved);
            d.Draft.Title.ShouldBe(s.Title);
            (d.Draft.ComposerId, d.Draft.TalaId, d.Draft.DeityId, d.Draft.KshetraId).ShouldBe((s.ComposerId, s.TalaId, s.DeityId, s.KshetraId));
            d.Draft.RagaSet.ShouldBe(s.RagaSet);
            d.Draft.WorkKey.ShouldNotBeNull();
            d.Draft.WorkKey.ShouldBe(d.WorkKey, $"the draft's work key is the import's ({s.Url})");
            d.Draft.Lyrics.ShouldNotBeEmpty();
            d.Draft.Lyrics.ShouldAllBe(l => KrithiScripts.IsKnown(l.Script));
            d.Draft.Lyrics.Select(l => l.Sections.Count).Distinct().ShouldHaveSingleItem("every script is aligned on the same sections");
            d.Draft.Lyric("latin")!.Sections[0].Type.ShouldBe("pallavi");
            d.Source.ShouldBe(new KrithiSource(s.Url, batch, s.Id, s.ExtractionId, d.Source.ContentSha256));
            // The hash is the stored page the extraction read.
            (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("""
                SELECT COUNT(*) FROM extraction x JOIN fetch_evidence e ON e.id = x.evidence_id JOIN page_blob b ON b.sha256 = e.sha256
                 WHERE x.id = @ExtractionId AND b.sha256 = @ContentSha256
                """, d.Source))).ShouldBe(1);
        }

        // A ragamalika keeps the page's raga per section.
        var ragamalika = drafts.Single(d => d.Key.Contains("neela-kantham")).Value.Draft;
        ragamalika.Ragas.Count.ShouldBeGreaterThan(1);
        ragamalika.Ragas.ShouldAllBe(r => r.Section != null);
        ragamalika.Ragas.Select(r => r.Section!.Value).ShouldBeInOrder();
        ragamalika.Ragas.ShouldAllBe(r => r.Section <= ragamalika.Lyrics[0].Sections.Count);
        drafts.Single(d => d.Key.Contains("ardhanaareesvaram")).Value.Draft.Ragas.Select(r => r.RagaId).ShouldBe(["bhoopalam", "bowli"], ignoreOrder: true);

        // Approve the first page of kamalAmbikE pAhi; the second page is the same work and merges into it.
        var first = drafts.Single(d => d.Key.Contains("kamalaambike-paahi.html")).Value;
        var second = drafts[ResolveStageTests.DuplicateWorkUrl];
        var created = await t.CreateAsync(first.Draft, first.Source);
        var k = (await KrithiStore.GetAsync(t.Db, created.Id, Ct))!;
        k.Lyrics.Select(l => l.Script).ShouldBe(first.Draft.Lyrics.Select(l => l.Script));
        k.Ragas.ShouldHaveSingleItem().Name.ShouldNotBeNull();
        k.Sources.ShouldHaveSingleItem().ContentSha256.ShouldBe(first.Source.ContentSha256);

        var same = await t.Db.ReadAsync(c => KrithiStore.FindByWorkKeyAsync(c, null, second.WorkKey!));
        same.ShouldHaveSingleItem().Id.ShouldBe(created.Id);
        var merged = await t.WriteAsync((c, tx) => KrithiStore.MergeAsync(t.Db.Dialect, c, tx, created.Id, 1, second.Draft, second.Source, "curator", "same work"));
        merged.Written.ShouldBeTrue();
        merged.Changes.ShouldContain(ch => ch.Field == "source");
        var replay = await t.WriteAsync((c, tx) => KrithiStore.MergeAsync(t.Db.Dialect, c, tx, created.Id, merged.Version, second.Draft, second.Source, "curator", "same work"));
        replay.Written.ShouldBeFalse();
        (await t.LoadAsync(created.Id))!.Sources.Select(s => s.Url).ShouldBe([first.Source.Url, second.Source.Url]);
    }
}
