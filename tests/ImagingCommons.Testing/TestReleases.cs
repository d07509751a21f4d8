using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using ImagingCommons.Testing;

namespace ImagingCommons.Testing;

/// <summary>A row of a metadata table: column name → value; columns left out are NULL.</summary>
public sealed class TableRow : Dictionary<string, object?>
{
    public TableRow()
        : base(StringComparer.Ordinal)
    {
    }
}

/// <summary>A temporary data directory, deleted on dispose.</summary>
public sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Data = new DataDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "imagingcommons-tests-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(Data.Path);
    }

    public DataDirectory Data { get; }

    public string Path => Data.Path;

    public void Dispose()
    {
        if (Directory.Exists(Data.Path))
        {
            Directory.Delete(Data.Path, recursive: true);
        }
    }
}

/// <summary>Writes small releases the way an importer does: DuckDB tables with the IdcSchema types, COPY to Parquet, commit.</summary>
public static class TestReleases
{
    public static void Write(
        DataDirectory data, string version, string dateActive, IReadOnlyList<TableRow> collections, IReadOnlyList<TableRow>? analysisResults)
    {
        using var writer = ReleaseWriter.Begin(data, version, dateActive);
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [IdcSchema.CollectionsName] = HandMadeRelease.WriteTable(connection, IdcSchema.Collections, collections, writer.TablePath(IdcSchema.CollectionsName)),
        };
        if (analysisResults is not null)
        {
            counts[IdcSchema.AnalysisResultsName] = HandMadeRelease.WriteTable(
                connection, IdcSchema.AnalysisResults, analysisResults, writer.TablePath(IdcSchema.AnalysisResultsName));
        }

        writer.Commit("test", counts);
    }
}
