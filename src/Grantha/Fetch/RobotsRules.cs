using System.Globalization;
using System.Text;

namespace Grantha.Fetch;

/// <summary>
/// A robots.txt (RFC 9309) as it applies to one crawler: the groups naming our product token,
/// else the <c>*</c> groups, merged; Allow/Disallow with the longest match winning and Allow
/// winning a tie; <c>*</c> and a final <c>$</c> in patterns; Crawl-delay (not in the RFC, widely
/// used). No maintained .NET parser exists among the allowed packages, hence this small one.
/// </summary>
public sealed class RobotsRules
{
    readonly record struct Rule(bool Allow, string Pattern);

    readonly List<Rule> _rules;

    public TimeSpan? CrawlDelay { get; }

    RobotsRules(List<Rule> rules, TimeSpan? crawlDelay) { _rules = rules; CrawlDelay = crawlDelay; }

    public static readonly RobotsRules AllowAll = new([], null);
    /// <summary>What an unreachable robots.txt means (RFC 9309 2.3.1.4).</summary>
    public static readonly RobotsRules DisallowAll = new([new Rule(false, "/")], null);

    sealed class Group
    {
        public List<string> Agents { get; } = [];
        public List<Rule> Rules { get; } = [];
        public TimeSpan? CrawlDelay { get; set; }
    }

    public static RobotsRules Parse(string text, string agentToken)
    {
        var groups = new List<Group>();
        Group? current = null;
        var lastWasAgent = false;
        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = rawLine;
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var key = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "user-agent":
                    // Consecutive user-agent lines share one group; one after rules starts the next.
                    if (current is null || !lastWasAgent) groups.Add(current = new Group());
                    current.Agents.Add(value);
                    lastWasAgent = true;
                    break;
                case "allow" or "disallow":
                    lastWasAgent = false;
                    // Rules before any user-agent line belong to no group; an empty path means nothing.
                    if (current is null || value.Length == 0) break;
                    current.Rules.Add(new Rule(key == "allow", NormalizePattern(value)));
                    break;
                case "crawl-delay":
                    lastWasAgent = false;
                    if (current is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                        current.CrawlDelay = TimeSpan.FromSeconds(Math.Min(seconds, 86_400));
                    break;
            }
        }

        var mine = groups.Where(g => g.Agents.Any(a => string.Equals(ProductToken(a), agentToken, StringComparison.OrdinalIgnoreCase))).ToList();
        if (mine.Count == 0) mine = groups.Where(g => g.Agents.Contains("*")).ToList();
        if (mine.Count == 0) return AllowAll;
        return new RobotsRules(mine.SelectMany(g => g.Rules).ToList(), mine.Select(g => g.CrawlDelay).FirstOrDefault(d => d is not null));
    }

    /// <summary>The product token of a user-agent line: "SangitaGrantha/1.0" names SangitaGrantha.</summary>
    static string ProductToken(string agent)
    {
        var end = 0;
        while (end < agent.Length && (char.IsAsciiLetter(agent[end]) || agent[end] is '-' or '_')) end++;
        return agent[..end];
    }

    /// <summary>May a URL with this path (and query) be fetched?</summary>
    public bool IsAllowed(string pathAndQuery)
    {
        if (pathAndQuery.Length == 0) pathAndQuery = "/";
        if (pathAndQuery == "/robots.txt") return true;
        var path = Normalize(pathAndQuery);
        Rule? best = null;
        foreach (var rule in _rules)
        {
            if (!Matches(rule.Pattern, path)) continue;
            if (best is null || rule.Pattern.Length > best.Value.Pattern.Length
                || (rule.Pattern.Length == best.Value.Pattern.Length && rule.Allow))
                best = rule;
        }
        return best?.Allow ?? true;
    }

    static string NormalizePattern(string value)
    {
        var p = Normalize(value);
        return p.StartsWith('/') || p.StartsWith('*') ? p : "/" + p;
    }

    /// <summary>
    /// One spelling for comparison: non-ASCII and control characters percent-encoded as UTF-8,
    /// escapes in upper-case hex.
    /// </summary>
    static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var ch = s[i];
            if (ch == '%' && i + 2 < s.Length && char.IsAsciiHexDigit(s[i + 1]) && char.IsAsciiHexDigit(s[i + 2]))
            {
                sb.Append('%').Append(char.ToUpperInvariant(s[i + 1])).Append(char.ToUpperInvariant(s[i + 2]));
                i += 2;
            }
            else if (ch > 0x20 && ch < 0x7F) sb.Append(ch);
            else
            {
                var len = char.IsSurrogatePair(s, i) ? 2 : 1;
                foreach (var b in Encoding.UTF8.GetBytes(s.Substring(i, len))) sb.Append('%').Append(b.ToString("X2"));
                i += len - 1;
            }
        }
        return sb.ToString();
    }

    /// <summary>Glob match from the start of the path: <c>*</c> is any run, a final <c>$</c> anchors the end.</summary>
    static bool Matches(string pattern, string path)
    {
        var anchored = pattern.EndsWith('$');
        if (anchored) pattern = pattern[..^1];
        int p = 0, s = 0, star = -1, mark = 0;
        while (s < path.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = s; }
            else if (p < pattern.Length && pattern[p] == path[s]) { p++; s++; }
            else if (p == pattern.Length && !anchored) return true; // a prefix match is enough
            else if (star >= 0) { p = star + 1; s = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
