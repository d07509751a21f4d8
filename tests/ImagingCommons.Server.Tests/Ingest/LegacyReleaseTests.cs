using DuckDB.NET.Data;
using ImagingCommons.Data.Schema;
using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Ingest;

/// <summary>A server whose current release was written before dicom_pivot had an instance_hash column.</summary>
public sealed class LegacyReleaseServer : ApiServer
{
    protected override void WriteMoreReleases(HandMadeRelease release)
    {
        release.Write("25.0", [
            HandMadeRelease.Instance("c", "p1", "1.1", "1.1.1", "1.1.1.1", "CT", size: 100),
            HandMadeRelease.Instance("c", "p1", "1.1", "1.1.1", "1.1.1.2", "CT", size: 200),
        ]);
        var path = release.Data.TablePath("25.0", IdcSchema.DicomPivotName);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"COPY (SELECT * EXCLUDE (instance_hash) FROM read_parquet('{path}')) TO '{path}.old' (FORMAT parquet)";
        command.ExecuteNonQuery();
        File.Move(path + ".old", path, overwrite: true);
    }
}

public sealed class LegacyReleaseTests(LegacyReleaseServer server) : IClassFixture<LegacyReleaseServer>
{
    [Fact]
    public async Task A_release_without_the_instance_hash_column_answers_it_as_null()
    {
        var (status, body) = await server.PostAsync(
            "/v2/cohorts/manifest/preview",
            """{"cohort_def":{"name":"n","description":"d","filters":{"collection_id":["c"]}},"fields":["SOPInstanceUID","instance_hash"]}""");

        Assert.Equal(200, status);
        Assert.Equal(
            """[{"SOPInstanceUID":"1.1.1.1","instance_hash":null},{"SOPInstanceUID":"1.1.1.2","instance_hash":null}]""",
            body["manifest"]!["manifest_data"]!.ToJsonString());
    }

    [Fact]
    public async Task A_release_without_the_instance_hash_column_still_lists_its_dicom_metadata_and_series()
    {
        var (metadataStatus, metadata) = await server.GetAsync("/v1/dicomMetadata?page_size=10");
        var (seriesStatus, series) = await server.PostAsync(
            "/v2/cohorts/manifest/preview",
            """{"cohort_def":{"name":"n","description":"d","filters":{}},"fields":["crdc_series_uuid"],"counts":true,"group_size":true}""");

        Assert.Equal(200, metadataStatus);
        Assert.Equal(2, (int)metadata["query_results"]!["totalFound"]!);
        Assert.Equal(70, metadata["query_results"]!["json"]![0]!.AsObject().Count);
        Assert.Equal(200, seriesStatus);
        Assert.Equal(
            """[{"crdc_series_uuid":"5e000000-0000-4000-8000-000000000111","instance_count":2,"group_size":300}]""",
            series["manifest"]!["manifest_data"]!.ToJsonString());
    }
}
