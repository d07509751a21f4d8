using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Server;
using ImagingCommons.Tests.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCommons.Tests.Api;

public sealed class TokenRestartTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(string root)
    {
        var app = ImagingCommonsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.DataDirectory = root;
            o.GenerateDefaultRelease = false;
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task A_next_page_token_keeps_working_after_the_server_restarts()
    {
        using var sample = new SampleRelease();
        var (first, client) = await StartAsync(sample.Release.Root);
        string token;
        await using (first)
        {
            using var content = new StringContent("""{"cohort_def":{"filters":{}},"fields":["SOPInstanceUID"],"page_size":4}""", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/v2/cohorts/manifest/preview", content, TestContext.Current.CancellationToken);
            token = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["next_page"]!;
            client.Dispose();
            await first.StopAsync(TestContext.Current.CancellationToken);
        }

        var (second, again) = await StartAsync(sample.Release.Root);
        await using (second)
        {
            using (again)
            {
                var body = JsonNode.Parse(await again.GetStringAsync($"/v2/cohorts/manifest/preview/nextPage?next_page={token}&page_size=4", TestContext.Current.CancellationToken))!;
                Assert.Equal(["3.05", "3.06", "3.07", "3.08"], body["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["SOPInstanceUID"]!));
                Assert.Equal(11, (int)body["manifest"]!["totalFound"]!);
            }

            await second.StopAsync(TestContext.Current.CancellationToken);
        }
    }
}
