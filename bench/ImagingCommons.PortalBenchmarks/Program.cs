using System.Globalization;
using Microsoft.Playwright;

// Usage: dotnet run -c Release --project bench/ImagingCommons.PortalBenchmarks -- http://127.0.0.1:5079 [runs]
// Each run opens the portal in a fresh browser context (empty cache), waits for the first counts, then ticks the
// first Modality value and waits for the new counts. Times come from the page's Performance API (navigation entry,
// and the marks builder.js sets: filters-changed, totals-shown, first-totals, and the facets-update measure).
var url = args.Length > 0 ? args[0] : "http://127.0.0.1:5079";
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
var samples = new Dictionary<string, List<double>>
{
    ["DOMContentLoaded"] = [],
    ["load event"] = [],
    ["first counts shown"] = [],
    ["update: change to new counts (with 250 ms debounce)"] = [],
    ["update: request and render"] = [],
};
for (var run = 0; run < runs; run++)
{
    await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
    var page = await context.NewPageAsync();
    await page.GotoAsync(url);
    await page.WaitForFunctionAsync("() => performance.getEntriesByName('first-totals').length > 0", null, new PageWaitForFunctionOptions { Timeout = 120_000 });
    var first = await page.EvaluateAsync<double[]>(
        "() => { const n = performance.getEntriesByType('navigation')[0]; return [n.domContentLoadedEventEnd, n.loadEventEnd, performance.getEntriesByName('first-totals')[0].startTime]; }");
    samples["DOMContentLoaded"].Add(first[0]);
    samples["load event"].Add(first[1]);
    samples["first counts shown"].Add(first[2]);

    var shownBefore = await page.EvaluateAsync<int>("() => performance.getEntriesByName('totals-shown').length");
    await page.Locator("input[data-facet='Modality']").Nth(run % 3).CheckAsync();
    await page.WaitForFunctionAsync("n => performance.getEntriesByName('totals-shown').length > n", shownBefore, new PageWaitForFunctionOptions { Timeout = 120_000 });
    var update = await page.EvaluateAsync<double[]>(
        "() => { const last = name => performance.getEntriesByName(name).at(-1); return [last('totals-shown').startTime - last('filters-changed').startTime, last('facets-update').duration]; }");
    samples["update: change to new counts (with 250 ms debounce)"].Add(update[0]);
    samples["update: request and render"].Add(update[1]);
}

Console.WriteLine($"portal {url}, {runs} runs, fresh browser context each; load average before: {loadBefore}");
Console.WriteLine();
Console.WriteLine("| measure | p50 | p95 |");
Console.WriteLine("|---|---|---|");
foreach (var (name, values) in samples)
{
    values.Sort();
    var p50 = values[values.Count / 2];
    var p95 = values[Math.Min(values.Count - 1, (int)Math.Round(0.95 * (values.Count - 1)))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {p50:F0} ms | {p95:F0} ms |"));
}

Console.WriteLine();
Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
