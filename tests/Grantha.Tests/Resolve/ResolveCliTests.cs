using System.Text.Json;
using Grantha.Cli;
using Grantha.Resolve;

namespace Grantha.Tests.Resolve;

/// <summary>The JSON the resolve command prints, one name and --stdin.</summary>
public class ResolveCliTests
{
    static readonly Lazy<ResolverSet> Set = new(ResolverSet.CreateDefault);

    [Fact]
    public void One_name_prints_input_kind_decision_match_and_candidates()
    {
        Shared.Require();
        var json = JsonDocument.Parse(ResolveCommands.Json(Set.Value, "raga", "kEdAra gauLa")).RootElement;
        json.EnumerateObject().Select(p => p.Name).ShouldBe(["input", "kind", "decision", "match", "candidates"]);
        json.GetProperty("input").GetString().ShouldBe("kEdAra gauLa");
        json.GetProperty("kind").GetString().ShouldBe("raga");
        json.GetProperty("decision").GetString().ShouldBe("matched");
        json.GetProperty("match").GetProperty("id").GetString().ShouldBe("kedaragowla");
        var top = json.GetProperty("candidates")[0];
        top.EnumerateObject().Select(p => p.Name).ShouldBe(["id", "name", "score", "reason"]);
        top.GetProperty("reason").GetString().ShouldBe("exact key");

        var review = JsonDocument.Parse(ResolveCommands.Json(Set.Value, "raga", "kalAvati")).RootElement;
        review.GetProperty("decision").GetString().ShouldBe("needs_review");
        review.GetProperty("match").ValueKind.ShouldBe(JsonValueKind.Null);
        review.GetProperty("candidates").GetArrayLength().ShouldBeInRange(2, 5);

        var tala = JsonDocument.Parse(ResolveCommands.Json(Set.Value, "tala", "miSra cApu")).RootElement;
        tala.GetProperty("match").GetProperty("id").GetString().ShouldBe("chapu-misra");
        JsonDocument.Parse(ResolveCommands.Json(Set.Value, "composer", "Thyagaraja")).RootElement.GetProperty("match").GetProperty("id").GetString().ShouldBe("tyagaraja");
    }

    [Fact]
    public void Ragamalika_and_composite_cells_are_no_single_raga()
    {
        Shared.Require();
        var rm = JsonDocument.Parse(ResolveCommands.Json(Set.Value, "raga", "rAga mAlikA")).RootElement;
        rm.GetProperty("decision").GetString().ShouldBe("unknown");
        rm.GetProperty("ragamalika").GetBoolean().ShouldBeTrue();
        var composite = JsonDocument.Parse(ResolveCommands.Json(Set.Value, "raga", "bhUpALaM - bhauLi")).RootElement;
        composite.GetProperty("decision").GetString().ShouldNotBe("matched");
        composite.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("match").GetProperty("id").GetString()).ShouldBe(["bhoopalam", "bowli"]);
    }

    [Fact]
    public async Task Stdin_gives_one_json_object_per_line_in_order()
    {
        Shared.Require();
        var output = new StringWriter();
        var n = await ResolveCommands.ResolveLinesAsync(Set.Value, "raga", new StringReader("tODi\n\nSrI rAgaM\nkannaDa\n"), output, TestContext.Current.CancellationToken);
        n.ShouldBe(4);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Count.ShouldBe(4);
        lines[0].GetProperty("match").GetProperty("id").GetString().ShouldBe("hanumatodi");
        lines[1].GetProperty("decision").GetString().ShouldBe("unknown");
        lines[2].GetProperty("match").GetProperty("name").GetString().ShouldBe("Sri");
        lines[3].GetProperty("match").GetProperty("name").GetString().ShouldBe("Kannada");
    }
}
