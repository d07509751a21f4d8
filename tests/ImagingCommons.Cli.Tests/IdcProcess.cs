using System.Diagnostics;

namespace ImagingCommons.Cli.Tests;

/// <summary><c>dotnet idc.dll …</c> as a separate process (idc.dll is copied next to the tests), for tests that kill it.</summary>
internal static class IdcProcess
{
    /// <summary>Starts the verb with its output drained (so a full pipe never blocks it).</summary>
    public static Process Start(params string[] arguments)
    {
        var idc = Path.Combine(AppContext.BaseDirectory, "idc.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(idc);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
