using System.Diagnostics;
using DuckDB.NET.Data;

namespace ImagingCommons.Testing.Dicom;

/// <summary>
/// A folder of DICOM files to ingest: the real samples, and files made with dump2dcm from the hand-written dumps
/// (a three-segment SEG, a TID 1500 measurement report, a slide microscopy image).
/// </summary>
public static class IngestFolder
{
    public static readonly IReadOnlyList<string> MadeFromDumps = ["seg3", "sr1500", "slide"];

    /// <summary>A new folder with the ten samples (and their README and licence, which are not DICOM) and the made files.</summary>
    public static string Create(bool withMadeFiles = true)
    {
        var folder = TempFolder.Create("ic-ingest-in");
        foreach (var file in Directory.EnumerateFiles(DicomSamples.Folder))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        if (withMadeFiles)
        {
            Dcmtk.Require();
            var made = Directory.CreateDirectory(Path.Combine(folder, "made", "no-extension")).FullName;
            foreach (var name in MadeFromDumps)
            {
                // No extension: an ingest reads every file, whatever its name.
                Dcmtk.Dump2Dcm(File.ReadAllBytes(Path.Combine(DicomSamples.Folder, "Dumps", name + ".dump")), Path.Combine(made, name));
                File.Delete(Path.Combine(made, name + ".dump"));
            }
        }

        return folder;
    }

    /// <summary>MD5 of a file as coreutils' md5sum prints it (an independent tool, not the code under test).</summary>
    public static string Md5Sum(string path)
    {
        var start = new ProcessStartInfo("md5sum") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Split(' ')[0];
    }

    /// <summary>Every row of a Parquet file, read with DuckDB, as column → value (NULL as null).</summary>
    public static List<Dictionary<string, object?>> ReadParquet(string path, string? orderBy = null)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{path.Replace("'", "''", StringComparison.Ordinal)}')" + (orderBy is null ? "" : " ORDER BY " + orderBy);
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
