using Grantha.Reference;

namespace Grantha.Tests.Reference;

public class RagaCatalogTests
{
    const string Sample = """
        name,melakarta,parent,arohanam,avarohanam
        Kharaharapriyā,22,,S R2 G2 M1 P D2 N2 S,S N2 D2 P M1 G2 R2 S
        Mechakalyāni,65,,S R2 G3 M2 P D2 N3 S,S N3 D2 P M2 G3 R2 S
        Shree,,Kharaharapriyā,S R2 M1 P N2 S,S N2 P D2 N2 P M1 R2 G2 R2 S
        Sri,,Kharaharapriyā,S R2 M1 P N2 S,S N2 P M1 R2 G2 R2 S
        Brindāvana Sāranga{Hindustani},,Kharaharapriyā,S R2 M1 P N2 S,S N2 P M1 R2 S
        Yamuna Kalyāni/Yaman Kalyan{Hindustani},,Mechakalyāni,S R2 G3 P M2 P D2 S,S D2 P M2 P G3 R2 S
        Sunādavinodini/Hindolof Hindustani,,Mechakalyāni,S G3 M2 D2 N3 S,S N3 D2 M2 G3 S
        Malharor Miyān ki Malhār {Hindustani},,Kharaharapriyā,S R2 P M1 P N2 D2 N3 S,S D2 N2 P M1 P G2 M1 R2 S
        Mahaticf. Mela 28&43,,Kharaharapriyā,S G2 P N2 S,S N2 P G2 R2 S
        Kalāvati,,Mechakalyāni,S R2 M2 P D2 S,S D2 P M2 G3 S R2 S
        Kalāvathi,,Kharaharapriyā,S R2 G2 M1 P D2 N2 S,S N2 D2 P M1 G2 R2 S
        """;

    static RagaCatalog Load() => RagaCatalog.Load(new StringReader(Sample));

    [Fact]
    public void Reads_rows_with_stable_ids_names_and_parents()
    {
        var c = Load();
        c.All.Count.ShouldBe(11);
        var kh = c.FindByName("Kharaharapriyā")!;
        kh.Id.ShouldBe("kharaharapriya");
        kh.Melakarta.ShouldBe(22);
        kh.IsMelakarta.ShouldBeTrue();
        var b = c.FindByName("Brindāvana Sāranga{Hindustani}")!;
        b.Id.ShouldBe("brindavana-saranga-hindustani");
        b.DisplayName.ShouldBe("Brindāvana Sāranga");
        b.Qualifier.ShouldBe("Hindustani");
        b.ParentName.ShouldBe("Kharaharapriyā");
        b.ParentId.ShouldBe("kharaharapriya");
        c.Find(b.Id).ShouldBe(b);
        Load().All.Select(r => r.Id).ShouldBe(c.All.Select(r => r.Id), "ids do not depend on the run");
    }

    [Theory]
    [InlineData("Yamuna Kalyāni/Yaman Kalyan{Hindustani}", "Yamuna Kalyāni", "Yamuna Kalyāni|Yaman Kalyan", "Hindustani")]
    [InlineData("Malkosh /Malkauns", "Malkosh", "Malkosh|Malkauns", null)]
    [InlineData("Sunādavinodini/Hindolof Hindustani", "Sunādavinodini", "Sunādavinodini|Hindol", "Hindustani")]
    [InlineData("Malharor Miyān ki Malhār {Hindustani}", "Malhar", "Malhar|Miyān ki Malhār", "Hindustani")]
    [InlineData("Mahaticf. Mela 28&43", "Mahati", "Mahati", "cf. Mela 28&43")]
    [InlineData("Bihag{Original/Hindustani}", "Bihag", "Bihag", "Original/Hindustani")]
    [InlineData("Pharaju  {Hindustani}", "Pharaju", "Pharaju", "Hindustani")]
    [InlineData("Kedāragowla", "Kedāragowla", "Kedāragowla", null)]
    public void Catalog_names_give_alternatives_and_notes(string raw, string display, string names, string? qualifier)
    {
        var (d, n, q) = RagaCatalog.ParseName(raw);
        d.ShouldBe(display);
        string.Join("|", n).ShouldBe(names);
        q.ShouldBe(qualifier);
    }

    [Fact]
    public void One_raga_listed_twice_forms_a_listing_group_but_namesakes_do_not()
    {
        var c = Load();
        var shree = c.FindByName("Shree")!;
        var sri = c.FindByName("Sri")!;
        shree.ListingGroup.ShouldBe(shree.Id, "same key, same parent");
        sri.ListingGroup.ShouldBe(shree.Id);
        c.SameRaga(sri.Id, shree.Id).ShouldBeTrue();
        c.FindByName("Kalāvati")!.ListingGroup.ShouldBeNull("same key but another parent and scale: a different raga");
        c.SameRaga(c.FindByName("Kalāvati")!.Id, c.FindByName("Kalāvathi")!.Id).ShouldBeFalse();
        c.FindByName("Kharaharapriyā")!.ListingGroup.ShouldBeNull();
    }

    [Fact]
    public void Bad_files_get_clear_messages()
    {
        Should.Throw<InvalidDataException>(() => RagaCatalog.Load(new StringReader("name,parent\nX,Y\n")))
            .Message.ShouldContain("missing column 'melakarta'");
        Should.Throw<InvalidDataException>(() => RagaCatalog.Load(new StringReader("name,melakarta,parent,arohanam,avarohanam\nX,80,,S,S\n")))
            .Message.ShouldContain("line 2: melakarta '80'");
        Should.Throw<InvalidDataException>(() => RagaCatalog.Load(new StringReader("name,melakarta,parent,arohanam,avarohanam\n{note},,,S,S\n")))
            .Message.ShouldContain("has no letters");
    }

    [Fact]
    public void The_reference_catalog_has_72_melakartas_and_every_janya_has_its_parent()
    {
        Shared.Require();
        var c = RagaCatalog.LoadShared();
        c.All.Count.ShouldBe(962);
        c.All.Where(r => r.IsMelakarta).Select(r => r.Melakarta!.Value).Order().ShouldBe(Enumerable.Range(1, 72));
        var janyas = c.All.Where(r => !r.IsMelakarta).ToList();
        janyas.Count.ShouldBe(890);
        janyas.ShouldAllBe(r => r.ParentId != null && c.Find(r.ParentId)!.IsMelakarta);
        c.All.Select(r => r.Id).Distinct().Count().ShouldBe(962);
        c.All.ShouldAllBe(r => r.Id.Length > 0 && r.Names.Count > 0);
    }

    [Fact]
    public void In_the_reference_catalog_only_known_namesakes_share_a_key()
    {
        Shared.Require();
        var c = RagaCatalog.LoadShared();
        var shared = c.All
            .GroupBy(r => (NameKey.Of(r.DisplayName), r.Qualifier))
            .Where(g => g.Count() > 1)
            .Select(g => string.Join(" = ", g.Select(r => r.Name)) + (g.Select(r => r.ListingGroup).Distinct().Count() == 1 && g.First().ListingGroup != null ? " (one raga)" : ""))
            .Order(StringComparer.Ordinal)
            .ToList();
        shared.ShouldBe(
        [
            "Dvigāndhārabhooshani = Dwigāndhārabhooshani (one raga)",
            "Jeevantikā = Jeevanthikā",
            "Kalāvati = Kalāvathi",
            "Poornalalita = Poornalalitha",
            "Shree = Sri (one raga)",
            "Shreemati = Srimati",
        ], string.Join("\n", shared));
    }
}
