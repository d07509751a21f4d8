using System.Net;
using System.Net.Sockets;
using ImagingCommons.Contracts;
using ImagingCommons.Server;
using ImagingCommons.Server.Hosting;
using Microsoft.AspNetCore.Builder;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Hosting;

public class ServerLifecycleTests
{
    private static readonly TableRow[] NoRows = [];

    [Fact]
    public async Task Start_fails_fast_with_a_clear_message_when_no_release_is_held_and_generation_is_off()
    {
        using var directory = new TempDataDirectory();
        var app = ImagingCommonsServer.Build(
            ["--urls", "http://127.0.0.1:0"],
            o =>
            {
                o.DataDirectory = directory.Path;
                o.GenerateDefaultRelease = false;
            });

        var exception = await Assert.ThrowsAsync<ServerStartupException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        await app.DisposeAsync();

        Assert.Contains(directory.Path, exception.Message, StringComparison.Ordinal);
        Assert.Contains("holds no release", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_data_directory_comes_from_the_ImagingCommons_configuration_section()
    {
        using var directory = new TempDataDirectory();
        var app = ImagingCommonsServer.Build(
            ["--urls", "http://127.0.0.1:0", $"--ImagingCommons:DataDirectory={directory.Path}", "--ImagingCommons:GenerateDefaultRelease=false"]);

        var exception = await Assert.ThrowsAsync<ServerStartupException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        await app.DisposeAsync();

        Assert.Contains(directory.Path, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_release_published_while_the_server_runs_becomes_the_current_one()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "1.0", "2020-10-06", [new() { ["collection_id"] = "first" }], [new() { ["analysis_result_id"] = "A" }]);
        await using var server = await ImagingCommonsApplication.StartAsync(directory.Path, o => o.ReleaseCheckInterval = TimeSpan.FromMilliseconds(50));
        var (_, before) = (await server.GetAsync("/v1/analysis_results")).Element();
        Assert.Equal(["1.0"], before.GetProperty("analysisResults")[0].GetProperty("idc_data_versions").EnumerateArray().Select(v => v.GetString()));

        TestReleases.Write(directory.Data, "2.0", "2020-12-18", [new() { ["collection_id"] = "second" }, new() { ["collection_id"] = "first" }], NoRows);

        await server.WaitForCurrentReleaseAsync("2.0");

        var (_, versions) = (await server.GetAsync("/v2/versions")).Element();
        Assert.Equal(
            [("1.0", false), ("2.0", true)],
            versions.GetProperty("versions").EnumerateArray().Select(v => (v.GetProperty("idc_data_version").GetString(), v.GetProperty("active").GetBoolean())));
        var (_, collections) = (await server.GetAsync("/v2/collections")).Element();
        Assert.Equal(["first", "second"], collections.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("collection_id").GetString()));
        var (_, results) = (await server.GetAsync("/v2/analysis_results")).Element();
        Assert.Equal(0, results.GetProperty("analysisResults").GetArrayLength());
    }

    [Fact]
    public async Task An_unexpected_exception_becomes_a_500_with_a_fixed_text_and_the_correlation_id_of_its_log_line()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "1.0", "2020-10-06", [new() { ["collection_id"] = "first" }], null);
        await using var server = await ImagingCommonsApplication.StartAsync(
            directory.Path,
            addEndpoints: app => app.MapGet("/v2/boom", string () => throw new InvalidOperationException("the disk /secret/path is on fire")));

        foreach (var path in new[] { "/v2/boom", "/v2/boom/" })
        {
            var (status, body) = (await server.GetAsync(path)).Element();
            Assert.Equal(HttpStatusCode.InternalServerError, status);
            Assert.Equal(["code", "message"], JsonAssert.Keys(body));
            var message = body.GetProperty("message").GetString()!;
            Assert.DoesNotContain("/secret/path", message, StringComparison.Ordinal);
            var correlation = message.Split("correlation id ")[1].TrimEnd('.');
            Assert.Equal(ErrorTexts.Internal(correlation), message);
            Assert.Contains(server.Logs, line => line.Contains(correlation, StringComparison.Ordinal) && line.Contains("/secret/path", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_malformed_request_that_the_framework_rejects_keeps_its_4xx_status()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "1.0", "2020-10-06", [new() { ["collection_id"] = "first" }], null);
        await using var server = await ImagingCommonsApplication.StartAsync(
            directory.Path,
            addEndpoints: app => app.MapGet("/v2/typed", (int count) => count));

        var (status, body) = (await server.GetAsync("/v2/typed?count=abc")).Element();

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, body.GetProperty("code").GetInt32());
    }

}
