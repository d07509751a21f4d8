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

    [Fact]
    public async Task Idc_serve_on_an_address_in_use_says_so_in_one_line_and_exits_with_1()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "7.0", "2021-09-01", [new() { ["collection_id"] = "served" }], null);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, _, error) = await CommandLine.RunAsync("serve", "--data", directory.Path, "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: 127.0.0.1:{port} is in use; choose another address with --urls", error.Trim());
    }

    [Fact]
    public async Task Idc_serve_refuses_a_data_directory_without_a_release_unless_asked_to_generate_one()
    {
        using var directory = new TempDataDirectory();

        var (exitCode, _, error) = await CommandLine.RunAsync("serve", "--data", directory.Path, "--urls", $"http://127.0.0.1:{FreePort()}");

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: The data directory {directory.Path} holds no release.", error.Trim(), StringComparison.Ordinal);
        Assert.Contains("--generate", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "releases")));
    }

    [Fact]
    public async Task Idc_serve_with_generate_writes_the_synthetic_default_release_and_serves_it()
    {
        using var directory = new TempDataDirectory();
        var url = $"http://127.0.0.1:{FreePort()}";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var serving = new RootCommand { ServeCommand.Create() }.Parse(["serve", "--data", directory.Path, "--urls", url, "--generate"]).InvokeAsync(cancellationToken: stop.Token);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            var health = await WaitForHealthAsync(client, serving);
            Assert.Equal("""{"status":"ok","current_release":"24.0"}""", health);
            Assert.Contains("\"synthetic\":true", await client.GetStringAsync("/v1/about", TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await serving);
        }
    }

    [Theory]
    [InlineData("generate", "--scale", "0")]
    [InlineData("users", "add", "--email", "ada@example.org", "--first-name", "Ada", "--last-name", "L")]
    public async Task Verbs_that_write_say_which_data_directory_they_write_to(params string[] args)
    {
        using var directory = new TempDataDirectory();

        var (_, _, error) = await CommandLine.RunAsync([.. args, "--data", directory.Path]);

        var verb = string.Join(" ", args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)));
        Assert.Contains($"idc {verb}: data directory {directory.Path}", error, StringComparison.Ordinal);
    }

    /// <summary>Waits for the in-process server to answer, or for it to stop (which fails the test).</summary>
    private static async Task<string> WaitForHealthAsync(HttpClient client, Task<int> serving)
    {
        while (true)
        {
            Assert.False(serving.IsCompleted, "idc serve stopped early");
            try
            {
                return await client.GetStringAsync("/health", TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException)
            {
                await Task.WhenAny(serving, Task.Delay(100, TestContext.Current.CancellationToken));
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
