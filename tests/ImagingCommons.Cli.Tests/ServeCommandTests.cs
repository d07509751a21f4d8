using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using ImagingCommons.Cli.Commands;
using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Idc_serve_serves_the_chosen_data_directory_on_the_chosen_address()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "7.0", "2021-09-01", [new() { ["collection_id"] = "served" }], null);
        var url = $"http://127.0.0.1:{FreePort()}";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var serving = new RootCommand { ServeCommand.Create() }.Parse(["serve", "--data", directory.Path, "--urls", url]).InvokeAsync(cancellationToken: stop.Token);

        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            string? health = null;
            while (health is null)
            {
                Assert.False(serving.IsCompleted, "idc serve stopped early");
                try
                {
                    health = await client.GetStringAsync("/health", TestContext.Current.CancellationToken);
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100, TestContext.Current.CancellationToken);
                }
            }

            Assert.Equal("""{"status":"ok","current_release":"7.0"}""", health);
            Assert.Contains("\"served\"", await client.GetStringAsync("/v2/collections", TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await serving);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
