using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Contracts;
using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

/// <summary>The contract fixes of issue 9, each over real HTTP on the sample release.</summary>
public sealed class ContractFixTests(ApiServer server) : IClassFixture<ApiServer>
{
    private const string NotebookFilters = """{"collection_id":["TCGA-LUAD","TCGA-KIRC"],"Modality":["CT","MR"]}""";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/cohorts/manifest/nextPage?next_page=")]
    [InlineData("/v1/cohorts/query/nextPage?next_page=")]
    [InlineData("/v2/cohorts/manifest/preview/nextPage?next_page=")]
    public async Task A_20_kilobyte_next_page_gets_the_invalid_token_400_not_an_empty_414(string route)
    {
        var token = new string('g', 20_000);

        var response = await server.App.GetAsync(route + token);

        JsonAssert.Error(400, ErrorTexts.InvalidNextPage(token), response);
    }

    [Fact]
    public async Task A_request_target_over_the_bound_gets_414_with_the_spec_body()
    {
        var response = await server.App.GetAsync("/v2/cohorts/manifest/preview/nextPage?next_page=" + new string('g', 70_000));

        JsonAssert.Error(414, "The request URI is longer than 65536 bytes.", response);
        Assert.Equal("application/json", response.ContentType);
    }

    [Fact]
    public async Task Headers_over_the_bound_get_431_with_the_spec_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/versions");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('p', 70_000));
        using var raw = await server.Client.SendAsync(request, Cancel);
        var response = await ApiResponse.ReadAsync(raw);

