using System.Text.Json;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Synthetic;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>A generated IDC-shaped release, shared by the tests of one class.</summary>
public sealed class GeneratedRelease : IDisposable
{
    public GeneratedRelease()
    {
        Root = Path.Combine(Path.GetTempPath(), "ic-generated-" + Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Root);
        ReleaseGenerator.Generate(Data, new GeneratorOptions(ReleaseGenerator.DefaultScale, 7));
    }

    public string Root { get; }

    public DataDirectory Data { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// On realistic data (analysis-result series inside source studies, TCGA patients, SM and SR rows), every query
/// gives exactly the same rows in the same order whether it reads the instance table or the series table.
/// </summary>
public sealed class SeriesTableEquivalenceTests(GeneratedRelease release) : IClassFixture<GeneratedRelease>
{
    public static TheoryData<string, string, string[], bool, bool> Queries => new()
    {
        { QueryKinds.V2Manifest, """{"Modality":["CT","MR"]}""", ["collection_id", "SeriesInstanceUID"], true, true },
        { QueryKinds.V2Manifest, """{"BodyPartExamined":["CHEST","None"],"collection_id":["nlst"]}""", ["PatientID"], true, true },
        { QueryKinds.V2Manifest, """{"race":["WHITE"],"age_at_diagnosis_btw":[40,70]}""", ["collection_id", "race"], true, true },
        { QueryKinds.V2Manifest, """{"sample_type":["Primary Tumor","Solid Tissue Normal"]}""", ["PatientID", "sample_type"], true, true },
        { QueryKinds.V2Manifest, """{"Modality":["SEG"]}""", ["analysis_results_id", "StudyDate", "StudyDescription"], true, true },
        { QueryKinds.V2Manifest, "{}", [], true, true },
        { QueryKinds.V2Manifest, """{"Modality":["S%"],"license_short_name":["CC BY%"]}""", ["aws_bucket", "crdc_series_uuid"], true, true },
        { QueryKinds.V2Manifest, """{"SliceThickness_gte":[1.0]}""", ["StudyInstanceUID"], true, true },
        { QueryKinds.V2Manifest, """{"Volume_gt":[0]}""", ["SeriesInstanceUID", "Volume"], true, true },
        { QueryKinds.V1Manifest, """{"Modality":["CT"]}""", ["Collection_ID", "Patient_ID", "CRDC_Series_GUID"], false, false },
        { QueryKinds.V1Query, """{"collection_id":["tcga_luad","nlst"]}""", ["Modality", "BodyPartExamined", "SeriesDescription"], false, false },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task The_series_table_gives_the_instance_tables_answer(string kind, string filters, string[] fields, bool counts, bool groupSize)
    {
        using var document = JsonDocument.Parse(filters);
        var version = kind == QueryKinds.V2Manifest ? ApiVersion.V2 : ApiVersion.V1;
        Assert.True(FilterParser.TryParse(version, document.RootElement, out var set, out var error), error);
        var spec = new QuerySpec { Kind = kind, Filters = set.ToJson(false), Fields = fields, Counts = counts, GroupSize = groupSize };

        using var byInstance = new QueryEngine(release.Data, new QueryEngineOptions { UseSeriesTables = false });
        using var bySeries = new QueryEngine(release.Data);
        await bySeries.WarmUpAsync("24.0");

        var expected = await AllRows(byInstance, spec);
        var actual = await AllRows(bySeries, spec);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static async Task<List<string>> AllRows(QueryEngine engine, QuerySpec spec)
    {
        var handle = await engine.MaterializeAsync("24.0", spec);
        var rows = await engine.ReadPageAsync(handle, spec, 0, int.MaxValue, TestContext.Current.CancellationToken);
        return rows.Select(r => JsonSerializer.Serialize(r.Select(v => v?.ToString()))).ToList();
    }
}
