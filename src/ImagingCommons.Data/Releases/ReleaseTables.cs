using System.Collections.Concurrent;
using DuckDB.NET.Data;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Releases;

/// <summary>
/// Reads a release's table as the current schema describes it: a column that the release's file lacks (a release
/// written before the column existed, such as <c>instance_hash</c>) reads as a typed NULL, so that old releases keep
/// answering every query instead of failing on an unknown column.
/// </summary>
public static class ReleaseTables
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<ColumnDef>> Missing = new(StringComparer.Ordinal);

    /// <summary>A DuckDB table expression for the release's table: <c>read_parquet(...)</c>, widened when columns are missing.</summary>
    public static string Source(DataDirectory data, string release, TableSchema table)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(table);
        var path = data.TablePath(release, table.Name);
        var read = "read_parquet(" + SqlText.ReadPath(path) + ")";
        var missing = MissingColumns(path, table);
        if (missing.Count == 0)
        {
            return read;
        }

        var nulls = string.Join(", ", missing.Select(c => $"CAST(NULL AS {c.DuckDbType}) AS {SqlText.Identifier(c.Name)}"));
        return $"(SELECT *, {nulls} FROM {read})";
    }

    /// <summary>The schema's columns that the file does not have (cached per file version).</summary>
    public static IReadOnlyList<ColumnDef> MissingColumns(string path, TableSchema table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return [];
        }

        var key = $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}|{table.Name}";
        return Missing.GetOrAdd(key, _ =>
        {
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT name FROM parquet_schema({SqlText.ReadPath(path)})";
            var present = new HashSet<string>(StringComparer.Ordinal);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    present.Add(reader.GetString(0));
                }
            }

            return table.Columns.Where(c => !present.Contains(c.Name)).ToList();
        });
    }
}
