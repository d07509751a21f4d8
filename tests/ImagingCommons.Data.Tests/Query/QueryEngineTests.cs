using ImagingCommons.Contracts;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>Every query test runs twice: on the instance table, and on the series table where a query allows it.</summary>
public abstract class QueryEngineTests : IDisposable
{
    private readonly QueryEngine _engine;

    protected QueryEngineTests(SampleRelease sample, bool useSeriesTables)
    {
        _engine = new QueryEngine(sample.Release.Data, new QueryOptions { UseSeriesTables = useSeriesTables });
        if (useSeriesTables)
        {
            // Wait for the series table so that these tests really read it (the server uses it once ready).
            _engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        }
    }

    protected QueryEngine Engine => _engine;

    public void Dispose()
    {
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    private static QuerySpec V2(string filters, string[] fields, bool counts = false, bool groupSize = false) => new()
    {
        Kind = QueryKind.V2Manifest,
        Filters = Validated(ApiVersion.V2, filters),
        Fields = fields,
        Counts = counts,
        GroupSize = groupSize,
    };

    private static QuerySpec V1Query(string filters, params string[] fields) => new()
    {
        Kind = QueryKind.V1Query,
        Filters = Validated(ApiVersion.V1, filters),
        Fields = fields,
    };

    private static FilterSet Validated(ApiVersion version, string filters)
    {
        using var document = JsonDocument.Parse(filters);
        Assert.True(FilterParser.TryParse(version, document.RootElement, out var set, out var error), error);
        return set;
    }

    /// <summary>Rows rendered as the v2 manifest renders them, as compact JSON per row.</summary>
    private async Task<List<string>> Rows(QuerySpec spec)
    {
        var handlePage = await _engine.ReadAsync("24.0", spec, 0, 1000);
        var (handle, rows) = (handlePage.Handle!, handlePage.Rows);
        var columns = handle.Columns.Select(c => new ResultColumn(c.Name, ValueFormat.Style(QueryKind.V2Manifest, c))).ToList();
        return JsonNode.Parse(JsonSerializer.Serialize(new ResultRows(columns, rows), ContractsJsonContext.Default.ResultRows))!
            .AsArray().Select(row => row!.ToJsonString()).ToList();
    }

    private async Task<List<string?>> Column(QuerySpec spec)
    {
        var handlePage = await _engine.ReadAsync("24.0", spec, 0, 1000);
        var (handle, rows) = (handlePage.Handle!, handlePage.Rows);
        return rows.Select(r => r[0] is null ? null : ValueFormat.BigQueryString(r[0]!, handle.Columns[0].Type)).ToList();
    }

    [Fact]
    public async Task Modality_filter_selects_series_with_instance_counts()
    {
        var rows = await Rows(V2("""{"Modality":["CT"]}""", ["SeriesInstanceUID"], counts: true));
        Assert.Equal(
        [
            """{"SeriesInstanceUID":"2.11","instance_count":2}""",
            """{"SeriesInstanceUID":"2.31","instance_count":1}""",
            """{"SeriesInstanceUID":"2.41","instance_count":2}""",
            """{"SeriesInstanceUID":"2.51","instance_count":1}""",
            """{"SeriesInstanceUID":"2.61","instance_count":1}""",
            """{"SeriesInstanceUID":"2.71","instance_count":1}""",
        ], rows);
    }

    [Theory]
    [InlineData("""{"BodyPartExamined":["chest"]}""", new[] { "2.11", "2.21", "2.51", "2.61" })]
    [InlineData("""{"BodyPartExamined":["%EST"]}""", new[] { "2.11", "2.21", "2.51", "2.61" })]
    [InlineData("""{"BodyPartExamined":["None"]}""", new[] { "2.12", "2.62", "2.71" })]
    [InlineData("""{"BodyPartExamined":["None","lung"]}""", new[] { "2.12", "2.31", "2.62", "2.71" })]
    [InlineData("""{"BodyPartExamined":["ABD%","lung"]}""", new[] { "2.31", "2.41" })]
    [InlineData("""{"modality":["mr"],"BODYPARTEXAMINED":["CHEST"]}""", new[] { "2.21" })]
    [InlineData("""{"Modality":["SEG"],"BodyPartExamined":["CHEST"]}""", new string[0])]
    [InlineData("""{"collection_id":["TCGA-KIRC"]}""", new[] { "2.41" })]
    [InlineData("""{"collection_id":["tcga kirc"]}""", new[] { "2.41" })]
    [InlineData("""{"Modality":["CT"],"Modality":["SR"]}""", new[] { "2.62" })]
    [InlineData("""{"SliceThickness_btw":[2.0,5.0]}""", new[] { "2.11", "2.61" })]
    [InlineData("""{"SliceThickness_ebtw":[2,5]}""", new[] { "2.11", "2.51", "2.61" })]
    [InlineData("""{"SliceThickness_btwe":[2,5]}""", new[] { "2.11", "2.21", "2.41", "2.61" })]
    [InlineData("""{"SliceThickness_ebtwe":[2,5]}""", new[] { "2.11", "2.21", "2.41", "2.51", "2.61" })]
    [InlineData("""{"SliceThickness_gt":[2.5]}""", new[] { "2.21", "2.41", "2.61" })]
    [InlineData("""{"SliceThickness_gte":[2.5]}""", new[] { "2.11", "2.21", "2.41", "2.61" })]
    [InlineData("""{"SliceThickness_lt":[2]}""", new[] { "2.31" })]
    [InlineData("""{"SliceThickness_lte":[2]}""", new[] { "2.31", "2.51" })]
    [InlineData("""{"SliceThickness_eq":[5]}""", new[] { "2.21", "2.41" })]
    [InlineData("""{"SliceThickness_btw":[5,2]}""", new string[0])]
    public async Task V2_filters_select_the_series_worked_out_by_hand(string filters, string[] expected)
    {
        var series = await Column(V2(filters, ["SeriesInstanceUID"]));
        Assert.Equal(expected, series);
    }

    [Theory]
    [InlineData("""{"SliceThickness":[5]}""", new[] { "2.21", "2.41" })]
    [InlineData("""{"SliceThickness_btw":[2,5]}""", new[] { "2.11", "2.61" })]
    [InlineData("""{"Modality":["ct"],"BodyPartExamined":["None"]}""", new[] { "2.71" })]
    public async Task V1_filters_use_the_bare_name_for_equality(string filters, string[] expected)
    {
        var series = await Column(V1Query(filters, "SeriesInstanceUID"));
        Assert.Equal(expected, series);
    }

    [Theory]
    // Patients with no record in the TCGA table pass TCGA filters; a record with NULL fails a numeric test.
    [InlineData("""{"race":["WHITE"]}""", new[] { "100001", "100002", "TCGA-05-0001", "TCGA-05-0003", "TCGA-B0-0001" })]
    [InlineData("""{"race":["asian"]}""", new[] { "100001", "100002", "TCGA-05-0002", "TCGA-05-0003" })]
    [InlineData("""{"age_at_diagnosis_btw":[65,75]}""", new[] { "100001", "100002", "TCGA-05-0001", "TCGA-05-0003" })]
    [InlineData("""{"age_at_diagnosis_btwe":[65,75]}""", new[] { "100001", "100002", "TCGA-05-0001", "TCGA-05-0002", "TCGA-05-0003" })]
    [InlineData("""{"bmi_gt":[20]}""", new[] { "100001", "100002", "TCGA-05-0001", "TCGA-05-0003", "TCGA-B0-0001" })]
    [InlineData("""{"race":["WHITE"],"gender":["MALE"]}""", new[] { "100001", "100002", "TCGA-05-0003", "TCGA-B0-0001" })]
    [InlineData("""{"sample_type":["Solid Tissue Normal"]}""", new[] { "100001", "100002", "TCGA-05-0001", "TCGA-05-0003" })]
    [InlineData("""{"project_short_name":["TCGA-KIRC"],"collection_id":["tcga_luad","tcga_kirc"]}""", new[] { "TCGA-05-0003", "TCGA-B0-0001" })]
    public async Task Tcga_filters_are_patient_level_and_pass_patients_without_a_record(string filters, string[] expected)
    {
        var patients = await Column(V2(filters, ["PatientID"]));
        Assert.Equal(expected, patients);
    }

    [Fact]
    public async Task Collection_granularity_counts_and_group_sizes()
    {
        var rows = await Rows(V2("{}", ["collection_id"], counts: true, groupSize: true));
        Assert.Equal(
        [
            """{"collection_id":"nlst","patient_count":2,"study_count":3,"series_count":4,"instance_count":4,"group_size":65}""",
            """{"collection_id":"tcga_kirc","patient_count":1,"study_count":1,"series_count":1,"instance_count":2,"group_size":1100}""",
            """{"collection_id":"tcga_luad","patient_count":3,"study_count":3,"series_count":4,"instance_count":5,"group_size":1050}""",
        ], rows);
    }

    [Fact]
    public async Task Empty_field_list_gives_one_version_level_row()
    {
        var rows = await Rows(V2("{}", [], counts: true, groupSize: true));
        Assert.Equal(["""{"collection_count":3,"patient_count":6,"study_count":7,"series_count":9,"instance_count":11,"group_size":2215}"""], rows);
    }

    [Fact]
    public async Task Empty_result_with_no_fields_still_gives_one_row_of_zero_counts()
    {
        var rows = await Rows(V2("""{"Modality":["XX"]}""", [], counts: true, groupSize: true));
        Assert.Equal(["""{"collection_count":0,"patient_count":0,"study_count":0,"series_count":0,"instance_count":0,"group_size":null}"""], rows);
    }

    [Fact]
    public async Task Biospecimen_rows_do_not_inflate_group_size()
    {
        // TCGA-05-0001 has two matching samples; its 350 bytes must count once.
        var rows = await Rows(V2("""{"sample_type":["Primary Tumor","Solid Tissue Normal"],"collection_id":["tcga_luad"]}""", ["collection_id"], counts: true, groupSize: true));
        Assert.Equal(["""{"collection_id":"tcga_luad","patient_count":3,"study_count":3,"series_count":4,"instance_count":5,"group_size":1050}"""], rows);
    }

    [Fact]
    public async Task Tcga_fields_group_per_sample_with_null_for_patients_without_a_record()
    {
        var rows = await Rows(V2("""{"collection_id":["tcga_luad"]}""", ["PatientID", "sample_type"], groupSize: true));
        Assert.Equal(
        [
            """{"PatientID":"TCGA-05-0001","sample_type":"Primary Tumor","group_size":350}""",
            """{"PatientID":"TCGA-05-0001","sample_type":"Solid Tissue Normal","group_size":350}""",
            """{"PatientID":"TCGA-05-0002","sample_type":"Primary Tumor","group_size":300}""",
            """{"PatientID":"TCGA-05-0003","sample_type":null,"group_size":400}""",
        ], rows);
    }

    [Fact]
    public async Task StudyDate_is_the_minimum_and_StudyDescription_the_sorted_distinct_list()
    {
        var rows = await Rows(V2("""{"collection_id":["nlst"]}""", ["PatientID", "StudyDate", "StudyDescription"], counts: true));
        Assert.Equal(
        [
            """{"PatientID":"100001","StudyDate":"1999-12-31","StudyDescription":"CT CHEST,CT CHEST FOLLOWUP","study_count":2,"series_count":3,"instance_count":3}""",
            """{"PatientID":"100002","StudyDate":"2001-01-01","StudyDescription":null,"study_count":1,"series_count":1,"instance_count":1}""",
        ], rows);
    }

    [Fact]
    public async Task Values_are_typed_as_the_original_rendered_them()
    {
        var rows = await Rows(V2("""{"Modality":["MR"]}""", ["SOPInstanceUID", "SliceThickness", "instance_size", "age_at_diagnosis", "bmi"]));
        Assert.Equal(["""{"SOPInstanceUID":"3.04","SliceThickness":"5.0","instance_size":300,"age_at_diagnosis":75,"bmi":null}"""], rows);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(11)]
    [InlineData(50)]
    public async Task Pages_concatenate_to_the_whole_result_without_repeats(int pageSize)
    {
        var spec = V1Query("{}", "SOPInstanceUID", "Modality");
        var handle = (await _engine.ReadAsync("24.0", spec)).Handle!;
        var all = new List<string>();
        for (long offset = 0; offset < handle.Total; offset += pageSize)
        {
            var page = (await _engine.ReadAsync("24.0", spec, offset, pageSize)).Rows;
            all.AddRange(page.Select(r => (string)r[0]!));
        }

        Assert.Equal(11, handle.Total);
        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"3.{i:00}"), all);
    }

    [Fact]
    public async Task The_same_query_is_materialised_once()
    {
        var spec = V2("""{"Modality":["CT"]}""", ["PatientID"]);
        var first = (await _engine.ReadAsync("24.0", spec)).Handle!;
        var second = (await _engine.ReadAsync("24.0", spec with { })).Handle!;
        Assert.Same(first, second);
    }

    [Fact]
    public async Task Distinct_values_list_null_first_then_ascending()
    {
        var values = await _engine.DistinctValuesAsync("24.0", SourceTable.DicomPivot, "BodyPartExamined", 5000, TestContext.Current.CancellationToken);
        Assert.Equal([null, "ABDOMEN", "CHEST", "Chest", "LUNG"], values);
    }

    [Fact]
    public async Task Numeric_bounds_beyond_an_integer_columns_range_compare_instead_of_failing()
    {
        // age_at_diagnosis is BIGINT; every recorded age lies inside, and patients without a record pass.
        var patients = await Column(V1Query("""{"age_at_diagnosis_btw":[-1e308,1e308]}""", "PatientID"));
        Assert.Equal(["100001", "100002", "TCGA-05-0001", "TCGA-05-0002", "TCGA-05-0003", "TCGA-B0-0001"], patients);
    }

    [Fact]
    public async Task The_displayed_sql_inlines_each_value_once_and_splices_nul_characters()
    {
        var spec = V1Query("""{"Modality":["a","$1","x\u0000y"]}""", "SeriesInstanceUID");
        var handle = (await _engine.ReadAsync("24.0", spec)).Handle!;
        Assert.Contains("lower('a')", handle.DisplaySql, StringComparison.Ordinal);
        Assert.Contains("lower('$1')", handle.DisplaySql, StringComparison.Ordinal);
        Assert.Contains("lower('x' || chr(0) || 'y')", handle.DisplaySql, StringComparison.Ordinal);
        Assert.Equal(0, handle.Total);
    }

    [Fact]
    public async Task Sql_injection_in_values_is_just_a_value()
    {
        var series = await Column(V2("""{"Modality":["CT' OR '1'='1"],"PatientID":["x\"); DROP TABLE t; --"]}""", ["SeriesInstanceUID"]));
        Assert.Empty(series);
    }
}

