using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

public sealed class TokenRestartTests
{
    [Fact]
    public async Task A_next_page_token_keeps_working_after_the_server_restarts()
    {
        using var sample = new SampleRelease();
        string token;
        await using (var first = await ImagingCommonsApplication.StartAsync(sample.Release.Root))
        {
            using var content = new StringContent("""{"cohort_def":{"filters":{}},"fields":["SOPInstanceUID"],"page_size":4}""", Encoding.UTF8, "application/json");
            using var response = await first.Client.PostAsync("/v2/cohorts/manifest/preview", content, TestContext.Current.CancellationToken);
            token = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["next_page"]!;
        }

        await using var second = await ImagingCommonsApplication.StartAsync(sample.Release.Root);
        var body = JsonNode.Parse(await second.Client.GetStringAsync($"/v2/cohorts/manifest/preview/nextPage?next_page={token}&page_size=4", TestContext.Current.CancellationToken))!;
        Assert.Equal(["3.05", "3.06", "3.07", "3.08"], body["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["SOPInstanceUID"]!));
        Assert.Equal(11, (int)body["manifest"]!["totalFound"]!);
    }
}
