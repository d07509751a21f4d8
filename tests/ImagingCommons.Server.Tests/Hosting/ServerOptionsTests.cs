using System.Net;
using System.Text.Json.Nodes;
using ImagingCommons.Server.Hosting;
using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Hosting;

/// <summary>Options that change what the server answers: its public address, allowed browser origins, the shared switches.</summary>
public sealed class ServerOptionsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_about_links_name_the_configured_public_address()
    {
        using var sample = new SampleRelease();
        await using var server = await ImagingCommonsApplication.StartAsync(sample.Release.Root, o => o.PublicUrl = "https://idc.example.org/");

        var about = JsonNode.Parse(await server.Client.GetStringAsync("/v2/about", Cancel))!;

        Assert.Equal(
            "SwaggerUI interface available at <https://idc.example.org/v2/swagger/>. Documentation is available at <https://learn.canceridc.dev/>",
            (string)about["documentation"]!);
    }

    [Fact]
    public async Task Configured_origins_get_their_preflight_answered_and_others_do_not()
    {
        using var sample = new SampleRelease();
        await using var server = await ImagingCommonsApplication.StartAsync(sample.Release.Root, o => o.Cors.AllowedOrigins = ["https://portal.example.org"]);

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/v2/cohorts/manifest/preview");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");
            return await server.Client.SendAsync(request, Cancel);
        }

        using var allowed = await PreflightAsync("https://portal.example.org");
        using var refused = await PreflightAsync("https://evil.example.org");

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(["https://portal.example.org"], allowed.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("POST", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/versions");
        request.Headers.Add("Origin", "https://portal.example.org");
        using var answer = await server.Client.SendAsync(request, Cancel);
        Assert.Equal(["https://portal.example.org"], answer.Headers.GetValues("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_origin_that_is_not_an_origin_stops_the_start_with_one_line()
    {
        using var sample = new SampleRelease();
        var app = ImagingCommonsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.DataDirectory = sample.Release.Root;
            o.Cors.AllowedOrigins = ["portal.example.org/path"];
        });
        using var error = new StringWriter();

        Assert.Equal(1, await app.RunImagingCommonsAsync(error, Cancel));
        Assert.Contains("is not an origin like https://portal.example.org", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--dev-auth" }, new[] { "--ImagingCommons:Auth:DevIssuer=true" })]
    [InlineData(new[] { "--data", "/srv/idc", "--urls", "http://0.0.0.0:80" }, new[] { "--ImagingCommons:DataDirectory=/srv/idc", "--urls", "http://0.0.0.0:80" })]
    [InlineData(new[] { "--query-deadline-ms=0", "--generate" }, new[] { "--ImagingCommons:QueryDeadlineMs=0", "--ImagingCommons:GenerateDefaultRelease=true" })]
    [InlineData(new[] { "--generate=false" }, new[] { "--ImagingCommons:GenerateDefaultRelease=false" })]
    public void Dotnet_run_and_idc_serve_share_the_same_switches(string[] args, string[] expected)
    {
        Assert.Equal(expected, ServerArguments.Normalize(args));
    }
}
