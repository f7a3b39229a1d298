using System.Globalization;
using Grantha.Reference;
using nietras.SeparatedValues;

namespace Grantha.Resolve;

/// <summary>A labelled raga string: the catalog name it denotes (exactly as in ragas.csv), or one of the special labels.</summary>
public sealed record RagaLabel(string Input, string Expected, string? Note)
{
    /// <summary>The raga exists but the catalog does not list it: correct when not matched.</summary>
    public const string NotInCatalog = "NOT_IN_CATALOG";
    /// <summary>The cell says ragamalika: correct when the decision is ragamalika.</summary>
    public const string Ragamalika = "RAGAMALIKA";

    /// <summary>Reads a labels file with columns input,expected,note.</summary>
    public static IReadOnlyList<RagaLabel> Load(TextReader text)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).From(text);
        foreach (var c in new[] { "input", "expected" })
            if (!reader.Header.ColNames.Contains(c))
                throw new InvalidDataException($"Raga labels: missing column '{c}' (expected input,expected,note).");
        var hasNote = reader.Header.ColNames.Contains("note");
        var labels = new List<RagaLabel>();
        foreach (var row in reader)
        {
            var note = hasNote ? row["note"].ToString().Trim() : "";
            labels.Add(new RagaLabel(row["input"].ToString().Trim(), row["expected"].ToString().Trim(), note.Length == 0 ? null : note));
        }
        return labels;
    }
}

/// <param name="Predicted">The matched raga, else the top candidate (null when there is none or for ragamalika).</param>
public sealed record RagaEvaluationOutcome(RagaLabel Label, Resolution Resolution, string? Predicted, bool Correct);

/// <summary>Figures of one evaluation run.</summary>
public sealed record RagaEvaluationReport(IReadOnlyList<RagaEvaluationOutcome> Outcomes)
{
    public int Total => Outcomes.Count;
    public int Top1Correct => Outcomes.Count(o => o.Correct);
    public int Matched => Outcomes.Count(o => o.Resolution.Decision == Decision.Matched);
    public int MatchedCorrect => Outcomes.Count(o => o.Resolution.Decision == Decision.Matched && o.Correct);
    public int NeedsReview => Outcomes.Count(o => o.Resolution.Decision == Decision.NeedsReview);
    public int Unknown => Outcomes.Count(o => o.Resolution.Decision == Decision.Unknown);

    /// <summary>Share of labels whose match (or, when not matched, top candidate) is right; NOT_IN_CATALOG is right when not matched.</summary>
    public double Top1Accuracy => Total == 0 ? 0 : (double)Top1Correct / Total;
    /// <summary>Of the inputs decided "matched", the share matched to the right raga.</summary>
    public double AutoMatchPrecision => Matched == 0 ? 1 : (double)MatchedCorrect / Matched;
    public double ReviewShare => Total == 0 ? 0 : (double)NeedsReview / Total;

    public IEnumerable<RagaEvaluationOutcome> Misses => Outcomes.Where(o => !o.Correct);
    public IEnumerable<RagaEvaluationOutcome> WrongMatches => Outcomes.Where(o => !o.Correct && o.Resolution.Decision == Decision.Matched);

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Total} labels: top-1 accuracy {Top1Accuracy:P1} ({Top1Correct}/{Total}), auto-match precision {AutoMatchPrecision:P1} ({MatchedCorrect}/{Matched}), " +
        $"sent to review {ReviewShare:P1} ({NeedsReview}), unknown {Unknown}");
}

/// <summary>Measures a <see cref="RagaResolver"/> against labelled strings.</summary>
public static class RagaEvaluation
{
    public static RagaEvaluationReport Run(RagaResolver resolver, IEnumerable<RagaLabel> labels)
    {
        var outcomes = new List<RagaEvaluationOutcome>();
        foreach (var label in labels)
        {
            var r = resolver.Resolve(label.Input);
            var predicted = r.Decision == Decision.Ragamalika ? null : r.Match?.Id ?? r.Top?.Id;
            bool correct;
            switch (label.Expected)
            {
                case RagaLabel.NotInCatalog:
                    correct = r.Decision != Decision.Matched;
                    break;
                case RagaLabel.Ragamalika:
                    correct = r.Decision == Decision.Ragamalika;
                    break;
                default:
                    var expected = resolver.Catalog.FindByName(label.Expected)
                        ?? throw new InvalidDataException($"Raga label for '{label.Input}': '{label.Expected}' is not a raga name in {RagaCatalog.FileName}.");
                    correct = predicted is not null && resolver.Catalog.SameRaga(predicted, expected.Id);
                    break;
            }
            outcomes.Add(new RagaEvaluationOutcome(label, r, predicted, correct));
        }
        return new RagaEvaluationReport(outcomes);
    }
}
