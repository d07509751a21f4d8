using System.Text.Json;
using ImagingCommons.Data.Query;
using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>
/// Listings ordered by gcs_url read their series' rows from the release's gcs_url order give the rows, order and totals
/// of the listing numbered whole, and that order is used only where its rows stand for the instance table's exactly.
/// </summary>
public sealed class UrlOrderTests
{
    /// <summary>
    /// Series in two collections whose URL order is not the file's: each series' UUID runs against its UID, and its
    /// instances' UUIDs against their UIDs, so neither the series nor their rows come in file order.
    /// </summary>
    private static List<Dictionary<string, object?>> Crossed()
    {
        var rows = new List<Dictionary<string, object?>>();
        for (var s = 0; s < 6; s++)
        {
            var collection = s % 2 == 0 ? "a" : "b";
            var series = $"2.{s + 1}";
            for (var i = 0; i < 3 + s; i++)
            {
                var sop = $"3.{s + 1}.{i + 1}";
                rows.Add(Instance(collection, "P" + collection, "1." + collection, series, sop, s < 4 ? "CT" : "MR", "CHEST", 100 + i,
                    seriesUuid: $"5e000000-0000-4000-8000-{90 - s:000000000000}", instanceUuid: $"1e000000-0000-4000-8{s}00-{50 - i:000000000000}"));
            }
        }

        return rows;
    }

    private static QueryOptions Options => OrderedListings.Options;

    [Theory]
    [InlineData(QueryKind.V1Manifest, "{}", """["SOPInstanceUID","GCS_URL"]""")]
    [InlineData(QueryKind.V1Manifest, """{"Modality":["CT"]}""", """["GCS_URL"]""")]
    [InlineData(QueryKind.V2Manifest, """{"collection_id":["b"]}""", """["gcs_url","SOPInstanceUID","instance_size","Modality"]""")]
    [InlineData(QueryKind.V2Manifest, "{}", """["collection_id","gcs_url","crdc_instance_uuid"]""")]
    public async Task A_listing_ordered_by_gcs_url_is_read_from_the_url_order_with_the_whole_results_rows(QueryKind kind, string filters, string fields)
    {
        using var release = new HandMadeRelease();
        release.Write("24.0", Crossed());
        await OrderedListings.AssertReadFromOrderAsync(release, Spec(kind, filters, fields), handle => handle.FromUrlOrder);
    }

