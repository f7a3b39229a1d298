namespace Grantha.Extract;

/// <summary>
/// From the regions cut by <see cref="PostLayout"/> to the final section sequence and the lyric of
/// every script aligned with it. Every script of a page has the same section sequence, so the
/// sequence most scripts agree on is canonical; a script that differs is repaired where the
/// difference is explainable (trailing repeats, a plain <c>A</c> read as a marker) and otherwise
/// aligned by section and reported (<c>section_count_mismatch</c>). Prose glued under a lyric (the
/// Tamil meaning) is cut by paragraph, by line, and by the line counts of the other scripts.
/// </summary>
public sealed class LyricAssembly
{
    public IReadOnlyList<Section> Sections { get; private init; } = [];
    public IReadOnlyList<LyricVariant> Lyrics { get; private init; } = [];
    /// <summary>Ragamalika raga lines, with the 1-based order of their section.</summary>
    public IReadOnlyList<ExtractedRaga> SectionRagas { get; private init; } = [];

    sealed class CleanSection
    {
        public required RawSection Raw;
        public List<string> Lines = new();
        public bool MadhyamaKala;
        public List<string> Ragas = new();
        public (SectionType Type, int? Number) Key => Raw.Key;
    }

    sealed class CleanRegion
    {
        public required Script Script;
        public List<CleanSection> Sections = new();
        public string TypeSequence => string.Join(',', Sections.Select(s => (int)s.Key.Type));
    }

    public static LyricAssembly Build(IReadOnlyList<ScriptRegion> regions, bool ragamalika, ICollection<ExtractWarning> warnings)
    {
        var clean = new List<CleanRegion>();
        var trimmedScripts = new List<string>();
        foreach (var region in regions)
        {
            if (region.Sections.Count == 0) continue;
            var script = ContentScript(region);
            if (clean.Any(c => c.Script == script)) continue; // a second copy of a script is not a new lyric
            var cr = new CleanRegion { Script = script };
            for (var i = 0; i < region.Sections.Count; i++)
            {
                var cs = Clean(region.Sections[i], script, ragamalika, isLast: i == region.Sections.Count - 1, out var trimmed);
                if (trimmed && !trimmedScripts.Contains(script.Name())) trimmedScripts.Add(script.Name());
                cr.Sections.Add(cs);
            }
            clean.Add(cr);
        }
        if (clean.Count == 0) return new LyricAssembly();

        var canonical = Canonical(clean);
        var aligned = new List<(CleanRegion Region, CleanSection?[] Sections)>();
        var mismatched = new List<string>();
        var repaired = new List<string>();
        foreach (var region in clean)
        {
            var (sections, outcome) = Align(region, canonical);
            if (outcome == AlignOutcome.Repaired) repaired.Add(region.Script.Name());
            if (outcome == AlignOutcome.Mismatch) mismatched.Add(region.Script.Name());
            aligned.Add((region, sections));
        }
        if (mismatched.Count > 0)
            warnings.Add(Warnings.Make(Warnings.SectionCountMismatch,
                $"section sequence of {string.Join(", ", mismatched)} differs from the {canonical.Script.Name()} sequence ({canonical.Sections.Count} sections); aligned by section"));
        if (repaired.Count > 0)
            warnings.Add(Warnings.Make(Warnings.SectionsRepaired,
                $"section sequence of {string.Join(", ", repaired)} repaired to match the {canonical.Sections.Count} sections of the other scripts"));

        TrimByLineCounts(aligned, canonical.Sections.Count, trimmedScripts, warnings);
        if (trimmedScripts.Count > 0)
            warnings.Add(Warnings.Make(Warnings.ProseTrimmed,
                $"prose (a meaning) removed from the end of the {string.Join(", ", trimmedScripts)} lyric"));

        var sectionList = canonical.Sections.Select((s, i) => new Section(i + 1, s.Key.Type, s.Key.Number,
            aligned.Any(a => a.Sections[i]?.MadhyamaKala == true))).ToList();
        var lyrics = aligned.Select(a => new LyricVariant(a.Region.Script.Language(), a.Region.Script.Name(),
            a.Sections.Select(s => s is null ? "" : string.Join('\n', s.Lines)).ToList())).ToList();

        var ragaSource = aligned.FirstOrDefault(a => a.Region.Script == Script.Latin);
        var ragas = new List<ExtractedRaga>();
        if (ragaSource.Sections is not null)
            for (var i = 0; i < ragaSource.Sections.Length; i++)
                foreach (var r in ragaSource.Sections[i]?.Ragas ?? [])
                    ragas.Add(new ExtractedRaga(r, i + 1));
        return new LyricAssembly { Sections = sectionList, Lyrics = lyrics, SectionRagas = ragas };
    }

    /// <summary>The script the lyric is actually written in (a heading may be wrong).</summary>
    static Script ContentScript(ScriptRegion region)
    {
        var sample = string.Join(' ', region.Sections.SelectMany(s => s.Lines).Take(40));
        var dominant = Scripts.Dominant(sample);
        return dominant == Script.Unknown ? region.Script : dominant;
    }

