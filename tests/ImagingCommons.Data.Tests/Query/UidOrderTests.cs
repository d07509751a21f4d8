using System.Text.Json;
using ImagingCommons.Data.Query;
using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>
/// Listings ordered by SOPInstanceUID first read from the release's SOPInstanceUID order give the rows, order and
/// totals of the listing numbered whole, and the order is used only where it stands for the listing exactly.
/// </summary>
public sealed class UidOrderTests
{
    /// <summary>Three series whose UIDs interleave (so they do not cluster by series), CT and MR, in two collections.</summary>
    private static List<Dictionary<string, object?>> Interleaved()
    {
        var rows = new List<Dictionary<string, object?>>();
        for (var i = 0; i < 30; i++)
        {
            var (series, modality, collection) = (i % 3) switch
            {
                0 => ("2.1", "CT", "a"),
                1 => ("2.2", "MR", "a"),
                _ => ("2.3", "CT", "b"),
            };
            rows.Add(Instance(collection, "P" + collection, "1." + collection.Length, series, $"3.{100 + (i * 7 % 30)}", modality, "CHEST", 100 + i));
        }

        return rows;
    }

    private static QueryOptions Options => OrderedListings.Options;

    [Theory]
    [InlineData("""{"Modality":["CT"]}""", """["SOPInstanceUID","gcs_url"]""", false, true)]
    [InlineData("{}", """["SOPInstanceUID","collection_id","aws_url","crdc_instance_uuid","instance_size"]""", true, true)]
    [InlineData("""{"collection_id":["a"]}""", """["SOPInstanceUID","SeriesInstanceUID","Modality"]""", true, false)]
    public async Task A_listing_ordered_by_sop_instance_uid_first_is_read_from_the_order_with_the_whole_results_rows(string filters, string fields, bool counts, bool groupSize)
    {
        using var release = new HandMadeRelease();
        release.Write("24.0", Interleaved());
        await OrderedListings.AssertReadFromOrderAsync(release, V2(filters, fields, counts, groupSize), handle => handle.FromUidOrder);
    }

    [Fact]
    public async Task A_listing_with_an_instance_of_several_rows_is_numbered_whole_and_one_without_is_not()
    {
        // A SEG of one instance with a row per segment: its series' rows are not its instances.
        var rows = Interleaved();
        rows.Add(Instance("a", "Pa", "1.1", "2.9", "3.150", "SEG", "CHEST", 500));
        rows.Add(Instance("a", "Pa", "1.1", "2.9", "3.150", "SEG", "CHEST", 500));
        using var served = await Served.StartAsync(rows);
        Assert.True(served.Ordered);

        await served.AssertReadAsync("{}", """["SOPInstanceUID","gcs_url"]""", fromOrder: false);
        await served.AssertReadAsync("""{"Modality":["CT"]}""", """["SOPInstanceUID","gcs_url"]""", fromOrder: true);
    }

    [Fact]
    public async Task A_release_with_a_uid_in_two_series_has_no_order()
    {
        var rows = Interleaved();
        rows.Add(Instance("b", "Pb", "1.1", "2.8", "3.100", "CT", "CHEST", 7));
        using var served = await Served.StartAsync(rows);
        Assert.False(served.Ordered);

        await served.AssertReadAsync("""{"Modality":["CT"]}""", """["SOPInstanceUID","gcs_url"]""", fromOrder: false);
    }

    [Fact]
    public async Task A_url_that_is_not_of_its_series_and_instance_is_never_derived_from_the_order()
    {
        var rows = Interleaved();
        rows[4]["gcs_url"] = "gs://elsewhere/moved.dcm";
        using var served = await Served.StartAsync(rows);
        Assert.True(served.Ordered);

        // gcs_url is read from the instance table (the listing numbered whole); aws_url still follows the format.
        foreach (var (fields, fromOrder) in new[] { ("""["SOPInstanceUID","gcs_url"]""", false), ("""["SOPInstanceUID","aws_url"]""", true) })
        {
            await served.AssertReadAsync("{}", fields, fromOrder);
        }
    }

