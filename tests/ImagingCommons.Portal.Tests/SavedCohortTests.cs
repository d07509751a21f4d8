using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ImagingCommons.Portal.Tests;

/// <summary>Sign-in, saved cohorts, exports, collections, readable errors and accessibility, in a real Chromium.</summary>
public sealed class SavedCohortTests(PortalFixture fixture)
{
    private static async Task SignInAsync(IPage page, string key)
    {
        await page.GetByLabel("API key or development token").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task A_saved_cohort_is_listed_exported_as_the_APIs_s5cmd_manifest_and_deleted()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(A_saved_cohort_is_listed_exported_as_the_APIs_s5cmd_manifest_and_deleted));
        var page = portal.Page;
        await portal.TotalsForAsync([]);

        await SignInAsync(page, fixture.ApiKey);
        await Assertions.Expect(page.Locator("#signed-in")).ToContainTextAsync(PortalFixture.Email);
        await portal.ShotAsync("signed-in");

        var collection = await page.Locator("input[data-facet='collection_id']").First.GetAttributeAsync("data-value");
        await page.Locator($"input[data-facet='collection_id'][data-value='{collection}']").CheckAsync();
        var modality = await page.Locator("input[data-facet='Modality']").First.GetAttributeAsync("data-value");
        await page.Locator($"input[data-facet='Modality'][data-value='{modality}']").CheckAsync();
        var filters = Json.Object($$"""{"collection_id":["{{collection}}"],"Modality":["{{modality}}"]}""");
        var totals = await portal.TotalsForAsync(filters);

