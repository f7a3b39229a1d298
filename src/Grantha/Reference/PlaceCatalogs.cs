namespace Grantha.Reference;

/// <summary>A deity or kshetra: the catalog name first, then the other names and spellings pages use.</summary>
public sealed record NamedEntity(string Id, string Name, IReadOnlyList<string> Names);

/// <summary>
/// The deities krithis address, written in code. Epithets that are names of one deity are listed as its
/// names (Guruguha is Subrahmanya, Tyagesa the Tyagaraja of Tiruvarur); forms worshipped as a deity of
/// their own (Bangaru Kamakshi, Kamalamba, Nilotpalamba) are entities of their own.
/// </summary>
public static class DeityCatalog
{
    public const string Kind = "deity";

    /// <summary>Honorifics a page writes before a deity's name ("SrI rAma", "Lord vEnkaTESa").</summary>
    public static readonly IReadOnlyCollection<string> Honorifics = ["sri", "lord", "mother", "goddess"];

    public static IReadOnlyList<NamedEntity> All { get; } =
    [
        E("kamakshi", "Kamakshi", "Kamakshi Amman", "Kamakshamba", "Kamakshamma"),
        E("bangaru-kamakshi", "Bangaru Kamakshi"),
        E("meenakshi", "Meenakshi", "Minakshi", "Meenakshi Amman", "Minakshamba"),
        E("kamalamba", "Kamalamba", "Kamalambika", "Kamalambal"),
        E("nilotpalamba", "Nilotpalamba", "Neelotpalamba", "Nilotpalambika"),
        E("tyagaraja-tiruvarur", "Tyagaraja (Tiruvarur)", "Tyagaraja", "Tyagesa", "Thyagesha", "Vithi Vitanka"),
        E("brihadisvara", "Brihadisvara", "Brihadeeswara", "Brhadisvara", "Peruvudaiyar"),
        E("brihannayaki", "Brihannayaki", "Brihan Nayaki", "Brhannayaki"),
        E("ekamresvara", "Ekamresvara", "Ekambaresvara", "Ekamranatha", "Ekambaranathar"),
        E("subrahmanya", "Subrahmanya", "Subramanya", "Subramania", "Guruguha", "Murugan", "Muruga", "Kartikeya", "Skanda", "Shanmukha", "Kumaraswami", "Velayudha"),
        E("ganesha", "Ganesha", "Vinayaka", "Ganapati", "Ganapathi", "Vighnesvara", "Gajanana", "Mahaganapati", "Vallabha Ganapati"),
        E("nataraja", "Nataraja", "Sabhapati", "Chidambaresvara"),
        E("arunachalesvara", "Arunachalesvara", "Arunachaleswarar", "Annamalaiyar", "Arunachala"),
        E("akhilandesvari", "Akhilandesvari", "Akhilandeswari", "Akhilandeshvari"),
        E("jambukesvara", "Jambukesvara", "Jambunatha"),
        E("ranganatha", "Ranganatha", "Ranganathar", "Ranganayaka", "Rangesa"),
        E("sarasvati", "Sarasvati", "Saraswati", "Vani", "Sharada", "Sarada"),
        E("rama", "Rama", "Sri Rama", "Ramachandra", "Raghava", "Raghurama", "Dasarathi", "Raghunatha", "Kodandarama"),
        E("krishna", "Krishna", "Sri Krishna", "Gopala", "Govinda", "Venugopala", "Mukunda", "Parthasarathi"),
        E("venkatesa", "Venkatesa", "Venkatesvara", "Venkateswara", "Srinivasa", "Balaji", "Venkataramana", "Venkatachalapati"),
        E("dharmasamvardhani", "Dharmasamvardhani", "Dharmasamvardhini", "Aram Valartha Nayaki"),
        E("panchanadisvara", "Panchanadisvara", "Panchanatheeswarar", "Aiyarappar"),
        E("sita", "Sita", "Janaki", "Vaidehi", "Maithili"),
        E("parvati", "Parvati", "Uma", "Girija", "Haimavati"),
        E("lakshmi", "Lakshmi", "Mahalakshmi", "Sri Lakshmi", "Kamala", "Varalakshmi"),
        E("shiva", "Shiva", "Siva", "Sadasiva", "Mahadeva", "Paramesvara", "Sambasiva"),
        E("vishnu", "Vishnu", "Narayana", "Padmanabha", "Hari"),
        E("hanuman", "Hanuman", "Anjaneya", "Maruti", "Hanumanta"),
        E("abhayamba", "Abhayamba", "Abhayambika"),
        E("mayuranatha", "Mayuranatha", "Mayuranathar"),
        E("varadaraja", "Varadaraja", "Varadaraja Perumal"),
        E("kanthimathi", "Kanthimathi", "Kantimati"),
        E("nellaiyappar", "Nellaiyappar", "Venuvanesvara"),
        E("dakshinamurti", "Dakshinamurti", "Dakshinamurthy"),
        E("annapurna", "Annapurna", "Annapurani"),
        E("lalita", "Lalita", "Lalitha", "Rajarajesvari", "Tripurasundari", "Kamesvari"),
        E("durga", "Durga"),
        E("narasimha", "Narasimha", "Nrisimha", "Lakshmi Narasimha"),
        E("vaidyanatha", "Vaidyanatha", "Vaidisvara"),
        E("kalahastisvara", "Kalahastisvara", "Kalahastishvara"),
        E("kapalisvara", "Kapalisvara", "Kapaleeswarar"),
        E("karpagambal", "Karpagambal", "Karpagavalli"),
        E("tyagarajaswami-tiruvottiyur", "Adipurisvara", "Tiruvottiyur Tyagesa"),
        E("guruvayurappan", "Guruvayurappan", "Guruvayurappa"),
    ];

