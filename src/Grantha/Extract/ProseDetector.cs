namespace Grantha.Extract;

/// <summary>
/// Tells a line of prose (a meaning, a gloss) from a line of lyric in an Indic script. Lyric lines
/// carry no sentence punctuation; the Tamil prose meaning under the Tamil lyric does
/// (<c>வேங்கடேசா! உன்னை சேவிக்க</c>, <c>1. மேலோன் நீயென நாற்றிசையும் புகழ,</c>, <c>சம்பு - சிவன்</c>).
/// </summary>
public static class ProseDetector
{
    public static bool IsProse(string line)
    {
        var t = line.Trim();
        if (t.Length == 0) return false;
        foreach (var c in t)
            if (c is '!' or '?' or ';' or ',' or '"' or '“' or '”' or '‘' or '’' or '\'') return true;
        if (t.Contains(" - ", StringComparison.Ordinal) || t.Contains(" – ", StringComparison.Ordinal)) return true;
        if (t.EndsWith('.') && !t.EndsWith("..", StringComparison.Ordinal)) return true;
        var i = 0;
        while (i < t.Length && char.IsAsciiDigit(t[i])) i++;
        return i > 0 && i < t.Length && t[i] is '.' or ')';
    }

    /// <summary>Whether a paragraph (lines without a blank between) reads as prose: any prose line decides.</summary>
    public static bool IsProse(IEnumerable<string> paragraph) => paragraph.Any(IsProse);
}
