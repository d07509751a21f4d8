using System.Diagnostics;

namespace ImagingCommons.Testing.Dicom;

/// <summary>DCMTK's command-line tools, the independent reference the reader is checked against.</summary>
public static class Dcmtk
{
    private static readonly Lazy<string?> Folder = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .FirstOrDefault(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "dcmdump"))));

    /// <summary>DCMTK's standard data dictionary alone, without its private dictionary (the reader knows no private tags).</summary>
    private static readonly Lazy<string?> StandardDictionary = new(() =>
        Directory.Exists("/usr/share") ? Directory.EnumerateDirectories("/usr/share", "libdcmtk*").Select(d => Path.Combine(d, "dicom.dic")).FirstOrDefault(File.Exists) : null);

    public static bool Installed => Folder.Value is not null;

    /// <summary>Skips the calling test when DCMTK is absent (.ci/install.sh installs it: apt-get install dcmtk).</summary>
    public static void Require()
    {
        if (!Installed)
        {
            Assert.Skip("DCMTK is not installed (apt-get install dcmtk; .ci/install.sh does it)");
        }
    }

    /// <summary>Runs a DCMTK tool and returns its standard output as bytes (text values may be in any character set).</summary>
    public static byte[] Run(string tool, params string[] arguments)
    {
        Require();
        var start = new ProcessStartInfo(Path.Combine(Folder.Value!, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (StandardDictionary.Value is { } dictionary)
        {
            start.Environment["DCMDICTPATH"] = dictionary;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
        }

        return output.ToArray();
    }

    /// <summary>dump2dcm of a dump given as bytes (so that values may be in any character set).</summary>
    public static string Dump2Dcm(byte[] dump, string output, params string[] options)
    {
        var dumpPath = output + ".dump";
        File.WriteAllBytes(dumpPath, dump);
        Run("dump2dcm", [.. options, dumpPath, output]);
        return output;
    }
}
