using System.Text.Json;
using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

/// <summary>POST /api/v1/resolve over the sample release; the expected matches are read off its table (SampleRelease).</summary>
public sealed class ResolveApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    private async Task<JsonElement> ResolveAsync(string json)
    {
        var response = await server.App.PostAsync("/api/v1/resolve", json);
        Assert.True(response.Status == 200, response.Text);
        return response.Json;
    }

    private static (string Attribute, string Value, long Series, string? Uid)[] Matches(JsonElement body, int index) =>
        [.. body.GetProperty("ids")[index].GetProperty("matches").EnumerateArray().Select(m => (
            m.GetProperty("attribute").GetString()!,
            m.GetProperty("value").GetString()!,
            m.GetProperty("series").GetInt64(),
            m.TryGetProperty("SeriesInstanceUID", out var uid) ? uid.GetString() : null))];

    [Fact]
    public async Task Each_kind_of_identifier_resolves_to_its_attribute_and_series()
    {
        var crdc = HandMadeRelease.SeriesUuid("2.71");
        var body = await ResolveAsync($$"""{"ids":["tcga_luad","TCGA-05-0001","1.6","2.41","{{crdc}}","nothing"]}""");

        Assert.Equal("24.0", body.GetProperty("release").GetString());
        Assert.Equal(["tcga_luad", "TCGA-05-0001", "1.6", "2.41", crdc, "nothing"], body.GetProperty("ids").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        // tcga_luad: series 2.11, 2.12, 2.21, 2.31; patient TCGA-05-0001: 2.11, 2.12; study 1.6: 2.61, 2.62.
        Assert.Equal([("collection_id", "tcga_luad", 4L, (string?)null)], Matches(body, 0));
        Assert.Equal([("PatientID", "TCGA-05-0001", 2L, (string?)null)], Matches(body, 1));
        Assert.Equal([("StudyInstanceUID", "1.6", 2L, (string?)null)], Matches(body, 2));
        Assert.Equal([("SeriesInstanceUID", "2.41", 1L, (string?)null)], Matches(body, 3));
        Assert.Equal([("crdc_series_uuid", crdc, 1L, (string?)"2.71")], Matches(body, 4));
        Assert.Empty(Matches(body, 5));
    }

    [Fact]
    public async Task Matching_is_case_insensitive_and_collection_ids_are_normalised()
    {
        var body = await ResolveAsync("""{"ids":["TCGA-KIRC","tcga-05-0002","NLST"]}""");

        // The values come back as the release spells them; TCGA-KIRC is the collection tcga_kirc (one series, 2.41).
        Assert.Equal([("collection_id", "tcga_kirc", 1L, (string?)null)], Matches(body, 0));
        Assert.Equal([("PatientID", "TCGA-05-0002", 1L, (string?)null)], Matches(body, 1));
        Assert.Equal([("collection_id", "nlst", 4L, (string?)null)], Matches(body, 2));
    }

    [Fact]
    public async Task Repeated_ids_are_answered_once()
    {
        var body = await ResolveAsync("""{"ids":["2.41","2.41","100002"]}""");
        Assert.Equal(["2.41", "100002"], body.GetProperty("ids").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal([("PatientID", "100002", 1L, (string?)null)], Matches(body, 1));
    }

    [Theory]
    [InlineData("""{"ids":[]}""", "ids must be a non-empty array of strings.")]
    [InlineData("""{"names":["a"]}""", "Unknown key 'names'.")]
    [InlineData("""{"ids":["tcga%"]}""", "'tcga%' is not an identifier: ids have at most 256 characters and no '%'.")]
    [InlineData("""{"ids":[1]}""", "1 is not an identifier: ids must be non-empty strings.")]
    [InlineData("""{"ids":["a"],"release":"23.0"}""", "Release \"23.0\" is not held by this server; it holds 24.0.")]
    [InlineData("""[1]""", "The body must be a JSON object")]
    public async Task Bad_requests_get_a_400_problem_saying_why(string json, string detail)
    {
        var response = await server.App.PostAsync("/api/v1/resolve", json);

        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.StartsWith(detail, response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
