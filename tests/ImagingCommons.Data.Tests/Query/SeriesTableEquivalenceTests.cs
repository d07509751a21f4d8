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
    public static TheoryData<QueryKind, string, string[], bool, bool> Queries => new()
    {
        { QueryKind.V2Manifest, """{"Modality":["CT","MR"]}""", ["collection_id", "SeriesInstanceUID"], true, true },
        { QueryKind.V2Manifest, """{"BodyPartExamined":["CHEST","None"],"collection_id":["nlst"]}""", ["PatientID"], true, true },
        { QueryKind.V2Manifest, """{"race":["WHITE"],"age_at_diagnosis_btw":[40,70]}""", ["collection_id", "race"], true, true },
        { QueryKind.V2Manifest, """{"sample_type":["Primary Tumor","Solid Tissue Normal"]}""", ["PatientID", "sample_type"], true, true },
        { QueryKind.V2Manifest, """{"Modality":["SEG"]}""", ["analysis_results_id", "StudyDate", "StudyDescription"], true, true },
        { QueryKind.V2Manifest, "{}", [], true, true },
        { QueryKind.V2Manifest, """{"Modality":["S%"],"license_short_name":["CC BY%"]}""", ["aws_bucket", "crdc_series_uuid"], true, true },
        { QueryKind.V2Manifest, """{"SliceThickness_gte":[1.0]}""", ["StudyInstanceUID"], true, true },
        { QueryKind.V2Manifest, """{"Volume_gt":[0]}""", ["SeriesInstanceUID", "Volume"], true, true },
        { QueryKind.V1Manifest, """{"Modality":["CT"]}""", ["Collection_ID", "Patient_ID", "CRDC_Series_GUID"], false, false },
        { QueryKind.V1Query, """{"collection_id":["tcga_luad","nlst"]}""", ["Modality", "BodyPartExamined", "SeriesDescription"], false, false },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task The_series_table_gives_the_instance_tables_answer(QueryKind kind, string filters, string[] fields, bool counts, bool groupSize)
    {
        using var document = JsonDocument.Parse(filters);
        var version = kind == QueryKind.V2Manifest ? ApiVersion.V2 : ApiVersion.V1;
        Assert.True(FilterParser.TryParse(version, document.RootElement, out var set, out var error), error);
        var spec = new QuerySpec { Kind = kind, Filters = set, Fields = fields, Counts = counts, GroupSize = groupSize };

        using var byInstance = new QueryEngine(release.Data, new QueryOptions { UseSeriesTables = false });
        using var bySeries = new QueryEngine(release.Data);
        await bySeries.WarmUpAsync("24.0", TestContext.Current.CancellationToken);

        var expected = await AllRows(byInstance, spec);
        var actual = await AllRows(bySeries, spec);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static async Task<List<string>> AllRows(QueryEngine engine, QuerySpec spec)
    {
        var handlePage = await engine.ReadAsync("24.0", spec, 0, int.MaxValue);
        var (handle, rows) = (handlePage.Handle!, handlePage.Rows);
        return rows.Select(r => JsonSerializer.Serialize(r.Select(v => v?.ToString()))).ToList();
    }
}