    [Fact]
    public async Task An_instance_uuid_not_in_canonical_spelling_is_read_from_the_instance_table()
    {
        // An upper-case UUID: the order holds it as a UUID, which would give it back in lower case.
        var rows = Interleaved();
        rows[7]["crdc_instance_uuid"] = ((string)rows[7]["crdc_instance_uuid"]!).ToUpperInvariant();
        using var served = await Served.StartAsync(rows);
        Assert.True(served.Ordered);

        // Neither the UUID nor the URLs derived from it come from the order; SOPInstanceUID with the size still does.
        foreach (var (fields, fromOrder) in new[] { ("""["SOPInstanceUID","crdc_instance_uuid"]""", false), ("""["SOPInstanceUID","gcs_url"]""", false), ("""["SOPInstanceUID","instance_size"]""", true) })
        {
            await served.AssertReadAsync("{}", fields, fromOrder);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_listing_smaller_than_the_minimum_has_its_first_page_from_the_order_and_is_numbered_whole_past_it(bool inBackground)
    {
        using var release = new HandMadeRelease();
        release.Write("24.0", Interleaved());
        var spec = V2("{}", """["SOPInstanceUID"]""", false, false);
        using var reference = new QueryEngine(release.Data, new QueryOptions { FirstPagesAlone = false });
        var expected = Rows((await reference.ReadAsync("24.0", spec)).Rows);
        using var engine = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 31, WindowRows = 4, NumberInBackground = inBackground });
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        Assert.True(await engine.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken));

        // Pages of 2 keep 20 rows; the sixth page (past half of them) starts the numbering in the background.
        for (var offset = 0L; offset < 12; offset += 2)
        {
            var page = await engine.ReadAsync("24.0", spec, offset, 2);
            Assert.True(page.Handle!.FromUidOrder);
            Assert.Equal(expected.Skip((int)offset).Take(2), Rows(page.Rows));
        }

        // Past the kept rows: from the listing numbered whole, never from a window of the order.
        var past = await engine.ReadAsync("24.0", spec, 24, 2);
        Assert.False(past.Handle!.FromUidOrder);
        Assert.Null(past.Handle.Window);
        Assert.Equal(30, past.Handle.Total);
        Assert.Equal(expected.Skip(24).Take(2), Rows(past.Rows));
    }

    [Fact]
    public async Task A_listing_whose_rows_lie_sparse_in_the_order_is_numbered_whole()
    {
        // Collection z's two instances hold the least and the greatest UID, 180 rows of the order apart.
        var rows = Interleaved();
        rows.AddRange(Enumerable.Range(0, 150).Select(i => Instance("a", "Pa", "1.1", "2.4", $"5.{1000 + i}", "CT", "CHEST", 10)));
        rows.Add(Instance("z", "Pz", "1.9", "2.5", "0.1", "MR", "HEAD", 10));
        rows.Add(Instance("z", "Pz", "1.9", "2.6", "9.9", "MR", "HEAD", 10));
        using var served = await Served.StartAsync(rows);
        Assert.True(served.Ordered);
        await served.AssertReadAsync("""{"collection_id":["z"]}""", """["SOPInstanceUID","gcs_url"]""", fromOrder: false);
        await served.AssertReadAsync("""{"collection_id":["a"]}""", """["SOPInstanceUID","gcs_url"]""", fromOrder: true);
    }

    /// <summary>A hand-made release with an engine under test (<see cref="Options"/>) and the reference that numbers every result whole.</summary>
    private sealed class Served : IDisposable
    {
        private readonly HandMadeRelease _release = new();
        private QueryEngine? _reference;
        private QueryEngine? _engine;

        /// <summary>Whether the release got a SOPInstanceUID order.</summary>
        public bool Ordered { get; private set; }

        public static async Task<Served> StartAsync(IEnumerable<Dictionary<string, object?>> rows)
        {
            var served = new Served();
            served._release.Write("24.0", rows);
            served._reference = new QueryEngine(served._release.Data, new QueryOptions { FirstPagesAlone = false });
            served._engine = new QueryEngine(served._release.Data, Options);
            await served._engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
            served.Ordered = await served._engine.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken);
            return served;
        }

        /// <summary>The first 100 rows of a v2 manifest: the reference's, and from the order or not as said.</summary>
        public async Task AssertReadAsync(string filters, string fields, bool fromOrder)
        {
            var spec = V2(filters, fields, false, false);
            var page = await _engine!.ReadAsync("24.0", spec, 0, 100);
            Assert.Equal(fromOrder, page.Handle!.FromUidOrder);
            Assert.Equal(Rows((await _reference!.ReadAsync("24.0", spec, 0, 100)).Rows), Rows(page.Rows));
        }

        public void Dispose()
        {
            _engine?.Dispose();
            _reference?.Dispose();
            _release.Dispose();
        }
    }

    private static QuerySpec V2(string filters, string fields, bool counts, bool groupSize)
    {
        using var document = JsonDocument.Parse(filters);
        Assert.True(FilterParser.TryParseV2(document.RootElement, out var set, out var error), error);
        return new QuerySpec { Kind = QueryKind.V2Manifest, Filters = set, Fields = JsonSerializer.Deserialize<string[]>(fields)!, Counts = counts, GroupSize = groupSize };
    }

    private static List<string> Rows(IEnumerable<object?[]> rows) => rows.Select(r => JsonSerializer.Serialize(r.Select(v => v?.ToString()))).ToList();
}
