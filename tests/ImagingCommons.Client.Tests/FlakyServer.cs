using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImagingCommons.Client.Tests;

/// <summary>
/// A real HTTP server on loopback that answers each request with the next scripted answer (status, headers, body),
/// and then with the last one; it records every request it received.
/// </summary>
public sealed class FlakyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Scripted> _script;
    private readonly Scripted _last;

    private FlakyServer(WebApplication app, IReadOnlyList<Scripted> script)
    {
        _app = app;
        _script = new ConcurrentQueue<Scripted>(script);
        _last = script[^1];
    }

    public sealed record Scripted(int Status, string Body, string? RetryAfter = null);

    public Uri Address { get; private set; } = null!;

    public ConcurrentQueue<string> Requests { get; } = new();

    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>Completes when the server has received this many requests.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        while (Requests.Count < count)
        {
            await _signal.WaitAsync(TestContext.Current.CancellationToken);
        }
    }

    public static async Task<FlakyServer> StartAsync(params Scripted[] script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FlakyServer(app, script);
        app.Run(async context =>
        {
            server.Requests.Enqueue(context.Request.Method + " " + context.Request.Path + context.Request.QueryString);
            server._signal.Release();
            var answer = server._script.TryDequeue(out var next) ? next : server._last;
            context.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = answer.RetryAfter;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _signal.Dispose();
    }
}
