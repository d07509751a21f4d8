using System.Text.Json.Nodes;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Hosting;

public sealed class DefaultReleaseTests
{
    [Fact]
    public async Task An_empty_data_directory_gets_the_generated_default_release_and_is_served()
    {
        var root = Path.Combine(Path.GetTempPath(), "ic-default-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await RunningServer.StartAsync(root, o => o.GenerateDefaultRelease = true);
            var client = server.Client;

            var versions = JsonNode.Parse(await client.GetStringAsync("/v2/versions", TestContext.Current.CancellationToken))!["versions"]!.AsArray();
            Assert.Equal(24, versions.Count);
            Assert.Equal("24.0", (string)versions.Single(v => (bool)v!["active"]!)!["idc_data_version"]!);

            var collections = JsonNode.Parse(await client.GetStringAsync("/v2/collections", TestContext.Current.CancellationToken))!["collections"]!.AsArray();
            Assert.Contains(collections, c => (string)c!["collection_id"]! == "nlst");

            using var content = new StringContent("""{"cohort_def":{"filters":{"collection_id":["nlst"]}},"fields":[],"counts":true}""", System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/v2/cohorts/manifest/preview", content, TestContext.Current.CancellationToken);
            var counts = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["manifest"]!["manifest_data"]![0]!;
            Assert.True((long)counts["series_count"]! > 100, counts.ToJsonString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
