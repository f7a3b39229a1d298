using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Grantha.OfflineSite;

/// <summary>A generated page: its bytes, validators and ground truth.</summary>
public sealed record GeneratedPage(string Url, byte[] Bytes, PageTruth Truth, string ETag, DateTimeOffset LastModified)
{
    public string Html => Encoding.UTF8.GetString(Bytes);
}

/// <summary>
/// Renders Blogger-like look-alike pages to the contract in ../shared/docs/source-pages.md,
/// with their ground truth. Pure: the same (seed, url, rows) always give the same bytes.
/// </summary>
public static class PageGenerator
{
    const string Br = "<br />";
    const string Blank = "<br /><br />";
    const string Quote1 = "&#8216;", Quote2 = "&#8217;", Dash = "&#8211;";

    /// <summary>Generates the page for a URL and the manifest rows that point at it.</summary>
    public static GeneratedPage Generate(long seed, string url, IReadOnlyList<SourceRow> rows)
    {
        for (var shrink = 0; ; shrink++)
        {
            var plan = PagePlanner.Plan(seed, url, rows, shrink);
            var body = Body(plan, new SiteRandom(seed, "body|" + url));
            var html = PageShell.Render(plan, body, new SiteRandom(seed, "shell|" + url), out var fits);
            if (!fits && shrink < 2) continue;
            var bytes = Encoding.UTF8.GetBytes(html);
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"";
            var lastModified = new DateTimeOffset(plan.Updated.ToDateTime(new TimeOnly(9, 30)), TimeSpan.Zero);
            return new GeneratedPage(url, bytes, Truth(plan), etag, lastModified);
        }
    }

    // ---------- ground truth ----------

    static readonly (Script Script, string Name, string Language)[] ScriptNames =
    [
        (Script.Latin, "latin", "en"), (Script.Devanagari, "devanagari", "sa"), (Script.Tamil, "tamil", "ta"),
        (Script.Telugu, "telugu", "te"), (Script.Kannada, "kannada", "kn"), (Script.Malayalam, "malayalam", "ml"),
    ];

    public static string ScriptName(Script s) => ScriptNames.First(x => x.Script == s).Name;

    /// <summary>The page-faithful lyric of a section in a script (one string, lines joined by \n).</summary>
    public static string LyricText(PagePlan plan, int section, Script script) =>
        string.Join("\n", plan.Sections[section].Lines.Select((l, i) => LineText(plan, section, i, script)));

    static string LineText(PagePlan plan, int section, int line, Script script)
    {
        var text = HkScript.To(script, plan.Sections[section].Lines[line].Hk);
        if (script == Script.Tamil && plan.TamilPa4Line == (section, line) && text.StartsWith("\u0BAA4", StringComparison.Ordinal))
            text = "\u0BAA 4" + text[2..];
        return text;
    }

