using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Grantha.Reference;
using Grantha.Resolve;
using nietras.SeparatedValues;

namespace Grantha.Tests.Resolve;

public class RagaEvaluationTests
{
    const double Top1Target = 0.97;
    const double PrecisionTarget = 0.995;
    const int MinimumLabels = 150;

    static string LabelsPath([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "raga-labels.csv");

    static IReadOnlyList<RagaLabel> Labels()
    {
        using var reader = new StreamReader(LabelsPath());
        return RagaLabel.Load(reader);
    }

    static void Print(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    static IEnumerable<string> TrinityRagaCells()
    {
        foreach (var path in SharedFiles.TrinityManifests)
        {
            using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromFile(path);
            foreach (var row in reader) yield return row["Raga"].ToString();
        }
    }

    [Fact]
    public void The_labelled_set_is_large_distinct_and_taken_from_the_manifests()
    {
        Shared.Require();
        var labels = Labels();
        labels.Count.ShouldBeGreaterThanOrEqualTo(MinimumLabels);
        labels.Select(l => l.Input).ShouldBeUnique();
        var cells = Directory.GetFiles(SharedFiles.ManifestsDir, "*.csv").SelectMany(p =>
        {
            using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromFile(p);
            return reader.Enumerate(row => row["Raga"].ToString()).ToList();
        }).ToHashSet(StringComparer.Ordinal);
        labels.Where(l => !cells.Contains(l.Input)).ShouldBeEmpty();
        labels.Count(l => l.Expected == RagaLabel.NotInCatalog).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Meets_the_targets_on_the_labelled_set()
    {
        Shared.Require();
        var report = RagaEvaluation.Run(RagaResolver.CreateDefault(), Labels());
        Print(report.Summary());
        foreach (var miss in report.Misses)
            Print($"  miss: '{miss.Label.Input}' expected {miss.Label.Expected}, got {miss.Resolution.Decision.ToWire()} {miss.Predicted}");
        foreach (var review in report.Outcomes.Where(o => o.Resolution.Decision == Decision.NeedsReview))
            Print($"  review: '{review.Label.Input}' -> {string.Join(" | ", review.Resolution.Candidates.Take(3).Select(c => $"{c.Name} {c.Score.ToString(CultureInfo.InvariantCulture)}"))}");

        report.WrongMatches.ShouldBeEmpty();
        report.Top1Accuracy.ShouldBeGreaterThanOrEqualTo(Top1Target);
        report.AutoMatchPrecision.ShouldBeGreaterThanOrEqualTo(PrecisionTarget);
        report.ReviewShare.ShouldBeLessThan(0.1);
    }

    [Fact]
    public void Counts_precision_accuracy_and_review_share()
    {
        var catalog = new RagaCatalog([
            new RagaRow("Kalāvati", null, "A", "S R1", "S"), new RagaRow("Kalāvathi", null, "B", "S R2", "S"),
            new RagaRow("Kanadā", null, "A", "S", "S"), new RagaRow("Kannada", null, "B", "S", "S"),
        ]);
        var report = RagaEvaluation.Run(new RagaResolver(catalog),
        [
            new RagaLabel("kAnaDa", "Kanadā", null),            // matched, right
            new RagaLabel("kannaDa", "Kanadā", null),           // matched, wrong
            new RagaLabel("kalAvati", "Kalāvati", null),        // review, top candidate right
            new RagaLabel("sumadyuti", RagaLabel.NotInCatalog, null), // not matched: right
            new RagaLabel("rAga mAlikA", RagaLabel.Ragamalika, null),
        ]);
        report.Total.ShouldBe(5);
        report.Matched.ShouldBe(2);
        report.MatchedCorrect.ShouldBe(1);
        report.AutoMatchPrecision.ShouldBe(0.5);
        report.Top1Correct.ShouldBe(4);
        report.NeedsReview.ShouldBe(1);
        report.ReviewShare.ShouldBe(0.2);
        report.WrongMatches.Single().Label.Input.ShouldBe("kannaDa");
        Should.Throw<InvalidDataException>(() => RagaEvaluation.Run(new RagaResolver(catalog), [new RagaLabel("x", "Nope", null)]))
            .Message.ShouldContain("'Nope' is not a raga name");
    }

    [Fact]
    public void Resolves_the_1240_trinity_raga_cells_well_under_a_second()
    {
        Shared.Require();
        var cells = TrinityRagaCells().ToList();
        cells.Count.ShouldBe(1240);
        var resolver = RagaResolver.CreateDefault();
        resolver.ResolveCell("kalyANi");
        var clock = Stopwatch.StartNew();
        var resolutions = cells.SelectMany(resolver.ResolveCell).ToList();
        clock.Stop();
        var matched = resolutions.Count(r => r.Decision == Decision.Matched);
        Print($"resolved {cells.Count} cells ({resolutions.Count} ragas, {matched} matched) in {clock.ElapsedMilliseconds} ms");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }
}
