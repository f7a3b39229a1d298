using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Grantha.Extract;
using Grantha.OfflineSite;

namespace Grantha.Tests.Extract;

/// <summary>
/// The offline site's look-alike page for every one of the 1,240 Trinity manifest rows, extracted
/// and compared with its sidecar (ground truth), field by field. Prints per-field accuracy and
/// fails below <see cref="Threshold"/> on any field. Pages are generated in memory (no server).
/// </summary>
public class LookAlikeCorpusTests(ITestOutputHelper output)
{
    /// <summary>Every field must be right on (almost) every page: a miss is a rule defect to fix.</summary>
    const double Threshold = 0.995;

    const long Seed = SourceSiteOptions.DefaultSeed;

    static string Norm(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    sealed class Tally
    {
        public readonly ConcurrentDictionary<string, int> Right = new(), Total = new();
        public readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Misses = new();

        public void Count(string field, bool right, string url, Func<string> why)
        {
            Total.AddOrUpdate(field, 1, (_, n) => n + 1);
            if (right) { Right.AddOrUpdate(field, 1, (_, n) => n + 1); return; }
            var q = Misses.GetOrAdd(field, _ => new ConcurrentQueue<string>());
            if (q.Count < 12) q.Enqueue($"{url}: {why()}");
        }

        public double Accuracy(string field) => Total.TryGetValue(field, out var t) && t > 0 ? (double)Right.GetValueOrDefault(field) / t : 1;
    }

    [Fact]
    public void Every_trinity_look_alike_page_matches_its_sidecar()
    {
        Shared.Require();
        var rows = SharedFiles.TrinityManifests.SelectMany(SiteManifest.Read).ToList();
        rows.Count.ShouldBe(1240);
        var pages = rows.GroupBy(r => r.Url.Trim()).ToList();
        var tally = new Tally();
        var traps = new ConcurrentDictionary<string, int>();
        var sw = Stopwatch.StartNew();
        long generateTicks = 0, extractTicks = 0;

        Parallel.ForEach(pages, group =>
        {
            var t0 = Stopwatch.GetTimestamp();
            var generated = PageGenerator.Generate(Seed, group.Key, group.ToList());
            Interlocked.Add(ref generateTicks, Stopwatch.GetTimestamp() - t0);
            var truth = generated.Truth;
            var want = truth.Expected;
            foreach (var t in truth.Traps) traps.AddOrUpdate(t, 1, (_, n) => n + 1);
            var t1 = Stopwatch.GetTimestamp();
            var page = Extractor.Extract(generated.Bytes, "UTF-8", group.Key, group.Select(r => r.Raga).Distinct().ToList());
            Interlocked.Add(ref extractTicks, Stopwatch.GetTimestamp() - t1);
            var url = group.Key;

            tally.Count("post_title", page.PostTitle == want.PostTitle, url, () => $"{page.PostTitle} != {want.PostTitle}");
            tally.Count("title", page.Title == want.Title, url, () => $"{page.Title} != {want.Title}");
            if (want.Ragas is { } ragas)
                tally.Count("raga", page.Ragas.Select(r => (r.Name, r.SectionOrder)).SequenceEqual(ragas.Select(r => (r.Raga, (int?)r.Section))), url,
                    () => $"[{string.Join(", ", page.Ragas)}] != [{string.Join(", ", ragas.Select(r => $"{r.Raga}@{r.Section}"))}]");
            else
                tally.Count("raga", page.Ragas.Count == 1 && page.Ragas[0].Name == want.Raga, url, () => $"[{string.Join(", ", page.Ragas.Select(r => r.Name))}] != {want.Raga}");
            tally.Count("tala", page.Tala == want.Tala, url, () => $"{page.Tala ?? "null"} != {want.Tala ?? "null"}");
            tally.Count("composer", page.Composer == want.Composer, url, () => $"{page.Composer} != {want.Composer}");
            tally.Count("form", page.Form == want.Form, url, () => $"{page.Form} != {want.Form}");
            tally.Count("deity", page.Deity == want.Deity, url, () => $"{page.Deity ?? "null"} != {want.Deity ?? "null"}");
            tally.Count("kshetra", page.Kshetra == want.Kshetra, url, () => $"{page.Kshetra ?? "null"} != {want.Kshetra ?? "null"}");
            tally.Count("published", page.Published == want.Published, url, () => $"{page.Published} != {want.Published}");
            tally.Count("scripts", page.Lyrics.Select(l => (l.Language, l.Script)).SequenceEqual(want.Scripts.Select(s => (s.Language, s.Script))), url,
                () => $"{string.Join(",", page.Lyrics.Select(l => l.Script))} != {string.Join(",", want.Scripts.Select(s => s.Script))}");
            var sections = page.Sections.Select(s => (s.Type.Code(), s.Number)).ToList();
            var wantSections = want.Sections.Select(s => (s.Type, s.Number)).ToList();
            tally.Count("sections", sections.SequenceEqual(wantSections), url,
                () => $"{string.Join(" ", sections)} != {string.Join(" ", wantSections)}");
            tally.Count("madhyama_kala", page.Sections.Select(s => s.HasMadhyamaKala).SequenceEqual(want.Sections.Select(s => s.MadhyamaKala == true)), url,
                () => $"{string.Join("", page.Sections.Select(s => s.HasMadhyamaKala ? 'M' : '.'))} != {string.Join("", want.Sections.Select(s => s.MadhyamaKala == true ? 'M' : '.'))}");
            tally.Count("section_count_in_every_script", page.Lyrics.All(l => l.Sections.Count == want.Sections.Count), url,
                () => string.Join(",", page.Lyrics.Select(l => $"{l.Script}:{l.Sections.Count}")));
            foreach (var (script, texts) in want.Lyrics)
            {
                var got = page.Lyric(script);
                var i = got is null ? -1 : Enumerable.Range(0, texts.Count).FirstOrDefault(k => k >= got.Sections.Count || Norm(got.Sections[k]) != Norm(texts[k]), -1);
                tally.Count($"lyrics.{script}", got is not null && got.Sections.Count == texts.Count && i < 0, url,
                    () => got is null ? "missing" : i < 0 ? $"{got.Sections.Count} sections != {texts.Count}"
                        : $"section {i + 1}: «{(i < got.Sections.Count ? Norm(got.Sections[i]) : "-")}» != «{Norm(texts[i])}»");
            }
            tally.Count("no_section_count_warning", !page.HasWarning(Warnings.SectionCountMismatch), url, () => "section_count_mismatch");
            tally.Count("no_csv_raga_warning", !page.HasWarning(Warnings.CsvRagaDiffers), url, () => page.Warnings.First(w => w.Code == Warnings.CsvRagaDiffers).Message);
        });

        var report = new StringBuilder();
        report.AppendLine($"{pages.Count} look-alike pages for {rows.Count} manifest rows, checked in {sw.Elapsed.TotalSeconds:F1} s " +
                          $"(CPU: generating {generateTicks / (double)Stopwatch.Frequency:F1} s, extracting {extractTicks / (double)Stopwatch.Frequency:F1} s)");
        foreach (var field in tally.Total.Keys.Order(StringComparer.Ordinal))
            report.AppendLine($"  {field,-32} {tally.Accuracy(field),8:P2}  ({tally.Right.GetValueOrDefault(field)}/{tally.Total[field]})");
        report.AppendLine("traps exercised (pages): " + string.Join(", ", traps.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")));
        foreach (var (field, misses) in tally.Misses.OrderBy(m => m.Key, StringComparer.Ordinal))
            foreach (var m in misses) report.AppendLine($"  MISS {field}: {m}");
        output.WriteLine(report.ToString());
        // A passing run keeps its figures too (the runner shows test output only for failures), beside the test
        // assembly: not in the system temp folder, which a test run leaves as it found it.
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "grantha-lookalike-accuracy.txt"), report.ToString());

        // Every trap of the contract is on some page.
        foreach (var trap in new[]
                 {
                     "footnote_sup", "sandhi_parens", "refrain_cue", "tamil_digits_sub", "tamil_digits_inline", "latin_line_starts_with_long_vowel",
                     "tamil_line_starts_pa4", "tamil_prose_labelled", "tamil_prose_unlabelled", "several_charanams", "madhyama_kala", "missing_tala",
                     "ragamalika", "compact_markers_span", "compact_markers_plain", "mso_word_notes", "word_division", "svara_sahitya", "samashti_charanam",
                 })
            traps.GetValueOrDefault(trap).ShouldBeGreaterThan(0, $"no page exercises {trap}");
        foreach (var field in tally.Total.Keys)
            tally.Accuracy(field).ShouldBeGreaterThanOrEqualTo(Threshold, $"{field}: {tally.Accuracy(field):P2}\n{report}");
    }
}
