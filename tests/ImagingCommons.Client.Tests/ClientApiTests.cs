using ImagingCommons.Contracts;
using ImagingCommons.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCommons.Client.Tests;

/// <summary>The client against the in-process server over the sample release (answers read off its table by hand).</summary>
public sealed class ClientApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    private ImagingCommonsClient Client() => new(server.App.Address);

    [Fact]
    public async Task Metadata_routes_read_into_the_contract_records()
    {
        using var client = Client();
        var cancellation = TestContext.Current.CancellationToken;

        var versions = await client.V2.GetVersionsAsync(cancellation);
        var active = Assert.Single(versions, v => v.Active);
        Assert.Equal("24.0", active.IdcDataVersion);
        Assert.Contains("NCI IDC API", (await client.V1.GetAboutAsync(cancellation)).Message, StringComparison.Ordinal);
        var fields = await client.V2.GetFieldsAsync("current", cancellation);
        Assert.Contains(fields.DataSources.SelectMany(s => s.Fields), f => f == "crdc_series_uuid");
        var values = await client.V2.GetFilterValuesAsync("Modality", cancellation);
        Assert.Equal(["CT", "MR", "SEG", "SR"], values.Where(v => v is not null));
        var filters = await client.V2.GetFiltersAsync(cancellation);
        Assert.Contains(filters.SelectMany(s => s.Filters), f => f.Name == "age_at_diagnosis_btw" && f.DataType == "Ranged Integer");
    }

    [Fact]
    public async Task A_4xx_raises_with_the_server_code_and_message()
    {
        using var client = Client();
        var request = new V2ManifestPreviewRequest(new V2CohortDefinition(Filters: new Filters { ["Colour"] = ["red"] }), ["SeriesInstanceUID"]);

        var failure = await Assert.ThrowsAsync<ImagingCommonsApiException>(async () =>
        {
            await foreach (var _ in client.V2.GetManifestPreview(request, TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Equal(400, failure.StatusCode);
        Assert.Equal(400, failure.Code);
        Assert.Equal("Colour is not a valid filter.", failure.ServerMessage);
    }

    [Fact]
    public async Task An_unknown_filter_values_route_raises_with_the_server_message()
    {
        using var client = Client();
        var failure = await Assert.ThrowsAsync<ImagingCommonsApiException>(() => client.V2.GetFilterValuesAsync("nonsense", TestContext.Current.CancellationToken));
        Assert.Equal(400, failure.StatusCode);
        Assert.Equal("Invalid filter ID", failure.ServerMessage);
    }

    [Fact]
    public async Task A_v2_manifest_preview_with_counts_reads_integers_and_strings()
    {
        using var client = Client();
        var request = new V2ManifestPreviewRequest(
            new V2CohortDefinition(Filters: new Filters { ["collection_id"] = ["tcga_kirc"] }), ["SeriesInstanceUID", "Modality"], Counts: true, GroupSize: true);

        var rows = await client.V2.GetManifestPreview(request, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        // tcga_kirc: one CT series 2.41 of instances 3.06 (500 bytes) and 3.07 (600 bytes).
        var row = Assert.Single(rows);
        Assert.Equal("2.41", row.GetString("SeriesInstanceUID"));
        Assert.Equal("CT", row.GetString("Modality"));
        Assert.Equal(2, row.GetInt64("instance_count"));
        Assert.Equal(1100, row.GetInt64("group_size"));

        // Integers on the wire are read as integers (not doubles): exports type their columns from these values.
        Assert.IsType<long>(row["instance_count"]);
        Assert.IsType<string>(row["Modality"]);
    }

    [Fact]
    public async Task A_v1_manifest_preview_pages_through_the_selected_columns()
    {
        using var client = Client();
        var cohort = new V1CohortDefinition("c", new Filters { ["collection_id"] = ["tcga_luad"] });

        var rows = await client.V1.GetManifestPreview(cohort, [V1ManifestColumns.SeriesInstanceUid, V1ManifestColumns.CrdcSeriesGuid], TestContext.Current.CancellationToken)
            .AsPages(pageSizeHint: 2).SelectMany(p => p.Values.ToAsyncEnumerable()).ToListAsync(TestContext.Current.CancellationToken);

        // tcga_luad has series 2.11, 2.12, 2.21, 2.31; v1 orders by the last selected column (the GUID, whose digits follow the UID's).
        Assert.Equal(["2.11", "2.12", "2.21", "2.31"], rows.Select(r => r.GetString("SeriesInstanceUID")));
        Assert.Equal("dg.4DFC/" + HandMadeRelease.SeriesUuid("2.11"), rows[0].GetString("CRDC_Series_GUID"));
    }

    [Fact]
    public async Task The_client_registered_in_a_service_collection_calls_the_server()
    {
        var services = new ServiceCollection();
        services.AddImagingCommonsClient(o => o.BaseAddress = server.App.Address);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<ImagingCommonsClient>();
        var collections = await client.V2.GetCollectionsAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(server.App.Address, client.BaseAddress);
        Assert.NotNull(collections);
        Assert.Equal("ok", (await client.Extensions.GetHealthAsync(TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task Resolve_names_what_each_identifier_is()
    {
        using var client = Client();
        var crdc = HandMadeRelease.SeriesUuid("2.62");

        var resolved = await client.Extensions.ResolveAsync(["nlst", crdc, "x"], cancellationToken: TestContext.Current.CancellationToken);

        // nlst: series 2.51, 2.61, 2.62, 2.71.
        Assert.Equal(("collection_id", 4L), (resolved.Ids[0].Matches[0].Attribute, resolved.Ids[0].Matches[0].Series));
        Assert.Equal("2.62", Assert.Single(resolved.Ids[1].Matches).SeriesInstanceUid);
        Assert.Empty(resolved.Ids[2].Matches);
    }

    [Fact]
    public async Task A_problem_details_answer_raises_with_its_detail()
    {
        using var client = Client();
        var failure = await Assert.ThrowsAsync<ImagingCommonsApiException>(() => client.Extensions.ResolveAsync(["a%"], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(400, failure.StatusCode);
        Assert.StartsWith("'a%' is not an identifier", failure.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_injected_http_client_is_used_as_it_is()
    {
        using var http = new HttpClient { BaseAddress = server.App.Address };
        using var client = new ImagingCommonsClient(http);
        Assert.Equal("24.0", (await client.Extensions.GetHealthAsync(TestContext.Current.CancellationToken)).CurrentRelease);
    }

    [Fact]
    public async Task An_injected_http_client_without_a_base_address_is_left_unchanged()
    {
        using var http = new HttpClient();
        await http.GetAsync(server.App.Address, TestContext.Current.CancellationToken);
        using var client = new ImagingCommonsClient(http, new ImagingCommonsClientOptions { BaseAddress = server.App.Address });

        Assert.Equal("24.0", (await client.Extensions.GetHealthAsync(TestContext.Current.CancellationToken)).CurrentRelease);
        Assert.Null(http.BaseAddress);
    }
}

/// <summary>A 202 (query deadline 0) is resumed transparently on the nextPage route.</summary>
public sealed class ClientPendingTests(SlowApiServer server) : IClassFixture<SlowApiServer>
{
    [Fact]
    public async Task A_202_is_resumed_and_the_listing_completes()
    {
        using var client = new ImagingCommonsClient(server.App.Address, new ImagingCommonsClientOptions { PendingPollInterval = TimeSpan.FromMilliseconds(20) });
        var request = new V2ManifestPreviewRequest(new V2CohortDefinition(Filters: new Filters { ["Modality"] = ["MR", "SEG"] }), ["SeriesInstanceUID", "Modality"], PageSize: 1);

        var rows = await client.V2.GetManifestPreview(request, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        // MR: series 2.21; SEG: series 2.12.
        Assert.Equal(["2.12", "2.21"], rows.Select(r => r.GetString("SeriesInstanceUID")));
        Assert.Equal(["SEG", "MR"], rows.Select(r => r.GetString("Modality")));
    }

    [Fact]
    public async Task A_query_still_running_after_the_bound_raises_with_its_token()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var client = new ImagingCommonsClient(server.App.Address, new ImagingCommonsClientOptions { PendingTimeout = TimeSpan.Zero, TimeProvider = time });
        var request = new V2ManifestPreviewRequest(new V2CohortDefinition(Filters: new Filters { ["Modality"] = ["CT"] }), ["SOPInstanceUID"]);

        var failure = await Assert.ThrowsAsync<ImagingCommonsPendingTimeoutException>(async () =>
            await client.V2.GetManifestPreview(request, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));

        Assert.NotEmpty(failure.NextPage);
    }
}
