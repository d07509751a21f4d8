using ImagingCommons.Data;
using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Testing;

/// <summary>A temporary folder with an import folder (<see cref="From"/>) and a data directory; deleted on dispose.</summary>
public sealed class ImportSandbox : IDisposable
{
    public const string Keys = "collection_id,PatientID,StudyInstanceUID,SeriesInstanceUID,SOPInstanceUID";

    public ImportSandbox(string? name = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "ic-import-" + Guid.NewGuid().ToString("N"), name ?? "sandbox");
        From = Path.Combine(Root, "in");
        Directory.CreateDirectory(From);
        Data = new DataDirectory(Path.Combine(Root, "data"));
    }

    public string Root { get; }

    public string From { get; }

    public DataDirectory Data { get; }

    public string InputPath(string file) => Path.Combine(From, file);

    public string ReleaseTable(string version, string table) => Data.TablePath(version, table);

    public void Write(string file, string content) => File.WriteAllText(InputPath(file), content, new UTF8Encoding(false));

    public void WriteBytes(string file, byte[] content) => File.WriteAllBytes(InputPath(file), content);

    /// <summary>Writes a Parquet input file from a DuckDB query.</summary>
    public void WriteParquet(string file, string query) =>
        Query($"COPY ({query}) TO {SqlText.Literal(InputPath(file))} (FORMAT parquet)");

    /// <summary>Every directory and file under the data directory, files with their SHA-256.</summary>
    public SortedDictionary<string, string> Snapshot()
    {
        var listing = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(Data.Path))
        {
            listing["<absent>"] = "";
            return listing;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(Data.Path, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Data.Path, entry);
            listing[relative] = Directory.Exists(entry) ? "<dir>" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)));
        }

        return listing;
    }

    public void Dispose()
    {
        var top = Path.GetDirectoryName(Root)!;
        if (Directory.Exists(top))
        {
            Directory.Delete(top, recursive: true);
        }
    }


    /// <summary>Runs a query in a fresh in-memory DuckDB; rows as arrays (DBNull as null).</summary>
    public static List<object?[]> Query(string sql) => DuckDbRows.Query(sql);

    /// <summary>A release table read back, each row as column name → value, in file order.</summary>
    public static List<Dictionary<string, object?>> ReadTable(string parquetPath)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet({SqlText.ReadPath(parquetPath)})";
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

    /// <summary>The (name, DuckDB type) of each column of a Parquet file, in order.</summary>
    public static List<(string Name, string Type)> Describe(string parquetPath) =>
        Query($"DESCRIBE SELECT * FROM read_parquet({SqlText.ReadPath(parquetPath)})")
            .Select(r => ((string)r[0]!, (string)r[1]!))
            .ToList();
}
