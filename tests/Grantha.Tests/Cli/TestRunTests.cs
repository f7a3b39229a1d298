namespace Grantha.Tests.Cli;

/// <summary>A test run leaves nothing in the system temp folder (#10 item 21).</summary>
public class TestRunTests
{
    [Fact]
    public void What_tests_write_to_the_temp_folder_lands_in_the_runs_own_folder()
    {
        var temp = Path.GetTempPath();
        TestRun.TempRoot.ShouldNotBeNullOrEmpty();
        Path.GetFileName(TestRun.TempRoot).ShouldStartWith("grantha-test-run-");
        temp.TrimEnd('/').ShouldBe(TestRun.TempRoot.TrimEnd('/'));
        Directory.Exists(temp).ShouldBeTrue();
        // The folders tests create (e.g. Directory.CreateTempSubdirectory) are inside it too.
        var sub = Directory.CreateTempSubdirectory("grantha-check-");
        try { sub.FullName.ShouldStartWith(TestRun.TempRoot); }
        finally { sub.Delete(); }
    }
}
