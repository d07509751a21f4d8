using ImagingCommons.Client.Paging;
using ImagingCommons.Contracts;
using ImagingCommons.Testing;

namespace ImagingCommons.Client.Tests;

public sealed class ClientPagingTests(ManyInstancesServer server) : IClassFixture<ManyInstancesServer>
{
    private static readonly V2ManifestPreviewRequest AllInstances = new(new V2CohortDefinition("all", "", new Filters()), ["SOPInstanceUID"]);

    [Fact]
    public async Task Auto_paging_over_thousands_of_rows_equals_one_large_page()
    {
        using var client = new ImagingCommonsClient(server.App.Address);
        var cancellation = TestContext.Current.CancellationToken;

        var pages = new List<Page<ResultRow>>();
        await foreach (var page in client.V2.GetManifestPreview(AllInstances, cancellation).AsPages(pageSizeHint: 250))
        {
            pages.Add(page);
        }

        var onePage = new List<Page<ResultRow>>();
        await foreach (var page in client.V2.GetManifestPreview(AllInstances with { PageSize = 10_000 }, cancellation).AsPages())
        {
            onePage.Add(page);
        }

        Assert.Equal(ManyInstancesServer.Count / 250, pages.Count);
        Assert.All(pages, p => Assert.Equal(ManyInstancesServer.Count, p.TotalFound));
        Assert.All(pages[..^1], p => Assert.NotNull(p.ContinuationToken));
        Assert.Null(pages[^1].ContinuationToken);
        var single = Assert.Single(onePage);
        Assert.Null(single.ContinuationToken);
        var paged = pages.SelectMany(p => p.Values).Select(r => r.GetString("SOPInstanceUID")).ToList();
        Assert.Equal(ManyInstancesServer.SopInstanceUids, paged);
        Assert.Equal(paged, single.Values.Select(r => r.GetString("SOPInstanceUID")));
    }

    [Fact]
    public async Task Enumerating_the_listing_yields_every_row_once_in_order()
    {
        using var client = new ImagingCommonsClient(server.App.Address);
        var rows = new List<string?>();
        await foreach (var row in client.V2.GetManifestPreview(AllInstances with { PageSize = 700 }, TestContext.Current.CancellationToken))
        {
            rows.Add(row.GetString("SOPInstanceUID"));
        }

        Assert.Equal(ManyInstancesServer.SopInstanceUids, rows);
    }

    [Fact]
    public async Task A_continuation_token_goes_on_from_its_page()
    {
        using var client = new ImagingCommonsClient(server.App.Address);
        var listing = client.V2.GetManifestPreview(AllInstances, TestContext.Current.CancellationToken);
        string? token = null;
        await foreach (var page in listing.AsPages(pageSizeHint: 1000))
        {
            token = page.ContinuationToken;
            break;
        }

        var rest = new List<string?>();
        await foreach (var page in listing.AsPages(token, pageSizeHint: 1000))
        {
            rest.AddRange(page.Values.Select(r => r.GetString("SOPInstanceUID")));
        }

        Assert.Equal(ManyInstancesServer.SopInstanceUids.Skip(1000), rest);
    }

    [Fact]
    public async Task Cancellation_stops_a_listing()
    {
        using var client = new ImagingCommonsClient(server.App.Address);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var page in client.V2.GetManifestPreview(AllInstances, cancel.Token).AsPages(pageSizeHint: 100))
            {
                seen += page.Values.Count;
                await cancel.CancelAsync();
            }
        });

        // The first page arrived; the cancelled listing asked for no second one.
        Assert.Equal(100, seen);
    }

    [Fact]
    public async Task Cancelling_the_enumerator_stops_a_listing_between_rows()
    {
        using var client = new ImagingCommonsClient(server.App.Address);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var row in client.V2.GetManifestPreview(AllInstances with { PageSize = 500 }, TestContext.Current.CancellationToken).WithCancellation(cancel.Token))
            {
                if (++seen == 10)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(10, seen);
    }
}
