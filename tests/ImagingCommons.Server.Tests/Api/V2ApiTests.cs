using System.Text.Json.Nodes;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

public sealed class V2ApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    private static string Body(string filters, string fields, string options = "") =>
        $$"""{"cohort_def":{"name":"n","description":"d","filters":{{filters}}},"fields":{{fields}}{{options}}}""";

    [Fact]
    public async Task Manifest_preview_echoes_the_canonical_filters_and_returns_typed_rows()
    {
        var (status, body) = await server.PostAsync("/v2/cohorts/manifest/preview", Body(
            """{"collection_id":["TCGA-LUAD","tcga kirc"],"MODALITY":["CT","MR"],"Race":["WHITE"],"age_at_diagnosis_btw":[65,75]}""",
            """["Age_At_Diagnosis","crdc_series_uuid","Modality","SliceThickness"]""",
            ""","counts":true,"group_size":"True","sql":true,"page_size":1000"""));

        Assert.Equal(200, status);
        var cohort = body["cohort_def"]!;
        Assert.Equal("""{"collection_id":["tcga_luad","tcga_kirc"],"Modality":["CT","MR"],"race":["WHITE"],"age_at_diagnosis_btw":[65,75]}""",
            cohort["filterSet"]!["filters"]!.ToJsonString());
        Assert.Equal("24.0", (string)cohort["filterSet"]!["idc_data_version"]!);
        Assert.Contains("SELECT", (string)cohort["sql"]!, StringComparison.Ordinal);
        // Passing patients: TCGA-05-0001 (WHITE, 66) and TCGA-05-0003 (no clinical record); 0002 is ASIAN, B0-0001 is 50.
        Assert.Equal(
            """[{"age_at_diagnosis":null,"crdc_series_uuid":"5e000000-0000-4000-8000-000000000231","Modality":"CT","SliceThickness":"1.0","instance_count":1,"group_size":400},"""
            + """{"age_at_diagnosis":66,"crdc_series_uuid":"5e000000-0000-4000-8000-000000000211","Modality":"CT","SliceThickness":"2.5","instance_count":2,"group_size":300}]""",
            body["manifest"]!["manifest_data"]!.ToJsonString());
        Assert.Equal(2, (int)body["manifest"]!["totalFound"]!);
        Assert.Equal("", (string)body["next_page"]!);
    }

    [Fact]
    public async Task Sql_key_is_absent_unless_asked_for()
    {
        var (_, body) = await server.PostAsync("/v2/cohorts/manifest/preview", Body("{}", """["collection_id"]"""));
        Assert.False(body["cohort_def"]!.AsObject().ContainsKey("sql"));
        Assert.Equal(["nlst", "tcga_kirc", "tcga_luad"], body["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["collection_id"]!));
    }

    [Fact]
    public async Task Empty_fields_with_counts_give_the_version_level_row()
    {
        var (status, body) = await server.PostAsync("/v2/cohorts/manifest/preview", """{"cohort_def":{"filters":{}},"fields":[],"counts":true,"group_size":true}""");
        Assert.Equal(200, status);
        Assert.Equal("""[{"collection_count":3,"patient_count":6,"study_count":7,"series_count":9,"instance_count":11,"group_size":2215}]""",
            body["manifest"]!["manifest_data"]!.ToJsonString());
        Assert.Equal("", (string)body["cohort_def"]!["name"]!);
    }

    [Theory]
    [InlineData("{\"cohort_def\":", "The browser (or proxy) sent a request that this server could not understand.")]
    [InlineData("{\"Cohort_def\":{},\"fields\":[]}", "'cohort_def' is required in the body")]
    [InlineData("{\"cohort_def\":{\"Description\":\"x\"},\"fields\":[]}", "'Description' is an invalid cohort_def key")]
    [InlineData("{\"cohort_def\":{\"filters\":{\"bogus\":[\"x\"]}},\"fields\":[]}", "bogus is not a valid filter.")]
    [InlineData("{\"cohort_def\":{\"filters\":{\"age_at_diagnosis_btw\":[65.1,70]}},\"fields\":[]}", "65.1 is not of type 'integer'; Failed validating type in schema ['properties'],['age_at_diagnosis_btw'],['items'] on instance ['age_at_diagnosis_btw'],[0]")]
    [InlineData("{\"cohort_def\":{\"filters\":{\"Modality\":\"CT\"}},\"fields\":[]}", "'CT' is not of type 'array'; Failed validating type in schema ['properties'],['Modality'] on instance ['Modality']")]
    [InlineData("{\"cohort_def\":{\"filters\":{\"age_at_diagnosis\":[65]}},\"fields\":[]}", "age_at_diagnosis is not a valid filter.")]
    [InlineData("{\"cohort_def\":{\"description\":\"<script>\"},\"fields\":[]}", "Your cohort's description contains invalid characters; please edit and resubmit.")]
    [InlineData("{\"cohort_def\":{},\"Fields\":[]}", "Fields is an invalid body key")]
    [InlineData("{\"cohort_def\":{},\"fields\":[],\"SQL\":true}", "SQL is an invalid body key")]
    [InlineData("{\"cohort_def\":{},\"Page_size\":5,\"fields\":[]}", "Page_size is an invalid body key")]
    [InlineData("{\"cohort_def\":{}}", "fields is required in the body")]
    [InlineData("{\"cohort_def\":{},\"fields\":[],\"counts\":\"yes\"}", "yes is an invalid value for counts")]
    [InlineData("{\"cohort_def\":{},\"fields\":[\"Modality\"],\"page_size\":\"10\"}", "page_size value must be an integer")]
    [InlineData("{\"cohort_def\":{},\"fields\":[\"Modality\"],\"page_size\":10.5}", "page_size value must be an integer")]
    [InlineData("{\"cohort_def\":{},\"fields\":[\"PatientAge\"]}", "PatientAge is not a valid field.")]
    [InlineData("{\"cohort_def\":{},\"fields\":[]}", "If 'fields' is empty, then one or both of 'counts' and 'group_size' must be True")]
    public async Task Manifest_validation_follows_the_original_order_and_messages(string json, string message)
    {
        var (status, body) = await server.PostAsync("/v2/cohorts/manifest/preview", json);
        Assert.Equal(400, status);
        Assert.Equal(message, (string)body["message"]!);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Preview_pages_through_next_page_with_case_insensitive_parameters(int pageSize)
    {
        var (_, body) = await server.PostAsync("/v2/cohorts/manifest/preview", Body("{}", """["SeriesInstanceUID"]""", $$""","page_size":{{pageSize}}"""));
        var series = body["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["SeriesInstanceUID"]!).ToList();
        var token = (string)body["next_page"]!;
        while (token != "")
        {
            var (status, next) = await server.GetAsync($"/v2/cohorts/manifest/preview/nextPage?NEXT_PAGE={token}&Page_Size={pageSize}");
            Assert.Equal(200, status);
            Assert.False(next.ContainsKey("cohort_def"));
            Assert.Equal(9, (int)next["manifest"]!["totalFound"]!);
            series.AddRange(next["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["SeriesInstanceUID"]!));
            token = (string)next["next_page"]!;
        }

        Assert.Equal(["2.11", "2.12", "2.21", "2.31", "2.41", "2.51", "2.61", "2.62", "2.71"], series);
    }

    [Theory]
    [InlineData("/v2/cohorts/manifest/preview/nextPage?next_page=x&foo=1", "Invalid query parameter foo")]
    [InlineData("/v2/cohorts/manifest/preview/nextPage?next_page=x&page_size=ten", "Invalid page_size")]
    [InlineData("/v2/cohorts/manifest/preview/nextPage?next_page=abc", "Invalid next_page token abc")]
    [InlineData("/v2/cohorts/manifest/preview/nextPage", "Invalid next_page token None")]
    [InlineData("/v2/filters/values/bogus", "Invalid filter ID")]
    [InlineData("/v2/filters/values/volume_eq", "Filter data type is Ranged Number not Categorical String or Categorical Number")]
    [InlineData("/v2/filters/values/age_at_diagnosis_eq", "Filter data type is Ranged Integer not Categorical String or Categorical Number")]
    [InlineData("/v2/fields/14", "Supplied idc_data_version '14' is invalid. Query the /versions endpoint for defined versions.")]
    [InlineData("/v2/fields/%2017.0", "Supplied idc_data_version ' 17.0' is invalid. Query the /versions endpoint for defined versions.")]
    [InlineData("/v2/fields", "No version was provided")]
    public async Task Bad_v2_requests_get_the_original_400_texts(string path, string message)
    {
        var (status, body) = await server.GetAsync(path);
        Assert.Equal(400, status);
        Assert.Equal(message, (string)body["message"]!);
    }

    [Fact]
    public async Task Filters_list_157_keys_with_ranged_attributes_in_their_nine_forms()
    {
        var (status, body) = await server.GetAsync("/v2/filters");
        Assert.Equal(200, status);
        var sources = body["data_sources"]!.AsArray();
        Assert.Equal(["bigquery-public-data.idc_v4.tcga_biospecimen_rel9", "bigquery-public-data.idc_v4.tcga_clinical_rel9", "bigquery-public-data.idc_v24.dicom_pivot"],
            sources.Select(s => (string)s!["data_source"]!));
        var all = sources.SelectMany(s => s!["filters"]!.AsArray()).ToList();
        Assert.Equal(157, all.Count);
        Assert.Equal(["age_at_diagnosis_btw", "age_at_diagnosis_ebtw", "age_at_diagnosis_btwe", "age_at_diagnosis_ebtwe", "age_at_diagnosis_gte", "age_at_diagnosis_lte", "age_at_diagnosis_gt", "age_at_diagnosis_lt", "age_at_diagnosis_eq"],
            sources[1]!["filters"]!.AsArray().Take(9).Select(f => (string)f!["name"]!));
        Assert.Contains(all, f => f!.ToJsonString() == """{"name":"Modality","data_type":"Categorical String","units":null}""");
        Assert.Equal(["project_short_name", "sample_type"], sources[0]!["filters"]!.AsArray().Select(f => (string)f!["name"]!));
    }

    [Theory]
    [InlineData("Modality", """["CT","MR","SEG","SR"]""")]
    [InlineData("bodypartexamined", """[null,"ABDOMEN","CHEST","Chest","LUNG"]""")]
    [InlineData("race", """["ASIAN","WHITE"]""")]
    [InlineData("sample_type", """["Primary Tumor","Solid Tissue Normal"]""")]
    public async Task Filter_values_are_the_distinct_values_null_first(string filter, string expected)
    {
        var (status, body) = await server.GetAsync("/v2/filters/values/" + filter);
        Assert.Equal(200, status);
        Assert.Equal(expected, body["values"]!.ToJsonString());
    }

    [Theory]
    [InlineData("current")]
    [InlineData("24.0")]
    public async Task Fields_list_the_73_manifest_fields_and_instance_hash(string version)
    {
        var (status, body) = await server.GetAsync("/v2/fields/" + version);
        Assert.Equal(200, status);
        Assert.Equal("24.0", (string)body["idc_data_version"]!);
        var fields = body["data_sources"]!.AsArray().SelectMany(s => s!["fields"]!.AsArray().Select(f => (string)f!)).ToList();
        // IDC's 73, and the instance file's MD5 (docs/api-decisions.md).
        Assert.Equal(74, fields.Count);
        Assert.Contains("instance_hash", fields);
        Assert.Equal(["project_short_name", "sample_type"], body["data_sources"]![0]!["fields"]!.AsArray().Select(f => (string)f!));
    }
}

public sealed class V2SlowQueryTests(SlowApiServer server) : IClassFixture<SlowApiServer>
{
    [Fact]
    public async Task A_slow_manifest_answers_202_and_the_preview_next_page_returns_the_first_page()
    {
        var (status, body) = await server.PostAsync("/v2/cohorts/manifest/preview",
            """{"cohort_def":{"filters":{"Modality":["SEG","SR"]}},"fields":["SeriesInstanceUID"],"counts":true}""");
        Assert.Equal(202, status);
        var token = (string)body["next_page"]!;
        Assert.Equal(token, (string)body["query_info"]!["next_page"]!);

        await server.WaitForComputedAsync("V2Manifest");
        (status, body) = await server.GetAsync($"/v2/cohorts/manifest/preview/nextPage?next_page={token}");

        Assert.Equal(200, status);
        Assert.Equal("""[{"SeriesInstanceUID":"2.12","instance_count":1},{"SeriesInstanceUID":"2.62","instance_count":1}]""",
            body["manifest"]!["manifest_data"]!.ToJsonString());
    }
}
