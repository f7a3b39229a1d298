namespace Grantha.Resolve;

/// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
public static class EditDistance
{
    [ThreadStatic] static int[]? _buffer;

    /// <summary>The distance, or <paramref name="max"/> + 1 as soon as it is known to exceed <paramref name="max"/>.</summary>
    public static int Osa(string a, string b, int max = int.MaxValue - 1)
    {
        if (Math.Abs(a.Length - b.Length) > max) return max + 1;
        if (a.Length == 0) return Math.Min(b.Length, max + 1);
        if (b.Length == 0) return Math.Min(a.Length, max + 1);
        var width = b.Length + 1;
        // Three rolling rows in one reused buffer: the transposition looks two rows back.
        var rows = _buffer is { } buf && buf.Length >= 3 * width ? buf : _buffer = new int[Math.Max(3 * width, 96)];
        int prev2 = 0, prev = width, cur = 2 * width;
        for (var j = 0; j < width; j++) rows[prev + j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            rows[cur] = i;
            var rowMin = i;
            var ai = a[i - 1];
            for (var j = 1; j < width; j++)
            {
                var bj = b[j - 1];
                var v = rows[prev + j - 1] + (ai == bj ? 0 : 1);
                var del = rows[prev + j] + 1;
                if (del < v) v = del;
                var ins = rows[cur + j - 1] + 1;
                if (ins < v) v = ins;
                if (i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == bj)
                {
                    var tr = rows[prev2 + j - 2] + 1;
                    if (tr < v) v = tr;
                }
                rows[cur + j] = v;
                if (v < rowMin) rowMin = v;
            }
            if (rowMin > max) return max + 1;
            (prev2, prev, cur) = (prev, cur, prev2);
        }
        return Math.Min(rows[prev + b.Length], max + 1);
    }
}