        JsonAssert.Error(431, "The request headers are larger than 65536 bytes.", response);
    }

    [Fact]
    public async Task A_body_over_the_bound_gets_413_with_the_spec_body_and_the_server_stays_up()
    {
        var body = "{\"cohort_def\":{\"name\":\"x\"},\"fields\":[],\"padding\":\"" + new string('p', 1_100_000) + "\"}";

        var response = await server.App.PostAsync("/v2/cohorts/manifest/preview", body);

        JsonAssert.Error(413, "The request body is larger than 1048576 bytes.", response);
        Assert.Equal(200, (await server.App.GetAsync("/v2/versions")).Status);
    }

    [Theory]
    [InlineData("/v1/cohorts/preview", """{"name":"c","description":"d","filterSet":{"filters":{"Modality":["<script>x"]}}}""", "Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw <script>]")]
    [InlineData("/v1/cohorts/manifest/preview?Collection_ID=True", """{"name":"c","description":"d","filters":{"Modality":["<script>x"]}}""", "Your cohort's filters contain invalid characters; please edit and resubmit.")]
    [InlineData("/v2/cohorts/manifest/preview", """{"cohort_def":{"name":"c","filters":{"Modality":["<IFRAME>"]}},"fields":["Modality"]}""", "Your cohort's filters contain invalid characters; please edit and resubmit.")]
    [InlineData("/v1/cohorts/preview", """{"name":"[][\"a\"b\"]","description":"d","filterSet":{"filters":{"Modality":["CT"]}}}""", "Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw [][\"a\"b\"]]")]
    [InlineData("/v1/cohorts/manifest/preview?Collection_ID=True", """{"name":"[][\"a\"b\"]","description":"d","filters":{"Modality":["CT"]}}""", "Your cohort's name contains invalid characters; please edit and resubmit.")]
    [InlineData("/v2/cohorts/manifest/preview", """{"cohort_def":{"name":"[][\"a\"b\"]"},"fields":["Modality"]}""", "Your cohort's name contains invalid characters; please edit and resubmit.")]
    public async Task One_sanitiser_refuses_script_like_text_in_names_and_filter_values_on_every_route(string route, string body, string message)
    {
        JsonAssert.Error(400, message, await server.App.PostAsync(route, body));
    }

    [Theory]
    [InlineData("/v1/cohorts/preview", """{"name":"c","description":["d"],"filterSet":{"filters":{"Modality":["CT"]}}}""", "A cohort's name and description must be strings.")]
    [InlineData("/v1/cohorts/manifest/preview?Collection_ID=True", """{"name":"c","description":{"d":1},"filters":{"Modality":["CT"]}}""", "A cohort's name and description must be strings.")]
    [InlineData("/v1/cohorts/query/preview", """{"cohort_def":{"name":"c","description":5,"filters":{}},"queryFields":{"fields":["Modality"]}}""", "A cohort's name and description must be strings.")]
    [InlineData("/v2/cohorts/manifest/preview", """{"cohort_def":{"name":"c","description":["d"]},"fields":["Modality"]}""", "[\"d\"] is not a valid cohort description")]
    [InlineData("/v2/cohorts/manifest/preview", """{"cohort_def":{"name":7},"fields":["Modality"]}""", "7 is not a valid cohort name")]
    public async Task Names_and_descriptions_that_are_not_text_are_refused_on_every_route(string route, string body, string message)
    {
        JsonAssert.Error(400, message, await server.App.PostAsync(route, body));
    }

    [Fact]
    public async Task Hello_answers_the_original_test_text()
    {
        var response = await server.App.GetAsync("/hello");

        Assert.Equal((200, "Hello, World!"), (response.Status, response.Text));
        Assert.StartsWith("text/plain", response.ContentType, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/oauth2callback")]
    [InlineData("/v2/oauth2callback/")]
    public async Task The_oauth_callback_pages_exist_and_say_how_to_sign_in(string path)
    {
        var response = await server.App.GetAsync(path);

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/html", response.ContentType, StringComparison.Ordinal);
        Assert.Contains("idc keys create", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_root_serves_the_portal_page()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.App.Address };

        using var response = await client.GetAsync("/", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>ImagingCommons portal</title>", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/no/such/route")]
    [InlineData("/v2/versions")]
    [InlineData("/v1/collections?foo=1")]
    public async Task Every_json_answer_has_one_content_type(string path)
    {
        var response = await server.App.GetAsync(path);

        Assert.Equal("application/json", response.ContentType);
    }

    [Fact]
    public async Task Without_configured_origins_no_cross_origin_header_is_sent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v2/cohorts/manifest/preview");
        request.Headers.Add("Origin", "https://portal.example.org");
        request.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await server.Client.SendAsync(request, Cancel);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    /// <summary>IDC's example notebook (IDC-Examples API/notebooks/How_to_use_IDC_APIs.ipynb) pages the 2020-2021 route on itself.</summary>
    [Fact]
    public async Task The_notebooks_preview_manifest_route_pages_on_itself_and_yields_the_whole_manifest()
    {
        var cohortSpec = $$"""{"name":"testcohort","description":"Test description","filters":{{NotebookFilters}}}""";
        const string Columns = "sql=False&Collection_ID=True&Patient_ID=True&CRDC_Instance_GUID=True&GCS_URL=True";

        var (status, first) = await server.App.PostAsync($"/v1/cohorts/preview/manifest?{Columns}&page_size=2", cohortSpec);
        Assert.Equal(200, status);
        Assert.Equal(6, (int)first["manifest"]!["totalFound"]!);
        var rows = first["manifest"]!["json_manifest"]!.AsArray().Select(r => r!.ToJsonString()).ToList();
        var token = (string)first["next_page"]!;
        while (token.Length > 0)
        {
            var (pageStatus, page) = await server.App.PostAsync($"/v1/cohorts/preview/manifest?page_size=10&next_page={Uri.EscapeDataString(token)}", cohortSpec);
            Assert.Equal(200, pageStatus);
            rows.AddRange(page["manifest"]!["json_manifest"]!.AsArray().Select(r => r!.ToJsonString()));
            token = (string)page["next_page"]!;
        }

        var (_, whole) = await server.App.PostAsync($"/v1/cohorts/manifest/preview?{Columns}&page_size=1000", cohortSpec);
        Assert.Equal(whole["manifest"]!["json_manifest"]!.AsArray().Select(r => r!.ToJsonString()), rows);
        Assert.Equal(6, rows.Count);
    }

    [Fact]
    public async Task The_notebooks_preview_query_route_pages_on_itself()
    {
        const string Body = """{"cohort_def":{"name":"testcohort","description":"Test description","filters":{"collection_id":["TCGA-LUAD"]}},"queryFields":{"fields":["PatientID","SOPInstanceUID","Modality"]}}""";

        var (status, first) = await server.App.PostAsync("/v1/cohorts/preview/query?sql=False&page_size=3", Body);
        Assert.Equal(200, status);
        var (nextStatus, next) = await server.App.PostAsync($"/v1/cohorts/preview/query?page_size=10&next_page={Uri.EscapeDataString((string)first["next_page"]!)}", Body);

        Assert.Equal(200, nextStatus);
        var sops = first["query_results"]!["json"]!.AsArray().Concat(next["query_results"]!["json"]!.AsArray()).Select(r => (string)r!["SOPInstanceUID"]!);
        Assert.Equal(["3.01", "3.02", "3.03", "3.04", "3.05"], sops);
        Assert.Equal("", (string)next["next_page"]!);
        Assert.Equal("{}", next["cohort"]!.ToJsonString());
    }
}
