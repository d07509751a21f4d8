using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImagingCommons.Cli.Tests;

/// <summary>
/// A recording HTTP proxy in front of the S3 store (moto): every request is forwarded as it came and written down
/// (method, path, Range), so tests count the GETs a download made. It can hold one object's answer after its first
/// bytes, to stop a download midway at a known place.
/// </summary>
public sealed class S3Proxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private S3Proxy(WebApplication app, Uri store)
    {
        _app = app;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None }) { BaseAddress = store };
    }

    public sealed record Request(string Method, string Path, string? Range);

    public Uri Address { get; private set; } = null!;

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>GETs of objects (not listings) of a bucket, with their Range headers.</summary>
    public IReadOnlyList<Request> ObjectGets(string bucket) =>
        [.. Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/" + bucket + "/", StringComparison.Ordinal) && r.Path.Length > bucket.Length + 2)];

    /// <summary>The key whose answer is held after <see cref="HoldAfterBytes"/> bytes, until the test lets it go (or kills the client).</summary>
    public string? HoldPath { get; set; }

    public int HoldAfterBytes { get; set; }

    /// <summary>Completes when the held answer has sent its first bytes and stops.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<S3Proxy> StartAsync(Uri store)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new S3Proxy(app, store);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        proxy.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        Requests.Enqueue(new Request(context.Request.Method, path, context.Request.Headers.Range.ToString() is { Length: > 0 } range ? range : null));
        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                if (forward.Content is not null && name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                {
                    forward.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
                }

                continue;
            }

            forward.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        using var answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
        if (HoldPath is { } hold && path.EndsWith(hold, StringComparison.Ordinal) && context.Request.Method == "GET")
        {
            var first = new byte[HoldAfterBytes];
            await body.ReadExactlyAsync(first, context.RequestAborted);
            await context.Response.Body.WriteAsync(first, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            Held.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        await body.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
