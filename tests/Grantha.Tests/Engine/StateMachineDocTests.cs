using System.Text.RegularExpressions;
using Grantha.Engine;

namespace Grantha.Tests.Engine;

/// <summary>docs/state-machines.md must draw exactly the edges the code enforces.</summary>
public partial class StateMachineDocTests
{
    [GeneratedRegex(@"^\s*([A-Za-z_]+) --> ([A-Za-z_]+)", RegexOptions.Multiline)]
    private static partial Regex Edge();

    [Theory]
    [InlineData("Batch", "batch")]
    [InlineData("Job", "job")]
    [InlineData("Task", "task")]
    [InlineData("Staged import", "review")]
    public void The_diagram_matches_the_code(string heading, string entity)
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "state-machines.md"));
        var section = doc.Split("\n## ").Single(s => s.StartsWith(heading, StringComparison.Ordinal));
        var drawn = Edge().Matches(section).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToHashSet();
        var machine = entity switch
        {
            "batch" => StateMachine.Batch, "job" => StateMachine.Job, "review" => Grantha.Review.ReviewStates.Machine, _ => StateMachine.Task,
        };
        drawn.ShouldBe(machine.Edges.ToHashSet(), ignoreOrder: true);
    }

    static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Grantha.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root (Grantha.slnx) not found");
    }
}