    static CleanSection Clean(RawSection raw, Script script, bool ragamalika, bool isLast, out bool trimmed)
    {
        var cs = new CleanSection { Raw = raw };
        var paragraphs = new List<List<string>> { new() };
        foreach (var line in raw.Lines)
        {
            if (line.Length == 0)
            {
                if (paragraphs[^1].Count > 0) paragraphs.Add(new List<string>());
                continue;
            }
            if (SectionMarkers.ReadRagaLine(line, ragamalika) is { } raga)
            {
                cs.Ragas.Add(raga);
                continue;
            }
            if (SectionMarkers.IsMadhyamaKala(line)) cs.MadhyamaKala = true;
            paragraphs[^1].Add(LyricText.ForScript(line, script));
        }
        if (paragraphs[^1].Count == 0 && paragraphs.Count > 1) paragraphs.RemoveAt(paragraphs.Count - 1);

        trimmed = false;
        if (script.IsIndic())
        {
            // A later paragraph that reads as prose is a meaning, not lyric.
            for (var p = 1; p < paragraphs.Count; p++)
            {
                if (!ProseDetector.IsProse(paragraphs[p])) continue;
                paragraphs.RemoveRange(p, paragraphs.Count - p);
                trimmed = true;
                break;
            }
            // An unlabelled meaning glued under the last section, without a blank line.
            if (isLast)
            {
                var first = paragraphs[0];
                for (var l = 1; l < first.Count; l++)
                {
                    if (!ProseDetector.IsProse(first[l])) continue;
                    first.RemoveRange(l, first.Count - l);
                    paragraphs.RemoveRange(1, paragraphs.Count - 1);
                    trimmed = true;
                    break;
                }
            }
        }
        cs.Lines = paragraphs.SelectMany(p => p).ToList();
        return cs;
    }

    /// <summary>The region whose type sequence most regions share; ties go to Latin, then to the longer.</summary>
    static CleanRegion Canonical(List<CleanRegion> regions) =>
        regions.GroupBy(r => r.TypeSequence)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Any(r => r.Script == Script.Latin))
            .ThenByDescending(g => g.First().Sections.Count)
            .First()
            .OrderByDescending(r => r.Script == Script.Latin)
            .First();

    enum AlignOutcome { Same, Repaired, Mismatch }

    static (CleanSection?[] Sections, AlignOutcome Outcome) Align(CleanRegion region, CleanRegion canonical)
    {
        var want = canonical.Sections;
        var have = region.Sections;
        if (region.TypeSequence == canonical.TypeSequence) return (have.ToArray(), AlignOutcome.Same);

        // Extra sections after the full sequence: a repeat the layout did not catch.
        if (have.Count > want.Count && have.Take(want.Count).Select(s => s.Key.Type).SequenceEqual(want.Select(s => s.Key.Type)))
            return (have.Take(want.Count).ToArray(), AlignOutcome.Repaired);

        // A plain compact marker that was lyric (A = long a): fold it back into the section before it.
        if (have.Count > want.Count && MergePlainMarkers(have, want) is { } merged)
            return (merged, AlignOutcome.Repaired);

        // Otherwise match by type (and number where both have one), in order.
        var result = new CleanSection?[want.Count];
        var j = 0;
        for (var i = 0; i < want.Count && j < have.Count; i++)
        {
            var k = j;
            while (k < have.Count && !SameSection(have[k].Key, want[i].Key)) k++;
            if (k == have.Count) continue;
            result[i] = have[k];
            j = k + 1;
        }
        return (result, AlignOutcome.Mismatch);
    }

    static bool SameSection((SectionType Type, int? Number) a, (SectionType Type, int? Number) b) =>
        a.Type == b.Type && (a.Number is null || b.Number is null || a.Number == b.Number);

    static CleanSection?[]? MergePlainMarkers(List<CleanSection> have, List<CleanSection> want)
    {
        var result = new List<CleanSection>();
        foreach (var s in have)
        {
            var expected = result.Count < want.Count ? want[result.Count].Key.Type : (SectionType?)null;
            if (s.Raw.Marker.Form == MarkerForm.CompactPlain && result.Count > 0 && s.Key.Type != expected)
            {
                var prev = result[^1];
                var lines = s.Lines.ToList();
                if (lines.Count > 0) lines[0] = s.Raw.Marker.Token + " " + lines[0];
                else lines.Add(s.Raw.Marker.Token);
                prev.Lines.AddRange(lines);
                continue;
            }
            result.Add(s);
        }
        return result.Count == want.Count && result.Select(s => s.Key.Type).SequenceEqual(want.Select(w => w.Key.Type))
            ? result.ToArray()
            : null;
    }

    /// <summary>
    /// Each section has as many lines in every script. When an Indic script has more lines than
    /// most scripts and the extra tail reads as prose, the tail is a glued meaning: cut it.
    /// Remaining differences are reported (<c>line_count_mismatch</c>).
    /// </summary>
    static void TrimByLineCounts(List<(CleanRegion Region, CleanSection?[] Sections)> aligned, int count,
        List<string> trimmedScripts, ICollection<ExtractWarning> warnings)
    {
        if (aligned.Count < 3) return;
        var differing = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var counts = aligned.Select(a => a.Sections[i]?.Lines.Count ?? -1).Where(c => c > 0).ToList();
            if (counts.Count < 3) continue;
            var reference = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
            foreach (var (region, sections) in aligned)
            {
                var s = sections[i];
                if (s is null || s.Lines.Count == 0 || s.Lines.Count == reference) continue;
                if (region.Script.IsIndic() && s.Lines.Count > reference && s.Lines.Skip(reference).Any(ProseDetector.IsProse))
                {
                    s.Lines.RemoveRange(reference, s.Lines.Count - reference);
                    if (!trimmedScripts.Contains(region.Script.Name())) trimmedScripts.Add(region.Script.Name());
                    continue;
                }
                if (!differing.Contains(i + 1)) differing.Add(i + 1);
            }
        }
        if (differing.Count > 0)
            warnings.Add(Warnings.Make(Warnings.LineCountMismatch,
                $"sections {string.Join(", ", differing)} have a different number of lines in some scripts"));
    }
}
