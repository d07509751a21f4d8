using System.IO.Compression;
using System.Net;
using System.Text.Json;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Metadata;

public class MetadataApiTests(MetadataServerFixture fixture) : IClassFixture<MetadataServerFixture>
{
    /// <summary>The documentation link names this server's own interactive page of the version asked about.</summary>
    private string Documentation(string path) =>
        $"SwaggerUI interface available at <{Server.Address.ToString().TrimEnd('/')}/{path.Split('/')[1]}/swagger/>. "
        + "Documentation is available at <https://learn.canceridc.dev/>";

    private ImagingCommonsApplication Server => fixture.Server;

    public static TheoryData<string> Routes { get; } =
    [
        "/health", "/v1/about", "/v2/about", "/v1/versions", "/v2/versions",
        "/v1/collections", "/v2/collections", "/v1/analysis_results", "/v2/analysis_results",
    ];

    [Fact]
    public async Task Health_says_ok_and_names_the_current_release()
    {
        var (status, body) = (await Server.GetAsync("/health")).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["status", "current_release"], JsonAssert.Keys(body));
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("3.0", body.GetProperty("current_release").GetString());
    }

    [Theory]
    [InlineData("/v1/about", "Welcome to the NCI IDC API, Version 1")]
    [InlineData("/v2/about", "Welcome to the NCI IDC API, Version 2")]
    public async Task About_answers_the_welcome_message_and_the_documentation_links(string path, string message)
    {
        var (status, body) = (await Server.GetAsync(path)).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["code", "documentation", "message"], JsonAssert.Keys(body));
        Assert.Equal(200, body.GetProperty("code").GetInt32());
        Assert.Equal(message, body.GetProperty("message").GetString());
        Assert.Equal(Documentation(path), body.GetProperty("documentation").GetString());
    }

    [Theory]
    [InlineData("/v1/versions")]
    [InlineData("/v2/versions")]
    public async Task Versions_lists_every_version_oldest_first_and_only_the_current_release_is_active(string path)
    {
        var (status, body) = (await Server.GetAsync(path)).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["code", "versions"], JsonAssert.Keys(body));
        Assert.Equal(200, body.GetProperty("code").GetInt32());
        var versions = body.GetProperty("versions").EnumerateArray().ToList();
        Assert.All(versions, v => Assert.Equal(["active", "data_sources", "date_active", "idc_data_version"], JsonAssert.Keys(v)));
        Assert.All(versions, v => Assert.Equal(
            [
                ("Clinical, Biospecimen, and Mutation Data", "bigquery-public-data.idc_v4.tcga_biospecimen_rel9"),
                ("Clinical, Biospecimen, and Mutation Data", "bigquery-public-data.idc_v4.tcga_clinical_rel9"),
                ("Image Data", $"bigquery-public-data.idc_v{v.GetProperty("idc_data_version").GetString()![..1]}.dicom_pivot"),
            ],
            v.GetProperty("data_sources").EnumerateArray().Select(s => (s.GetProperty("data_type").GetString(), s.GetProperty("name").GetString()))));
        Assert.Equal(
            [("1.0", "2020-10-06", false), ("2.0", "2020-12-18", false), ("3.0", "2021-03-15", true)],
            versions.Select(v => (
                v.GetProperty("idc_data_version").GetString(), v.GetProperty("date_active").GetString(), v.GetProperty("active").GetBoolean())));
    }

    [Theory]
    [InlineData("/v1/collections?idc_data_version=2.0", new[] { "old_collection" })]
    [InlineData("/v2/collections?idc_data_version=2.0", new[] { "old_collection" })]
    [InlineData("/v1/collections?idc_data_version=3.0", new[] { "tcga_prad", "lidc_idri", "nlst" })]
    [InlineData("/v1/collections?idc_data_version=1.0", new[] { "tcga_prad", "lidc_idri", "nlst" })]
    [InlineData("/v2/collections?idc_data_version=9.9", new[] { "lidc_idri", "nlst", "tcga_prad" })]
    public async Task Collections_of_a_held_release_are_answered_when_asked_for_and_the_current_ones_otherwise(string path, string[] expected)
    {
        var (status, body) = (await Server.GetAsync(path)).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, body.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("collection_id").GetString()));
    }

    [Fact]
    public async Task V1_collections_are_the_current_release_in_storage_order_with_the_v1_keys()
    {
        var (status, body) = (await Server.GetAsync("/v1/collections")).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["code", "collections"], JsonAssert.Keys(body));
        Assert.Equal(200, body.GetProperty("code").GetInt32());
        var collections = body.GetProperty("collections").EnumerateArray().ToList();
        Assert.Equal(["tcga_prad", "lidc_idri", "nlst"], collections.Select(c => c.GetProperty("collection_id").GetString()));
        Assert.All(collections, c => Assert.Equal(
            ["cancer_type", "collection_id", "date_updated", "description", "doi", "image_types", "location", "species", "subject_count", "supporting_data"],
            JsonAssert.Keys(c)));

        var prad = collections[0];
        Assert.Equal("Prostate Cancer", prad.GetProperty("cancer_type").GetString());
        Assert.Equal("2016-08-29", prad.GetProperty("date_updated").GetString());
        Assert.Equal(MetadataServerFixture.PradDescription, prad.GetProperty("description").GetString());
        Assert.Equal("10.7937/K9/TCIA.2016.YXOGLM4Y 10.5281/zenodo.12689935", prad.GetProperty("doi").GetString());
        Assert.Equal("CT, MR, PT, SM, ANN, SEG", prad.GetProperty("image_types").GetString());
        Assert.Equal("Prostate", prad.GetProperty("location").GetString());
        Assert.Equal("Human", prad.GetProperty("species").GetString());
        Assert.Equal(500, prad.GetProperty("subject_count").GetInt64());
        Assert.Equal("Clinical, Genomics, Histopathology", prad.GetProperty("supporting_data").GetString());
    }

    [Fact]
    public async Task V1_collections_render_null_columns_as_json_null()
    {
        var (_, body) = (await Server.GetAsync("/v1/collections")).Element();

        var nlst = body.GetProperty("collections").EnumerateArray().Single(c => c.GetProperty("collection_id").GetString() == "nlst");
        Assert.All(
            nlst.EnumerateObject().Where(p => p.Name != "collection_id"),
            p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));
    }

    [Fact]
    public async Task V2_collections_are_sorted_by_collection_id_with_source_doi_and_source_url()
    {
        var (status, body) = (await Server.GetAsync("/v2/collections")).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["code", "collections"], JsonAssert.Keys(body));
        Assert.Equal(200, body.GetProperty("code").GetInt32());
        var collections = body.GetProperty("collections").EnumerateArray().ToList();
        Assert.Equal(["lidc_idri", "nlst", "tcga_prad"], collections.Select(c => c.GetProperty("collection_id").GetString()));
        Assert.All(collections, c => Assert.Equal(
            ["cancer_type", "collection_id", "date_updated", "description", "image_types", "location", "source_doi", "source_url", "species", "subject_count", "supporting_data"],
            JsonAssert.Keys(c)));

        var lidc = collections[0];
        Assert.Equal("Lung Cancer", lidc.GetProperty("cancer_type").GetString());
        Assert.Equal("2020-09-21", lidc.GetProperty("date_updated").GetString());
        Assert.Equal("<p>Lung Image Database Consortium</p>", lidc.GetProperty("description").GetString());
        Assert.Equal("CT, DX, CR, SEG, SR", lidc.GetProperty("image_types").GetString());
        Assert.Equal("Chest", lidc.GetProperty("location").GetString());
        Assert.Equal("10.7937/K9/TCIA.2015.LO9QL9SX", lidc.GetProperty("source_doi").GetString());
        Assert.Equal("https://doi.org/10.7937/K9/TCIA.2015.LO9QL9SX", lidc.GetProperty("source_url").GetString());
        Assert.Equal("Human", lidc.GetProperty("species").GetString());
        Assert.Equal(1010, lidc.GetProperty("subject_count").GetInt64());
        Assert.Equal("Image Analyses", lidc.GetProperty("supporting_data").GetString());

        var nlst = collections[1];
        Assert.All(nlst.EnumerateObject().Where(p => p.Name != "collection_id"), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));
    }

    [Fact]
    public async Task V1_analysis_results_carry_the_title_in_description_and_the_placeholder_versions()
    {
        var (status, body) = (await Server.GetAsync("/v1/analysis_results")).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["analysisResults", "code"], JsonAssert.Keys(body));
        Assert.Equal(200, body.GetProperty("code").GetInt32());
        var results = body.GetProperty("analysisResults").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal(
            ["active", "analysisArtifacts", "cancer_type", "collections", "date_updated", "description", "doi", "idc_data_versions", "location", "subject_count"],
            JsonAssert.Keys(r)));

        var lidc = results[0];
        Assert.True(lidc.GetProperty("active").GetBoolean());
        Assert.Equal("SEG, SR", lidc.GetProperty("analysisArtifacts").GetString());
        Assert.Equal("Lung Cancer, Metastatic disease, Non-Cancer", lidc.GetProperty("cancer_type").GetString());
        Assert.Equal("lidc_idri", lidc.GetProperty("collections").GetString());
        Assert.Equal("2018-05-01", lidc.GetProperty("date_updated").GetString());
        Assert.Equal("Standardized representation of the TCIA LIDC-IDRI annotations using DICOM", lidc.GetProperty("description").GetString());
        Assert.Equal("10.7937/TCIA.2018.h7umfurq", lidc.GetProperty("doi").GetString());
        Assert.Equal(["1.0", "2.0"], lidc.GetProperty("idc_data_versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("Chest", lidc.GetProperty("location").GetString());
        Assert.Equal(875, lidc.GetProperty("subject_count").GetInt64());

        var bamf = results[1];
        Assert.True(bamf.GetProperty("active").GetBoolean());
        foreach (var key in new[] { "analysisArtifacts", "cancer_type", "collections", "date_updated", "description", "doi", "location", "subject_count" })
        {
            Assert.Equal(JsonValueKind.Null, bamf.GetProperty(key).ValueKind);
        }
    }

    [Fact]
    public async Task V2_analysis_results_have_the_v2_shape_in_storage_order()
    {
        var (status, body) = (await Server.GetAsync("/v2/analysis_results")).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["analysisResults", "code"], JsonAssert.Keys(body));
        Assert.Equal(200, body.GetProperty("code").GetInt32());
        var results = body.GetProperty("analysisResults").EnumerateArray().ToList();
        Assert.Equal(["DICOM-LIDC-IDRI-Nodules", "BAMF-AIMI-Annotations"], results.Select(r => r.GetProperty("analysis_result_id").GetString()));
        Assert.All(results, r => Assert.Equal(
            ["analysisArtifacts", "analysis_result_id", "cancer_type", "collections", "date_updated", "description", "doi", "location", "subjects", "title"],
            JsonAssert.Keys(r)));

        var lidc = results[0];
        Assert.Equal("SEG, SR", lidc.GetProperty("analysisArtifacts").GetString());
        Assert.Equal("Lung Cancer, Metastatic disease, Non-Cancer", lidc.GetProperty("cancer_type").GetString());
        Assert.Equal("lidc_idri", lidc.GetProperty("collections").GetString());
        Assert.Equal("2018-05-01", lidc.GetProperty("date_updated").GetString());
        Assert.Equal("<p>Nodule segmentations & measurements</p>", lidc.GetProperty("description").GetString());
        Assert.Equal("10.7937/TCIA.2018.h7umfurq", lidc.GetProperty("doi").GetString());
        Assert.Equal("Chest", lidc.GetProperty("location").GetString());
        Assert.Equal(875, lidc.GetProperty("subjects").GetInt64());
        Assert.Equal("Standardized representation of the TCIA LIDC-IDRI annotations using DICOM", lidc.GetProperty("title").GetString());

        var bamf = results[1];
        Assert.All(bamf.EnumerateObject().Where(p => p.Name != "analysis_result_id"), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));
    }

    [Fact]
    public async Task Only_the_current_release_is_served_when_two_are_held()
    {
        var (_, v1) = (await Server.GetAsync("/v1/collections")).Element();
        var (_, v2) = (await Server.GetAsync("/v2/collections")).Element();

        Assert.DoesNotContain(v1.GetProperty("collections").EnumerateArray(), c => c.GetProperty("collection_id").GetString() == "old_collection");
        Assert.DoesNotContain(v2.GetProperty("collections").EnumerateArray(), c => c.GetProperty("collection_id").GetString() == "old_collection");
    }

    [Theory]
    [InlineData("/v1/collections?idc_data_version=1.0")]
    [InlineData("/v1/collections?idc_data_version=not-a-version")]
    [InlineData("/v1/analysis_results?idc_data_version=2.0")]
    [InlineData("/v1/analysis_results/?idc_data_version")]
    public async Task V1_lists_accept_and_ignore_idc_data_version(string path)
    {
        var (status, body) = (await Server.GetAsync(path)).Element();
        var (_, plain) = (await Server.GetAsync(path[..path.IndexOf('?', StringComparison.Ordinal)].TrimEnd('/'))).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(plain.GetRawText(), body.GetRawText());
    }

    [Theory]
    [InlineData("/v1/collections?foo=1", "foo")]
    [InlineData("/v1/collections?idc_data_version=3.0&IDC_DATA_VERSION=3.0", "IDC_DATA_VERSION")]
    [InlineData("/v1/collections/?b=1&a=2", "b")]
    [InlineData("/v1/analysis_results?page_size=10", "page_size")]
    [InlineData("/v1/analysis_results?data%5Fsource=x", "data_source")]
    public async Task V1_lists_reject_any_other_parameter_with_400(string path, string key)
    {
        JsonAssert.Error(400, "Invalid argument " + key, await Server.GetAsync(path));
    }

    [Theory]
    [InlineData("/v2/collections?foo=1")]
    [InlineData("/v2/analysis_results?idc_data_version=1.0&bar")]
    public async Task V2_lists_ignore_parameters(string path)
    {
        var (status, body) = (await Server.GetAsync(path)).Element();
        var (_, plain) = (await Server.GetAsync(path[..path.IndexOf('?', StringComparison.Ordinal)])).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(plain.GetRawText(), body.GetRawText());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_answers_the_same_with_and_without_a_trailing_slash(string path)
    {
        var (status, body) = (await Server.GetAsync(path)).Element();
        var (slashStatus, slashBody) = (await Server.GetAsync(path + "/")).Element();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, slashStatus);
        Assert.Equal(body.GetRawText(), slashBody.GetRawText());
    }

    [Theory]
    [InlineData("/v1")]
    [InlineData("/v2/")]
    [InlineData("/v3/collections")]
    [InlineData("/v1/about//")]
    [InlineData("/V1/about")]
    [InlineData("/v2/collections.json")]
    [InlineData("/v1/%ZZ")]
    public async Task Unknown_paths_answer_404_method_does_not_exist(string path)
    {
        JsonAssert.Error(404, "Method does not exist.", await Server.GetAsync(path));
    }

    [Theory]
    [InlineData("POST", "/v1/about")]
    [InlineData("DELETE", "/v2/collections")]
    [InlineData("PUT", "/v1/versions/")]
    [InlineData("PATCH", "/health")]
    [InlineData("POST", "/v2/nowhere")]
    public async Task Other_methods_on_known_routes_answer_404_method_does_not_exist(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await Server.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(response.Content.Headers.Allow);
        JsonAssert.Error(404, "Method does not exist.", await Server.SendAsync(new HttpMethod(method), path));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Metadata_bodies_are_json_with_the_200_envelope(string path)
    {
        using var response = await Server.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        using var document = JsonDocument.Parse(bytes);
        if (path != "/health")
        {
            Assert.Equal(200, document.RootElement.GetProperty("code").GetInt32());
        }
    }

    [Theory]
    [InlineData("/v1/collections")]
    [InlineData("/v2/collections")]
    public async Task Large_bodies_are_sent_gzipped_to_clients_that_accept_gzip(string path)
    {
        using var plain = await Server.Client.GetAsync(path, TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Accept-Encoding", "br;q=0.9, gzip;q=0.8");
        using var zipped = await Server.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, zipped.StatusCode);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(["gzip"], zipped.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", zipped.Headers.Vary);
        await using var gzip = new GZipStream(await zipped.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal(
            await plain.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/v1/about")]
    public async Task Small_bodies_are_never_compressed(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Accept-Encoding", "gzip");
        using var response = await Server.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Empty(response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Gzip_refused_with_q_zero_gets_the_plain_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/collections");
        request.Headers.Add("Accept-Encoding", "gzip;q=0");
        using var response = await Server.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Empty(response.Content.Headers.ContentEncoding);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(200, document.RootElement.GetProperty("code").GetInt32());
    }
}