    [Theory]
    [InlineData("""{"collection_id":["a"]}""")]
    [InlineData("""{"Modality":["MR"]}""")]
    public async Task A_listing_in_few_stretches_of_the_order_has_windows_of_a_windows_rows(string filters)
    {
        // Forty series of two instances in one collection, MR and CT by turns in URL order: the collection is one run
        // of the order, its MR series twenty runs in one row group, so one stretch.
        var rows = new List<Dictionary<string, object?>>();
        for (var s = 0; s < 40; s++)
        {
            for (var i = 0; i < 2; i++)
            {
                rows.Add(Instance("a", "Pa", "1.1", $"2.{s + 1}", $"3.{s + 1}.{i + 1}", s % 2 == 0 ? "MR" : "CT", "HEAD", 10,
                    seriesUuid: $"5e000000-0000-4000-8000-{100 - s:000000000000}"));
            }
        }

        using var release = new HandMadeRelease();
        release.Write("24.0", rows);
        var spec = Spec(QueryKind.V1Manifest, filters, """["SOPInstanceUID","GCS_URL"]""");
        using var reference = new QueryEngine(release.Data, new QueryOptions { FirstPagesAlone = false });
        var expected = Rows((await reference.ReadAsync("24.0", spec)).Rows);
        Assert.True(expected.Count >= 40);
        using var engine = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 0, WindowRows = 1000, NumberInBackground = false });
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        Assert.True(await engine.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken));
        Assert.Equal(expected.Take(1), Rows((await engine.ReadAsync("24.0", spec, 0, 1)).Rows));

        // Past the ten rows a first page of one keeps: from windows of the order ([10, 1000): the first window, cut
        // where the kept rows end).
        for (var offset = 10L; offset < expected.Count; offset++)
        {
            var page = await engine.ReadAsync("24.0", spec, offset, 1);
            Assert.True(page.Handle!.FromUrlOrder);
            var window = page.Handle.Window ?? throw new InvalidOperationException("no window");
            Assert.Equal((10, 1000), window);
            Assert.Equal(expected.Skip((int)offset).Take(1), Rows(page.Rows));
        }
    }

    [Fact]
    public void A_listings_stretches_are_its_runs_more_than_a_row_group_apart_and_few_when_a_window_holds_at_most_sixteen()
    {
        // A sparse listing at full size (series a row group or more apart) cannot be hand-made small: its count and
        // the rule are checked here, over series given as (first row, rows).
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        (long, long) Stretches(params (long First, long Rows)[] series) => SeriesBlocks.StretchesIn(connection,
            "SELECT * FROM (VALUES " + string.Join(", ", series.Select(s => $"({s.First}, {s.Rows})")) + ") AS v(__url_lo, __rows)", [], "__url_lo", TestContext.Current.CancellationToken);

        Assert.Equal((1L, 30L), Stretches((0, 10), (10, 10), (20, 10)));
        Assert.Equal((1L, 20L), Stretches((0, 10), (40_000, 10)));
        Assert.Equal((2L, 20L), Stretches((0, 10), (70_000, 10)));
        Assert.Equal((3L, 30L), Stretches((140_000, 10), (0, 10), (70_000, 10)));
        Assert.Equal((2L, 32_800L), Stretches((0, 32_768), (32_768, 2), (140_000, 30)));

        Assert.True(SeriesBlocks.FewStretches(1, 18, 1000));
        Assert.False(SeriesBlocks.FewStretches(20, 40, 1000));
        Assert.True(SeriesBlocks.FewStretches(20, 40_000, 30_000));
        Assert.False(SeriesBlocks.FewStretches(40, 40_000, 30_000));
    }

    [Fact]
    public async Task A_url_that_is_not_of_its_series_and_instance_is_read_from_the_instance_table()
    {
        var rows = Crossed();
        rows[4]["gcs_url"] = "gs://idc-open-data/5e000000-0000-4000-8000-000000000090/moved.dcm";
        await AssertServedAsync(rows, QueryKind.V1Manifest, "{}", """["SOPInstanceUID","GCS_URL"]""", fromOrder: false);
    }

    [Fact]
    public async Task An_instance_of_several_rows_is_listed_as_the_instance_table_has_it()
    {
        // A SEG of one instance with a row per segment: the order holds both rows, as the instance table does.
        var rows = Crossed();
        rows.Add(Instance("a", "Pa", "1.a", "2.9", "3.9.1", "SEG", "CHEST", 500, seriesUuid: "5e000000-0000-4000-8000-000000000001"));
        rows.Add(Instance("a", "Pa", "1.a", "2.9", "3.9.1", "SEG", "CHEST", 500, seriesUuid: "5e000000-0000-4000-8000-000000000001"));
        await AssertServedAsync(rows, QueryKind.V1Manifest, "{}", """["SOPInstanceUID","GCS_URL"]""", fromOrder: true);
        await AssertServedAsync(rows, QueryKind.V2Manifest, "{}", """["gcs_url","instance_size"]""", fromOrder: true);
    }

    [Fact]
    public async Task A_listing_naming_a_column_the_order_cannot_give_is_read_from_the_instance_table()
    {
        // instance_hash is neither in the order nor one value per series.
        var rows = Crossed();
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i]["instance_hash"] = $"h{i}";
        }

        await AssertServedAsync(rows, QueryKind.V2Manifest, "{}", """["gcs_url","instance_hash"]""", fromOrder: false);
    }

    /// <summary>Every page of 3 rows of a listing: the reference's, and from the gcs_url order or not as said.</summary>
    private static async Task AssertServedAsync(List<Dictionary<string, object?>> rows, QueryKind kind, string filters, string fields, bool fromOrder)
    {
        using var release = new HandMadeRelease();
        release.Write("24.0", rows);
        var spec = Spec(kind, filters, fields);
        using var reference = new QueryEngine(release.Data, new QueryOptions { FirstPagesAlone = false });
        var expected = Rows((await reference.ReadAsync("24.0", spec)).Rows);
        using var engine = new QueryEngine(release.Data, Options);
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        Assert.True(await engine.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken));
        var read = new List<string>();
        for (var offset = 0L; offset < expected.Count; offset += 3)
        {
            var page = await engine.ReadAsync("24.0", spec, offset, 3);
            Assert.Equal(expected.Count, page.Handle!.Total);
            Assert.Equal(fromOrder, page.Handle.FromUrlOrder);
            read.AddRange(Rows(page.Rows));
        }

        Assert.Equal(expected, read);
    }

    private static QuerySpec Spec(QueryKind kind, string filters, string fields)
    {
        using var document = JsonDocument.Parse(filters);
        var version = kind == QueryKind.V2Manifest ? ApiVersion.V2 : ApiVersion.V1;
        Assert.True(FilterParser.TryParse(version, document.RootElement, out var set, out var error), error);
        return new QuerySpec { Kind = kind, Filters = set, Fields = JsonSerializer.Deserialize<string[]>(fields)! };
    }

    private static List<string> Rows(IEnumerable<object?[]> rows) => rows.Select(r => JsonSerializer.Serialize(r.Select(v => v?.ToString()))).ToList();
}
