using System.Net;
using System.Text.Json;
using ImagingCommons.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCommons.Testing;

/// <summary>The real server on Kestrel over loopback (port chosen by the OS), built exactly as <c>idc serve</c> builds it.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningServer> StartAsync(
        string dataDirectory, Action<ServerOptions>? configure = null, Action<WebApplication>? addEndpoints = null)
    {
        var app = ImagingCommonsServer.Build(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            o =>
            {
                o.DataDirectory = dataDirectory;
                o.GenerateDefaultRelease = false;
                configure?.Invoke(o);
            });
        addEndpoints?.Invoke(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new RunningServer(app, new Uri(address));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(text.Length > 0, $"{method} {path} answered {(int)response.StatusCode} with an empty body");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

public static class JsonAssert
{
    /// <summary>The object's keys, in the order the server wrote them.</summary>
    public static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    public static void Error(int code, string message, (HttpStatusCode Status, JsonElement Body) response)
    {
        Assert.Equal(code, (int)response.Status);
        Assert.Equal(["code", "message"], Keys(response.Body));
        Assert.Equal(code, response.Body.GetProperty("code").GetInt32());
        Assert.Equal(message, response.Body.GetProperty("message").GetString());
    }

    public static string? String(JsonElement element, string key)
    {
        var value = element.GetProperty(key);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetString();
    }
}
