using System.Text.Json.Nodes;
using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

public sealed class V1ApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    private const string LuadCt = """{"name":"c","description":"d","filters":{"collection_id":["TCGA-LUAD"],"Modality":["CT"]}}""";

    private static List<string> Strings(JsonNode? array, string key) =>
        array!.AsArray().Select(r => (string)r![key]!).ToList();

    [Fact]
    public async Task Manifest_preview_returns_distinct_rows_ordered_by_the_last_selected_column()
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/manifest/preview?Collection_ID=True&Patient_ID=True&SeriesInstanceUID=True", LuadCt);

        Assert.Equal(200, status);
        Assert.Equal(200, (int)body["code"]!);
        Assert.Equal(
            """[{"Collection_ID":"tcga_luad","Patient_ID":"TCGA-05-0001","SeriesInstanceUID":"2.11"},{"Collection_ID":"tcga_luad","Patient_ID":"TCGA-05-0003","SeriesInstanceUID":"2.31"}]""",
            body["manifest"]!["json_manifest"]!.ToJsonString());
        Assert.Equal(2, (int)body["manifest"]!["totalFound"]!);
        Assert.Equal(2, (int)body["manifest"]!["rowsReturned"]!);
        Assert.Equal("", (string)body["next_page"]!);
        Assert.Equal("c", (string)body["cohort"]!["name"]!);
        Assert.Equal("d", (string)body["cohort"]!["description"]!);
        Assert.Equal("", (string)body["cohort"]!["sql"]!);
        Assert.Equal("24.0", (string)body["cohort"]!["filterSet"]!["idc_data_version"]!);
        Assert.Equal("""{"collection_id":["tcga_luad"],"Modality":["CT"]}""", body["cohort"]!["filterSet"]!["filters"]!.ToJsonString());
    }

    [Fact]
    public async Task Guid_and_url_columns_carry_the_prefix_and_the_real_url_format()
    {
        var (status, body) = await server.PostAsync(
            "/v1/cohorts/manifest/preview?CRDC_Series_GUID=True&CRDC_Instance_GUID=True&GCS_URL=True&sql=True",
            """{"name":"c","description":"","filters":{"SeriesInstanceUID":["2.41"]}}""");

        Assert.Equal(200, status);
        var rows = body["manifest"]!["json_manifest"]!.AsArray();
        Assert.Equal(2, rows.Count);
        var series = HandMadeRelease.SeriesUuid("2.41");
        Assert.All(rows, r => Assert.Equal("dg.4DFC/" + series, (string)r!["CRDC_Series_GUID"]!));
        Assert.Equal(
            ["dg.4DFC/" + HandMadeRelease.InstanceUuid("3.06"), "dg.4DFC/" + HandMadeRelease.InstanceUuid("3.07")],
            Strings(rows, "CRDC_Instance_GUID").Order());
        Assert.Equal($"gs://idc-open-data/{series}/{HandMadeRelease.InstanceUuid("3.06")}.dcm", (string)rows[0]!["GCS_URL"]!);
        Assert.Contains("SELECT", (string)body["cohort"]!["sql"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(11)]
    public async Task Manifest_pages_through_next_page_without_losing_or_repeating_rows(int pageSize)
    {
        var (status, body) = await server.PostAsync($"/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size={pageSize}", """{"name":"all","filters":{}}""");
        Assert.Equal(200, status);
        var all = Strings(body["manifest"]!["json_manifest"], "SOPInstanceUID");
        var token = (string)body["next_page"]!;
        var pages = 1;
        while (token != "")
        {
            (status, body) = await server.GetAsync($"/v1/cohorts/manifest/nextPage?next_page={token}&page_size={pageSize}");
            Assert.Equal(200, status);
            Assert.Equal(11, (int)body["manifest"]!["totalFound"]!);
            all.AddRange(Strings(body["manifest"]!["json_manifest"], "SOPInstanceUID"));
            token = (string)body["next_page"]!;
            pages++;
        }

        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"3.{i:00}"), all);
        Assert.Equal((11 + pageSize - 1) / pageSize, pages);
    }

    [Fact]
    public async Task The_same_token_returns_the_same_page()
    {
        var (_, body) = await server.PostAsync("/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size=3", """{"name":"all","filters":{}}""");
        var token = (string)body["next_page"]!;
        var (_, first) = await server.GetAsync($"/v1/cohorts/manifest/nextPage?next_page={token}&page_size=3");
        var (_, again) = await server.GetAsync($"/v1/cohorts/manifest/nextPage?next_page={token}&page_size=3");
        Assert.Equal(first["manifest"]!.ToJsonString(), again["manifest"]!.ToJsonString());
        Assert.Equal(["3.04", "3.05", "3.06"], Strings(first["manifest"]!["json_manifest"], "SOPInstanceUID"));
    }

    [Fact]
    public async Task Query_preview_returns_bigquery_strings_ordered_by_every_field()
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/query/preview", """
            {"cohort_def":{"name":"q","description":"x","filters":{"collection_id":["tcga_luad"]}},
             "queryFields":{"fields":["Modality","SliceThickness"]}}
            """);

        Assert.Equal(200, status);
        Assert.Equal(
            """[{"Modality":"CT","SliceThickness":"1.0"},{"Modality":"CT","SliceThickness":"2.5"},{"Modality":"MR","SliceThickness":"5.0"},{"Modality":"SEG","SliceThickness":null}]""",
            body["query_results"]!["json"]!.ToJsonString());
        Assert.Equal(4, (int)body["query_results"]!["totalFound"]!);
        Assert.Equal("""{"collection_id":["tcga_luad"]}""", body["cohort_def"]!["filters"]!.ToJsonString());
        Assert.Equal("24.0", (string)body["cohort_def"]!["filterSet"]!["idc_data_version"]!);
    }

    [Fact]
    public async Task Query_next_page_has_an_empty_cohort_object()
    {
        var (_, body) = await server.PostAsync("/v1/cohorts/query/preview?page_size=2", """
            {"cohort_def":{"name":"q","filters":{}},"queryFields":{"fields":["PatientID"]}}
            """);
        Assert.Equal(["100001", "100002"], Strings(body["query_results"]!["json"], "PatientID"));
        var (status, next) = await server.GetAsync($"/v1/cohorts/query/nextPage?next_page={body["next_page"]}");
        Assert.Equal(200, status);
        Assert.Equal("{}", next["cohort"]!.ToJsonString());
        Assert.Equal(["TCGA-05-0001", "TCGA-05-0002", "TCGA-05-0003", "TCGA-B0-0001"], Strings(next["query_results"]!["json"], "PatientID"));
        Assert.Equal("", (string)next["next_page"]!);
    }

    [Fact]
    public async Task Dicom_metadata_serves_seventy_columns_in_identifier_order()
    {
        var (status, body) = await server.GetAsync("/v1/dicomMetadata?page_size=2");
        Assert.Equal(200, status);
        var rows = body["query_results"]!["json"]!.AsArray();
        Assert.Equal(11, (int)body["query_results"]!["totalFound"]!);
        Assert.Equal(70, rows[0]!.AsObject().Count);
        Assert.Equal(["3.08", "3.09"], Strings(rows, "SOPInstanceUID"));
        Assert.Equal("2.0", (string)rows[0]!["SliceThickness"]!);
        Assert.Equal("1999-12-31", (string)rows[0]!["StudyDate"]!);
        Assert.Equal("[]", rows[0]!["ImageType"]!.ToJsonString());

        var (nextStatus, next) = await server.GetAsync($"/v1/dicomMetadata/nextPage?next_page={body["next_page"]}&page_size=20");
        Assert.Equal(200, nextStatus);
        Assert.Equal("{}", next["cohort"]!.ToJsonString());
        Assert.Equal(9, next["query_results"]!["json"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\"}", "No filters were provided; ensure that the request body contains a 'filters' property.")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\",", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "[1,2]", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\",\"filters\":{\"RACE\":[\"WHITE\"],\"foo\":[\"x\"]}}", "Additional properties are not allowed ('RACE', 'foo' were unexpected)")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\",\"filters\":{\"Modality\":[\"CT\"],\"x' OR 1=1; --\":[\"a\"]}}", "Additional properties are not allowed (\"x' OR 1=1; --\" was unexpected)")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\",\"filters\":{\"Modality\":\"CT\"}}", "'CT' is not of type 'array'")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\",\"filters\":{\"Modality\":[]}}", "[] is too short")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\",\"filters\":{\"age_at_diagnosis_btw\":[1,2,3]}}", "[1, 2, 3] is too long")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"x\",\"filters\":{\"age_at_diagnosis\":[\"old\"]}}", "'old' is not of type 'number'")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"filters\":{}}", "A name was not provided for this cohort. The cohort was not made.")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True&bogus=1", "{\"name\":\"x\",\"filters\":{}}", "Invalid key bogus")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size=abc", "{\"name\":\"x\",\"filters\":{}}", "Parameter page_size must have an integer value")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=False", "{\"name\":\"x\",\"filters\":{}}", "[ERROR] get_manifest(): Error trying to preview a cohort")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=true", "{\"name\":\"x\",\"filters\":{}}", "[ERROR] get_manifest(): Error trying to preview a cohort")]
    [InlineData("/v1/cohorts/query/preview", "{\"queryFields\":{\"fields\":[\"Modality\"]}}", "No cohort_def provided; ensure that the request body contains a 'cohort_dev' component.")]
    [InlineData("/v1/cohorts/query/preview", "{\"cohort_def\":{\"name\":\"x\"},\"queryFields\":{\"fields\":[\"Modality\"]}}", "No filters were provided; ensure that the cohort_def contains a 'filterSet' component.")]
    [InlineData("/v1/cohorts/query/preview", "{\"cohort_def\":{\"name\":\"x\",\"filters\":{}}}", "No queryFields provided; ensure that the request body contains a 'queryFields' component.")]
    [InlineData("/v1/cohorts/query/preview", "{\"cohort_def\":{\"name\":\"x\",\"filters\":{\"bogus\":[\"a\"]}},\"queryFields\":{\"fields\":[\"Modality\"]}}", "Filters were improperly formatted.")]
    [InlineData("/v1/cohorts/query/preview", "{\"cohort_def\":{\"name\":\"x\",\"filters\":{}},\"queryFields\":{\"fields\":[\"PatientAge\"]}}", "Filters were improperly formatted.")]
    [InlineData("/v1/cohorts/query/preview", "{\"cohort_def\":{\"name\":\"\",\"filters\":{}},\"queryFields\":{\"fields\":[\"Modality\"]}}", "A name was not provided for this cohort. The cohort was not made.")]
    [InlineData("/v1/cohorts/query/preview?foo=1", "{\"cohort_def\":{\"name\":\"x\",\"filters\":{}},\"queryFields\":{\"fields\":[\"Modality\"]}}", "Invalid key foo")]
    [InlineData("/v1/cohorts/query/preview", "{\"cohort_def\":", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("/v1/cohorts/manifest/preview?SOPInstanceUID=True", "{\"name\":\"<script>x</script>\",\"filters\":{}}", "Your cohort's name contains invalid characters; please edit and resubmit.")]
    [InlineData("/v1/cohorts/query/preview", "{\"cohort_def\":{\"name\":\"x\",\"filters\":{\"Modality\":[\"<iframe>\"]}},\"queryFields\":{\"fields\":[\"Modality\"]}}", "Your cohort's filters contain invalid characters; please edit and resubmit.")]
    public async Task Bad_requests_get_the_original_400_texts(string path, string json, string message)
    {
        var (status, body) = await server.PostAsync(path, json);
        Assert.Equal(400, status);
        Assert.Equal(400, (int)body["code"]!);
        Assert.Equal(message, (string)body["message"]!);
    }

    [Theory]
    [InlineData("/v1/cohorts/manifest/nextPage?next_page=garbage", "Invalid next_page token garbage")]
    [InlineData("/v1/cohorts/manifest/nextPage", "Invalid next_page token None")]
    [InlineData("/v1/cohorts/query/nextPage?next_page=", "Invalid next_page token ")]
    [InlineData("/v1/dicomMetadata/nextPage?next_page=gAAAAA", "Invalid next_page token gAAAAA")]
    [InlineData("/v1/dicomMetadata?foo=1", "Invalid key foo")]
    [InlineData("/v1/dicomMetadata?page_size=1.5", "Parameter page_size must have an integer value")]
    [InlineData("/v1/attributes?foo=1", "Invalid argument foo")]
    [InlineData("/v1/attributes?data_source=bogus", "The  data source, bogus, is not part of the specified version 24.0")]
    public async Task Bad_query_strings_get_the_original_400_texts(string path, string message)
    {
        var (status, body) = await server.GetAsync(path);
        Assert.Equal(400, status);
        Assert.Equal(message, (string)body["message"]!);
    }

    [Fact]
    public async Task A_token_only_pages_through_the_endpoint_family_that_issued_it()
    {
        var (_, manifest) = await server.PostAsync("/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size=2", """{"name":"a","filters":{}}""");
        var token = (string)manifest["next_page"]!;
        Assert.NotEqual("", token);

        var (queryStatus, _) = await server.GetAsync($"/v1/cohorts/query/nextPage?next_page={token}");
        var (dicomStatus, _) = await server.GetAsync($"/v1/dicomMetadata/nextPage?next_page={token}");
        var (v2Status, _) = await server.GetAsync($"/v2/cohorts/manifest/preview/nextPage?next_page={token}");
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var (tamperedStatus, tamperedBody) = await server.GetAsync($"/v1/cohorts/manifest/nextPage?next_page={tampered}");

        Assert.Equal([400, 400, 400, 400], new[] { queryStatus, dicomStatus, v2Status, tamperedStatus });
        Assert.Equal("Invalid next_page token " + tampered, (string)tamperedBody["message"]!);
    }

    [Theory]
    [InlineData("999999999999")]
    [InlineData("-5")]
    [InlineData("0")]
    public async Task Extreme_page_sizes_never_fail(string pageSize)
    {
        var (status, body) = await server.PostAsync($"/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size={pageSize}", """{"name":"a","filters":{}}""");
        Assert.Equal(200, status);
        Assert.InRange(body["manifest"]!["json_manifest"]!.AsArray().Count, 1, 11);
        Assert.Equal(11, (int)body["manifest"]!["totalFound"]!);
    }

    [Fact]
    public async Task Attributes_list_every_source_with_continuous_numerics_in_nine_forms()
    {
        var (status, body) = await server.GetAsync("/v1/attributes");
        Assert.Equal(200, status);
        Assert.Equal("24.0", (string)body["idc_data_version"]!);
        var sources = body["data_sources"]!.AsArray();
        Assert.Equal(3, sources.Count);
        var names = sources.SelectMany(s => s!["attributes"]!.AsArray().Select(a => (string)a!["name"]!)).ToList();
        Assert.Equal(699, names.Count);
        var age = sources[1]!["attributes"]!.AsArray().Where(a => ((string)a!["name"]!).StartsWith("age_at_diagnosis", StringComparison.Ordinal)).ToList();
        Assert.Equal(["age_at_diagnosis", "age_at_diagnosis_lt", "age_at_diagnosis_lte", "age_at_diagnosis_btw", "age_at_diagnosis_ebtw", "age_at_diagnosis_ebtwe", "age_at_diagnosis_btwe", "age_at_diagnosis_gte", "age_at_diagnosis_gt"],
            age.Select(a => (string)a!["name"]!));
        Assert.All(age, a => Assert.Equal("Continuous Numeric", (string)a!["data_type"]!));
        var (_, one) = await server.GetAsync("/v1/attributes?data_source=bigquery-public-data.idc_v4.tcga_biospecimen_rel9");
        Assert.Single(one["data_sources"]!.AsArray());
    }
}

public sealed class V1SlowQueryTests(SlowApiServer server) : IClassFixture<SlowApiServer>
{
    [Fact]
    public async Task A_query_past_its_deadline_answers_202_and_resumes_through_next_page()
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size=5", """{"name":"slow","filters":{"Modality":["CT"]}}""");

        Assert.Equal(202, status);
        Assert.Equal(202, (int)body["code"]!);
        Assert.Equal("[ERROR] API query took longer than the allowed time to execute. Retry the query using the next_page token.", (string)body["message"]!);
        var token = (string)body["next_page"]!;
        Assert.Equal(token, (string)body["query_info"]!["next_page"]!);

        await server.WaitForComputedAsync("V1Manifest");
        var rows = new List<string>();
        while (token != "")
        {
            (status, body) = await server.GetAsync($"/v1/cohorts/manifest/nextPage?next_page={token}&page_size=5");
            Assert.Equal(200, status);
            rows.AddRange(body["manifest"]!["json_manifest"]!.AsArray().Select(r => (string)r!["SOPInstanceUID"]!));
            token = (string)body["next_page"]!;
        }

        Assert.Equal(["3.01", "3.02", "3.05", "3.06", "3.07", "3.08", "3.09", "3.11"], rows);
    }

    [Fact]
    public async Task Query_and_dicom_metadata_202_bodies_carry_both_token_shapes()
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/query/preview", """{"cohort_def":{"name":"s","filters":{}},"queryFields":{"fields":["Modality"]}}""");
        Assert.Equal(202, status);
        Assert.Equal((string)body["next_page"]!, (string)body["query_info"]!["next_page"]!);
        Assert.Equal("""{"totalFound":0,"rowsReturned":0,"collections":[]}""", body["query_info"]!["cohortObjects"]!.ToJsonString());

        var (dicomStatus, dicom) = await server.GetAsync("/v1/dicomMetadata");
        Assert.Equal(202, dicomStatus);
        Assert.NotEqual("", (string)dicom["next_page"]!);
    }
}