    static PageTruth Truth(PagePlan plan)
    {
        var lyrics = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var s in plan.Scripts)
            lyrics[ScriptName(s)] = plan.Sections.Select((_, i) => LyricText(plan, i, s)).ToList();
        return new PageTruth
        {
            Page = PageName(plan.Url),
            Url = plan.Url,
            ManifestRows = plan.Rows.Select(r => new TruthManifestRow(r.Krithi, r.Raga)).ToList(),
            Expected = new TruthExpected
            {
                PostTitle = plan.PostTitle,
                Title = plan.Title,
                Raga = plan.Raga,
                Ragas = plan.Ragas,
                Tala = plan.Tala,
                Composer = plan.Blog.ComposerName,
                Form = plan.Form,
                FormText = plan.FormText,
                Deity = plan.Deity,
                Kshetra = plan.Kshetra,
                Published = plan.Published.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
                Scripts = plan.Scripts.Select(s => ScriptNames.First(x => x.Script == s)).Select(x => new TruthScript(x.Language, x.Name)).ToList(),
                Sections = plan.Sections.Select((s, i) => new TruthSection
                {
                    Order = i + 1,
                    Type = PageTruth.TypeName(s.Type),
                    Number = s.Number,
                    MadhyamaKala = s.MadhyamaFrom is null ? null : true,
                    MadhyamaKalaLine = s.MadhyamaFrom,
                }).ToList(),
                Lyrics = lyrics,
                Gist = string.Join("\n", plan.Gist),
                Notes = string.Join("\n", plan.Footnotes.Select(f => $"{f.Number} - {f.Text}")),
            },
            Traps = Traps(plan),
        };
    }

    /// <summary>A file-system friendly page name: host prefix plus the dated slug.</summary>
    public static string PageName(string url)
    {
        var uri = new Uri(url);
        var host = uri.Host.Split('.')[0];
        var path = uri.AbsolutePath.Trim('/').Replace('/', '_');
        return $"{host}_{path}";
    }

    static List<string> Traps(PagePlan plan)
    {
        var t = new List<string>();
        var latinWords = plan.Sections.SelectMany(s => s.Lines).SelectMany(l => l.Words).ToList();
        if (plan.Footnotes.Count > 0) t.Add("footnote_sup");
        if (latinWords.Any(w => w.Hk.Length > 2 && w.Hk[0] != '(' && w.Hk.Contains('('))) t.Add("sandhi_parens");
        if (latinWords.Any(w => w.Hk.StartsWith('(') && w.Hk.EndsWith(')') && w.Hk.Length > 2)) t.Add("refrain_cue");
        if (plan.Scripts.Contains(Script.Tamil))
        {
            var tamil = string.Concat(plan.Sections.Select((_, i) => LyricText(plan, i, Script.Tamil)));
            if (tamil.Any(char.IsAsciiDigit)) t.Add(plan.TamilDigitsSub ? "tamil_digits_sub" : "tamil_digits_inline");
        }
        if (plan.LatinLineStartsWithA) t.Add("latin_line_starts_with_long_vowel");
        if (plan.TamilPa4Line is not null) t.Add("tamil_line_starts_pa4");
        if (plan.TamilProse == TamilProse.Labelled) t.Add("tamil_prose_labelled");
        if (plan.TamilProse == TamilProse.Unlabelled) t.Add("tamil_prose_unlabelled");
        if (plan.Sections.Count(s => s.Type == SectionType.Charanam) > 1) t.Add("several_charanams");
        if (plan.Sections.Any(s => s.MadhyamaFrom is not null)) t.Add("madhyama_kala");
        if (plan.Tala is null) t.Add("missing_tala");
        if (plan.Ragas is not null) t.Add("ragamalika");
        if (plan.Raga.Contains('-')) t.Add("composite_raga");
        if (plan.Sections.Any(s => s.Type == SectionType.SamashtiCharanam)) t.Add("samashti_charanam");
        if (plan.Sections.Any(s => s.Type == SectionType.Chittaswaram)) t.Add("chittaswaram");
        if (plan.Sections.Any(s => s.Type == SectionType.SwaraSahitya)) t.Add("svara_sahitya");
        if (plan.Blog.Composer == Composer.Tyagaraja && plan.HeaderStyle == HeaderStyle.Compact)
        {
            t.Add(plan.CompactSpan ? "compact_markers_span" : "compact_markers_plain");
            if (plan.CompactSpaceNumber && plan.Sections.Any(s => s.Type == SectionType.Charanam && s.Number is not null)) t.Add("compact_marker_c_space");
            if (plan.Sections.Count(s => s.Type == SectionType.Charanam) >= 10) t.Add("compact_marker_c10_plus");
        }
        if (plan.Blog.Composer == Composer.Dikshitar) t.Add("dikshitar_meta_and_language_table");
        if (plan.WordDivision) t.Add("word_division");
        if (plan.MsoNotes) t.Add("mso_word_notes");
        if (plan.Scripts.Count < 6) t.Add("missing_scripts");
        if (plan.Rows.Count > 1) t.Add("several_manifest_rows");
        if (plan.IntroTitle != plan.Title) t.Add("intro_title_differs");
        if (plan.Deity is null) t.Add("no_deity");
        return t;
    }

    // ---------- post body ----------

    static string Esc(string s) => WebUtility.HtmlEncode(s);

    static string Body(PagePlan p, SiteRandom rng)
    {
        var sb = new StringBuilder(64 * 1024);
        KeyChart(sb, rng);
        var dikshitar = p.Blog.Composer == Composer.Dikshitar;
        if (dikshitar) LanguageTable(sb, p);

        var heading = $"{Esc(p.Title)}-{Esc(p.Raga)}";
        if (p.Blog.Composer == Composer.Tyagaraja)
            sb.Append("<strong><span style=\"font-size:130%;\">").Append(heading).Append(Br).Append("</span></strong>").Append(Br);
        else
            sb.Append("<strong>").Append(heading).Append("</strong>").Append(Blank);

        sb.Append(' ').Append(Intro(p)).Append(Blank);
        if (dikshitar)
        {
            sb.Append("<a name=\"English\"></a>");
            sb.Append(Esc(MetaLine(p))).Append(Blank);
        }

        LatinLyric(sb, p);
        if (dikshitar)
        {
            var variations = p.Footnotes.Where(f => f.IsVariation).ToList();
            sb.Append("variations - ").Append(Br);
            foreach (var f in variations) sb.Append("<sup>").Append(f.Number).Append("</sup>").Append(Esc(f.Text)).Append(Br);
            if (variations.Count == 0) sb.Append("none noted.").Append(Br);
            sb.Append("<a href=\"#top\">Back</a>").Append(Blank);
        }

        Gist(sb, p);
        WordByWord(sb, p);
        Notes(sb, p);

        foreach (var script in p.Scripts.Where(s => s != Script.Latin))
            IndicBlock(sb, p, script, rng);

        sb.Append(Br).Append("Updated on ").Append(p.Updated.ToString("d MMM yyyy", CultureInfo.InvariantCulture)).Append(Br);
        return sb.ToString();
    }

    static void KeyChart(StringBuilder sb, SiteRandom rng)
    {
        sb.Append("Transliteration").Append(Dash).Append("Telugu").Append(rng.Chance(0.5) ? " ______________________________" : " ").Append(Br);
        sb.Append("Transliteration as per Modified Harvard-Kyoto (HK) Convention").Append(Br);
        sb.Append("(including Telugu letters ").Append(Dash).Append(" Short e, Short o) -").Append(Blank);
        string[] rows =
        [
            "vowels: a A i I u U R e E ai o O au M H",
            "(short e, long E; short o, long O)",
            "velar: k kh g gh G (or n)",
            "palatal: c ch j jh J (or n; jn as in jnAna)",
            "retroflex: T Th D Dh N",
            "dental: t th d dh n",
            "labial: p ph b bh m",
            "others: y r l L v S sh s h",
        ];
        foreach (var r in rows) sb.Append(r).Append(Br);
        sb.Append(Br);
    }

    static void LanguageTable(StringBuilder sb, PagePlan p)
    {
        sb.Append("<a name=\"top\"></a><table border=\"1\" cellpadding=\"2\"><tbody><tr>");
        foreach (var s in p.Scripts)
        {
            var name = s == Script.Latin ? "English" : s.ToString();
            sb.Append("<td><a href=\"#").Append(name).Append("\">").Append(name).Append("</a></td>");
        }
        sb.Append("</tr></tbody></table>").Append(Br);
    }

    static string MetaLine(PagePlan p) =>
        p.Tala is null ? $"{p.Title} - rAgaM {p.Raga}" : $"{p.Title} - rAgaM {p.Raga} - tALaM {p.Tala}";

    static string Intro(PagePlan p)
    {
        var tala = p.Tala is null ? "" : $" (tALa {Esc(p.Tala)})";
        var who = p.Blog.IntroComposer;
        string act;
        if (p.Deity is null)
            act = p.Blog.Composer == Composer.Tyagaraja ? "states that one needs devotion above all" : "describes the glory of the Supreme";
        else if (p.DeityTitle == "Mother")
            act = p.Kshetra is null ? $"prays to Mother {Esc(p.Deity)}" : $"prays to Mother {Esc(p.Deity)} of {Esc(p.Kshetra)}";
        else
            act = p.Kshetra is null ? $"sings praises of Lord {Esc(p.Deity)}" : $"sings praises of Lord {Esc(p.Deity)} at {Esc(p.Kshetra)}";
        var article = p.Blog.Composer == Composer.SyamaSastri ? "this" : "the";
        return $"In {article} {Esc(p.FormText)} {Quote1}{Esc(p.IntroTitle)}{Quote2} {Dash} rAga {Esc(p.Raga)}{tala}, {Esc(who)} {act}.";
    }

    /// <summary>The Latin header of a section (full words), as this page writes it.</summary>
    static string WordHeader(PagePlan p, SectionPlan s) => s.Type switch
    {
        SectionType.Pallavi => "pallavi",
        SectionType.Anupallavi => "anupallavi",
        SectionType.Charanam => s.Number is { } n ? $"caraNam {n}" : "caraNam",
        SectionType.SamashtiCharanam => "samashTi caraNam",
        SectionType.SwaraSahitya => $"svara sAhitya {s.Number}",
        SectionType.Chittaswaram when p.Form == "varnam" => s.Number is { } n ? $"eTTugaDa svaram {n}" : "muktAyi svaram",
        SectionType.Chittaswaram => "ciTTa svaram",
        _ => "sAhityam",
    };

    static bool Compact(PagePlan p) => p.Blog.Composer == Composer.Tyagaraja && p.HeaderStyle == HeaderStyle.Compact;

    static string CompactMarker(PagePlan p, SectionPlan s) => s.Type switch
    {
        SectionType.Pallavi => "P",
        SectionType.Anupallavi => "A",
        _ => s.Number is { } n ? (p.CompactSpaceNumber ? $"C {n}" : $"C{n}") : "C",
    };

    static string IndicMarker(Script script, SectionPlan s) => s.Type switch
    {
        SectionType.Pallavi => HkScript.To(script, "pa") + ".",
        SectionType.Anupallavi => HkScript.To(script, "a") + ".",
        _ => HkScript.To(script, "ca") + (s.Number?.ToString(CultureInfo.InvariantCulture) ?? "") + ".",
    };

    static string CompactHtml(PagePlan p, string marker) =>
        p.CompactSpan ? $"<span style=\"font-size:180%;\">{marker}</span> " : marker + " ";

    static string LatinLineHtml(LyricLine line)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < line.Words.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            var w = line.Words[i];
            if (w.Footnote is { } n) sb.Append("<sup>").Append(n).Append("</sup>");
            sb.Append(Esc(w.Hk));
        }
        return sb.ToString();
    }

    static void LatinLyric(StringBuilder sb, PagePlan p)
    {
        var syama = p.Blog.Composer == Composer.SyamaSastri;
        for (var si = 0; si < p.Sections.Count; si++)
        {
            var s = p.Sections[si];
            var compact = Compact(p);
            if (!compact) sb.Append(WordHeader(p, s)).Append(syama ? " " : "").Append(Br);
            for (var li = 0; li < s.Lines.Count; li++)
            {
                foreach (var m in s.RagaMarks.Where(m => m.BeforeLine == li)) sb.Append(Esc(m.Hk)).Append(Br);
                if (s.MadhyamaFrom == li) sb.Append("(madhyama kAla sAhityam)").Append(Br);
                if (compact && li == 0) sb.Append(CompactHtml(p, CompactMarker(p, s)));
                else if (syama) sb.Append(' ');
                sb.Append(LatinLineHtml(s.Lines[li]));
                sb.Append(syama && li % 2 == 0 ? " " : "").Append(Br);
            }
            sb.Append(syama ? "<hr />" + Br : Br);
        }
    }

    static void Gist(StringBuilder sb, PagePlan p)
    {
        sb.Append("<strong>Gist</strong>").Append(Br);
        var list = p.Blog.Composer == Composer.SyamaSastri;
        if (list) sb.Append("<ul>");
        foreach (var g in p.Gist)
            sb.Append(list ? "<li>" : "").Append(Esc(g)).Append(Br).Append(list ? "" : Br);
        if (list) sb.Append("</ul>").Append(Br);
        sb.Append(p.Blog.Composer == Composer.SyamaSastri ? "<hr />" + Br : Br);
    }

    static void WordByWord(StringBuilder sb, PagePlan p)
    {
        sb.Append(p.Blog.Composer == Composer.Tyagaraja ? "<strong>Word-by-word Meaning" + Br + "</strong>" : "<strong>Word-by-word Meaning</strong>").Append(Blank);
        for (var si = 0; si < p.Sections.Count; si++)
        {
            var s = p.Sections[si];
            if (Compact(p))
            {
                sb.Append(CompactHtml(p, CompactMarker(p, s))).Append(Esc(p.Meanings[si])).Append(Blank);
                continue;
            }
            // Section header and the lyric again, with word division: a trap for a lyric parser.
            sb.Append(WordHeader(p, s)).Append(' ').Append(Br);
            foreach (var line in s.Lines) sb.Append(' ').Append(Esc(line.Division)).Append(Br);
            sb.Append(Br).Append(' ').Append(Esc(p.Meanings[si])).Append(Br);
            sb.Append(p.Blog.Composer == Composer.SyamaSastri ? "<hr />" + Br : Br);
        }
    }

    static void Notes(StringBuilder sb, PagePlan p)
    {
        var variations = p.Blog.Composer == Composer.Dikshitar ? [] : p.Footnotes.Where(f => f.IsVariation).ToList();
        var references = p.Footnotes.Where(f => !f.IsVariation).ToList();
        if (p.MsoNotes)
        {
            // Pasted from MS Word: MsoNormal paragraphs, &nbsp; runs and hard line wraps.
            sb.Append("<p class=\"MsoNormal\" style=\"margin: 0in 0in 0pt;\"><span style=\"font-family: &quot;Times New Roman&quot;;\">Notes ")
              .Append(Dash).Append("<o:p></o:p></span></p>");
            sb.Append("<p class=\"MsoNormal\" style=\"margin: 0in 0in 0pt;\"><strong><span>Variations</span></strong> ").Append(Dash).Append("&nbsp;&nbsp;&nbsp;</p>");
            foreach (var f in variations.Concat(references))
            {
                var text = Esc(f.Text);
                var cut = text.IndexOf(' ', text.Length / 2);
                if (cut > 0) text = text[..cut] + "\n" + text[(cut + 1)..];
                sb.Append("<p class=\"MsoNormal\" style=\"margin: 0in 0in 0pt;\"><span style=\"font-family: &quot;Times New Roman&quot;;\"><sup>")
                  .Append(f.Number).Append("</sup>&nbsp;").Append(Dash).Append("&nbsp;&nbsp;").Append(text).Append("<o:p>&nbsp;</o:p></span></p>");
            }
            sb.Append(Br);
            return;
        }
        sb.Append("Notes ").Append(Dash).Append(Br);
        if (variations.Count > 0)
        {
            sb.Append("<strong>Variations</strong> ").Append(Dash).Append(Br);
            foreach (var f in variations) sb.Append(" <sup>").Append(f.Number).Append("</sup> ").Append(Dash).Append(' ').Append(Esc(f.Text)).Append(Blank);
        }
        if (references.Count > 0)
        {
            sb.Append("<strong>References</strong> ").Append(Dash).Append(Br);
            foreach (var f in references) sb.Append(" <sup>").Append(f.Number).Append("</sup> ").Append(Dash).Append(' ').Append(Esc(f.Text)).Append(Blank);
        }
    }

    static void IndicBlock(StringBuilder sb, PagePlan p, Script script, SiteRandom rng)
    {
        var name = script.ToString();
        var dikshitar = p.Blog.Composer == Composer.Dikshitar;
        var tamil = script == Script.Tamil;
        string H(string text) => HkScript.ToHtml(text);
        string Lyric(string text) => HkScript.ToHtml(text, tamil && p.TamilDigitsSub);

        if (dikshitar) sb.Append("<a name=\"").Append(name).Append("\"></a>");
        var spanned = rng.Chance(0.6);
        if (spanned) sb.Append("<span style=\"font-size:130%;line-height: 30px;\">").Append(Br).Append(name).Append(Blank);
        else sb.Append("<hr />").Append(Br).Append(name).Append(Blank);

        if (script is Script.Devanagari or Script.Tamil) IndicKeyChart(sb, script);
        if (dikshitar) sb.Append(H(HkScript.To(script, MetaLine(p)))).Append(Blank);

        var compact = Compact(p);
        for (var si = 0; si < p.Sections.Count; si++)
        {
            var s = p.Sections[si];
            if (!compact) sb.Append(H(HkScript.To(script, WordHeader(p, s)))).Append(' ').Append(Br);
            for (var li = 0; li < s.Lines.Count; li++)
            {
                foreach (var m in s.RagaMarks.Where(m => m.BeforeLine == li)) sb.Append(H(HkScript.To(script, m.Hk))).Append(Br);
                if (s.MadhyamaFrom == li) sb.Append(H("(" + HkScript.To(script, "madhyama kAla sAhityam") + ")")).Append(Br);
                if (compact && li == 0) sb.Append(H(IndicMarker(script, s))).Append(' ');
                sb.Append(Lyric(LineText(p, si, li, script))).Append(Br);
            }
            if (si < p.Sections.Count - 1) sb.Append(Br);
        }

        if (tamil && p.TamilProse != TamilProse.None)
        {
            sb.Append(Br);
            for (var si = 0; si < p.Sections.Count; si++)
            {
                if (p.TamilProse == TamilProse.Labelled)
                {
                    var s = p.Sections[si];
                    sb.Append(H(HkScript.To(script, WordHeader(p, s)))).Append(Br);
                }
                else if (si >= 2) sb.Append(si - 1).Append(". ");
                sb.Append(H(p.TamilProseLines[si])).Append(Blank);
            }
        }

        if (p.WordDivision)
        {
            sb.Append("<hr />").Append(Br).Append(dikshitar ? $"{name} - Word Division" : "Word Division").Append(Blank);
            for (var si = 0; si < p.Sections.Count; si++)
            {
                var s = p.Sections[si];
                sb.Append(H(HkScript.To(script, WordHeader(p, s)))).Append(' ').Append(Br);
                foreach (var line in s.Lines) sb.Append(Lyric(HkScript.To(script, line.Division))).Append(Br);
                sb.Append(Br);
            }
        }
        if (spanned) sb.Append("</span>");
        if (dikshitar) sb.Append("<a href=\"#top\">Back</a>").Append(Br);
        sb.Append(Br);
    }

    static void IndicKeyChart(StringBuilder sb, Script script)
    {
        if (script == Script.Devanagari)
        {
            foreach (var (hk, note) in new[] { ("e ke", "short"), ("E kE", "long"), ("o ko", "short"), ("O kO", "long"), ("ai kai", ""), ("au kau", "") })
                sb.Append(HkScript.ToHtml(HkScript.To(script, hk))).Append(" = ").Append(hk).Append(note.Length > 0 ? $" ({note})" : "").Append(Br);
        }
        else
        {
            sb.Append("Tamil letters with numbers: ");
            foreach (var hk in new[] { "kha", "ga", "gha", "ca", "ja", "Da", "dha", "ba", "bha", "Sa" })
                sb.Append(HkScript.ToHtml(HkScript.To(script, hk))).Append(" = ").Append(hk).Append("; ");
            sb.Append(Br).Append(HkScript.ToHtml(HkScript.To(script, "kRpa"))).Append(" = kRpa").Append(Br);
        }
        sb.Append(Br);
    }
}
