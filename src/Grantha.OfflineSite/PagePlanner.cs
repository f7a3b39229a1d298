using System.Globalization;
using System.Text.RegularExpressions;

namespace Grantha.OfflineSite;

/// <summary>
/// Decides everything about a page from (seed, url, manifest rows): metadata, section layout,
/// synthetic lyric, page style and which traps it carries. Pure and deterministic.
/// </summary>
public static partial class PagePlanner
{
    /// <summary>Pages land between these sizes (bytes); the shell pads up to a per-page target.</summary>
    public const int MinPageBytes = 55 * 1024, MaxPageBytes = 130 * 1024;

    const string RagamalikaRaga = "rAga mAlikA";

    static readonly string[] Talas = ["Adi", "rUpakaM", "cApu", "miSra cApu", "khaNDa cApu", "jhampa", "tripuTa", "aTa", "EkaM", "dESAdi"];

    static readonly string[] RagamalikaRagas =
        ["SrI", "Arabhi", "mOhana", "kalyANi", "tODi", "bhairavi", "kAmbhOji", "bilahari", "sahAna", "vasanta", "hamsadhvani", "madhyamAvati", "kEdAra", "sAvEri"];

    sealed record Shrine(string Deity, string? Kshetra, bool Mother);

    static readonly Shrine[] DikshitarShrines =
    [
        new("kamalAmbA", "tiruvArUr", true), new("tyAgarAja", "tiruvArUr", false), new("nIlOtpalAmbA", "tiruvArUr", true),
        new("bRhadISvara", "tanjAvUr", false), new("mInAkshI", "madurai", true), new("kAmAkshI", "kAncIpuram", true),
        new("EkAmrESvara", "kAncIpuram", false), new("subrahmaNya", "tiruttaNi", false), new("vinAyaka", null, false),
        new("naTarAja", "cidambaram", false), new("aruNAcalESvara", "tiruvaNNAmalai", false), new("akhilANDESvarI", "tiruvAnaikkA", true),
        new("ranganAtha", "SrIrangam", false), new("guruguha", null, false), new("sarasvatI", null, true),
    ];

    static readonly Shrine[] TyagarajaShrines =
    [
        new("SrI rAma", null, false), new("SrI rAma", null, false), new("SrI rAma", null, false), new("SrI kRshNa", null, false),
        new("vEnkaTESa", "tirupati", false), new("ranganAtha", "SrIrangam", false), new("dharmasamvardhanI", "tiruvaiyAru", true),
        new("SrI rAma", "bhadrAcalam", false), new("sItA", null, true),
    ];

    static readonly Shrine[] SyamaSastriShrines =
    [
        new("kAmAkshi", null, true), new("bangAru kAmAkshi", "tanjAvUr", true), new("mInAkshI", "madurai", true),
        new("dharmasamvardhanI", "tiruvaiyAru", true), new("bRhannAyakI", "tanjAvUr", true), new("akhilANDESvarI", "tiruvAnaikkA", true),
        new("kAmAkshi", "kAncIpuram", true), new("pArvatI", null, true),
    ];

