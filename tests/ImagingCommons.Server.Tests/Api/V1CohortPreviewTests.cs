using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Testing;
using static ImagingCommons.Server.Tests.Api.CohortTrees;

namespace ImagingCommons.Server.Tests.Api;

public sealed class V1CohortPreviewTests(ApiServer server) : IClassFixture<ApiServer>
{
    private const string Route = "/v1/cohorts/preview";
    private const string Everything = """{"name":"all","description":"d","filterSet":{"idc_data_version":"","filters":{}}}""";

    private static string Body(string filters) => """{"name":"c","description":"d","filterSet":{"filters":""" + filters + "}}";

    private Task<ApiResponse> Preview(string query, string body) => server.PostAsync(Route + query, body);

    /// <summary>Every page of a listing, following next_page on the same route without a body.</summary>
    private async Task<List<JsonObject>> AllPages(string query, string body, int pageSize)
    {
        var (status, page) = await Preview($"{query}&page_size={pageSize}", body);
        Assert.Equal(200, status);
        var pages = new List<JsonObject> { page };
        while ((string)page["next_page"]! is { Length: > 0 } token)
        {
            (status, page) = await Preview($"?next_page={token}&page_size={pageSize}", "");
            Assert.Equal(200, status);
            pages.Add(page);
            Assert.True(pages.Count <= 20, "the listing does not end");
        }

        return pages;
    }

