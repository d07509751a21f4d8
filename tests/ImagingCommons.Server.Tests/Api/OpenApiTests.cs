using System.Text.Json.Nodes;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

public sealed class OpenApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    /// <summary>
    /// docs/openapi/ holds the documents as committed; the build writes them afresh and the server serves what the
    /// build wrote. A change of the wire contract must come with its document diff (bash docs/openapi/update.sh).
    /// </summary>
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    [InlineData("api")]
    public async Task The_served_documents_are_the_committed_ones(string name)
    {
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "openapi", name + ".json"), TestContext.Current.CancellationToken))!;

        using var response = await server.Client.GetAsync($"/{name}/openapi.json", TestContext.Current.CancellationToken);
        var served = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.True(
            JsonNode.DeepEquals(committed, served),
            $"/{name}/openapi.json differs from docs/openapi/{name}.json: run `bash docs/openapi/update.sh` and commit the diff if the change is intended.");
    }

    [Theory]
    [InlineData("/v2/cohorts/manifest/preview", "V2ManifestPreviewRequest", new[] { "cohort_def", "fields" })]
    [InlineData("/v2/cohorts/manifest/{cohort_id}", "V2ManifestRequest", new[] { "fields" })]
    public async Task Optional_body_fields_are_not_required_in_the_documents(string path, string schema, string[] required)
    {
        using var response = await server.Client.GetAsync("/v2/openapi.json", TestContext.Current.CancellationToken);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        var reference = (string)document["paths"]![path]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!;
        Assert.Equal("#/components/schemas/" + schema, reference);
        var body = document["components"]!["schemas"]![schema]!;
        Assert.Equal(required, body["required"]!.AsArray().Select(r => (string)r!));
        Assert.All(["counts", "group_size", "sql", "page_size"], key => Assert.NotNull(body["properties"]![key]));
    }

    [Theory]
    [InlineData("v1", new[] { "/v1/about", "/v1/versions", "/v1/collections", "/v1/analysis_results", "/v1/attributes", "/v1/cohorts/manifest/preview", "/v1/cohorts/manifest/nextPage", "/v1/cohorts/query/preview", "/v1/cohorts/query/nextPage", "/v1/dicomMetadata", "/v1/dicomMetadata/nextPage", "/v1/cohorts", "/v1/cohorts/{cohort_id}", "/v1/cohorts/manifest/{cohort_id}", "/v1/cohorts/query/{cohort_id}", "/v1/users/account_details" })]
    [InlineData("v2", new[] { "/v2/about", "/v2/versions", "/v2/collections", "/v2/analysis_results", "/v2/filters", "/v2/filters/values/{filter}", "/v2/fields/{version}", "/v2/cohorts/manifest/preview", "/v2/cohorts/manifest/preview/nextPage", "/v2/cohorts", "/v2/cohorts/{cohort_id}", "/v2/cohorts/manifest/{cohort_id}", "/v2/cohorts/manifest/nextPage", "/v2/users/account_details" })]
    public async Task Each_version_publishes_an_openapi_document_with_its_routes(string version, string[] paths)
    {
        using var response = await server.Client.GetAsync($"/{version}/openapi.json", TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var documented = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.All(paths, p => Assert.Contains(p, documented));
        Assert.All(documented, p => Assert.StartsWith($"/{version}/", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_manifest_preview_documents_its_body_parameters_and_responses()
    {
        using var response = await server.Client.GetAsync("/v1/openapi.json", TestContext.Current.CancellationToken);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var operation = document["paths"]!["/v1/cohorts/manifest/preview"]!["post"]!;
        var parameters = operation["parameters"]!.AsArray().Select(p => (string)p!["name"]!).ToList();
        Assert.Contains("GCS_URL", parameters);
        Assert.Contains("page_size", parameters);
        Assert.NotNull(operation["requestBody"]);
        var responses = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
        Assert.Equal(["200", "202", "400", "429"], responses.Order());
    }

    [Theory]
    [InlineData("v1", "/v1/cohorts", "get", true)]
    [InlineData("v1", "/v1/cohorts/manifest/{cohort_id}", "get", true)]
    [InlineData("v2", "/v2/cohorts/manifest/nextPage", "get", true)]
    [InlineData("v2", "/v2/cohorts/manifest/preview", "post", false)]
    [InlineData("v1", "/v1/cohorts/manifest/nextPage", "get", false)]
    public async Task Routes_that_need_a_bearer_token_say_so(string version, string path, string method, bool secured)
    {
        using var response = await server.Client.GetAsync($"/{version}/openapi.json", TestContext.Current.CancellationToken);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal("bearer", (string)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!);
        var operation = document["paths"]![path]![method]!;
        Assert.Equal(secured, operation["security"] is JsonArray { Count: > 0 });
        if (secured)
        {
            Assert.Contains("401", operation["responses"]!.AsObject().Select(r => r.Key));
        }
    }

    [Theory]
    [InlineData("/v1/swagger/index.html")]
    [InlineData("/v2/swagger/index.html")]
    public async Task The_interactive_pages_are_served_from_the_server(string path)
    {
        using var response = await server.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/swagger")]
    [InlineData("/v2/swagger/")]
    public async Task The_swagger_route_leads_to_the_page(string path)
    {
        using var response = await server.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode is 200 or 301, $"{path}: {(int)response.StatusCode}");
    }
}
