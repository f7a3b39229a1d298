using System.Diagnostics;

namespace Grantha.Bench;

/// <summary>Runs the built app (artifacts/app/grantha.dll, built by bench/run.sh) as a child process.</summary>
public static class BenchApp
{
    public static string Dll => Environment.GetEnvironmentVariable("GRANTHA_APP_DLL")
        ?? throw new InvalidOperationException("GRANTHA_APP_DLL is not set: run the benchmark through bench/run.sh");

    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        return p;
    }

    /// <summary>Peak resident memory (VmHWM) of a running process, in MB, or null once it has exited.</summary>
    public static double? PeakRssMb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:"))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException) { }
        return null;
    }
}
