namespace Grantha.Reference;

/// <summary>A composer (vaggeyakara) and the names pages and manifests use for them.</summary>
public sealed record Composer(string Id, string Name, IReadOnlyList<string> Names);

/// <summary>The major vaggeyakaras, written in code; the first name is the catalog name.</summary>
public static class ComposerCatalog
{
    public const string Kind = "composer";

    public static IReadOnlyList<Composer> All { get; } =
    [
        C("tyagaraja", "Tyagaraja", "Thyagaraja", "Tyagayya", "Thyagayya", "Tyāgarāja", "Saint Tyagaraja", "Thiagaraja", "Kakarla Tyagabrahmam"),
        C("muthuswami-dikshitar", "Muthuswami Dikshitar", "Muthuswamy Dikshitar", "Muttusvami Dikshitar", "Muthusvami Dikshita", "Dikshitar", "Dikshithar", "Muthuswami Dikshithar", "Muttuswamy Deekshitar"),
        C("syama-sastri", "Syama Sastri", "Syama Sastry", "Shyama Shastri", "Shyama Sastri", "Syama Shastri", "Syama Sastrigal", "Shyama Sastry"),
        C("purandaradasa", "Purandaradasa", "Purandara Dasa", "Purandara Dasaru", "Purandaradasaru"),
        C("swati-tirunal", "Swati Tirunal", "Swathi Thirunal", "Svati Tirunal", "Swathi Thirunal Rama Varma", "Maharaja Swati Tirunal"),
        C("papanasam-sivan", "Papanasam Sivan", "Papanasam Shivan"),
        C("gopalakrishna-bharati", "Gopalakrishna Bharati", "Gopalakrishna Bharathi"),
        C("annamacharya", "Annamacharya", "Annamayya", "Tallapaka Annamacharya", "Annamacharyulu"),
        C("oothukkadu-venkata-kavi", "Oothukkadu Venkata Kavi", "Oottukkadu Venkata Kavi", "Uthukkadu Venkata Kavi", "Oothukkadu Venkata Subbaiyer", "Venkata Kavi"),
        C("mysore-vasudevachar", "Mysore Vasudevachar", "Mysore Vasudevacharya", "Vasudevachar", "Vasudevacharya"),
        C("patnam-subramania-iyer", "Patnam Subramania Iyer", "Patnam Subramanya Iyer", "Pattanam Subramania Iyer"),
        C("muthiah-bhagavatar", "Muthiah Bhagavatar", "Harikesanallur Muthiah Bhagavatar", "Muthaiah Bhagavathar", "Muthiah Bhagavathar"),
        C("neelakanta-sivan", "Neelakanta Sivan", "Nilakantha Sivan", "Neelakanda Sivan"),
        C("subbaraya-sastri", "Subbaraya Sastri", "Subbaraya Sastry", "Subbaraya Shastri"),
        C("bhadrachala-ramadasu", "Bhadrachala Ramadasu", "Bhadrachala Ramadas", "Ramadasu", "Kancherla Gopanna"),
        C("kshetrayya", "Kshetrayya", "Kshetragna", "Kshetrajna"),
        C("arunachala-kavi", "Arunachala Kavi", "Arunachala Kavirayar"),
        C("muthu-thandavar", "Muthu Thandavar", "Muthu Tandavar"),
        C("marimutha-pillai", "Marimutha Pillai", "Marimuttha Pillai"),
        C("narayana-tirtha", "Narayana Tirtha", "Narayana Theertha"),
        C("sadasiva-brahmendra", "Sadasiva Brahmendra", "Sadashiva Brahmendra"),
        C("jayadeva", "Jayadeva", "Jayadevar"),
        C("kanakadasa", "Kanakadasa", "Kanaka Dasa"),
        C("vijayadasa", "Vijayadasa", "Vijaya Dasa"),
        C("maha-vaidyanatha-iyer", "Maha Vaidyanatha Iyer", "Mahavaidyanatha Sivan", "Maha Vaidyanatha Sivan"),
        C("ramaswami-dikshitar", "Ramaswami Dikshitar", "Ramaswamy Dikshitar"),
        C("baluswami-dikshitar", "Baluswami Dikshitar", "Baluswamy Dikshitar"),
        C("tiruvottiyur-tyagayyar", "Tiruvottiyur Tyagayyar", "Tiruvottiyur Tyagaiyer", "Thiruvottiyur Thyagayyar"),
        C("veena-kuppayyar", "Veena Kuppayyar", "Veena Kuppaiyer"),
        C("poochi-srinivasa-iyengar", "Poochi Srinivasa Iyengar", "Ramanathapuram Srinivasa Iyengar", "Ramnad Srinivasa Iyengar"),
        C("koteeswara-iyer", "Koteeswara Iyer", "Kotiswara Iyer"),
        C("mysore-sadasiva-rao", "Mysore Sadasiva Rao", "Mysore Sadashiva Rao"),
        C("balamuralikrishna", "M. Balamuralikrishna", "Balamuralikrishna", "Mangalampalli Balamuralikrishna"),
        C("lalgudi-jayaraman", "Lalgudi Jayaraman", "Lalgudi G. Jayaraman"),
    ];

    public static Composer? Find(string id) => All.FirstOrDefault(c => c.Id == id);

    static Composer C(string id, string name, params string[] aliases) => new(id, name, [name, .. aliases]);
}
