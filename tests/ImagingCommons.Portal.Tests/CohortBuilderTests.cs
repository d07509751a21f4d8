using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace ImagingCommons.Portal.Tests;

/// <summary>The cohort builder in a real Chromium against the real server; every count is checked against the API's own.</summary>
public sealed class CohortBuilderTests(PortalFixture fixture)
{
    private static void SameAsApi(JsonObject api, Dictionary<string, long> shown)
    {
        Assert.Equal((long)api["collection_count"]!, shown["collections"]);
        Assert.Equal((long)api["patient_count"]!, shown["patients"]);
        Assert.Equal((long)api["study_count"]!, shown["studies"]);
        Assert.Equal((long)api["series_count"]!, shown["series"]);
        Assert.Equal((long)api["instance_count"]!, shown["instances"]);
        Assert.Equal((long?)api["group_size"] ?? 0, shown["bytes"]);
    }

    private static ILocator Checkbox(IPage page, string facet, string value) =>
        page.Locator($"input[type=checkbox][data-facet='{facet}'][data-value='{value}']");

    [Fact]
    public async Task Picking_a_collection_and_a_modality_shows_the_APIs_counts_and_unticking_brings_them_back()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(Picking_a_collection_and_a_modality_shows_the_APIs_counts_and_unticking_brings_them_back));
        var page = portal.Page;

        var everything = await portal.TotalsForAsync([]);
        SameAsApi(await fixture.ApiCountsAsync([]), everything);
        await portal.ShotAsync("whole-release");

        // The collection with the most series (the list's first value), then the first modality under it.
        var collection = await page.Locator("input[data-facet='collection_id']").First.GetAttributeAsync("data-value");
        await Checkbox(page, "collection_id", collection!).CheckAsync();
        var byCollection = Json.Object($$"""{"collection_id":["{{collection}}"]}""");
        SameAsApi(await fixture.ApiCountsAsync(byCollection), await portal.TotalsForAsync(byCollection));
        await portal.ShotAsync("collection-ticked");

        var modality = await page.Locator("input[data-facet='Modality']").First.GetAttributeAsync("data-value");
        await Checkbox(page, "Modality", modality!).CheckAsync();
        var both = Json.Object($$"""{"collection_id":["{{collection}}"],"Modality":["{{modality}}"]}""");
        var shown = await portal.TotalsForAsync(both);
        SameAsApi(await fixture.ApiCountsAsync(both), shown);
        Assert.True(shown["series"] < everything["series"]);
        Assert.Equal(both.ToJsonString(), JsonNode.Parse(await page.Locator("#filter-json").InputValueAsync())!.ToJsonString());
        await portal.ShotAsync("modality-ticked");

        await Checkbox(page, "Modality", modality!).UncheckAsync();
        await Checkbox(page, "collection_id", collection!).UncheckAsync();
        Assert.Equal(everything, await portal.TotalsForAsync([]));
        await portal.ShotAsync("unticked");
        Assert.Empty(portal.Errors);
    }

    [Fact]
    public async Task Each_facet_count_is_what_the_API_counts_for_that_value()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(Each_facet_count_is_what_the_API_counts_for_that_value));
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        var collection = await page.Locator("input[data-facet='collection_id']").First.GetAttributeAsync("data-value");
        await Checkbox(page, "collection_id", collection!).CheckAsync();
        await portal.TotalsForAsync(Json.Object($$"""{"collection_id":["{{collection}}"]}"""));
        await portal.ShotAsync("collection-ticked");

        // Every Modality and BodyPartExamined value listed, under the collection: the API's series count for that value.
        foreach (var facet in new[] { "Modality", "BodyPartExamined" })
        {
            var values = await page.EvalOnSelectorAllAsync<string[][]>(
                $"input[data-facet='{facet}']", "boxes => boxes.map(b => [b.dataset.value, b.dataset.series])");
            Assert.NotEmpty(values);
            foreach (var pair in values)
            {
                var filters = new JsonObject { ["collection_id"] = new JsonArray(collection), [facet] = new JsonArray(pair[0]) };
                var api = await fixture.ApiCountsAsync(filters);
                Assert.True((long)api["series_count"]! == long.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture), $"{facet}={pair[0]}: page {pair[1]}, API {api["series_count"]}");
            }
        }

        // The collection list keeps the other collections (its own clause does not narrow it).
        Assert.True(await page.Locator("input[data-facet='collection_id']").CountAsync() > 1);
    }

    [Fact]
    public async Task The_keyboard_alone_ticks_a_value_and_the_new_counts_are_announced()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(The_keyboard_alone_ticks_a_value_and_the_new_counts_are_announced));
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        var modality = await page.Locator("input[data-facet='Modality']").First.GetAttributeAsync("data-value");

        // Tab from the top of the page until the first Modality checkbox has focus, then Space.
        await page.Keyboard.PressAsync("Tab");
        for (var i = 0; i < 400 && !await page.EvaluateAsync<bool>("v => document.activeElement?.dataset?.facet === 'Modality'", modality); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Equal(modality, await page.EvaluateAsync<string>("() => document.activeElement.dataset.value"));
        await page.Keyboard.PressAsync("Space");
        var filters = Json.Object($$"""{"Modality":["{{modality}}"]}""");
        var shown = await portal.TotalsForAsync(filters);
        await portal.ShotAsync("ticked-by-keyboard");

        var expected = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{shown["series"]:N0} series of {shown["patients"]:N0} patients in {shown["collections"]:N0} collections.");
        await Assertions.Expect(page.Locator("#announcer")).ToHaveTextAsync(expected);
        Assert.Equal(modality, await page.EvaluateAsync<string>("() => document.activeElement.dataset.value"));
    }

    [Fact]
    public async Task An_answer_to_an_older_request_is_never_shown_after_a_newer_one()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(An_answer_to_an_older_request_is_never_shown_after_a_newer_one));
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        var modalities = await page.EvalOnSelectorAllAsync<string[]>("input[data-facet='Modality']", "boxes => boxes.slice(0, 2).map(b => b.dataset.value)");

        // The real server answers; the browser holds back the answer to the first of two requests until the second is shown.
        var held = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        var requests = 0;
        await page.RouteAsync("**/api/v1/facets", async route =>
        {
            var mine = Interlocked.Increment(ref requests);
            var response = await route.FetchAsync();
            if (mine == 1)
            {
                await Task.WhenAny(held.Task, Task.Delay(20_000));
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = response });
            if (mine == 2)
            {
                second.TrySetResult();
            }
        });

        await Checkbox(page, "Modality", modalities[0]).CheckAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('totals').dataset.state === 'loading'");
        await page.WaitForTimeoutAsync(400);
        await Checkbox(page, "Modality", modalities[1]).CheckAsync();
        var latest = Json.Object($$"""{"Modality":["{{modalities[0]}}","{{modalities[1]}}"]}""");
        var shown = await portal.TotalsForAsync(latest);
        await second.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        held.SetResult();
        await page.WaitForTimeoutAsync(500);

        Assert.Equal(shown, await portal.TotalsForAsync(latest));
        SameAsApiSeries(await fixture.ApiCountsAsync(latest), shown);
        await portal.ShotAsync("latest-answer-kept");
        await page.UnrouteAllAsync(new PageUnrouteAllOptions { Behavior = UnrouteBehavior.IgnoreErrors });
    }

    private static void SameAsApiSeries(JsonObject api, Dictionary<string, long> shown) => Assert.Equal((long)api["series_count"]!, shown["series"]);

    [Fact]
    public async Task The_series_table_pages_with_next_page_and_links_each_series_to_the_viewer()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(The_series_table_pages_with_next_page_and_links_each_series_to_the_viewer));
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        var rows = page.Locator("#series-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(25);

        using var response = await fixture.Api.PostAsync("/v2/cohorts/manifest/preview", new StringContent("""{"cohort_def":{"filters":{}},"fields":["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","Modality","BodyPartExamined","crdc_series_uuid"],"counts":true,"page_size":50}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var expected = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["manifest"]!["manifest_data"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(expected.Take(25).Select(r => (string)r["SeriesInstanceUID"]!), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.series)"));
        var first = expected[0];
        var link = rows.First.GetByRole(AriaRole.Link);
        Assert.Equal(
            PortalFixture.ViewerTemplate.Replace("{StudyInstanceUID}", Uri.EscapeDataString((string)first["StudyInstanceUID"]!), StringComparison.Ordinal).Replace("{SeriesInstanceUID}", Uri.EscapeDataString((string)first["SeriesInstanceUID"]!), StringComparison.Ordinal),
            await link.GetAttributeAsync("href"));
        await portal.ShotAsync("first-page");

        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(page.Locator("#series-summary")).ToContainTextAsync("Series 26 to 50");
        Assert.Equal(expected.Skip(25).Take(25).Select(r => (string)r["SeriesInstanceUID"]!), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.series)"));
        await portal.ShotAsync("second-page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Previous page" }).ClickAsync();
        await Assertions.Expect(page.Locator("#series-summary")).ToContainTextAsync("Series 1 to 25");
    }

    [Fact]
    public async Task A_held_release_is_counted_when_picked()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(A_held_release_is_counted_when_picked));
        var page = portal.Page;
        var current = await portal.TotalsForAsync([]);
        await page.GetByLabel("Release", new() { Exact = true }).SelectOptionAsync("23.0");
        await page.WaitForFunctionAsync("() => document.getElementById('totals').dataset.release === '23.0' && document.getElementById('totals').dataset.state === 'ready'");
        var older = await portal.TotalsForAsync([]);
        await portal.ShotAsync("release-23");

        using var response = await fixture.Api.PostAsync("/api/v1/manifest/preview", new StringContent("""{"release":"23.0","fields":[],"counts":true,"group_size":true}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var api = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["manifest"]!["manifest_data"]![0]!.AsObject();
        SameAsApi(api, older);
        Assert.NotEqual(current["series"], older["series"]);
        await Assertions.Expect(page.Locator("#totals-release")).ToHaveTextAsync("23.0");
    }

    [Fact]
    public async Task A_range_of_ages_becomes_an_ebtwe_filter_counted_as_the_API_counts_it()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(A_range_of_ages_becomes_an_ebtwe_filter_counted_as_the_API_counts_it));
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        var age = page.Locator("fieldset[data-facet='age_at_diagnosis']");
        await age.GetByLabel("From").FillAsync("40");
        await age.GetByLabel("To").FillAsync("70");
        var filters = Json.Object("""{"age_at_diagnosis_ebtwe":[40,70]}""");
        SameAsApi(await fixture.ApiCountsAsync(filters), await portal.TotalsForAsync(filters));
        await portal.ShotAsync("age-range");
    }
}