    public static PagePlan Plan(long seed, string url, IReadOnlyList<SourceRow> rows, int shrink = 0)
    {
        if (rows.Count == 0) throw new ArgumentException("A page needs at least one manifest row.", nameof(rows));
        var rng = new SiteRandom(seed, "plan|" + url);
        var uri = new Uri(url);
        var blog = Blog.ForHost(uri.Host);
        var first = rows[0];
        var title = CleanTitle(first.Krithi);
        var raga = first.Raga.Trim();
        var ragamalika = string.Equals(raga, RagamalikaRaga, StringComparison.OrdinalIgnoreCase);

        // Form
        string form, formText, postSuffix = "";
        var svaraJati = false;
        var varnam = false;
        switch (blog.Composer)
        {
            case Composer.SyamaSastri when rng.Chance(0.3):
                svaraJati = true; form = "svara jati"; formText = "svara jati";
                if (rng.Chance(0.6)) postSuffix = " - Svara Jati";
                break;
            case Composer.SyamaSastri when rng.Chance(0.1):
                varnam = true; form = "varnam"; formText = "varNam"; postSuffix = " - Varnam";
                break;
            case Composer.SyamaSastri:
                form = "kriti"; formText = "kRti";
                if (rng.Chance(0.15)) postSuffix = " - Telugu Kriti";
                break;
            case Composer.Tyagaraja when rng.Chance(0.12):
                form = "divya nama kirtana"; formText = "divya nAma kIrtana";
                break;
            case Composer.Tyagaraja when rng.Chance(0.06):
                form = "utsava sampradaya kriti"; formText = "utsava sampradAya kRti";
                break;
            default:
                form = "kriti"; formText = "kRti";
                break;
        }

        var talaMissing = blog.Composer == Composer.Tyagaraja ? rng.Chance(0.35) : rng.Chance(0.08);
        var tala = talaMissing ? null : rng.Pick(Talas);

        var shrines = blog.Composer switch
        {
            Composer.Dikshitar => DikshitarShrines,
            Composer.Tyagaraja => TyagarajaShrines,
            _ => SyamaSastriShrines,
        };
        var shrine = rng.Pick(shrines);
        var namesDeity = rng.Chance(0.85);
        var deity = namesDeity ? shrine.Deity : null;
        var kshetra = namesDeity && shrine.Kshetra is not null && rng.Chance(0.7) ? shrine.Kshetra : null;

        // Dates: year and month from the URL, the rest from the seed.
        var (year, month) = YearMonth(uri.AbsolutePath, rng);
        var offset = TimeSpan.Parse(blog.TimeZoneOffset.TrimStart('+'), CultureInfo.InvariantCulture);
        var published = new DateTimeOffset(year, month, rng.Next(1, 29), rng.Next(0, 24), rng.Next(0, 60), 0, offset);
        var updated = DateOnly.FromDateTime(published.DateTime).AddDays(rng.Next(30, 1500));

        var style = blog.Composer == Composer.Tyagaraja && rng.Chance(0.7) ? HeaderStyle.Compact : HeaderStyle.Words;

        // Sections
        var layout = Layout(rng, blog.Composer, svaraJati, varnam, ragamalika, form);
        var maxLines = shrink switch { 0 => 8, 1 => 5, _ => 3 };
        var madhyama = blog.Composer == Composer.Dikshitar && rng.Chance(0.6);
        var compoundChance = 0.12;
        var titleWords = title.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => new LyricWord(w, w)).ToList();
        var cueWord = titleWords.Count > 0 ? titleWords[0].Hk : "SrI";
        if (cueWord.Length > 6 && rng.Chance(0.5)) cueWord = ShortCue(cueWord);
        var refrain = rng.Chance(0.8);
        var sections = new List<SectionPlan>();
        var ragaOrder = 0;
        var ragaQueue = ragamalika ? RagamalikaRagas.OrderBy(_ => rng.NextUInt64()).ToList() : [];
        foreach (var (type, number) in layout)
        {
            int lineCount = type switch
            {
                SectionType.Pallavi => 2,
                SectionType.Anupallavi => rng.Next(2, 5),
                SectionType.Chittaswaram => rng.Next(2, 4),
                SectionType.SamashtiCharanam => rng.Next(4, 9),
                _ when form == "divya nama kirtana" => 2,
                _ => blog.Composer == Composer.Dikshitar ? rng.Next(4, 9) : rng.Next(2, 7),
            };
            lineCount = Math.Min(lineCount, maxLines);
            var lines = new List<List<LyricWord>>();
            for (var l = 0; l < lineCount; l++)
            {
                if (type == SectionType.Chittaswaram) { lines.Add(SyntheticLyric.SvaraLine(rng)); continue; }
                var words = SyntheticLyric.Line(rng, rng.Next(3, 7), compoundChance);
                if (sections.Count == 0 && l == 0)
                    words = [.. titleWords, .. words.Take(Math.Max(1, 5 - titleWords.Count))];
                lines.Add(words);
            }
            if (refrain && sections.Count > 0 && type != SectionType.Chittaswaram)
                lines[^1].Add(new LyricWord("(" + cueWord + ")", "(" + cueWord + ")"));

            int? madhyamaFrom = madhyama && lineCount >= 3 && type is SectionType.Anupallavi or SectionType.Charanam or SectionType.SamashtiCharanam
                ? lineCount - 2 : null;

            var marks = new List<RagaMark>();
            if (ragamalika && type != SectionType.Chittaswaram)
            {
                var passages = type == SectionType.Pallavi ? 1 : Math.Min(lineCount / 2, type == SectionType.Anupallavi ? 2 : 3);
                passages = Math.Max(1, passages);
                for (var p = 0; p < passages && ragaQueue.Count > 0; p++)
                {
                    var before = p * lineCount / passages;
                    marks.Add(new RagaMark(before, ++ragaOrder, ragaQueue[0], false));
                    ragaQueue.RemoveAt(0);
                }
            }
            sections.Add(new SectionPlan(type, number, lines.Select(w => new LyricLine(w)).ToList(), madhyamaFrom, marks));
        }
        if (ragamalika)
        {
            // The closing passage runs the first raga again in reverse (vilOma).
            var last = sections.FindLastIndex(s => s.Type != SectionType.Chittaswaram);
            var s = sections[last];
            if (s.Lines.Count >= 2 && rng.Chance(0.7))
            {
                var firstRaga = sections.SelectMany(x => x.RagaMarks).First().Raga;
                var marks = s.RagaMarks.Where(m => m.BeforeLine < s.Lines.Count - 1).ToList();
                marks.Add(new RagaMark(s.Lines.Count - 1, ++ragaOrder, firstRaga, true));
                sections[last] = s with { RagaMarks = marks };
            }
        }

