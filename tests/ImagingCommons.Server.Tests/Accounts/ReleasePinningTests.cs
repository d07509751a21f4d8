using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCommons.Server.Tests.Accounts;

/// <summary>A saved cohort keeps answering from the release it was made on, while previews move to the newest release.</summary>
public sealed class ReleasePinningTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cohort_made_on_23_answers_identically_after_24_is_imported_while_a_preview_answers_from_24()
    {
        using var release = new HandMadeRelease();
        // 23.0 holds the first five instances; 24.0 all eleven (more CT series, other collections).
        release.Write("23.0", SampleRelease.Pivot.Take(5), SampleRelease.Clinical, SampleRelease.Biospecimen, date: "2025-11-01");
        await using var issuer = await TestIssuer.StartAsync();
        await using var server = await ImagingCommonsApplication.StartAsync(release.Root, o =>
        {
            o.ReleaseCheckInterval = TimeSpan.FromMilliseconds(50);
            o.Auth.Oidc.Issuer = issuer.Issuer;
            o.Auth.Oidc.Audience = TestIssuer.Audience;
            o.Auth.Oidc.RequireHttpsMetadata = false;
        });
        await server.Services.GetRequiredService<IAccountStore>().AddUserAsync(People.Ada, "Ada", "Lovelace", Cancel);
        var token = issuer.Token(People.Ada);
        var v2 = (long)(await SendAsync(server, HttpMethod.Post, "/v2/cohorts", token, """{"name":"ct","filters":{"Modality":["CT"]}}"""))["cohort_properties"]!["cohort_id"]!;
        var v1 = (long)(await SendAsync(server, HttpMethod.Post, "/v1/cohorts", token, """{"name":"ct","filters":{"Modality":["CT"]}}"""))["cohort_properties"]!["cohort_id"]!;
        const string Manifest = """{"fields":["SeriesInstanceUID"],"counts":true,"page_size":1}""";
        const string Preview = """{"cohort_def":{"filters":{"Modality":["CT"]}},"fields":["SeriesInstanceUID"]}""";

        var v2Before = await SendAsync(server, HttpMethod.Post, $"/v2/cohorts/manifest/{v2}", token, Manifest);
        var v1Before = await SendAsync(server, HttpMethod.Get, $"/v1/cohorts/manifest/{v1}?SeriesInstanceUID=True", token);
        var queryBefore = await SendAsync(server, HttpMethod.Post, $"/v1/cohorts/query/{v1}", token, """{"fields":["SOPInstanceUID"]}""");
        var previewBefore = await SendAsync(server, HttpMethod.Post, "/v2/cohorts/manifest/preview", null, Preview);

        release.Write("24.0", SampleRelease.Pivot, SampleRelease.Clinical, SampleRelease.Biospecimen, date: "2026-05-15");
        await server.WaitForCurrentReleaseAsync("24.0");

        var v2After = await SendAsync(server, HttpMethod.Post, $"/v2/cohorts/manifest/{v2}", token, Manifest);
        var v1After = await SendAsync(server, HttpMethod.Get, $"/v1/cohorts/manifest/{v1}?SeriesInstanceUID=True", token);
        var queryAfter = await SendAsync(server, HttpMethod.Post, $"/v1/cohorts/query/{v1}", token, """{"fields":["SOPInstanceUID"]}""");
        var previewAfter = await SendAsync(server, HttpMethod.Post, "/v2/cohorts/manifest/preview", null, Preview);
        var newer = await SendAsync(server, HttpMethod.Post, "/v2/cohorts", token, """{"name":"later","filters":{"Modality":["CT"]}}""");

        Assert.Equal(Without(v2Before, "next_page"), Without(v2After, "next_page"));
        Assert.Equal(v1Before.ToJsonString(), v1After.ToJsonString());
        Assert.Equal(queryBefore.ToJsonString(), queryAfter.ToJsonString());
        Assert.Equal("23.0", (string)v2After["cohort_def"]!["filterSet"]!["idc_data_version"]!);
        Assert.Equal("""[{"SeriesInstanceUID":"2.11","instance_count":2}]""", v2After["manifest"]!["manifest_data"]!.ToJsonString());
        Assert.Equal(2, (int)v2After["manifest"]!["totalFound"]!);
        Assert.Equal(["2.11", "2.31"], Series(previewBefore));
        Assert.Equal(["2.11", "2.31", "2.41", "2.51", "2.61", "2.71"], Series(previewAfter));
        Assert.Equal("24.0", (string)previewAfter["cohort_def"]!["filterSet"]!["idc_data_version"]!);
        Assert.Equal("24.0", (string)newer["cohort_properties"]!["filterSet"]!["idc_data_version"]!);

        // A listing started on 23.0 goes on paging 23.0.
        var next = await SendAsync(server, HttpMethod.Get, $"/v2/cohorts/manifest/nextPage?next_page={v2Before["next_page"]}", token);
        Assert.Equal("""[{"SeriesInstanceUID":"2.31","instance_count":1}]""", next["manifest"]!["manifest_data"]!.ToJsonString());
    }

    private static string[] Series(JsonObject body) =>
        [.. body["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["SeriesInstanceUID"]!)];

    private static string Without(JsonObject body, string key)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove(key);
        return copy.ToJsonString();
    }

    private static async Task<JsonObject> SendAsync(ImagingCommonsApplication server, HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await server.Client.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
