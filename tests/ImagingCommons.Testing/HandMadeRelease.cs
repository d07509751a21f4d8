using DuckDB.NET.Data;
using ImagingCommons.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Testing;

/// <summary>
/// A tiny release written row by row, whose expected query answers are worked out by hand in the tests
/// (never by the engine under test).
/// </summary>
public sealed class HandMadeRelease : IDisposable
{
    /// <param name="root">The data directory to write into; a new temp folder when null (deleted on dispose either way).</param>
    public HandMadeRelease(string? root = null)
    {
        Root = root ?? Path.Combine(Path.GetTempPath(), "ic-test-" + Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Root);
    }

    public string Root { get; }

    public DataDirectory Data { get; }

    public static Dictionary<string, object?> Instance(
        string collection, string patient, string study, string series, string sop, string modality,
        string? bodyPart = null, long size = 1000, double? sliceThickness = null, string? studyDate = null,
        string? studyDescription = null, string? seriesUuid = null, string? instanceUuid = null, string? analysisResult = null)
    {
        seriesUuid ??= SeriesUuid(series);
        instanceUuid ??= InstanceUuid(sop);
        return new Dictionary<string, object?>
        {
            ["collection_id"] = collection,
            ["PatientID"] = patient,
            ["StudyInstanceUID"] = study,
            ["SeriesInstanceUID"] = series,
            ["SOPInstanceUID"] = sop,
            ["Modality"] = modality,
            ["BodyPartExamined"] = bodyPart,
            ["instance_size"] = size,
            ["SliceThickness"] = sliceThickness,
            ["StudyDate"] = studyDate is null ? null : DateOnly.Parse(studyDate, System.Globalization.CultureInfo.InvariantCulture),
            ["StudyDescription"] = studyDescription,
            ["crdc_series_uuid"] = seriesUuid,
            ["crdc_instance_uuid"] = instanceUuid,
            ["crdc_study_uuid"] = "57000000-0000-4000-8000-" + Digits(study),
            ["gcs_url"] = $"gs://idc-open-data/{seriesUuid}/{instanceUuid}.dcm",
            ["aws_url"] = $"s3://idc-open-data/{seriesUuid}/{instanceUuid}.dcm",
            ["aws_bucket"] = "idc-open-data",
            ["gcs_bucket"] = "idc-open-data",
            ["analysis_results_id"] = analysisResult,
        };
    }

    /// <summary>Readable, deterministic crdc UUIDs: the UID's digits in the last group ("2.41" → …-000000000241).</summary>
    public static string SeriesUuid(string series) => "5e000000-0000-4000-8000-" + Digits(series);

    public static string InstanceUuid(string sop) => "1e000000-0000-4000-8000-" + Digits(sop);

    private static string Digits(string uid) => new string(uid.Where(char.IsAsciiDigit).ToArray()).PadLeft(12, '0');

    /// <summary>Writes one release with the given rows; tables not given are written empty.</summary>
    public void Write(
        string version,
        IEnumerable<Dictionary<string, object?>> pivot,
        IEnumerable<Dictionary<string, object?>>? clinical = null,
        IEnumerable<Dictionary<string, object?>>? biospecimen = null,
        string date = "2026-05-15")
    {
        using var writer = ReleaseWriter.Begin(Data, version, date);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var counts = new Dictionary<string, long>();
        foreach (var (schema, rows) in new (TableSchema, IEnumerable<Dictionary<string, object?>>)[]
                 {
                     (IdcSchema.DicomPivot, pivot),
                     (IdcSchema.Clinical, clinical ?? []),
                     (IdcSchema.Biospecimen, biospecimen ?? []),
                     (IdcSchema.Collections, []),
                     (IdcSchema.AnalysisResults, []),
                 })
        {
            counts[schema.Name] = WriteTable(connection, schema, [.. rows], writer.TablePath(schema.Name));
        }

        writer.Commit("hand-made test release", counts);
    }

    /// <summary>Writes one release table as an importer would: the schema's columns and types, rows as given (absent columns NULL).</summary>
    public static long WriteTable(DuckDBConnection connection, TableSchema schema, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, string path)
    {
        Run(connection, $"CREATE OR REPLACE TABLE t ({string.Join(", ", schema.Columns.Select(c => $"{SqlText.Identifier(c.Name)} {c.DuckDbType}"))})");
        foreach (var row in rows)
        {
            var unknown = row.Keys.Where(k => !schema.Contains(k)).ToList();
            Assert.True(unknown.Count == 0, $"{schema.Name} has no column " + string.Join(", ", unknown));
            using var insert = connection.CreateCommand();
            var names = row.Keys.ToList();
            insert.CommandText = $"INSERT INTO t ({string.Join(", ", names.Select(SqlText.Identifier))}) VALUES ({string.Join(", ", names.Select((_, i) => "$" + (i + 1)))})";
            foreach (var name in names)
            {
                insert.Parameters.Add(new DuckDBParameter(row[name] ?? DBNull.Value));
            }

            insert.ExecuteNonQuery();
        }

        Run(connection, $"COPY t TO {SqlText.Literal(path)} (FORMAT parquet)");
        return rows.Count;
    }

    private static void Run(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