        // Traps placed on purpose (some pages).
        LyricWord Plain(string w) => new(w, w);
        var latinA = rng.Chance(0.3);
        if (latinA)
        {
            var candidates = Enumerable.Range(0, sections.Count).Where(i => sections[i].Type != SectionType.Chittaswaram && sections[i].Lines.Count >= 2).ToList();
            var si = rng.Pick(candidates);
            var li = rng.Next(1, sections[si].Lines.Count);
            ReplaceLine(sections, si, li, words => [Plain(rng.Chance(0.7) ? "A" : "E"), .. words]);
        }
        (int, int)? pa4 = null;
        if (rng.Chance(0.15))
        {
            var candidates = Enumerable.Range(0, sections.Count).Where(i => sections[i].Type != SectionType.Chittaswaram && sections[i].Lines.Count >= 2).ToList();
            var si = rng.Pick(candidates);
            var li = rng.Next(1, sections[si].Lines.Count);
            if (!(latinA && sections[si].Lines[li].Words[0].Hk is "A" or "E"))
            {
                ReplaceLine(sections, si, li, words => [Plain(rng.Pick(SyntheticLyric.BhaWords)), .. words.Skip(1)]);
                pa4 = (si, li);
            }
        }

        // Footnotes on Latin words (numbered in reading order).
        var footnotes = new List<Footnote>();
        var footnoteCount = rng.Chance(0.85) ? rng.Next(1, 16) : 0;
        var slots = new List<(int S, int L, int W)>();
        for (var si = 0; si < sections.Count; si++)
        {
            if (sections[si].Type == SectionType.Chittaswaram) continue;
            for (var li = 0; li < sections[si].Lines.Count; li++)
                for (var wi = 0; wi < sections[si].Lines[li].Words.Count; wi++)
                    if (sections[si].Lines[li].Words[wi].Hk is var w && w.Length > 2 && w[0] != '(')
                        slots.Add((si, li, wi));
        }
        var chosen = slots.Where(_ => rng.Chance((double)footnoteCount / Math.Max(1, slots.Count))).Take(footnoteCount).ToList();
        var n = 0;
        foreach (var (si, li, wi) in chosen)
        {
            var number = ++n;
            var word = sections[si].Lines[li].Words[wi];
            ReplaceLine(sections, si, li, words => words.Select((x, k) => k == wi ? x with { Footnote = number } : x).ToList());
            var isVariation = rng.Chance(0.75);
            var plain = word.Hk.Replace("(", "").Replace(")", "");
            var text = isVariation
                ? $"{plain} - {Variant(plain, rng)}."
                : $"{plain} - please refer to the notes on {rng.Pick(Glosses)} in an earlier kRti.";
            footnotes.Add(new Footnote(number, word.Hk, text, isVariation));
        }

        var scripts = new List<Script> { Script.Latin, Script.Devanagari, Script.Tamil, Script.Telugu };
        if (rng.Chance(0.92)) scripts.Add(Script.Kannada);
        if (rng.Chance(0.9)) scripts.Add(Script.Malayalam);

        var tamilProse = !scripts.Contains(Script.Tamil) ? TamilProse.None
            : blog.Composer == Composer.Tyagaraja && rng.Chance(0.45) ? TamilProse.Unlabelled
            : rng.Chance(0.3) ? TamilProse.Labelled : TamilProse.None;

