using System.Text.RegularExpressions;

namespace Grantha.Tests.Engine;

/// <summary>
/// docs/operations.md and the alerting rules (ops/prometheus/grantha-rules.yml) agree: every alert has its runbook
/// section, and every series a rule reads is documented. (The rules' behaviour is tested by promtool in ./test.sh.)
/// </summary>
public partial class OperationsDocTests
{
    [GeneratedRegex(@"^\s*- alert: (\w+)", RegexOptions.Multiline)]
    private static partial Regex Alert();
    [GeneratedRegex(@"runbook: docs/operations\.md#(\w+)")]
    private static partial Regex Runbook();
    [GeneratedRegex(@"(?<!:)\bgrantha_[a-z_]+")]
    private static partial Regex Series();

    [Fact]
    public void Every_alert_has_a_runbook_and_every_series_it_reads_is_documented()
    {
        var root = RepoRoot();
        var rules = File.ReadAllText(Path.Combine(root, "ops", "prometheus", "grantha-rules.yml"));
        var doc = File.ReadAllText(Path.Combine(root, "docs", "operations.md"));

        var alerts = Alert().Matches(rules).Select(m => m.Groups[1].Value).ToList();
        alerts.Count.ShouldBeGreaterThan(5);
        foreach (var alert in alerts) doc.ShouldContain($"### {alert}\n", customMessage: $"{alert} has no runbook section");
        Runbook().Matches(rules).Select(m => m.Groups[1].Value).ShouldBe(alerts.Select(a => a.ToLowerInvariant()), "each alert links its own section");

        var series = Series().Matches(rules).Select(m => Regex.Replace(m.Value, "_(bucket|sum|count)$", "")).Distinct().ToList();
        series.ShouldNotBeEmpty();
        foreach (var s in series) doc.ShouldContain($"`{s}`", customMessage: $"{s} is read by a rule but not documented");
    }

    static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Grantha.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root (Grantha.slnx) not found");
    }
}
