using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Cli.Commands;
using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>
/// The sample release written as CSV, imported with `idc import`, and queried through the running server:
/// the answers must be the ones the engine tests worked out by hand.
/// </summary>
public sealed class ImportedReleaseTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ic-imported-" + Guid.NewGuid().ToString("N"));
    private ImagingCommonsApplication? _server;

    public async ValueTask InitializeAsync()
    {
        var folder = Path.Combine(_root, "csv");
        Directory.CreateDirectory(folder);
        WriteCsv(Path.Combine(folder, "dicom_pivot.csv"), SampleRelease.Pivot);
        WriteCsv(Path.Combine(folder, "tcga_clinical_rel9.csv"), SampleRelease.Clinical);
        WriteCsv(Path.Combine(folder, "tcga_biospecimen_rel9.csv"), SampleRelease.Biospecimen);

        var data = Path.Combine(_root, "data");
        var root = new RootCommand { ImportCommand.Create() };
        var exit = root.Parse(["import", "--data", data, "--release", "24.0", "--date", "2026-05-15", "--from", folder])
            .Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() });
        Assert.Equal(0, exit);

        _server = await ImagingCommonsApplication.StartAsync(data);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    private static void WriteCsv(string path, IReadOnlyList<Dictionary<string, object?>> rows)
    {
        var columns = rows.SelectMany(r => r.Keys).Distinct().ToList();
        var text = new StringBuilder(string.Join(",", columns)).Append('\n');
        foreach (var row in rows)
        {
            text.Append(string.Join(",", columns.Select(c => row.GetValueOrDefault(c) switch
            {
                null => "",
                DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var v => "\"" + v.ToString()!.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
            }))).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    private async Task<JsonObject> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _server!.Client.PostAsync(path, content, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
    }

    [Fact]
    public async Task Tcga_filters_pass_patients_without_a_record_after_import()
    {
        var body = await PostAsync("/v2/cohorts/manifest/preview", """{"cohort_def":{"filters":{"race":["WHITE"]}},"fields":["PatientID"]}""");
        Assert.Equal(["100001", "100002", "TCGA-05-0001", "TCGA-05-0003", "TCGA-B0-0001"],
            body["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["PatientID"]!));
    }

    [Fact]
    public async Task Counts_and_group_sizes_match_the_hand_computed_ones_after_import()
    {
        var body = await PostAsync("/v2/cohorts/manifest/preview", """{"cohort_def":{"filters":{}},"fields":["collection_id"],"counts":true,"group_size":true}""");
        Assert.Equal(
            """[{"collection_id":"nlst","patient_count":2,"study_count":3,"series_count":4,"instance_count":4,"group_size":65},"""
            + """{"collection_id":"tcga_kirc","patient_count":1,"study_count":1,"series_count":1,"instance_count":2,"group_size":1100},"""
            + """{"collection_id":"tcga_luad","patient_count":3,"study_count":3,"series_count":4,"instance_count":5,"group_size":1050}]""",
            body["manifest"]!["manifest_data"]!.ToJsonString());
    }

    [Fact]
    public async Task V1_queries_keep_their_typing_and_order_after_import()
    {
        var body = await PostAsync("/v1/cohorts/query/preview", """
            {"cohort_def":{"name":"q","filters":{"collection_id":["tcga_luad"],"SliceThickness_btwe":[0,5]}},"queryFields":{"fields":["Modality","SliceThickness"]}}
            """);
        Assert.Equal(
            """[{"Modality":"CT","SliceThickness":"1.0"},{"Modality":"CT","SliceThickness":"2.5"},{"Modality":"MR","SliceThickness":"5.0"}]""",
            body["query_results"]!["json"]!.ToJsonString());
    }
}
