using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Synthetic;
using ImagingCommons.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

// One release, server and browser for the whole assembly: generating and starting them takes seconds.
[assembly: AssemblyFixture(typeof(ImagingCommons.Portal.Tests.PortalFixture))]

namespace ImagingCommons.Portal.Tests;

/// <summary>
/// A generated release (23.0 and 24.0, seed 1), the real server on loopback over it, a user with an API key made by
/// <c>idc keys create</c>, and Debian's Chromium driven by Playwright (never a downloaded browser: no network here).
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string Email = "ada@example.org";
    public const string ViewerTemplate = "https://viewer.example.org/viewer?StudyInstanceUIDs={StudyInstanceUID}&SeriesInstanceUIDs={SeriesInstanceUID}";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ic-portal-" + Guid.NewGuid().ToString("N"));
    private ImagingCommonsApplication? _app;
    private IPlaywright? _playwright;

    /// <summary>Why the browser tests cannot run here (no Chromium), or null.</summary>
    public string? Missing { get; private set; }

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public HttpClient Api { get; private set; } = new();

    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>The API key printed by <c>idc keys create</c>.</summary>
    public string ApiKey { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            Missing = $"{Chromium} is not installed (apt-get install chromium; .ci/install.sh does).";
            return;
        }

        var data = new DataDirectory(_root);
        ReleaseGenerator.Generate(data, new GeneratorOptions(0.003, 1));
        await Idc("users", "add", "--data", _root, "--email", Email, "--first-name", "Ada", "--last-name", "Lovelace");
        ApiKey = (await Idc("keys", "create", "--data", _root, "--email", Email)).Trim();

        _app = await ImagingCommonsApplication.StartAsync(_root, o =>
        {
            o.ReleaseCheckInterval = TimeSpan.Zero;
            o.Portal.ViewerUrl = ViewerTemplate;
        });
        Address = _app.Address;
        Api = new HttpClient { BaseAddress = Address };
        // The first counts should come from the release's index, as a running server's do once it is warm.
        await _app.Services.GetRequiredService<FacetEngine>().WarmUpAsync("24.0");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(_root, "browser-profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            BaseURL = Address.ToString(),
        });
        Browser.SetDefaultTimeout(30_000);
    }

    /// <summary>Runs the <c>idc</c> command line (idc.dll beside the tests) and returns what it printed on stdout.</summary>
    private static async Task<string> Idc(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "idc.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"idc {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }

    /// <summary>The API's own counts for a filter set: a v2 manifest preview with counts and group_size and no fields.</summary>
    public async Task<JsonObject> ApiCountsAsync(JsonObject filters)
    {
        var body = new JsonObject { ["cohort_def"] = new JsonObject { ["filters"] = filters.DeepClone() }, ["fields"] = new JsonArray(), ["counts"] = true, ["group_size"] = true };
        using var response = await Api.PostAsync("/v2/cohorts/manifest/preview", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        return answer["manifest"]!["manifest_data"]![0]!.AsObject();
    }

    /// <summary>Every row of a paged API manifest, following next_page.</summary>
    public async Task<List<JsonObject>> AllRowsAsync(Func<Task<HttpResponseMessage>> first, Func<string, Task<HttpResponseMessage>> next)
    {
        var rows = new List<JsonObject>();
        var response = await first();
        while (true)
        {
            string? token;
            try
            {
                Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
                var page = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
                rows.AddRange(page["manifest"]?["manifest_data"]?.AsArray().Select(r => r!.AsObject()) ?? []);
                token = (string?)page["next_page"];
            }
            finally
            {
                response.Dispose();
            }

            if (string.IsNullOrEmpty(token))
            {
                return rows;
            }

            response = await next(token);
        }
    }

    public HttpRequestMessage Authorized(HttpMethod method, string path, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Api.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The browser may still be closing its profile.
        }
    }
}

/// <summary>A page of the portal with its screenshots and the script errors it raised.</summary>
public sealed class PortalPage : IAsyncDisposable
{
    private readonly string _folder;
    private readonly List<string> _errors = [];
    private int _step;

    private PortalPage(IPage page, string folder)
    {
        Page = page;
        _folder = folder;
        page.PageError += (_, error) => _errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Add(message.Text);
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors => _errors;

    public static async Task<PortalPage> OpenAsync(PortalFixture fixture, string test, string path = "/")
    {
        Assert.SkipWhen(fixture.Missing is not null, fixture.Missing ?? "");
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots", test);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(path);
        return new PortalPage(page, folder);
    }

    /// <summary>Keeps a full-page screenshot of this step as a test artefact (bin/…/artifacts/screenshots/&lt;test&gt;/).</summary>
    public async Task ShotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_folder, $"{++_step:00}-{name}.png"), FullPage = true });

    /// <summary>Waits until the totals shown are the answer for exactly this filter set (keys in the page's order) and returns them.</summary>
    public async Task<Dictionary<string, long>> TotalsForAsync(JsonObject filters)
    {
        await Page.WaitForFunctionAsync(
            "expected => { const box = document.getElementById('totals'); return box.dataset.state === 'ready' && box.dataset.filters === expected; }",
            filters.ToJsonString());
        var values = await Page.EvalOnSelectorAllAsync<string[]>("#totals dd", "cells => cells.map(c => c.id + '=' + c.dataset.value)");
        return values.Select(v => v.Split('=')).ToDictionary(p => p[0]["total-".Length..], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync() => await Page.CloseAsync();
}

internal static class Json
{
    public static JsonObject Object(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
