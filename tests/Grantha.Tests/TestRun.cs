using System.Runtime.CompilerServices;

namespace Grantha.Tests;

/// <summary>
/// The test run's own temp folder: before any test runs, TMPDIR points into a fresh folder (so every
/// <c>Path.GetTempPath()</c> of the tests, of the code under test and of child processes lands there), removed when
/// the run ends. A run leaves the system temp folder as it found it; test.sh also removes its own TMPDIR at exit,
/// which covers a run that was killed.
/// </summary>
public static class TestRun
{
    public static string TempRoot { get; private set; } = "";

    [ModuleInitializer]
    internal static void Start()
    {
        TempRoot = Directory.CreateTempSubdirectory("grantha-test-run-").FullName;
        Environment.SetEnvironmentVariable("TMPDIR", TempRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(TempRoot, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
    }
}
