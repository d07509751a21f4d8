using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Tests.Server;

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
            [IdcSchema.CollectionsName] = WriteTable(connection, IdcSchema.Collections, collections, writer.TablePath(IdcSchema.CollectionsName)),
        };
        if (analysisResults is not null)
        {
            counts[IdcSchema.AnalysisResultsName] = WriteTable(
                connection, IdcSchema.AnalysisResults, analysisResults, writer.TablePath(IdcSchema.AnalysisResultsName));
        }

        writer.Commit("test", counts);
    }

    private static long WriteTable(DuckDBConnection connection, TableSchema table, IReadOnlyList<TableRow> rows, string path)
    {
        Execute(connection, $"CREATE TABLE \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\" {c.DuckDbType}"))})");
        foreach (var row in rows)
        {
            Assert.All(row.Keys, key => Assert.True(table.Contains(key), $"{table.Name} has no column {key}"));
            using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO \"{table.Name}\" VALUES ({string.Join(", ", table.Columns.Select(_ => "?"))})";
            foreach (var column in table.Columns)
            {
                insert.Parameters.Add(new DuckDBParameter(row.GetValueOrDefault(column.Name) ?? DBNull.Value));
            }

            insert.ExecuteNonQuery();
        }

        Execute(connection, $"COPY \"{table.Name}\" TO '{path.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet)");
        return rows.Count;
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