        var postTitle = $"{blog.PostPrefix} - {Ascii(title)} - " +
                        (rng.Chance(0.8) ? $"Raga {Ascii(raga)}" : $"{Ascii(raga)} Raga") + postSuffix;
        var introTitle = titleWords.Count > 0 && rng.Chance(0.15) && sections[0].Lines[0].Words.Count > titleWords.Count
            ? title + " " + sections[0].Lines[0].Words[titleWords.Count].Hk
            : title;

        var truthRagas = ragamalika
            ? sections.SelectMany((s, i) => s.RagaMarks.Select(m => new TruthRaga(m.Order, m.Raga, i + 1, m.Viloma))).ToList()
            : null;

        return new PagePlan
        {
            Url = url,
            Rows = rows,
            Blog = blog,
            PostId = (1000000000000000000UL + SiteRandom.Hash(seed, "post|" + url) % 8999999999999999999UL).ToString(CultureInfo.InvariantCulture),
            BlogId = (1000000000000000000UL + SiteRandom.Hash(0, "blog|" + blog.Host) % 8999999999999999999UL).ToString(CultureInfo.InvariantCulture),
            Title = title,
            IntroTitle = introTitle,
            Raga = raga,
            Ragas = truthRagas,
            Tala = tala,
            Form = form,
            FormText = formText,
            Deity = deity,
            DeityTitle = shrine.Mother ? "Mother" : "Lord",
            Kshetra = kshetra,
            Published = published,
            Updated = updated,
            PostTitle = postTitle,
            Sections = sections,
            Scripts = scripts,
            HeaderStyle = style,
            CompactSpan = rng.Chance(0.75),
            CompactSpaceNumber = rng.Chance(0.15),
            TamilDigitsSub = rng.Chance(0.4),
            TamilProse = tamilProse,
            WordDivision = shrink < 2 && (blog.Composer == Composer.Dikshitar ? rng.Chance(0.6) : rng.Chance(0.4)),
            MsoNotes = rng.Chance(0.2),
            TamilPa4Line = pa4,
            LatinLineStartsWithA = latinA,
            Footnotes = footnotes,
            Gist = Gist(rng, deity, shrine.Mother, kshetra, sections.Count),
            Meanings = sections.Select(s => Meaning(rng, s)).ToList(),
            TamilProseLines = tamilProse == TamilProse.None ? [] : sections.Select(s => TamilProseLine(rng, s.Lines.Count)).ToList(),
            TargetBytes = rng.Next(MinPageBytes + 3 * 1024, MaxPageBytes - 6 * 1024),
        };
    }

    static void ReplaceLine(List<SectionPlan> sections, int si, int li, Func<List<LyricWord>, List<LyricWord>> change)
    {
        var s = sections[si];
        var lines = s.Lines.ToList();
        lines[li] = new LyricLine(change(lines[li].Words.ToList()));
        sections[si] = s with { Lines = lines };
    }

    static List<(SectionType, int?)> Layout(SiteRandom rng, Composer composer, bool svaraJati, bool varnam, bool ragamalika, string form)
    {
        var list = new List<(SectionType, int?)> { (SectionType.Pallavi, null) };
        if (svaraJati)
        {
            var n = rng.Next(3, 9);
            for (var i = 1; i <= n; i++) list.Add((SectionType.SwaraSahitya, i));
            return list;
        }
        if (varnam)
        {
            list.Add((SectionType.Anupallavi, null));
            list.Add((SectionType.Chittaswaram, null));
            list.Add((SectionType.Charanam, null));
            list.Add((SectionType.Chittaswaram, 1));
            list.Add((SectionType.Chittaswaram, 2));
            return list;
        }
        switch (composer)
        {
            case Composer.Dikshitar when !ragamalika && rng.Chance(0.2):
                list.Add((SectionType.SamashtiCharanam, null));
                return list;
            case Composer.Dikshitar:
                list.Add((SectionType.Anupallavi, null));
                list.Add((SectionType.Charanam, null));
                if (!ragamalika && rng.Chance(0.06)) list.Add((SectionType.Chittaswaram, null));
                return list;
            default:
                if (form == "divya nama kirtana" || rng.Chance(0.9)) list.Add((SectionType.Anupallavi, null));
                var count = form == "divya nama kirtana" ? rng.Next(5, 13)
                    : composer == Composer.Tyagaraja ? rng.Next(1, 5) : rng.Next(1, 4);
                if (count == 1) list.Add((SectionType.Charanam, null));
                else for (var i = 1; i <= count; i++) list.Add((SectionType.Charanam, i));
                return list;
        }
    }

    /// <summary>The title as the page prints it: the manifest title without its parenthesised words.</summary>
    public static string CleanTitle(string krithi) =>
        Spaces().Replace(Parenthesised().Replace(krithi, " "), " ").Trim();

    [GeneratedRegex(@"\([^)]*\)")] private static partial Regex Parenthesised();
    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();
    [GeneratedRegex(@"^/(\d{4})/(\d{2})/")] private static partial Regex DatedPath();

    static (int Year, int Month) YearMonth(string path, SiteRandom rng)
    {
        var m = DatedPath().Match(path);
        if (m.Success)
        {
            var y = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var mo = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (y is >= 1990 and <= 2100 && mo is >= 1 and <= 12) return (y, mo);
        }
        return (rng.Next(2007, 2013), rng.Next(1, 13));
    }

    /// <summary>HK to the plain title-case ASCII of post titles: kAmAkshi anudinamu = Kamakshi Anudinamu.</summary>
    public static string Ascii(string hk)
    {
        var words = hk.Replace("R", "ri").Replace("sh", "sh").Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => new string(w.Select(c => char.ToLowerInvariant(c)).Where(c => char.IsAsciiLetter(c)).ToArray()))
            .Where(w => w.Length > 0)
            .Select(w => char.ToUpperInvariant(w[0]) + w[1..]);
        return string.Join(' ', words);
    }

    static string Variant(string word, SiteRandom rng)
    {
        var variant = rng.Next(0, 3) switch
        {
            0 when word.EndsWith('a') => word[..^1] + "A",
            0 when word.EndsWith('i') => word[..^1] + "I",
            1 => word + "mu",
            _ => word.Length > 3 ? word[..^1] + "E" : word + "nu",
        };
        return variant == word ? word + "mu" : variant;
    }

    /// <summary>A refrain cue cut after a vowel, as the blogs abbreviate it (vEnkaTESa = vEnka).</summary>
    static string ShortCue(string word)
    {
        for (var i = 4; i < word.Length - 1; i++)
            if ("aeiouAEIOU".Contains(word[i]) && !(word[i] == 'a' && word[i + 1] is 'i' or 'u'))
                return word[..(i + 1)];
        return word;
    }

    static readonly string[] Glosses =
    [
        "Lord", "Mother", "feet", "lotus", "devotees", "mind", "grace", "refuge", "the world", "sages", "compassion", "bliss",
        "protect", "praise", "worship", "form", "name", "splendour", "eyes", "face", "boons", "sins", "knowledge", "liberation",
    ];

    static string Gloss(SiteRandom rng) => rng.Pick(Glosses);

    static IReadOnlyList<string> Gist(SiteRandom rng, string? deity, bool mother, string? kshetra, int sections)
    {
        var who = deity is null ? "Lord" : $"{(mother ? "Mother" : "Lord")} {deity}";
        var lines = new List<string>
        {
            kshetra is null ? $"O {who}!" : $"O {who} of {kshetra}!",
        };
        for (var i = 0; i < sections + 2; i++)
            lines.Add($"O {Cap(Gloss(rng))} of {Gloss(rng)}! Please {rng.Pick(new[] { "protect", "bless", "listen to", "grant" })} me {rng.Pick(new[] { "now", "always", "quickly", "without delay" })}.");
        return lines;
    }

    static string Meaning(SiteRandom rng, SectionPlan s)
    {
        var parts = s.Lines.Select(l =>
        {
            var ws = l.Words.Where(w => w.Hk.Length > 2 && w.Hk[0] != '(').Take(4).Select(w => $"{Gloss(rng)} ({w.Division.Replace("-", " ")})");
            return Cap(string.Join(" ", ws)) + rng.Pick(new[] { "!", ";", ".", "," });
        });
        return string.Join(" ", parts);
    }

    static readonly string[] TamilProseWords =
    [
        "உனது", "திருவடிகளே", "காப்பாய்", "அம்மா", "இறைவா", "எனது", "மனம்", "அருள்", "தருவாய்", "எப்பொழுதும்",
        "நினைவில்", "கொண்டேன்", "அடியார்களின்", "தாயே", "உலகம்", "போற்றும்", "கண்ணா", "மலர்", "வணங்கி", "புகலென",
    ];

    static string TamilProseLine(SiteRandom rng, int lines)
    {
        var words = Enumerable.Range(0, rng.Next(5, 10 + lines)).Select(_ => rng.Pick(TamilProseWords));
        return string.Join(" ", words) + rng.Pick(new[] { "!", ".", ";" });
    }

    static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
