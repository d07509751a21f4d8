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
            await using var server = await ImagingCommonsApplication.StartAsync(root, o => o.GenerateDefaultRelease = true);
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

            // Synthetic data says so: in /about, in releases.json, in the start-up log, and its URLs name a bucket of its own.
            foreach (var about in new[] { "/v1/about", "/v2/about" })
            {
                Assert.True((bool)JsonNode.Parse(await client.GetStringAsync(about, TestContext.Current.CancellationToken))!["synthetic"]!);
            }

            var list = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "releases.json"), TestContext.Current.CancellationToken))!["versions"]!.AsArray();
            Assert.Equal(["23.0", "24.0"], list.Where(v => (bool?)v!["synthetic"] == true).Select(v => (string)v!["idc_data_version"]!));
            Assert.Contains(server.Logs, line => line.Contains("Release 24.0 is synthetic", StringComparison.Ordinal));
            using var urls = new StringContent("""{"cohort_def":{"filters":{"collection_id":["nlst"]}},"fields":["gcs_url","aws_url"],"page_size":5}""", System.Text.Encoding.UTF8, "application/json");
            using var urlResponse = await client.PostAsync("/v2/cohorts/manifest/preview", urls, TestContext.Current.CancellationToken);
            var rows = JsonNode.Parse(await urlResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["manifest"]!["manifest_data"]!.AsArray();
            Assert.All(rows, r => Assert.StartsWith("gs://imagingcommons-synthetic", (string)r!["gcs_url"]!, StringComparison.Ordinal));
            Assert.All(rows, r => Assert.StartsWith("s3://imagingcommons-synthetic", (string)r!["aws_url"]!, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
