using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Server;
using ImagingCommons.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCommons.Testing;

/// <summary>The real server on Kestrel over the hand-made sample release, reached over loopback HTTP.</summary>
public class ApiServer : IAsyncLifetime
{
    private readonly SampleRelease _sample = new();
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = new();

    protected virtual int QueryDeadlineMs => 30_000;

    /// <summary>Writes further releases next to the sample's "24.0" before the server starts.</summary>
    protected virtual void WriteMoreReleases(HandMadeRelease release)
    {
    }

    public async ValueTask InitializeAsync()
    {
        WriteMoreReleases(_sample.Release);
        _app = ImagingCommonsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.DataDirectory = _sample.Release.Root;
            o.GenerateDefaultRelease = false;
            o.QueryDeadlineMs = QueryDeadlineMs;
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _sample.Dispose();
        GC.SuppressFinalize(this);
    }

    public async Task<(int Status, JsonObject Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonObject Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(path, content, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }
}

/// <summary>A server whose query deadline is 0: every first call answers 202.</summary>
public sealed class SlowApiServer : ApiServer
{
    protected override int QueryDeadlineMs => 0;
}