    [Theory]
    [InlineData("Collection")]
    [InlineData("Patient")]
    [InlineData("Study")]
    [InlineData("Series")]
    [InlineData("Instance")]
    public async Task The_whole_release_comes_back_as_the_hand_computed_tree_at_every_level(string level)
    {
        var (tree, leaves) = WholeRelease(level);

        var (status, body) = await Preview($"?return_level={level}", Everything);

        Assert.Equal(200, status);
        Assert.Equal(200, (int)body["code"]!);
        Assert.Equal(Compact(tree), body["cohortObjects"]!["collections"]!.ToJsonString());
        Assert.Equal(leaves, (int)body["cohortObjects"]!["totalFound"]!);
        Assert.Equal(leaves, (int)body["cohortObjects"]!["rowsReturned"]!);
        Assert.Equal("", (string)body["next_page"]!);
        Assert.Equal(["code", "cohort", "cohortObjects", "next_page"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_return_level_the_tree_goes_down_to_series()
    {
        var (status, body) = await Preview("", Everything);

        Assert.Equal(200, status);
        Assert.Equal(Compact(CohortTrees.Series), body["cohortObjects"]!["collections"]!.ToJsonString());
        Assert.Equal(9, (int)body["cohortObjects"]!["totalFound"]!);
    }

    [Fact]
    public async Task The_echo_keeps_the_filters_as_sent_and_names_the_release_used()
    {
        var (status, body) = await Preview("?return_level=Collection", """
            {"name":"luad","description":"lungs","filterSet":{"idc_data_version":"","filters":{"collection_id":["TCGA-LUAD"],"Modality":["CT","MR"]}}}
            """);

        Assert.Equal(200, status);
        Assert.Equal(
            """{"name":"luad","description":"lungs","sql":"","filterSet":{"idc_data_version":"24.0","filters":{"collection_id":["TCGA-LUAD"],"Modality":["CT","MR"]}}}""",
            body["cohort"]!.ToJsonString());
        Assert.Equal("""[{"collection_id":"tcga_luad"}]""", body["cohortObjects"]!["collections"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"name":"n","filterSet":{"filters":{}}}""")]
    [InlineData("""{"name":"n","filterSet":{"idc_data_version":null,"filters":{}}}""")]
    [InlineData("""{"name":"n","filterSet":{"idc_data_version":"24.0","filters":{}}}""")]
    [InlineData("""{"name":"n","filters":{}}""")]
    public async Task A_missing_or_empty_version_and_the_released_v1_body_run_against_the_current_release(string json)
    {
        var (status, body) = await Preview("?return_level=Collection", json);

        Assert.Equal(200, status);
        Assert.Equal("""{"idc_data_version":"24.0","filters":{}}""", body["cohort"]!["filterSet"]!.ToJsonString());
        Assert.Equal("", (string)body["cohort"]!["description"]!);
        Assert.Equal(Compact(Collections), body["cohortObjects"]!["collections"]!.ToJsonString());
    }

    [Fact]
    public async Task Sql_True_echoes_the_servers_own_sql_and_anything_else_leaves_it_empty()
    {
        var (_, withSql) = await Preview("?return_level=Study&sql=True", Body("""{"Modality":["MR"]}"""));
        var (_, lowerCase) = await Preview("?return_level=Study&sql=true", Body("""{"Modality":["MR"]}"""));

        var sql = (string)withSql["cohort"]!["sql"]!;
        Assert.StartsWith("SELECT DISTINCT", sql, StringComparison.Ordinal);
        Assert.Contains("idc_v24.dicom_pivot", sql, StringComparison.Ordinal);
        Assert.Contains("'MR'", sql, StringComparison.Ordinal);
        Assert.Contains("ORDER BY", sql, StringComparison.Ordinal);
        Assert.Equal("", (string)lowerCase["cohort"]!["sql"]!);
    }

    [Theory]
    [InlineData("Collection", 1)]
    [InlineData("Collection", 2)]
    [InlineData("Patient", 1)]
    [InlineData("Patient", 4)]
    [InlineData("Study", 2)]
    [InlineData("Study", 3)]
    [InlineData("Series", 1)]
    [InlineData("Series", 4)]
    [InlineData("Series", 8)]
    [InlineData("Instance", 1)]
    [InlineData("Instance", 3)]
    [InlineData("Instance", 5)]
    [InlineData("Instance", 10)]
    [InlineData("Instance", 11)]
    [InlineData("Instance", 1000)]
    public async Task Pages_carry_their_own_leaves_and_merge_back_to_the_unpaged_tree(string level, int pageSize)
    {
        var (tree, leaves) = WholeRelease(level);

        var pages = await AllPages($"?return_level={level}", Everything, pageSize);

        var merged = new JsonArray();
        foreach (var page in pages)
        {
            var objects = page["cohortObjects"]!;
            var collections = objects["collections"]!.AsArray();
            Assert.Equal(leaves, (int)objects["totalFound"]!);
            Assert.Equal((int)objects["rowsReturned"]!, CohortTrees.Leaves(collections));
            Assert.InRange((int)objects["rowsReturned"]!, 1, pageSize);
            Merge(merged, collections);
        }

        Assert.Equal(Compact(tree), merged.ToJsonString());
        Assert.Equal(leaves, pages.Sum(p => (int)p["cohortObjects"]!["rowsReturned"]!));
        Assert.Equal((leaves + pageSize - 1) / pageSize, pages.Count);
        Assert.NotEqual("{}", pages[0]["cohort"]!.ToJsonString());
        Assert.All(pages.Skip(1), p => Assert.Equal("{}", p["cohort"]!.ToJsonString()));
    }

    [Fact]
    public async Task A_page_is_the_tree_of_its_own_leaves_only()
    {
        var (_, first) = await Preview("?return_level=Instance&page_size=4", Everything);
        var (_, second) = await Preview($"?next_page={first["next_page"]}&page_size=4", "");

        Assert.Equal(
            """[{"collection_id":"nlst","patients":[{"patient_id":"100001","studies":[{"StudyInstanceUID":"1.5","series":[{"SeriesInstanceUID":"2.51","instances":[{"SOPInstanceUID":"3.08"}]}]},{"StudyInstanceUID":"1.6","series":[{"SeriesInstanceUID":"2.61","instances":[{"SOPInstanceUID":"3.09"}]},{"SeriesInstanceUID":"2.62","instances":[{"SOPInstanceUID":"3.10"}]}]}]},{"patient_id":"100002","studies":[{"StudyInstanceUID":"1.7","series":[{"SeriesInstanceUID":"2.71","instances":[{"SOPInstanceUID":"3.11"}]}]}]}]}]""",
            first["cohortObjects"]!["collections"]!.ToJsonString());
        Assert.Equal(
            """[{"collection_id":"tcga_kirc","patients":[{"patient_id":"TCGA-B0-0001","studies":[{"StudyInstanceUID":"1.4","series":[{"SeriesInstanceUID":"2.41","instances":[{"SOPInstanceUID":"3.06"},{"SOPInstanceUID":"3.07"}]}]}]}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001","studies":[{"StudyInstanceUID":"1.1","series":[{"SeriesInstanceUID":"2.11","instances":[{"SOPInstanceUID":"3.01"},{"SOPInstanceUID":"3.02"}]}]}]}]}]""",
            second["cohortObjects"]!["collections"]!.ToJsonString());
        Assert.Equal(4, (int)second["cohortObjects"]!["rowsReturned"]!);
        Assert.Equal(11, (int)second["cohortObjects"]!["totalFound"]!);
    }

    [Fact]
    public async Task A_next_page_call_ignores_the_body_and_the_first_page_options()
    {
        var (_, first) = await Preview("?return_level=Patient&page_size=2", Everything);
        var token = (string)first["next_page"]!;

        var (status, next) = await Preview($"?next_page={token}&return_level=Instance&sql=True&bogus=1&page_size=2", "{not json");

        Assert.Equal(200, status);
        Assert.Equal("{}", next["cohort"]!.ToJsonString());
        Assert.Equal("""[{"collection_id":"tcga_kirc","patients":[{"patient_id":"TCGA-B0-0001"}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"}]}]""",
            next["cohortObjects"]!["collections"]!.ToJsonString());
    }

    [Fact]
    public async Task The_same_token_gives_the_same_page_and_page_size_applies_per_call()
    {
        var (_, first) = await Preview("?return_level=Instance&page_size=2", Everything);
        var token = (string)first["next_page"]!;

        var (_, once) = await Preview($"?next_page={token}&page_size=3", "");
        var (_, again) = await Preview($"?next_page={token}&page_size=3", "");
        var (_, defaultSize) = await Preview($"?next_page={token}", "");

        Assert.Equal(once["cohortObjects"]!.ToJsonString(), again["cohortObjects"]!.ToJsonString());
        Assert.Equal(3, (int)once["cohortObjects"]!["rowsReturned"]!);
        Assert.Equal(9, (int)defaultSize["cohortObjects"]!["rowsReturned"]!);
        Assert.Equal("", (string)defaultSize["next_page"]!);
    }

    [Fact]
    public async Task An_empty_next_page_counts_as_absent()
    {
        var (status, body) = await Preview("?next_page=&return_level=Collection", Everything);

        Assert.Equal(200, status);
        Assert.Equal("all", (string)body["cohort"]!["name"]!);
        Assert.Equal(Compact(Collections), body["cohortObjects"]!["collections"]!.ToJsonString());
    }

    [Fact]
    public async Task The_route_takes_an_optional_trailing_slash()
    {
        var (status, body) = await server.PostAsync(Route + "/?return_level=Collection", Everything);

        Assert.Equal(200, status);
        Assert.Equal(3, (int)body["cohortObjects"]!["totalFound"]!);
    }

    [Theory]
    // TCGA clinical: a patient without a record passes (TCGA-05-0003 and both NLST patients); TCGA-05-0002 is ASIAN.
    [InlineData("""{"race":["WHITE"]}""", "Patient",
        """[{"collection_id":"nlst","patients":[{"patient_id":"100001"},{"patient_id":"100002"}]},{"collection_id":"tcga_kirc","patients":[{"patient_id":"TCGA-B0-0001"}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0003"}]}]""")]
    // Biospecimen: TCGA-05-0001 has a Solid Tissue Normal sample among two; the others' records fail; no record passes.
    [InlineData("""{"sample_type":["solid tissue normal"]}""", "Patient",
        """[{"collection_id":"nlst","patients":[{"patient_id":"100001"},{"patient_id":"100002"}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0003"}]}]""")]
    // Exact suffix bounds over ages 66 (0001) and 75 (0002); 0003 has no record and passes.
    [InlineData("""{"collection_id":["TCGA-LUAD"],"age_at_diagnosis_btw":[66,75]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0003"}]}]""")]
    [InlineData("""{"collection_id":["TCGA-LUAD"],"age_at_diagnosis_ebtw":[66,75]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0003"}]}]""")]
    [InlineData("""{"collection_id":["TCGA-LUAD"],"age_at_diagnosis_btwe":[66,75]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0002"},{"patient_id":"TCGA-05-0003"}]}]""")]
    [InlineData("""{"collection_id":["TCGA-LUAD"],"age_at_diagnosis_ebtwe":[66,75]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0002"},{"patient_id":"TCGA-05-0003"}]}]""")]
    [InlineData("""{"collection_id":["TCGA-LUAD"],"age_at_diagnosis_gt":[66]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0002"},{"patient_id":"TCGA-05-0003"}]}]""")]
    [InlineData("""{"collection_id":["TCGA-LUAD"],"age_at_diagnosis_lte":[66]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0003"}]}]""")]
    [InlineData("""{"collection_id":["TCGA-LUAD"],"age_at_diagnosis":[75]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0002"},{"patient_id":"TCGA-05-0003"}]}]""")]
    // A record whose value is NULL fails (TCGA-05-0002's bmi); no record passes.
    [InlineData("""{"collection_id":["tcga_luad"],"bmi_gte":[0]}""", "Patient",
        """[{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0003"}]}]""")]
    // Per-value wildcards, case-insensitive: ABDOMEN matches %dom%, LUNG matches exactly.
    [InlineData("""{"BodyPartExamined":["%dom%","lung"]}""", "Series",
        """[{"collection_id":"tcga_kirc","patients":[{"patient_id":"TCGA-B0-0001","studies":[{"StudyInstanceUID":"1.4","series":[{"SeriesInstanceUID":"2.41"}]}]}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0003","studies":[{"StudyInstanceUID":"1.3","series":[{"SeriesInstanceUID":"2.31"}]}]}]}]""")]
    [InlineData("""{"BodyPartExamined":["chest"]}""", "Instance",
        """[{"collection_id":"nlst","patients":[{"patient_id":"100001","studies":[{"StudyInstanceUID":"1.5","series":[{"SeriesInstanceUID":"2.51","instances":[{"SOPInstanceUID":"3.08"}]}]},{"StudyInstanceUID":"1.6","series":[{"SeriesInstanceUID":"2.61","instances":[{"SOPInstanceUID":"3.09"}]}]}]}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001","studies":[{"StudyInstanceUID":"1.1","series":[{"SeriesInstanceUID":"2.11","instances":[{"SOPInstanceUID":"3.01"},{"SOPInstanceUID":"3.02"}]}]}]},{"patient_id":"TCGA-05-0002","studies":[{"StudyInstanceUID":"1.2","series":[{"SeriesInstanceUID":"2.21","instances":[{"SOPInstanceUID":"3.04"}]}]}]}]}]""")]
    // "None" means NULL.
    [InlineData("""{"BodyPartExamined":["None"]}""", "Series",
        """[{"collection_id":"nlst","patients":[{"patient_id":"100001","studies":[{"StudyInstanceUID":"1.6","series":[{"SeriesInstanceUID":"2.62"}]}]},{"patient_id":"100002","studies":[{"StudyInstanceUID":"1.7","series":[{"SeriesInstanceUID":"2.71"}]}]}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001","studies":[{"StudyInstanceUID":"1.1","series":[{"SeriesInstanceUID":"2.12"}]}]}]}]""")]
    // collection ids: "-" becomes "_" before matching, and "_" is then a one-character wildcard under LIKE.
    [InlineData("""{"collection_id":["TCGA-%"]}""", "Collection", """[{"collection_id":"tcga_kirc"},{"collection_id":"tcga_luad"}]""")]
    [InlineData("""{"collection_id":["tcga-l%"]}""", "Collection", """[{"collection_id":"tcga_luad"}]""")]
    // Predicates on dicom_pivot hold on one row: no SEG instance has a body part.
    [InlineData("""{"Modality":["SEG"],"BodyPartExamined":["CHEST"]}""", "Collection", "[]")]
    [InlineData("""{"Modality":["SEG","SR"]}""", "Study",
        """[{"collection_id":"nlst","patients":[{"patient_id":"100001","studies":[{"StudyInstanceUID":"1.6"}]}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001","studies":[{"StudyInstanceUID":"1.1"}]}]}]""")]
    public async Task Filters_follow_the_manifest_semantics(string filters, string level, string expected)
    {
        var (status, body) = await Preview($"?return_level={level}", Body(filters));

        Assert.Equal(200, status);
        var collections = body["cohortObjects"]!["collections"]!.AsArray();
        Assert.Equal(Compact(expected), collections.ToJsonString());
        Assert.Equal(CohortTrees.Leaves(collections), (int)body["cohortObjects"]!["totalFound"]!);
        Assert.Equal("", (string)body["next_page"]!);
    }

    [Fact]
    public async Task A_filter_set_matching_nothing_gives_an_empty_tree()
    {
        var (status, body) = await Preview("?return_level=Instance", Body("""{"Modality":["XA"]}"""));

        Assert.Equal(200, status);
        Assert.Equal("""{"totalFound":0,"rowsReturned":0,"collections":[]}""", body["cohortObjects"]!.ToJsonString());
        Assert.Equal("", (string)body["next_page"]!);
    }

    [Theory]
    // 1. Not JSON, or not an object.
    [InlineData("", "", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("", "{\"name\":", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("", "[1]", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("?bogus=1", "null", "The JSON provided in this request appears to be improperly formatted.")]
    // 2. No filterSet (nor a released-v1 filters).
    [InlineData("", """{"name":"x"}""", "No filters were provided; ensure that the request body contains a 'filterSet' property.")]
    // 3. The filterSet schema, before the name.
    [InlineData("", """{"filterSet":{"filters":{"bogus":["a"]}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":"x"}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":null}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":{},"extra":1}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"idc_data_version":24,"filters":{}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":[]}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":{"age_at_diagnosis":[72,73]}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":{"age_at_diagnosis_lte":[72,73]}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":{"age_at_diagnosis_btw":[10]}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":{"Modality":"CT"}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":{"Modality":[]}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filterSet":{"filters":{"modality":["CT"]}}}""", "Filters were improperly formatted.")]
    [InlineData("", """{"name":"x","filters":{"Modality":[1]}}""", "Filters were improperly formatted.")]
    // 4. The name.
    [InlineData("", """{"filterSet":{"filters":{}}}""", "A name was not provided for this cohort. The cohort was not made.")]
    [InlineData("", """{"name":"","filterSet":{"filters":{}}}""", "A name was not provided for this cohort. The cohort was not made.")]
    [InlineData("", """{"name":7,"filterSet":{"filters":{}}}""", "A name was not provided for this cohort. The cohort was not made.")]
    [InlineData("?bogus=1", """{"name":" ","filterSet":{"filters":{}}}""", "A name was not provided for this cohort. The cohort was not made.")]
    // 5. Refused text in the name, then the description, before the query keys.
    [InlineData("?bogus=1", """{"name":"a <SCRIPT>alert(1)</script>","filterSet":{"filters":{}}}""", "Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw <SCRIPT>]")]
    [InlineData("", """{"name":"x","description":"see <iframe>","filterSet":{"filters":{}}}""", "Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw <iframe>]")]
    [InlineData("", """{"name":"a!![]b","filterSet":{"filters":{}}}""", "Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw !![]]")]
    [InlineData("", """{"name":"x","description":"[][\"constructor\"]","filterSet":{"filters":{}}}""", "Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw [][\"constructor\"]]")]
    // 7. Query keys (the last unknown one is named) and return_level (whose message wins), before the release.
    [InlineData("?bogus=1", Everything, "Invalid key bogus")]
    [InlineData("?a=1&return_level=Study&b=2", Everything, "Invalid key b")]
    [InlineData("?Return_level=Study", Everything, "Invalid key Return_level")]
    [InlineData("?return_level=series", Everything, "Invalid return_level series")]
    [InlineData("?zzz=1&return_level=None", Everything, "Invalid return_level None")]
    [InlineData("?return_level=", Everything, "Invalid return_level ")]
    [InlineData("?bogus=1", """{"name":"x","filterSet":{"idc_data_version":"99.0","filters":{}}}""", "Invalid key bogus")]
    // 9. The release, then the filters key.
    [InlineData("?page_size=abc", """{"name":"x","filterSet":{"idc_data_version":"99.0","filters":{}}}""", "Invalid IDC version 99.0; this server holds 24.0")]
    [InlineData("", """{"name":"x","filterSet":{"idc_data_version":"24","filters":{}}}""", "Invalid IDC version 24; this server holds 24.0")]
    [InlineData("", """{"name":"x","filterSet":{"idc_data_version":"24.0"}}""", "Error while trying to obtain cohort objects.")]
    // page_size, before any query runs: an integer of at least 1.
    [InlineData("?page_size=abc", Everything, "Parameter page_size must have an integer value")]
    [InlineData("?page_size=1.5", Everything, "Parameter page_size must have an integer value")]
    [InlineData("?page_size=0", Everything, "Parameter page_size must have an integer value")]
    [InlineData("?page_size=-3", Everything, "Parameter page_size must have an integer value")]
    // 6. A token is checked before anything else of a next-page call, which ignores the body.
    [InlineData("?next_page=garbage&page_size=abc", "", "Invalid next_page token garbage")]
    [InlineData("?next_page=gAAAAABh&bogus=1", "{", "Invalid next_page token gAAAAABh")]
    public async Task Errors_have_the_addendum_texts_in_its_order(string query, string body, string message)
    {
        var (status, answer) = await Preview(query, body);

        Assert.Equal(400, status);
        Assert.Equal("""{"code":400,"message":""" + System.Text.Json.JsonSerializer.Serialize(message) + "}", answer.ToJsonString());
    }

    [Fact]
    public async Task A_valid_token_with_a_bad_page_size_is_refused_for_the_page_size()
    {
        var (_, first) = await Preview("?page_size=1", Everything);

        var (status, body) = await Preview($"?next_page={first["next_page"]}&page_size=x", "");

        Assert.Equal(400, status);
        Assert.Equal("Parameter page_size must have an integer value", (string)body["message"]!);
    }

    [Fact]
    public async Task Tokens_page_only_through_the_route_that_issued_them()
    {
        var (_, cohort) = await Preview("?page_size=2", Everything);
        var cohortToken = (string)cohort["next_page"]!;
        var (_, manifest) = await server.PostAsync("/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size=2", """{"name":"a","filters":{}}""");
        var manifestToken = (string)manifest["next_page"]!;
        var tampered = cohortToken[..^2] + (cohortToken[^2] == 'A' ? "B" : "A") + cohortToken[^1];

        var (foreignStatus, foreign) = await Preview($"?next_page={manifestToken}", "");
        var (manifestStatus, _) = await server.GetAsync($"/v1/cohorts/manifest/nextPage?next_page={cohortToken}");
        var (v2Status, _) = await server.GetAsync($"/v2/cohorts/manifest/preview/nextPage?next_page={cohortToken}");
        var (tamperedStatus, tamperedBody) = await Preview($"?next_page={tampered}", "");

        Assert.Equal([400, 400, 400, 400], new[] { foreignStatus, manifestStatus, v2Status, tamperedStatus });
        Assert.Equal("Invalid next_page token " + manifestToken, (string)foreign["message"]!);
        Assert.Equal("Invalid next_page token " + tampered, (string)tamperedBody["message"]!);
    }

    [Fact]
    public async Task The_preview_never_reads_the_callers_identity_and_ignores_email()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Route + "?return_level=Collection&page_size=1&email=someone@example.org")
        {
            Content = new StringContent(Everything, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-real-token");
        using var response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(200, (int)response.StatusCode);
        var (status, next) = await Preview($"?next_page={body["next_page"]}&page_size=5", "");
        Assert.Equal(200, status);
        Assert.Equal(2, (int)next["cohortObjects"]!["rowsReturned"]!);
    }

    [Theory]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"Modality\":[\"\\u0000\",\"%\\u0000%\"]}}}")]
    [InlineData("", "{\"name\":\"\\u0000\",\"description\":{\"a\":[1]},\"filterSet\":{\"filters\":{}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"age_at_diagnosis_gt\":[1e400]}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"age_at_diagnosis_btw\":[-1e308,1e308]}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"bmi\":[123456789012345678901234567890]}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"idc_data_version\":\"../../../../etc/passwd\",\"filters\":{}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"idc_data_version\":\"24.0\\u0000\",\"filters\":{}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"idc_data_version\":\"' OR 1=1 --\",\"filters\":{}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"collection_id\":[\"'; DROP TABLE x; --\",\"\\\"\"]}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"Modality\":[{\"a\":1}]}}}")]
    [InlineData("", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"Modality\":[\"CT\"],\"Modality\":[\"MR\"]}}}")]
    [InlineData("", "{\"name\":\"x\",\"name\":\"y\",\"filterSet\":{\"filters\":{}},\"filterSet\":{\"filters\":{}}}")]
    [InlineData("?return_level=Series%00", "{\"name\":\"x\",\"filterSet\":{\"filters\":{}}}")]
    [InlineData("?return_level=%E2%80%AE", "{\"name\":\"x\",\"filterSet\":{\"filters\":{}}}")]
    [InlineData("?page_size=99999999999999999999999", "{\"name\":\"x\",\"filterSet\":{\"filters\":{}}}")]
    [InlineData("?page_size=9223372036854775807", "{\"name\":\"x\",\"filterSet\":{\"filters\":{}}}")]
    [InlineData("?page_size=-9223372036854775808", "{\"name\":\"x\",\"filterSet\":{\"filters\":{}}}")]
    [InlineData("?next_page=%2B%2F%3D%3D", "")]
    [InlineData("?next_page=%00", "")]
    [InlineData("?next_page=A&next_page=", "")]
    [InlineData("?%00=1", "{\"name\":\"x\",\"filterSet\":{\"filters\":{}}}")]
    [InlineData("?sql=True&return_level=Instance&page_size=1", "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"StudyDescription\":[\"%'%\",\"\\\\\"]}}}")]
    public async Task Hostile_input_is_never_a_server_error(string query, string body)
    {
        var (status, answer) = await Preview(query, body);

        Assert.True(status is 200 or 400, $"{query} {body}: {status} {answer.ToJsonString()}");
        Assert.Equal(status, (int)answer["code"]!);
    }

    [Fact]
    public async Task Deeply_nested_long_and_repetitive_bodies_are_answered_without_a_500()
    {
        var deep = "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"Modality\":" + new string('[', 5000) + new string(']', 5000) + "}}}";
        var longName = "{\"name\":\"" + string.Concat(Enumerable.Repeat("[][\\\"", 150_000)) + "\",\"filterSet\":{\"filters\":{}}}";
        var manyValues = "{\"name\":\"x\",\"filterSet\":{\"filters\":{\"SeriesInstanceUID\":[" + string.Join(",", Enumerable.Range(0, 3000).Select(i => $"\"9.{i}\"")) + ",\"2.41\"]}}}";
        var tooLarge = "{\"name\":\"" + new string('x', 2_000_000) + "\",\"filterSet\":{\"filters\":{}}}";

        var (deepStatus, _) = await Preview("", deep);
        var (longStatus, longBody) = await Preview("?return_level=Collection", longName);
        var (manyStatus, many) = await Preview("?return_level=Instance", manyValues);
        var (largeStatus, large) = await Preview("", tooLarge);

        Assert.Equal(400, deepStatus);
        Assert.Equal(200, longStatus);
        Assert.Equal(3, (int)longBody["cohortObjects"]!["totalFound"]!);
        Assert.Equal(200, manyStatus);
        Assert.Equal(2, (int)many["cohortObjects"]!["totalFound"]!);
        Assert.Equal(413, largeStatus);
        Assert.Equal("The request body is larger than 1048576 bytes.", (string)large["message"]!);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_route_with_its_parameters_body_and_answers()
    {
        using var response = await server.Client.GetAsync("/v1/openapi.json", TestContext.Current.CancellationToken);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        var operation = document["paths"]![Route]!["post"]!;
        var parameters = operation["parameters"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (bool?)p!["required"] ?? false);
        Assert.Equal(["email", "next_page", "page_size", "return_level", "sql"], parameters.Keys.Order(StringComparer.Ordinal));
        Assert.False(parameters["next_page"]);
        Assert.NotNull(operation["requestBody"]);
        Assert.Equal(["200", "202", "400", "429", "500"], operation["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
    }
}

/// <summary>The sample release "24.0", plus "23.0" with other rows and "22.0" whose instance table is unreadable.</summary>
public sealed class ReleasesApiServer : ApiServer
{
    protected override void WriteMoreReleases(HandMadeRelease release)
    {
        release.Write("23.0",
        [
            HandMadeRelease.Instance("tcga_luad", "TCGA-05-0001", "1.1", "2.11", "3.01", "CT", "CHEST"),
            HandMadeRelease.Instance("tcga_read", "TCGA-AF-0001", "1.8", "2.81", "3.12", "MR", "PELVIS"),
            HandMadeRelease.Instance("tcga_read", "TCGA-AF-0001", "1.8", "2.82", "3.13", "MR", "PELVIS"),
            HandMadeRelease.Instance("tcga_read", "TCGA-AF-0002", "1.9", "2.91", "3.14", "CT", "PELVIS"),
        ]);
        release.Write("22.0", [HandMadeRelease.Instance("nlst", "100001", "1.5", "2.51", "3.08", "CT")]);
        File.WriteAllText(release.Data.TablePath("22.0", "dicom_pivot"), "this is not a Parquet file");
    }
}

public sealed class V1CohortPreviewReleaseTests(ReleasesApiServer server) : IClassFixture<ReleasesApiServer>
{
    private static string Body(string version, string filters = "{}") =>
        $$"""{"name":"old","filterSet":{"idc_data_version":"{{version}}","filters":""" + filters + "}}";

    [Fact]
    public async Task A_held_older_release_is_selected_by_idc_data_version()
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/preview?return_level=Series", Body("23.0"));

        Assert.Equal(200, status);
        Assert.Equal("23.0", (string)body["cohort"]!["filterSet"]!["idc_data_version"]!);
        Assert.Equal(
            Compact("""
                [{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001","studies":[{"StudyInstanceUID":"1.1","series":[{"SeriesInstanceUID":"2.11"}]}]}]},
                 {"collection_id":"tcga_read","patients":[
                   {"patient_id":"TCGA-AF-0001","studies":[{"StudyInstanceUID":"1.8","series":[{"SeriesInstanceUID":"2.81"},{"SeriesInstanceUID":"2.82"}]}]},
                   {"patient_id":"TCGA-AF-0002","studies":[{"StudyInstanceUID":"1.9","series":[{"SeriesInstanceUID":"2.91"}]}]}]}]
                """),
            body["cohortObjects"]!["collections"]!.ToJsonString());
        Assert.Equal(4, (int)body["cohortObjects"]!["totalFound"]!);
    }

    [Fact]
    public async Task Filters_and_paging_stay_on_the_selected_release()
    {
        var (_, first) = await server.PostAsync("/v1/cohorts/preview?return_level=Instance&page_size=1", Body("23.0", """{"BodyPartExamined":["pelvis"]}"""));
        var merged = first["cohortObjects"]!["collections"]!.AsArray().DeepClone().AsArray();
        var token = (string)first["next_page"]!;
        var pages = 1;
        while (token != "")
        {
            var (status, next) = await server.PostAsync($"/v1/cohorts/preview?next_page={token}&page_size=1", "");
            Assert.Equal(200, status);
            Assert.Equal(3, (int)next["cohortObjects"]!["totalFound"]!);
            Merge(merged, next["cohortObjects"]!["collections"]!.AsArray());
            token = (string)next["next_page"]!;
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(
            Compact("""
                [{"collection_id":"tcga_read","patients":[
                   {"patient_id":"TCGA-AF-0001","studies":[{"StudyInstanceUID":"1.8","series":[
                     {"SeriesInstanceUID":"2.81","instances":[{"SOPInstanceUID":"3.12"}]},
                     {"SeriesInstanceUID":"2.82","instances":[{"SOPInstanceUID":"3.13"}]}]}]},
                   {"patient_id":"TCGA-AF-0002","studies":[{"StudyInstanceUID":"1.9","series":[
                     {"SeriesInstanceUID":"2.91","instances":[{"SOPInstanceUID":"3.14"}]}]}]}]}]
                """),
            merged.ToJsonString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("24.0")]
    public async Task The_current_release_is_the_newest_held_one(string version)
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/preview?return_level=Collection", Body(version));

        Assert.Equal(200, status);
        Assert.Equal("24.0", (string)body["cohort"]!["filterSet"]!["idc_data_version"]!);
        Assert.Equal(Compact(Collections), body["cohortObjects"]!["collections"]!.ToJsonString());
    }

    [Theory]
    [InlineData("99.0")]
    [InlineData("21.0")]
    [InlineData("23")]
    public async Task A_release_that_is_not_held_is_refused_with_the_held_ones(string version)
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/preview", Body(version));

        Assert.Equal(400, status);
        Assert.Equal($"Invalid IDC version {version}; this server holds 22.0, 23.0, 24.0", (string)body["message"]!);
    }

    [Fact]
    public async Task A_query_that_fails_in_the_engine_is_the_addendums_query_job_error()
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/preview", Body("22.0"));

        Assert.Equal(500, status);
        Assert.Equal(500, (int)body["code"]!);
        Assert.StartsWith("[ERROR] During query job ", (string)body["message"]!, StringComparison.Ordinal);
    }
}

public sealed class V1CohortPreviewSlowTests(SlowApiServer server) : IClassFixture<SlowApiServer>
{
    [Fact]
    public async Task A_slow_preview_answers_202_and_resumes_on_the_same_route()
    {
        var (status, body) = await server.PostAsync("/v1/cohorts/preview?return_level=Study&page_size=3&sql=True",
            """{"name":"slow","description":"d","filterSet":{"filters":{}}}""");

        Assert.Equal(202, status);
        Assert.Equal(202, (int)body["code"]!);
        Assert.Equal("[ERROR] API query took longer than the allowed time to execute. Retry the query using the next_page token.", (string)body["message"]!);
        var token = (string)body["next_page"]!;
        Assert.NotEqual("", token);
        foreach (var wrapper in new[] { "query_info", "manifest_info" })
        {
            var info = body[wrapper]!;
            Assert.Equal(token, (string)info["next_page"]!);
            Assert.Equal("""{"totalFound":0,"rowsReturned":0,"collections":[]}""", info["cohortObjects"]!.ToJsonString());
            Assert.Equal("slow", (string)info["cohort"]!["name"]!);
            Assert.Equal("24.0", (string)info["cohort"]!["filterSet"]!["idc_data_version"]!);
            Assert.StartsWith("SELECT DISTINCT", (string)info["cohort"]!["sql"]!, StringComparison.Ordinal);
        }

        await server.WaitForComputedAsync("V1CohortObjects");
        var merged = new JsonArray();
        var rows = 0;
        var pages = 0;
        while (token != "")
        {
            (status, body) = await server.PostAsync($"/v1/cohorts/preview?next_page={token}&page_size=3", "");
            Assert.Equal(200, status);
            Assert.Equal("{}", body["cohort"]!.ToJsonString());
            Assert.Equal(7, (int)body["cohortObjects"]!["totalFound"]!);
            rows += (int)body["cohortObjects"]!["rowsReturned"]!;
            Merge(merged, body["cohortObjects"]!["collections"]!.AsArray());
            token = (string)body["next_page"]!;
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(7, rows);
        Assert.Equal(Compact(Studies), merged.ToJsonString());
    }
}
