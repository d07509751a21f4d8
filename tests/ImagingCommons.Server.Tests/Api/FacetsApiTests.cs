using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Server.Tests.Api;

/// <summary>The sample release as 24.0 (current) and a two-series 23.0 beside it.</summary>
public sealed class TwoReleaseApiServer : ApiServer
{
    protected override void WriteMoreReleases(HandMadeRelease release) => release.Write("23.0",
    [
        Instance("tcga_luad", "TCGA-05-0001", "1.1", "2.11", "3.01", "CT", "CHEST", 100),
        Instance("nlst", "100001", "1.5", "2.51", "3.08", "MR", "CHEST", 10),
    ], date: "2025-11-01");
}

/// <summary>The extension routes over real HTTP; expected numbers counted by hand from <see cref="SampleRelease"/>.</summary>
public sealed class FacetsApiTests(TwoReleaseApiServer server) : IClassFixture<TwoReleaseApiServer>
{
    private async Task<(int Status, string MediaType, JsonObject Body)> Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync(path, content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", JsonNode.Parse(text)!.AsObject());
    }

    private static string Compact(JsonNode? node) => node?.ToJsonString() ?? "null";

    [Fact]
    public async Task Facets_answer_totals_and_each_attributes_values_under_the_other_filters()
    {
        var (status, _, body) = await Post("/api/v1/facets", """
            {"filters":{"Modality":["CT"],"collection_id":["tcga_luad"]},"facets":["modality","race","age_at_diagnosis"],"bins":3}
            """);

        Assert.Equal(200, status);
        Assert.Equal("24.0", (string?)body["release"]);
        Assert.Equal("""{"collections":1,"patients":2,"studies":2,"series":2,"instances":3,"bytes":700}""", Compact(body["totals"]));
        var facets = body["facets"]!.AsArray();
        Assert.Equal(["Modality", "race", "age_at_diagnosis"], facets.Select(f => (string)f!["attribute"]!));

        var modality = facets[0]!;
        Assert.Equal("Categorical String", (string?)modality["data_type"]);
        Assert.Equal("dicom_pivot", (string?)modality["table"]);
        Assert.Equal("""[{"value":"CT","series":2,"patients":2},{"value":"MR","series":1,"patients":1},{"value":"SEG","series":1,"patients":1}]""", Compact(modality["values"]));
        Assert.Equal(3, (int)modality["value_count"]!);
        Assert.False((bool)modality["truncated"]!);
        Assert.Null(modality["unrecorded"]);

        // race under CT in tcga_luad: 2.11 (05-0001, WHITE) and 2.31 (05-0003, no TCGA record).
        var race = facets[1]!;
        Assert.Equal("tcga_clinical_rel9", (string?)race["table"]);
        Assert.Equal("""[{"value":"WHITE","series":1,"patients":1}]""", Compact(race["values"]));
        Assert.Equal("""{"series":1,"patients":1}""", Compact(race["unrecorded"]));

        // age_at_diagnosis: only 05-0001 (66) has a record; one integer bin [66, 67).
        var age = facets[2]!;
        Assert.Null(age["values"]);
        Assert.Equal("""{"min":66,"max":66,"bins":[{"lower":66,"upper":67,"upper_inclusive":false,"series":1,"patients":1}]}""", Compact(age["histogram"]));
        Assert.Equal("""{"series":0,"patients":0}""", Compact(age["missing"]));
        Assert.Equal("""{"series":1,"patients":1}""", Compact(age["unrecorded"]));
    }

    [Fact]
    public async Task Facets_count_on_a_held_release_when_asked()
    {
        var (status, _, body) = await Post("/api/v1/facets", """{"release":"23.0","facets":["Modality"]}""");

        Assert.Equal(200, status);
        Assert.Equal("23.0", (string?)body["release"]);
        Assert.Equal("""{"collections":2,"patients":2,"studies":2,"series":2,"instances":2,"bytes":110}""", Compact(body["totals"]));
        Assert.Equal("""[{"value":"CT","series":1,"patients":1},{"value":"MR","series":1,"patients":1}]""", Compact(body["facets"]![0]!["values"]));
    }