        var name = "Portal test " + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Cohort name").FillAsync(name);
        await page.GetByLabel("Description").FillAsync("Made by the browser test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save cohort" }).ClickAsync();
        await Assertions.Expect(page.Locator("#save-note")).ToContainTextAsync("pinned to release 24.0");
        await portal.ShotAsync("saved");

        await page.GetByRole(AriaRole.Link, new() { Name = "Saved cohorts" }).ClickAsync();
        var row = page.Locator("#cohorts-table tbody tr", new() { HasText = name });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("24.0");
        var id = await row.GetAttributeAsync("data-cohort");
        await portal.ShotAsync("listed");

        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = $"Export s5cmd manifest of {name}" }).ClickAsync());
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!, TestContext.Current.CancellationToken)).Where(l => l.Length > 0).ToList();
        await portal.ShotAsync("exported");

        // The API's own manifest of the saved cohort, series by series: one s5cmd copy per series folder.
        var manifest = await fixture.AllRowsAsync(
            () => fixture.Api.SendAsync(fixture.Authorized(HttpMethod.Post, $"/v2/cohorts/manifest/{id}", Json.Object("""{"fields":["aws_bucket","crdc_series_uuid"],"page_size":7}""")), TestContext.Current.CancellationToken),
            token => fixture.Api.SendAsync(fixture.Authorized(HttpMethod.Get, $"/v2/cohorts/manifest/nextPage?next_page={Uri.EscapeDataString(token)}&page_size=7"), TestContext.Current.CancellationToken));
        var expected = manifest.Select(r => $"cp s3://{r["aws_bucket"]}/{r["crdc_series_uuid"]}/* .").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(totals["series"], expected.Count);
        Assert.Equal(expected, lines.Order(StringComparer.Ordinal));

        // Opening it puts its filters back into the builder.
        await row.GetByRole(AriaRole.Button, new() { Name = $"Open {name} in the cohort builder" }).ClickAsync();
        Assert.Equal(totals, await portal.TotalsForAsync(filters));
        await portal.ShotAsync("opened");

        await page.GetByRole(AriaRole.Link, new() { Name = "Saved cohorts" }).ClickAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#cohorts-status")).ToContainTextAsync("has been deleted");
        await portal.ShotAsync("deleted");

        using var list = await fixture.Api.SendAsync(fixture.Authorized(HttpMethod.Get, "/v2/cohorts"), TestContext.Current.CancellationToken);
        var cohorts = JsonNode.Parse(await list.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["cohorts"]!.AsArray();
        Assert.DoesNotContain(cohorts, c => (string?)c!["name"] == name);
        Assert.DoesNotContain(portal.Errors, e => !e.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_preview_export_holds_every_series_of_the_cohort()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(A_preview_export_holds_every_series_of_the_cohort));
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        var modality = await page.Locator("input[data-facet='Modality']").First.GetAttributeAsync("data-value");
        await page.Locator($"input[data-facet='Modality'][data-value='{modality}']").CheckAsync();
        var totals = await portal.TotalsForAsync(Json.Object($$"""{"Modality":["{{modality}}"]}"""));

        var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "CSV", Exact = true }).ClickAsync());
        var lines = await File.ReadAllLinesAsync((await csv.PathAsync())!, TestContext.Current.CancellationToken);
        Assert.Equal("collection_id,PatientID,StudyInstanceUID,SeriesInstanceUID,Modality,crdc_series_uuid,aws_bucket,instance_count,group_size", lines[0]);
        Assert.Equal(totals["series"], lines.Skip(1).Count(l => l.Length > 0));
        Assert.All(lines.Skip(1).Where(l => l.Length > 0), l => Assert.Equal(modality, l.Split(',')[4]));

        var json = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "JSON", Exact = true }).ClickAsync());
        var document = JsonNode.Parse(await File.ReadAllTextAsync((await json.PathAsync())!, TestContext.Current.CancellationToken))!;
        Assert.Equal("24.0", (string?)document["release"]);
        Assert.Equal(totals["series"], document["series"]!.AsArray().Count);
        Assert.Equal(totals["instances"], document["series"]!.AsArray().Sum(r => (long)r!["instance_count"]!));
        await portal.ShotAsync("exported");
    }

    [Fact]
    public async Task The_collections_table_is_searchable_and_builds_a_cohort()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(The_collections_table_is_searchable_and_builds_a_cohort), "/#collections");
        var page = portal.Page;
        using var response = await fixture.Api.GetAsync("/v2/collections", TestContext.Current.CancellationToken);
        var collections = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["collections"]!.AsArray();
        var rows = page.Locator("#collections-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(collections.Count);
        await portal.ShotAsync("all");

        var target = collections[0]!;
        await page.GetByLabel("Search collections").FillAsync((string)target["collection_id"]!);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-collection", (string)target["collection_id"]!);
        await Assertions.Expect(rows.First).ToContainTextAsync((string)target["cancer_type"]!);
        await portal.ShotAsync("searched");

        await rows.First.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(page.Locator("#page-builder")).ToBeVisibleAsync();
        var filters = Json.Object($$"""{"collection_id":["{{target["collection_id"]}}"]}""");
        await portal.TotalsForAsync(filters);
        await portal.ShotAsync("built");
    }

    [Fact]
    public async Task A_refused_key_is_shown_as_a_readable_message()
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(A_refused_key_is_shown_as_a_readable_message));
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        await SignInAsync(page, "ick_nosuchkey_0000000000");
        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Something went wrong" });
        await Assertions.Expect(alert).ToBeVisibleAsync();
        var text = await alert.InnerTextAsync();
        Assert.DoesNotContain("{", text, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await portal.ShotAsync("refused");

        // Saving without sign-in says what to do, and the page stays usable.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save cohort" }).ClickAsync();
        await Assertions.Expect(alert).ToContainTextAsync("Sign in to save a cohort");
        await Assertions.Expect(page.Locator("#totals")).ToHaveAttributeAsync("data-state", "ready");
    }

    [Theory]
    [InlineData("builder")]
    [InlineData("collections")]
    [InlineData("cohorts")]
    public async Task Each_page_has_no_serious_or_critical_accessibility_violation(string name)
    {
        await using var portal = await PortalPage.OpenAsync(fixture, nameof(Each_page_has_no_serious_or_critical_accessibility_violation) + "-" + name, "/#" + name);
        var page = portal.Page;
        await portal.TotalsForAsync([]);
        if (name == "cohorts")
        {
            await SignInAsync(page, fixture.ApiKey);
            await Assertions.Expect(page.Locator("#cohorts-status")).ToContainTextAsync("cohort");
        }
        else if (name == "collections")
        {
            await Assertions.Expect(page.Locator("#collections-table tbody tr").First).ToBeVisibleAsync();
        }
        else
        {
            await Assertions.Expect(page.Locator("#series-table tbody tr").First).ToBeVisibleAsync();
        }

        await portal.ShotAsync("page");
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v => $"{v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})")));
    }
}