public sealed class InstanceTableQueryTests(SampleRelease sample) : QueryEngineTests(sample, useSeriesTables: false), IClassFixture<SampleRelease>;

public sealed class SeriesTableQueryTests(SampleRelease sample) : QueryEngineTests(sample, useSeriesTables: true), IClassFixture<SampleRelease>
{
    [Theory]
    [InlineData("""{"Modality":["CT"]}""", "SeriesInstanceUID", true)]
    [InlineData("""{"race":["WHITE"]}""", "PatientID", true)]
    [InlineData("{}", "SOPInstanceUID", false)]
    [InlineData("""{"PatientID":["100001"]}""", "gcs_url", false)]
    public async Task Series_level_queries_read_the_series_table_and_instance_level_ones_do_not(string filters, string field, bool bySeries)
    {
        using var document = System.Text.Json.JsonDocument.Parse(filters);
        Assert.True(FilterParser.TryParseV2(document.RootElement, out var set, out _));
        var handle = (await Engine.ReadAsync("24.0", new QuerySpec { Kind = QueryKind.V2Manifest, Filters = set, Fields = [field], Counts = true })).Handle!;
        Assert.Equal(bySeries, handle.DisplaySql.Contains("dicom_pivot_by_series", StringComparison.Ordinal));
    }
}
