using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImagingCommons.Testing;

/// <summary>
/// The one way tests run the server in-process: built exactly as <c>dotnet run</c> and <c>idc serve</c> build it, on
/// real Kestrel over loopback (port chosen by the OS), with every log line captured for assertions. The fixtures
/// (<see cref="ApiServer"/>, <see cref="AccountsServer"/>) choose the data and options and delegate here.
/// </summary>
public sealed class ImagingCommonsApplication : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ImagingCommonsApplication(WebApplication app, Uri address, LogRecorder logs)
    {
        _app = app;
        Address = address;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Every log line written so far (at the levels the server's configuration enables); tests can wait for one.</summary>
    public LogRecorder Logs { get; }

    /// <param name="dataDirectory">The data directory to serve (never generated into: it must hold a release).</param>
    /// <param name="configure">Adjusts the options after configuration is read.</param>
    /// <param name="addEndpoints">Maps extra endpoints (tests of the pipeline itself).</param>
    /// <param name="arguments">Extra command-line arguments (configuration keys such as <c>--Logging:LogLevel:Default=Trace</c>).</param>
    public static async Task<ImagingCommonsApplication> StartAsync(
        string dataDirectory, Action<ServerOptions>? configure = null, Action<WebApplication>? addEndpoints = null, params string[] arguments)
    {
        var logs = new LogRecorder();
        var app = ImagingCommonsServer.Build(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. arguments],
            o =>
            {
                o.DataDirectory = dataDirectory;
                o.GenerateDefaultRelease = false;
                configure?.Invoke(o);
            });
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        addEndpoints?.Invoke(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new ImagingCommonsApplication(app, new Uri(address), logs);
    }

    /// <summary>Sends a request with an optional bearer token and JSON body.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? token = null, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        return await ApiResponse.ReadAsync(response);
    }

    public Task<ApiResponse> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, token);

    /// <summary>Waits until the release watcher has made <paramref name="release"/> the current one (signalled, not polled).</summary>
    public async Task WaitForCurrentReleaseAsync(string release)
    {
        var catalog = Services.GetRequiredService<ReleaseCatalog>();
        var current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(ReleaseCatalogState state)
        {
            if (state.CurrentRelease == release)
            {
                current.TrySetResult();
            }
        }

        catalog.Changed += OnChanged;
        try
        {
            if (catalog.CurrentRelease != release)
            {
                await current.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            catalog.Changed -= OnChanged;
        }
    }

    public Task<ApiResponse> PostAsync(string path, string json, string? token = null) => SendAsync(HttpMethod.Post, path, token, json);

    public Task<ApiResponse> DeleteAsync(string path, string? token = null, string? json = null) => SendAsync(HttpMethod.Delete, path, token, json);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>The one response type of the server tests: status, headers, text, and the body parsed as JSON when it is JSON.</summary>
public sealed class ApiResponse
{
    private ApiResponse(HttpStatusCode status, string text, string? contentType, HttpResponseHeaders headers, HttpContentHeaders contentHeaders)
    {
        StatusCode = status;
        Text = text;
        ContentType = contentType;
        Headers = headers;
        ContentHeaders = contentHeaders;
    }

    public HttpStatusCode StatusCode { get; }

    public int Status => (int)StatusCode;

    public string Text { get; }

    /// <summary>The full Content-Type header (with its parameters), or null.</summary>
    public string? ContentType { get; }

    public HttpResponseHeaders Headers { get; }

    public HttpContentHeaders ContentHeaders { get; }

    /// <summary>The body as a JSON element (throws when it is not JSON).</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Text);
            return document.RootElement.Clone();
        }
    }

    /// <summary>The body as a JSON object; an empty object when the body is empty or not an object.</summary>
    public System.Text.Json.Nodes.JsonObject Body =>
        Text.Length == 0 ? [] : System.Text.Json.Nodes.JsonNode.Parse(Text) as System.Text.Json.Nodes.JsonObject ?? [];

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new ApiResponse(response.StatusCode, text, response.Content.Headers.ContentType?.ToString(), response.Headers, response.Content.Headers);
    }

    /// <summary>Status and body, for tests written as <c>var (status, body) = await …</c>.</summary>
    public void Deconstruct(out int status, out System.Text.Json.Nodes.JsonObject body)
    {
        status = Status;
        body = Body;
    }

    /// <summary>Status, body and text.</summary>
    public void Deconstruct(out int status, out System.Text.Json.Nodes.JsonObject body, out string text)
    {
        status = Status;
        body = Body;
        text = Text;
    }

    /// <summary>The status and the JSON body of an answer that must be JSON with a body (every /v1, /v2 answer is).</summary>
    public (HttpStatusCode Status, JsonElement Body) Element()
    {
        Assert.True(Text.Length > 0, $"answered {Status} with an empty body");
        Assert.StartsWith("application/json", ContentType, StringComparison.Ordinal);
        return (StatusCode, Json);
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

    public static void Error(int code, string message, ApiResponse response) => Error(code, message, response.Element());

    public static string? String(JsonElement element, string key)
    {
        var value = element.GetProperty(key);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetString();
    }
}