    [Theory]
    [InlineData("not json", "The body must be a JSON object")]
    [InlineData("""{"filters":{"Modalityy":["CT"]}}""", "Modalityy is not a valid filter.")]
    [InlineData("""{"filters":{"age_at_diagnosis_btw":[65.1,70]}}""", "65.1 is not of type 'integer'; Failed validating type in schema ['properties'],['age_at_diagnosis_btw'],['items'] on instance ['age_at_diagnosis_btw'],[0]")]
    [InlineData("""{"facets":["Modality_gte"]}""", "Modality_gte is not a v2 filter attribute")]
    [InlineData("""{"facets":"Modality"}""", "'facets' must be an array")]
    [InlineData("""{"release":"9.0"}""", "Release \"9.0\" is not held by this server; it holds 23.0, 24.0.")]
    [InlineData("""{"limit":0}""", "'limit' must be an integer from 1 to 10000.")]
    [InlineData("""{"bins":101}""", "'bins' must be an integer from 1 to 100.")]
    [InlineData("""{"Filters":{}}""", "'Filters' is not a key of a facet request")]
    public async Task Bad_facet_requests_get_a_problem_details_400_that_says_why(string body, string detail)
    {
        var (status, mediaType, problem) = await Post("/api/v1/facets", body);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.StartsWith(detail, (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_manifest_preview_pages_a_held_release_with_next_page()
    {
        var (status, _, first) = await Post("/api/v1/manifest/preview", """
            {"release":"24.0","filters":{"Modality":["CT"]},"fields":["SeriesInstanceUID"],"counts":true,"page_size":4}
            """);

        Assert.Equal(200, status);
        Assert.Equal("24.0", (string?)first["release"]);
        Assert.Equal(6, (int)first["manifest"]!["totalFound"]!);
        Assert.Equal("""[{"SeriesInstanceUID":"2.11","instance_count":2},{"SeriesInstanceUID":"2.31","instance_count":1},{"SeriesInstanceUID":"2.41","instance_count":2},{"SeriesInstanceUID":"2.51","instance_count":1}]""", Compact(first["manifest"]!["manifest_data"]));
        var token = (string)first["next_page"]!;
        Assert.NotEqual("", token);

        using var response = await server.Client.GetAsync("/api/v1/manifest/preview/nextPage?next_page=" + Uri.EscapeDataString(token), TestContext.Current.CancellationToken);
        var next = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("""[{"SeriesInstanceUID":"2.61","instance_count":1},{"SeriesInstanceUID":"2.71","instance_count":1}]""", Compact(next["manifest"]!["manifest_data"]));
        Assert.Equal("", (string?)next["next_page"]);

        var (_, _, older) = await Post("/api/v1/manifest/preview", """{"release":"23.0","fields":["SeriesInstanceUID","Modality"]}""");
        Assert.Equal("""[{"SeriesInstanceUID":"2.11","Modality":"CT"},{"SeriesInstanceUID":"2.51","Modality":"MR"}]""", Compact(older["manifest"]!["manifest_data"]));
    }

    [Theory]
    [InlineData("/api/v1/manifest/preview/nextPage?next_page=garbage", "The next_page token is not one of this route's")]
    [InlineData("/api/v1/manifest/preview/nextPage?next_page=x&Page_size=3", "Unknown query parameter Page_size")]
    public async Task A_bad_next_page_call_gets_a_problem_details_400(string path, string detail)
    {
        using var response = await server.Client.GetAsync(path, TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(detail, (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_v2_preview_token_does_not_page_the_extension_preview()
    {
        var (_, _, v2) = await Post("/v2/cohorts/manifest/preview", """{"cohort_def":{"filters":{}},"fields":["SeriesInstanceUID"],"page_size":1}""");
        using var response = await server.Client.GetAsync("/api/v1/manifest/preview/nextPage?next_page=" + Uri.EscapeDataString((string)v2["next_page"]!), TestContext.Current.CancellationToken);

        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task The_portal_settings_name_the_current_and_held_releases()
    {
        var (status, body) = await server.GetAsync("/api/v1/portal");

        Assert.Equal(200, status);
        Assert.Equal("""{"release":"24.0","held_releases":["23.0","24.0"],"viewer_url":null}""", body.ToJsonString());
    }

    [Fact]
    public async Task The_portal_is_served_at_the_root_with_a_policy_that_allows_only_this_server()
    {
        using var response = await server.Client.GetAsync("/", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", html, StringComparison.Ordinal);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);

        using var script = await server.Client.GetAsync("/portal/app.js", TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/v1/swagger/index.html")]
    [InlineData("/v2/swagger/index.html")]
    [InlineData("/api/swagger/index.html")]
    public async Task The_interactive_api_pages_stay(string path)
    {
        using var response = await server.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task The_extensions_have_an_openapi_document_of_their_own()
    {
        using var response = await server.Client.GetAsync("/api/openapi.json", TestContext.Current.CancellationToken);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["/api/v1/facets", "/api/v1/manifest/preview", "/api/v1/manifest/preview/nextPage", "/api/v1/portal", "/api/v1/resolve"], paths);
        var facets = document["paths"]!["/api/v1/facets"]!["post"]!;
        Assert.NotNull(facets["requestBody"]);
        Assert.Equal(["200", "400"], facets["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.NotNull(document["components"]!["schemas"]!["FacetsResponse"]);
    }
}
