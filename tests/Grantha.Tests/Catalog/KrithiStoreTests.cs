using System.Text.Json;
using Dapper;
using Grantha.Catalog;

namespace Grantha.Tests.Catalog;

/// <summary>The krithi store on both stores: versions, revisions, merge, references, append-only history, list.</summary>
public class KrithiStoreTests
{
    static async Task<(long Version, string Actor, string Reason, string Snapshot, string Changes)[]> RevisionsAsync(TestDb t, long id) =>
        (await t.Db.ReadAsync(c => c.QueryAsync<(long, string, string, string, string)>(
            "SELECT version, actor, reason, snapshot, changes FROM krithi_revision WHERE krithi_id = @id ORDER BY version", new { id }))).ToArray();

    /// <summary>The rows of the krithi equal its latest revision's snapshot.</summary>
    static async Task ShouldEqualLatestSnapshotAsync(TestDb t, long id)
    {
        var latest = (await RevisionsAsync(t, id))[^1];
        var rows = (await t.LoadAsync(id))!;
        latest.Version.ShouldBe(rows.Version);
        KrithiStore.Serialize(rows).ShouldBe(latest.Snapshot);
    }

    static string[] Fields(string changesJson) =>
        JsonDocument.Parse(changesJson).RootElement.EnumerateArray().Select(c => c.GetProperty("field").GetString()!).ToArray();

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Create_gives_version_1_one_revision_and_rows_equal_to_its_snapshot(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var created = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"), "alice", "first approval");

        created.Version.ShouldBe(1);
        created.Written.ShouldBeTrue();
        var revisions = await RevisionsAsync(t, created.Id);
        revisions.Select(r => (r.Version, r.Actor, r.Reason)).ShouldBe([(1L, "alice", "first approval")]);
        Fields(revisions[0].Changes).ShouldBe(["title", "display_title", "composer_id", "form", "tala_id", "deity_id", "kshetra_id", "gist", "ragas",
            "lyrics.latin", "lyrics.devanagari", "source"]);
        await ShouldEqualLatestSnapshotAsync(t, created.Id);

        var k = (await KrithiStore.GetAsync(t.Db, created.Id, TestContext.Current.CancellationToken))!;
        k.Status.ShouldBe(KrithiStatus.Active);
        k.WorkKey.ShouldBe("muthuswami-dikshitar|" + k.TitleKey + "|hanumatodi");
        k.Composer!.Name.ShouldBe("Muthuswami Dikshitar");
        k.Ragas.ShouldHaveSingleItem().ShouldBe(new KrithiRagaView(1, "hanumatodi", k.Ragas[0].Name, null));
        k.Ragas[0].Name.ShouldNotBeNull();
        k.Lyrics.Select(l => l.Script).ShouldBe(["latin", "devanagari"]);
        k.Lyrics.Single(l => l.Script == "devanagari").Sections[1].ShouldBe(new KrithiSection(2, "charanam", 1, "कमलालय वासिनि"));
        k.Sources.ShouldHaveSingleItem().ApprovedBy.ShouldBe("alice");
        k.Sources[0].ContentSha256.ShouldBe(new string('a', 64));
        k.Revisions.ShouldHaveSingleItem().Actor.ShouldBe("alice");
        (await t.Db.ReadAsync(c => KrithiStore.FindByWorkKeyAsync(c, null, k.WorkKey!))).ShouldHaveSingleItem().Id.ShouldBe(created.Id);
        (await t.Db.ReadAsync(c => KrithiStore.FindByWorkKeyAsync(c, null, "nobody|x|y"))).ShouldBeEmpty();
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Revise_with_a_stale_version_conflicts_and_a_current_one_writes_the_changed_fields(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var created = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        var edited = KrithiSamples.Kamalambike() with { TalaId = "chapu-tisra", Notes = "sung slowly" };

        var revised = await t.WriteAsync((c, tx) => KrithiStore.ReviseAsync(t.Db.Dialect, c, tx, created.Id, 1, edited, null, "bob", "tala corrected"));
        revised.Version.ShouldBe(2);
        revised.Changes.Select(ch => (ch.Field, ch.From, ch.To)).ShouldBe([("tala_id", (object?)"chapu-misra", (object?)"chapu-tisra"), ("notes", null, "sung slowly")]);

        var stale = await Should.ThrowAsync<KrithiVersionConflictException>(() =>
            t.WriteAsync((c, tx) => KrithiStore.ReviseAsync(t.Db.Dialect, c, tx, created.Id, 1, KrithiSamples.Kamalambike(), null, "carol", "late edit")));
        stale.CurrentVersion.ShouldBe(2);
        stale.ExpectedVersion.ShouldBe(1);
        (await t.LoadAsync(created.Id))!.TalaId.ShouldBe("chapu-tisra");

        // The same draft again changes nothing: no version, no revision.
        var again = await t.WriteAsync((c, tx) => KrithiStore.ReviseAsync(t.Db.Dialect, c, tx, created.Id, 2, edited, null, "bob", "again"));
        again.Written.ShouldBeFalse();
        again.Version.ShouldBe(2);
        (await RevisionsAsync(t, created.Id)).Length.ShouldBe(2);
        await ShouldEqualLatestSnapshotAsync(t, created.Id);
        await Should.ThrowAsync<KrithiNotFoundException>(() => t.WriteAsync((c, tx) => KrithiStore.ReviseAsync(t.Db.Dialect, c, tx, 999, 1, edited, null, "bob", "")));

        // A later import of the same page replaces its source row (the old one stays in revision 2's snapshot); a new page is added.
        var refetched = KrithiSamples.Page("kamalaambike", batchId: 7) with { ContentSha256 = new string('b', 64) };
        var resourced = await t.WriteAsync((c, tx) => KrithiStore.ReviseAsync(t.Db.Dialect, c, tx, created.Id, 2, edited, refetched, "bob", "page fetched again"));
        resourced.Changes.ShouldHaveSingleItem().Field.ShouldBe("source");
        (await t.LoadAsync(created.Id))!.Sources.ShouldHaveSingleItem().ShouldBe(
            new KrithiSourceRow(refetched.Url, 7, 10, 20, new string('b', 64), "bob", ((KrithiSourceRow)resourced.Changes[0].To!).ApprovedAt));
        var added = await t.WriteAsync((c, tx) => KrithiStore.ReviseAsync(t.Db.Dialect, c, tx, created.Id, 3, edited, KrithiSamples.Page("kamalaambike_2"), "bob", "second page"));
        (await t.LoadAsync(created.Id))!.Sources.Count.ShouldBe(2);
        added.Version.ShouldBe(4);
        await ShouldEqualLatestSnapshotAsync(t, created.Id);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Merge_adds_a_missing_script_and_the_source_reports_a_differing_field_and_a_replay_adds_nothing(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var created = await t.CreateAsync(KrithiSamples.Kamalambike() with { DeityId = null }, KrithiSamples.Page("kamalaambike"));
        var tamil = new KrithiLyric("tamil", [KrithiSamples.Section(1, "pallavi", "கமலாம்பிகே பாஹி"), KrithiSamples.Section(2, "charanam", "கமலாலய வாஸினி", 1)]);
        var other = KrithiSamples.Kamalambike() with
        {
            TalaId = "triputa-chatusra",
            Lyrics = [KrithiSamples.Kamalambike().Lyrics[0] with { Sections = [KrithiSamples.Section(1, "pallavi", "kamalAmbikE pAhi mAm")] }, tamil],
        };
        var second = KrithiSamples.Page("kamalaambike_2", batchId: 2);

        var merged = await t.WriteAsync((c, tx) => KrithiStore.MergeAsync(t.Db.Dialect, c, tx, created.Id, 1, other, second, "alice", "second page"));
        merged.Written.ShouldBeTrue();
        merged.Version.ShouldBe(2);
        merged.Changes.Select(ch => ch.Field).ShouldBe(["deity_id", "lyrics.tamil", "source"]);
        merged.Conflicts.Select(ch => (ch.Field, ch.Current, ch.Incoming)).ShouldContain(("tala_id", (object?)"chapu-misra", (object?)"triputa-chatusra"));
        merged.Conflicts.Select(ch => ch.Field).ShouldBe(["tala_id", "lyrics.latin"]);

        var k = (await t.LoadAsync(created.Id))!;
        k.TalaId.ShouldBe("chapu-misra");
        k.DeityId.ShouldBe("kamalamba");
        k.ToDraft().Lyric("latin")!.Sections.Count.ShouldBe(2);
        k.ToDraft().Lyric("tamil")!.Sections[0].Text.ShouldBe("கமலாம்பிகே பாஹி");
        k.Lyrics.Select(l => l.Script).ShouldBe(["latin", "devanagari", "tamil"]);
        k.Sources.Select(s => s.Url).ShouldBe([KrithiSamples.Page("kamalaambike").Url, second.Url]);
        await ShouldEqualLatestSnapshotAsync(t, created.Id);

        var replay = await t.WriteAsync((c, tx) => KrithiStore.MergeAsync(t.Db.Dialect, c, tx, created.Id, 2, other, second, "alice", "second page"));
        replay.Written.ShouldBeFalse();
        replay.Version.ShouldBe(2);
        replay.Changes.ShouldBeEmpty();
        replay.Conflicts.Select(ch => ch.Field).ShouldBe(["tala_id", "lyrics.latin"]);
        (await RevisionsAsync(t, created.Id)).Length.ShouldBe(2);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Revision_rows_refuse_update_and_delete_and_a_krithi_is_never_deleted(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var created = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        var id = created.Id;

        foreach (var sql in new[]
                 {
                     "UPDATE krithi_revision SET reason = 'rewritten' WHERE krithi_id = @id",
                     "DELETE FROM krithi_revision WHERE krithi_id = @id",
                     "DELETE FROM krithi WHERE id = @id",
                 })
        {
            var e = await Should.ThrowAsync<Exception>(() => t.Db.WriteAsync((c, tx) => c.ExecuteAsync(sql, new { id }, tx)));
            e.Message.ShouldContain(sql.Contains("krithi_revision") ? "append-only" : "never deleted");
        }
        (await RevisionsAsync(t, id)).ShouldHaveSingleItem().Reason.ShouldBe("approved");
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Ids_missing_from_the_reference_catalog_are_refused_and_listed(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var draft = KrithiSamples.Kamalambike() with { TalaId = "no-such-tala", Ragas = [new KrithiRaga("hanumatodi"), new KrithiRaga("no-such-raga", 2)] };

        var e = await Should.ThrowAsync<KrithiReferenceException>(() => t.CreateAsync(draft, KrithiSamples.Page("kamalaambike")));
        e.Missing.ShouldBe([new MissingReference("raga", "no-such-raga"), new MissingReference("tala", "no-such-tala")]);
        e.Message.ShouldContain("raga 'no-such-raga', tala 'no-such-tala'");
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM krithi"))).ShouldBe(0);
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalog_tala WHERE id = 'no-such-tala'"))).ShouldBe(0);

        // A revision is checked the same way, and changes nothing when refused.
        var created = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        var refused = await Should.ThrowAsync<KrithiReferenceException>(() =>
            t.WriteAsync((c, tx) => KrithiStore.ReviseAsync(t.Db.Dialect, c, tx, created.Id, 1, KrithiSamples.Kamalambike() with { ComposerId = "nobody" }, null, "bob", "")));
        refused.Missing.ShouldBe([new MissingReference("composer", "nobody")]);
        (await t.LoadAsync(created.Id))!.Version.ShouldBe(1);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Retract_keeps_the_krithi_with_a_revision_and_refuses_later_changes(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var created = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        var retracted = await t.WriteAsync((c, tx) => KrithiStore.RetractAsync(t.Db.Dialect, c, tx, created.Id, 1, "bob", "not a Dikshitar kriti"));
        retracted.Version.ShouldBe(2);
        retracted.Changes.ShouldHaveSingleItem().ShouldBe(new KrithiChange("status", "active", "retracted"));
        (await t.LoadAsync(created.Id))!.Status.ShouldBe(KrithiStatus.Retracted);
        await ShouldEqualLatestSnapshotAsync(t, created.Id);
        await Should.ThrowAsync<KrithiRetractedException>(() => t.WriteAsync((c, tx) => KrithiStore.RetractAsync(t.Db.Dialect, c, tx, created.Id, 2, "bob", "again")));
        await Should.ThrowAsync<KrithiRetractedException>(() =>
            t.WriteAsync((c, tx) => KrithiStore.MergeAsync(t.Db.Dialect, c, tx, created.Id, 2, KrithiSamples.Kamalambike(), KrithiSamples.Page("other"), "bob", "")));
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task List_filters_by_text_raga_composer_deity_and_status_and_pages_by_id(string store)
    {
        await using var t = await KrithiSamples.SeededAsync(store);
        var ct = TestContext.Current.CancellationToken;
        var todi = await t.CreateAsync(KrithiSamples.Kamalambike(), KrithiSamples.Page("kamalaambike"));
        var kedaragaula = await t.CreateAsync(KrithiSamples.Kamalambike() with { Title = "nIlOtpalAmbikAyai", DisplayTitle = "Nilotpalambikayai", Ragas = [new KrithiRaga("kedaragowla")], DeityId = "nilotpalamba" },
            KrithiSamples.Page("nilotpalambikayai"));
        var tyagaraja = await t.CreateAsync(KrithiSamples.Kamalambike() with { Title = "rAma nIvE gati", DisplayTitle = null, ComposerId = "tyagaraja", DeityId = "rama", KshetraId = null },
            KrithiSamples.Page("rama-neeve-gati"));
        var two = await t.CreateAsync(KrithiSamples.Kamalambike() with { Title = "ardhanArISvaraM", DisplayTitle = "Ardhanareesvaram", Ragas = [new KrithiRaga("bhoopalam", 1), new KrithiRaga("bowli", 2)] },
            KrithiSamples.Page("ardhanaareesvaram"));
        await t.WriteAsync((c, tx) => KrithiStore.RetractAsync(t.Db.Dialect, c, tx, two.Id, 1, "bob", "duplicate"));

        async Task<long[]> Ids(KrithiFilter f) => (await KrithiStore.ListAsync(t.Db, f, 0, 100, ct)).Items.Select(i => i.Id).ToArray();
        (await Ids(new KrithiFilter())).ShouldBe([todi.Id, kedaragaula.Id, tyagaraja.Id, two.Id]);
        (await Ids(new KrithiFilter(Text: "AMBIK"))).ShouldBe([todi.Id, kedaragaula.Id]);
        (await Ids(new KrithiFilter(Text: "nilotpal"))).ShouldBe([kedaragaula.Id]);
        (await Ids(new KrithiFilter(Text: "100%_"))).ShouldBeEmpty();
        (await Ids(new KrithiFilter(RagaId: "hanumatodi"))).ShouldBe([todi.Id, tyagaraja.Id]);
        (await Ids(new KrithiFilter(RagaId: "bowli"))).ShouldBe([two.Id]);
        (await Ids(new KrithiFilter(ComposerId: "tyagaraja"))).ShouldBe([tyagaraja.Id]);
        (await Ids(new KrithiFilter(DeityId: "kamalamba"))).ShouldBe([todi.Id, two.Id]);
        (await Ids(new KrithiFilter(Status: KrithiStatus.Retracted))).ShouldBe([two.Id]);
        (await Ids(new KrithiFilter(Status: KrithiStatus.Active, ComposerId: "muthuswami-dikshitar"))).ShouldBe([todi.Id, kedaragaula.Id]);
        await Should.ThrowAsync<ArgumentException>(() => KrithiStore.ListAsync(t.Db, new KrithiFilter(Status: "deleted"), 0, 10, ct));

        var first = await KrithiStore.ListAsync(t.Db, new KrithiFilter(), 0, 3, ct);
        first.Count.ShouldBe(4);
        first.Items.Select(i => i.Id).ShouldBe([todi.Id, kedaragaula.Id, tyagaraja.Id]);
        first.Next.ShouldBe(tyagaraja.Id);
        var rest = await KrithiStore.ListAsync(t.Db, new KrithiFilter(), first.Next!.Value, 3, ct);
        rest.Items.Select(i => i.Id).ShouldBe([two.Id]);
        rest.Count.ShouldBe(4);
        rest.Next.ShouldBeNull();

        var item = first.Items[0];
        item.Sources.ShouldBe([KrithiSamples.Page("kamalaambike").Url]);
        item.Composer!.Name.ShouldBe("Muthuswami Dikshitar");
        item.Ragas.ShouldHaveSingleItem().Id.ShouldBe("hanumatodi");
        (await KrithiStore.ListAsync(t.Db, new KrithiFilter(RagaId: "bowli"), 0, 5, ct)).Items[0].Ragas.Select(r => r.Id).ShouldBe(["bhoopalam", "bowli"]);
    }
}
