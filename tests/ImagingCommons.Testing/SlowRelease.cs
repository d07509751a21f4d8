using System.Globalization;
using DuckDB.NET.Data;
using ImagingCommons.Data;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Testing;

/// <summary>
/// A release "24.0" whose TCGA-joined queries never end in test time: every instance belongs to one patient who has
/// as many biospecimen rows as there are instances, so a manifest filtered on sample_type joins rows² (10^10) rows.
/// The files are small (written in well under a second); only the query is slow, which is what tests of
/// cancellation, the query gate and the bound per caller need.
/// </summary>
public sealed class SlowRelease : IDisposable
{
    public const int Rows = 100_000;

    public SlowRelease()
    {
        Root = Path.Combine(Path.GetTempPath(), "ic-slow-" + Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Root);
        using var writer = ReleaseWriter.Begin(Data, "24.0", "2026-05-15");
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var n = Rows.ToString(CultureInfo.InvariantCulture);
        var counts = new Dictionary<string, long>
        {
            [IdcSchema.DicomPivotName] = Write(connection, IdcSchema.DicomPivot, writer.TablePath(IdcSchema.DicomPivotName),
                "collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID, Modality, instance_size",
                $"SELECT 'slow', 'TCGA-SL-0001', '1.1', '2.1', '3.' || i, 'CT', 1 FROM range({n}) r(i)"),
            [IdcSchema.BiospecimenName] = Write(connection, IdcSchema.Biospecimen, writer.TablePath(IdcSchema.BiospecimenName),
                "case_barcode, sample_barcode, sample_type",
                $"SELECT 'TCGA-SL-0001', 'TCGA-SL-0001-' || i, 'Primary Tumor' FROM range({n}) r(i)"),
            [IdcSchema.ClinicalName] = Write(connection, IdcSchema.Clinical, writer.TablePath(IdcSchema.ClinicalName),
                "case_barcode, disease_code", "SELECT 'TCGA-SL-0001', 'LUAD'"),
            [IdcSchema.CollectionsName] = Write(connection, IdcSchema.Collections, writer.TablePath(IdcSchema.CollectionsName), null, null),
            [IdcSchema.AnalysisResultsName] = Write(connection, IdcSchema.AnalysisResults, writer.TablePath(IdcSchema.AnalysisResultsName), null, null),
        };
        writer.Commit("slow test release", counts);
    }

    public string Root { get; }

    public DataDirectory Data { get; }

    /// <summary>The filters of a never-ending v2 manifest; <paramref name="variant"/> makes each a different query with the same cost.</summary>
    public static string Filters(int variant = 0) =>
        $$"""{"sample_type":["Primary Tumor","variant {{variant.ToString(CultureInfo.InvariantCulture)}}"]}""";

    /// <summary>The fields of the never-ending manifest: instance level, so no series table can shorten it.</summary>
    public const string Fields = """["SOPInstanceUID"]""";

    /// <summary>The never-ending v2 manifest itself.</summary>
    public static QuerySpec Spec(int variant = 0)
    {
        using var document = System.Text.Json.JsonDocument.Parse(Filters(variant));
        return FilterParser.TryParseV2(document.RootElement, out var filters, out var error)
            ? new QuerySpec { Kind = QueryKind.V2Manifest, Filters = filters, Fields = ["SOPInstanceUID"] }
            : throw new InvalidOperationException(error);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static long Write(DuckDBConnection connection, TableSchema schema, string path, string? columns, string? select)
    {
        Execute(connection, $"CREATE OR REPLACE TABLE t ({string.Join(", ", schema.Columns.Select(c => $"{SqlText.Identifier(c.Name)} {c.DuckDbType}"))})");
        if (columns is not null)
        {
            Execute(connection, $"INSERT INTO t ({columns}) {select}");
        }

        Execute(connection, $"COPY t TO {SqlText.Literal(path)} (FORMAT parquet)");
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM t";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