    static NamedEntity E(string id, string name, params string[] more) => new(id, name, [name, .. more]);
}

/// <summary>The kshetras (temple towns) krithis sing of, written in code, with their older and local names.</summary>
public static class KshetraCatalog
{
    public const string Kind = "kshetra";

    public static IReadOnlyList<NamedEntity> All { get; } =
    [
        E("kanchipuram", "Kanchipuram", "Kanchi", "Kancipura", "Kanchipura", "Conjeevaram"),
        E("tiruvarur", "Tiruvarur", "Thiruvarur", "Kamalalaya", "Kamalalayapura", "Kamalapura"),
        E("thanjavur", "Thanjavur", "Tanjavur", "Tanjore", "Tanjapuri"),
        E("madurai", "Madurai", "Madura", "Madhurapuri", "Halasya"),
        E("tiruttani", "Tiruttani", "Thiruthani", "Tiruttanigai"),
        E("chidambaram", "Chidambaram", "Cidambaram", "Tillai", "Chidambara"),
        E("tiruvannamalai", "Tiruvannamalai", "Thiruvannamalai", "Arunachala", "Sonachala"),
        E("tiruvanaikkaval", "Tiruvanaikkaval", "Tiruvanaikka", "Thiruvanaikoil", "Jambukesvaram", "Jambukeswaram"),
        E("srirangam", "Srirangam", "Sriranga", "Rangam", "Srirangapatnam"),
        E("tirupati", "Tirupati", "Tirumala", "Venkatadri", "Seshachala", "Seshadri"),
        E("tiruvaiyaru", "Tiruvaiyaru", "Thiruvaiyaru", "Panchanada", "Panchanadapura"),
        E("bhadrachalam", "Bhadrachalam", "Bhadradri", "Bhadrachala"),
        E("mayiladuthurai", "Mayiladuthurai", "Mayavaram", "Mayuram", "Mayurapuri"),
        E("kumbakonam", "Kumbakonam", "Kumbhaghonam", "Kumbhakonam"),
        E("vaidisvarankoil", "Vaidisvarankoil", "Vaitheeswaran Koil", "Pullirukkuvelur"),
        E("nagapattinam", "Nagapattinam", "Nagapatnam", "Negapatam"),
        E("tirunelveli", "Tirunelveli", "Thirunelveli", "Nellai", "Venuvana"),
        E("palani", "Palani", "Pazhani"),
        E("guruvayur", "Guruvayur", "Guruvayoor"),
        E("kalahasti", "Kalahasti", "Srikalahasti", "Sri Kalahasti"),
        E("tiruchirappalli", "Tiruchirappalli", "Trichy", "Trichinopoly", "Tirusirapuram"),
        E("kasi", "Kasi", "Varanasi", "Benares", "Kashi"),
        E("tiruvottiyur", "Tiruvottiyur", "Thiruvottiyur", "Adipuri"),
        E("mylapore", "Mylapore", "Mayilai", "Mylai"),
        E("kanyakumari", "Kanyakumari", "Kumari"),
        E("rameswaram", "Rameswaram", "Ramesvaram", "Setu"),
        E("sikkal", "Sikkal", "Singaravelan"),
        E("swamimalai", "Swamimalai", "Svamimalai"),
        E("tiruchendur", "Tiruchendur", "Thiruchendur"),
        E("tiruvidaimarudur", "Tiruvidaimarudur", "Madhyarjunam", "Madhyarjuna"),
        E("tiruppugalur", "Tiruppugalur"),
        E("thiruvalangadu", "Thiruvalangadu", "Tiruvalangadu"),
        E("kovur", "Kovur"),
        E("lalgudi", "Lalgudi", "Tiruttavatturai"),
        E("sirkazhi", "Sirkazhi", "Shiyali", "Sirkali"),
        E("vedaranyam", "Vedaranyam", "Tirumaraikkadu"),
    ];

    static NamedEntity E(string id, string name, params string[] more) => new(id, name, [name, .. more]);
}
