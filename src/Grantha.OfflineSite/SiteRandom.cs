using System.Text;

namespace Grantha.OfflineSite;

/// <summary>
/// A small deterministic random source (SplitMix64) seeded from a seed and a string key, so a
/// page, its ground truth and its faults depend only on (seed, url) and never on process state
/// (string.GetHashCode is randomised per process, so it is not used).
/// </summary>
public sealed class SiteRandom
{
    ulong _state;

    public SiteRandom(long seed, string key) => _state = Hash(seed, key);

    /// <summary>A stable 64-bit hash (FNV-1a over UTF-8, mixed with the seed).</summary>
    public static ulong Hash(long seed, string key)
    {
        var h = 14695981039346656037UL ^ (ulong)seed * 0x9E3779B97F4A7C15UL;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public int Next(int min, int max) => max <= min ? min : min + (int)(NextUInt64() % (ulong)(max - min));

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];
}
