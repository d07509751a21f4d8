using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Synthetic;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>A generated release at a given scale, with a reference engine that computes every result whole.</summary>
public abstract class ScaledRelease : IDisposable
{
    protected ScaledRelease(double scale)
    {
        Root = Path.Combine(Path.GetTempPath(), "ic-scaled-" + Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Root);
        ReleaseGenerator.Generate(Data, new GeneratorOptions(scale, 11));
        Reference = new QueryEngine(Data, new QueryOptions { FirstPagesAlone = false });
        Reference.WarmUpAsync("24.0", CancellationToken.None).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public DataDirectory Data { get; }

    /// <summary>Every result materialised and numbered before its first page: the path the new ones must agree with.</summary>
    public QueryEngine Reference { get; }

    public void Dispose()
    {
        Reference.Dispose();
        GC.SuppressFinalize(this);
        Directory.Delete(Root, recursive: true);
    }
}

public sealed class SmallScaledRelease() : ScaledRelease(ReleaseGenerator.DefaultScale);

public sealed class LargerScaledRelease() : ScaledRelease(0.01);

/// <summary>Which way the engine under test is expected to serve a query.</summary>
public enum ServedBy
{
    /// <summary>First page from a top-N over the series table, later pages from the numbered result.</summary>
    Head,

    /// <summary>Numbered by series, every page read from its series' instance rows (the first from its first series').</summary>
    Blocks,

    /// <summary>First page from the instance rows of the listing's first series, later pages from the numbered result.</summary>
    FirstSeriesThenNumbered,

    /// <summary>Ordered by SOPInstanceUID first: every page read from the release's SOPInstanceUID order.</summary>
    UidOrder,

    /// <summary>Ordered by gcs_url: every page read from its series' rows in the release's gcs_url order.</summary>
    UrlOrder,

    /// <summary>Numbered whole, as before.</summary>
    Numbered,
}

/// <summary>
/// Every query kind gives the same rows in the same order, with the same totals, whether its pages are read on the new
/// paths (first pages alone, listings numbered by series) or from the result computed whole and numbered: no row lost,
/// repeated or moved, at page sizes that cut series in the middle and at deep offsets.
/// </summary>
public abstract class FirstPageEquivalenceTests(ScaledRelease release)
{

    public static TheoryData<ServedBy, QueryKind, string, string, bool, bool, string?> Queries => new()
    {
        // Instance listings in the layout's order: numbered by series.
        { ServedBy.Blocks, QueryKind.V2Manifest, """{"Modality":["CT"]}""", """["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID","gcs_url"]""", true, true, null },
        { ServedBy.Blocks, QueryKind.V2Manifest, "{}", """["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID","StudyDate","instance_size"]""", false, true, null },
        { ServedBy.Blocks, QueryKind.V2Manifest, """{"race":["WHITE","None"],"Modality":["MR","SEG"]}""", """["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","crdc_instance_uuid","SOPInstanceUID"]""", true, true, null },
        { ServedBy.Blocks, QueryKind.V1Query, """{"collection_id":["tcga_luad","nlst","tcga_kirc"]}""", """["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID","instance_size"]""", false, false, null },
        { ServedBy.Blocks, QueryKind.V1CohortObjects, """{"Modality":["CT","PT"]}""", "[]", false, false, "Instance" },
        { ServedBy.Blocks, QueryKind.V1DicomMetadata, "{}", "[]", false, false, null },

        // Every series identifier and SOPInstanceUID in the output: one result row per instance-table row read
        // (CompiledQuery.PerRowSql), StudyDate and StudyDescription as they are, not aggregated.
        { ServedBy.Blocks, QueryKind.V2Manifest, """{"Modality":["MR","SEG","SR"]}""", """["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID","gcs_url","StudyDate","StudyDescription"]""", true, true, null },
        { ServedBy.Blocks, QueryKind.V1Query, """{"Modality":["SEG","CT"]}""", """["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID","SOPClassUID"]""", false, false, null },

        // Series in another order than the file's (by a URL, or SeriesInstanceUID first): the first page from the
        // first series' rows, the rest numbered whole.
        { ServedBy.UrlOrder, QueryKind.V1Manifest, """{"Modality":["CT","MR"]}""", """["Collection_ID","Patient_ID","SOPInstanceUID","GCS_URL"]""", false, false, null },
        { ServedBy.UrlOrder, QueryKind.V1Manifest, """{"collection_id":["tcga_luad","nlst","tcga_kirc"]}""", """["SOPInstanceUID","GCS_URL"]""", false, false, null },
        { ServedBy.UrlOrder, QueryKind.V2Manifest, """{"race":["WHITE","None"],"collection_id":["nlst","tcga_luad"]}""", """["collection_id","gcs_url","SOPInstanceUID","instance_size"]""", true, true, null },
        { ServedBy.FirstSeriesThenNumbered, QueryKind.V2Manifest, """{"collection_id":["nlst","tcga_luad"]}""", """["collection_id","aws_url","SOPInstanceUID"]""", false, true, null },
        { ServedBy.FirstSeriesThenNumbered, QueryKind.V2Manifest, """{"race":["WHITE","None"],"Modality":["MR","SEG"]}""", """["SeriesInstanceUID","StudyInstanceUID","PatientID","collection_id","crdc_instance_uuid","SOPInstanceUID"]""", true, true, null },
        { ServedBy.FirstSeriesThenNumbered, QueryKind.V1Query, """{"Modality":["CT","SM"]}""", """["SeriesInstanceUID","collection_id","PatientID","StudyInstanceUID","SOPInstanceUID"]""", false, false, null },

        // Series-level listings: the first page from the series table alone.
        { ServedBy.Head, QueryKind.V2Manifest, """{"Modality":["CT"]}""", """["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","crdc_series_uuid","aws_bucket"]""", true, true, null },
        { ServedBy.Head, QueryKind.V2Manifest, """{"Modality":["CT","MR"],"BodyPartExamined":["CHEST","None"]}""", """["collection_id"]""", true, true, null },
        { ServedBy.Head, QueryKind.V2Manifest, """{"age_at_diagnosis_btw":[40,70]}""", """["Modality","collection_id","race"]""", true, true, null },
        { ServedBy.Head, QueryKind.V1Manifest, """{"Modality":["CT"]}""", """["Collection_ID","Patient_ID","CRDC_Series_GUID"]""", false, false, null },
        { ServedBy.Head, QueryKind.V1Query, "{}", """["Modality","BodyPartExamined","SeriesDescription"]""", false, false, null },
        { ServedBy.Head, QueryKind.V1CohortObjects, """{"collection_id":["nlst","tcga_luad"]}""", "[]", false, false, "Series" },
        { ServedBy.Head, QueryKind.V1CohortObjects, "{}", "[]", false, false, "Patient" },

        // A URL alone: one row per distinct URL, which the series table knows is one per instance.
        { ServedBy.UrlOrder, QueryKind.V1Manifest, """{"Modality":["MR"]}""", """["GCS_URL"]""", false, false, null },
        { ServedBy.FirstSeriesThenNumbered, QueryKind.V2Manifest, """{"collection_id":["nlst","tcga_luad","lidc_idri"]}""", """["aws_url"]""", false, false, null },

        // An order no layout gives (SOPInstanceUID first): read from the release's SOPInstanceUID order.
        { ServedBy.UidOrder, QueryKind.V2Manifest, """{"Modality":["CT"]}""", """["SOPInstanceUID","gcs_url"]""", false, true, null },
        { ServedBy.UidOrder, QueryKind.V2Manifest, """{"race":["WHITE","None"],"Modality":["MR","CT"]}""", """["SOPInstanceUID","collection_id","aws_url","crdc_instance_uuid"]""", true, true, null },
        { ServedBy.UidOrder, QueryKind.V1Query, """{"collection_id":["tcga_luad","nlst","tcga_kirc"]}""", """["SOPInstanceUID","SeriesInstanceUID","instance_size"]""", false, false, null },
        { ServedBy.UidOrder, QueryKind.V2Manifest, """{"Modality":["CT","MR"]}""", """["SOPInstanceUID","SeriesInstanceUID","collection_id","StudyInstanceUID","PatientID","gcs_url"]""", false, true, null },

        // Neither: SOPInstanceUID first with an instance column the order does not hold.
        { ServedBy.Numbered, QueryKind.V2Manifest, """{"Modality":["CT"]}""", """["SOPInstanceUID","instance_hash"]""", false, false, null },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Pages_on_the_new_paths_are_the_whole_results_pages(ServedBy path, QueryKind kind, string filters, string fields, bool counts, bool groupSize, string? level)
    {
        var spec = OrderedListings.Spec(kind, filters, fields, counts, groupSize, level);
        var expected = await release.Reference.ReadAsync("24.0", spec);
        var reference = OrderedListings.Rows(expected.Rows);
        Assert.True(reference.Count > 1, "a query whose result has one row tests no paging");

        // Small windows, so that a page past the first few lies in one of many; with the background numbering (pages
        // then come from windows, the numbering, or windows read from the numbering, as the numbering progresses) and
        // without it (every page past the first few from windows read from the series table alone).
        // The releases here lie in a few row groups, so a listing ordered by a URL has windows of a window's rows; with
        // NarrowListingRowGroups 0 it has the windows of two pages of a wider one.
        foreach (var (pageSize, numbering, narrow) in new[] { (1, true, 32), (7, true, 32), (100, true, 32), (1000, true, 32), (7, false, 32), (100, false, 32), (7, false, 0), (100, false, 0) })
        {
            // A fresh engine per page size: once numbered, a result serves its first page from the numbering.
            using var engine = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 0, WindowRows = 50, NumberInBackground = numbering, NarrowListingRowGroups = narrow });
            await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
            Assert.True(await engine.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken));
            var first = await engine.ReadAsync("24.0", spec, 0, pageSize);
            Assert.Equal(expected.Handle!.Total, first.Handle!.Total);
            Assert.Equal(reference.Take(pageSize), OrderedListings.Rows(first.Rows));

            // Pages in order from the second (at most 40 of them), then a few deep ones and the last.
            var offsets = Enumerable.Range(1, 40).Select(i => (long)i * pageSize).TakeWhile(o => o < reference.Count)
                .Concat([reference.Count / 3, reference.Count / 2 + 1, Math.Max(0, reference.Count - pageSize), reference.Count - 1]);
            Handles later = default;
            foreach (var offset in offsets)
            {
                var page = await engine.ReadAsync("24.0", spec, offset, pageSize);
                Assert.Equal(expected.Handle.Total, page.Handle!.Total);
                Assert.Equal(reference.Skip((int)offset).Take(pageSize), OrderedListings.Rows(page.Rows));
                later = later.With(page.Handle);
                Assert.Equal(path == ServedBy.UidOrder, page.Handle.FromUidOrder);
                Assert.True(path == ServedBy.UrlOrder || !page.Handle.FromUrlOrder, $"page {offset}+{pageSize} from the gcs_url order");
            }

            if (!numbering)
            {
                // Past the first ten pages, pages come from windows (a listing not laid out for them is numbered whole).
                Assert.True(path is ServedBy.Numbered or ServedBy.FirstSeriesThenNumbered || reference.Count <= 10 * pageSize || later.Ahead > 0, $"no window read: {later}");
                Assert.True(path is not ServedBy.UrlOrder || later.Numbered == 0, $"a listing in the gcs_url order numbered whole: {later}");
                Assert.True(path is not ServedBy.Numbered || later.Ahead == 0, $"a window read for a listing numbered whole: {later}");
                continue;
            }

            Assert.Equal(path == ServedBy.UidOrder, first.Handle.FromUidOrder);
            Assert.Equal(path == ServedBy.UrlOrder, first.Handle.FromUrlOrder);
            Assert.Equal(path, (first.Handle.Head, first.Handle.HeadFromSeriesRows, later) switch
            {
                ({ }, true, { Blocks: 0, Numbered: 0 }) when first.Handle.FromUidOrder => ServedBy.UidOrder,
                ({ }, true, { Blocks: 0, Numbered: 0 }) when first.Handle.FromUrlOrder => ServedBy.UrlOrder,
                ({ }, false, { Blocks: 0 }) => ServedBy.Head,
                ({ }, true, { Blocks: > 0, Numbered: 0 }) or (null, _, { Blocks: > 0, Numbered: 0 }) => ServedBy.Blocks,
                ({ }, true, { Blocks: 0, Numbered: > 0 }) => ServedBy.FirstSeriesThenNumbered,

                // Every later page from the rows read with the first or from windows (the numbering still running).
                ({ }, true, { Blocks: 0, Numbered: 0 }) when path is ServedBy.Blocks or ServedBy.FirstSeriesThenNumbered => path,
                (null, _, { Blocks: 0, Ahead: 0 }) => ServedBy.Numbered,
                _ => throw new InvalidOperationException($"mixed paths: head {first.Handle.Head is not null} from rows {first.Handle.HeadFromSeriesRows}, {later}"),
            });
        }
    }

    [Fact]
    public async Task Preview_counts_are_one_row_from_the_series_table_with_no_count_query()
    {
        var spec = OrderedListings.Spec(QueryKind.V2Manifest, """{"Modality":["CT","MR"],"BodyPartExamined":["CHEST","None"]}""", "[]", true, true, null);
        var expected = await release.Reference.ReadAsync("24.0", spec);
        using var engine = new QueryEngine(release.Data);
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        var page = await engine.ReadAsync("24.0", spec, 0, 1000);
        Assert.NotNull(page.Handle!.Head);
        Assert.Equal(1, page.Handle.Total);
        Assert.Equal(OrderedListings.Rows(expected.Rows), OrderedListings.Rows(page.Rows));
    }

    [Fact]
    public async Task A_page_past_the_end_is_empty_on_the_new_paths()
    {
        var spec = OrderedListings.Spec(QueryKind.V1CohortObjects, """{"Modality":["CT"]}""", "[]", false, false, "Instance");
        using var engine = new QueryEngine(release.Data, EveryListingBySeries);
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        var first = await engine.ReadAsync("24.0", spec, 0, 10);
        var past = await engine.ReadAsync("24.0", spec, first.Handle!.Total, 10);
        Assert.Equal(first.Handle.Total, past.Handle!.Total);
        Assert.NotNull(past.Handle.Window);
        Assert.Empty(past.Rows);
    }

    /// <summary>The engine's defaults, except that listings of any size are read by series (the releases here are small).</summary>
    private static QueryOptions EveryListingBySeries => new() { SeriesReadMinimumRows = 0 };

    [Fact]
    public async Task An_instance_listing_pages_on_through_windows_and_is_not_numbered()
    {
        var spec = OrderedListings.Spec(QueryKind.V1CohortObjects, """{"Modality":["CT"]}""", "[]", false, false, "Instance");
        var expected = await release.Reference.ReadAsync("24.0", spec);
        using var engine = new QueryEngine(release.Data);
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        var page = await engine.ReadAsync("24.0", spec, 0, 100);
        Assert.True(page.Handle!.HeadFromSeriesRows);
        Assert.Equal(expected.Handle!.Total, page.Handle.Total);
        Assert.Equal(OrderedListings.Rows(expected.Rows).Take(100), OrderedListings.Rows(page.Rows));

        // Past the first ten pages, pages come from windows of rows around them; nothing numbers the whole listing.
        Assert.True(expected.Handle.Total > 1100);
        foreach (var offset in new long[] { 1000, 1100, expected.Handle.Total - 50 })
        {
            var windowed = await engine.ReadAsync("24.0", spec, offset, 100);
            Assert.NotNull(windowed.Handle!.Window);
            Assert.Equal(OrderedListings.Rows(expected.Rows).Skip((int)offset).Take(100), OrderedListings.Rows(windowed.Rows));
        }

        Assert.False(Numbered(engine, QueryEngine.ResultKey("24.0", spec)));
    }

    [Fact]
    public async Task A_listing_paged_at_another_page_size_than_its_first_page_reads_each_window_once()
    {
        var spec = OrderedListings.Spec(QueryKind.V1CohortObjects, """{"Modality":["CT"]}""", "[]", false, false, "Instance");
        var expected = await release.Reference.ReadAsync("24.0", spec);
        Assert.True(expected.Handle!.Total > 650);
        using var engine = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 0, WindowRows = 50, NumberInBackground = false });
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        var first = await engine.ReadAsync("24.0", spec, 0, 10);
        Assert.Equal(OrderedListings.Rows(expected.Rows).Take(10), OrderedListings.Rows(first.Rows));

        // A client that asks for larger pages after its first (as the bench's 10,000 rows after 1,000): pages of 30
        // rows from row 310 (past the 300 a first page of 30 would keep) cut the windows of 50 rows, and are read from
        // the two they span.
        for (var offset = 310L; offset < 610; offset += 30)
        {
            var page = await engine.ReadAsync("24.0", spec, offset, 30);
            Assert.NotNull(page.Handle!.Window);
            Assert.Equal(OrderedListings.Rows(expected.Rows).Skip((int)offset).Take(30), OrderedListings.Rows(page.Rows));
        }

        // Windows [300, 350) to [600, 650), the one after them read ahead, and the one the first page read ahead
        // ([100, 150)): each read once, none of its own for a page that runs past a window's end.
        Assert.InRange(engine.Windows.Count, 7, 9);
    }

    [Theory]
    [InlineData(32, 50)]
    [InlineData(0, 20)]
    public async Task A_listing_ordered_by_a_url_has_windows_of_a_windows_rows_when_it_lies_in_few_row_groups(int narrow, long windowRows)
    {
        var spec = OrderedListings.Spec(QueryKind.V1Manifest, """{"Modality":["MR"]}""", """["GCS_URL"]""", false, false, null);
        var expected = await release.Reference.ReadAsync("24.0", spec);
        Assert.True(expected.Handle!.Total > 200);
        // Read from the instance table (without the release's gcs_url order, whose windows are every listing's).
        using var engine = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 0, WindowRows = 50, NumberInBackground = false, NarrowListingRowGroups = narrow, UidOrderIndex = false });
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        var first = await engine.ReadAsync("24.0", spec, 0, 10);
        Assert.True(first.Handle!.HeadFromSeriesRows);

        // Past the ten pages read with the first: windows of 50 rows (the release's series lie in a row group or two),
        // or of two pages when the listing counts as wide.
        foreach (var offset in new long[] { 120, 130, 170 })
        {
            var page = await engine.ReadAsync("24.0", spec, offset, 10);
            var window = page.Handle!.Window ?? throw new InvalidOperationException("no window");
            Assert.Equal(windowRows, window.End - window.Start);
            Assert.Equal(OrderedListings.Rows(expected.Rows).Skip((int)offset).Take(10), OrderedListings.Rows(page.Rows));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_narrow_listing_ordered_by_a_url_paged_at_growing_page_sizes_loses_no_row(bool urlOrder)
    {
        // Pages of 4,000 keep 10,000 rows, cut in two-page windows [0, 8000) and [8000, 10000), shorter than a page:
        // a page from row 7000 would span three windows if the short one stood alone.
        var spec = OrderedListings.Spec(QueryKind.V1Manifest, "{}", """["GCS_URL"]""", false, false, null);
        var expected = await release.Reference.ReadAsync("24.0", spec);
        Assert.True(expected.Handle!.Total > 15_000);
        using var engine = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 0, NumberInBackground = false, UidOrderIndex = urlOrder });
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        Assert.Equal(urlOrder, await engine.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken));
        var first = await engine.ReadAsync("24.0", spec, 0, 1000);
        Assert.Equal(OrderedListings.Rows(expected.Rows).Take(1000), OrderedListings.Rows(first.Rows));
        Assert.Equal(urlOrder, first.Handle!.FromUrlOrder);
        foreach (var (offset, count) in new[] { (1000L, 2000), (3000L, 2000), (5000L, 2000), (7000L, 4000), (11_000L, 4000) })
        {
            var page = await engine.ReadAsync("24.0", spec, offset, count);
            Assert.Equal(OrderedListings.Rows(expected.Rows).Skip((int)offset).Take(count), OrderedListings.Rows(page.Rows));

            // Past the 10,000 rows a first page of 4,000 keeps, pages come from windows.
            Assert.True(offset + count <= 10_000 || page.Handle!.Window is not null, $"rows {offset}+{count} not from a window");
        }
    }

    [Fact]
    public async Task A_series_table_listing_paged_past_its_first_rows_is_numbered_in_the_background()
    {
        var spec = OrderedListings.Spec(QueryKind.V1CohortObjects, "{}", "[]", false, false, "Series");
        var expected = await release.Reference.ReadAsync("24.0", spec);
        using var engine = new QueryEngine(release.Data);
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        var page = await engine.ReadAsync("24.0", spec, 0, 10);
        Assert.NotNull(page.Handle!.Head);
        Assert.False(page.Handle.HeadFromSeriesRows);
        Assert.Equal(expected.Handle!.Total, page.Handle.Total);

        // A page past the first ten comes from a window, and from then on the listing is numbered in the background;
        // once it is, every page comes from it.
        Assert.True(expected.Handle.Total > 110);
        var windowed = await engine.ReadAsync("24.0", spec, 100, 10);
        Assert.NotNull(windowed.Handle!.Window);
        Assert.Equal(OrderedListings.Rows(expected.Rows).Skip(100).Take(10), OrderedListings.Rows(windowed.Rows));
        var key = QueryEngine.ResultKey("24.0", spec);
        for (var waited = 0; !Numbered(engine, key); waited += 50)
        {
            Assert.True(waited < 120_000, "the listing was not numbered in the background");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var second = await engine.ReadAsync("24.0", spec, 20, 10);
        Assert.Null(second.Handle!.Head);
        Assert.Null(second.Handle.Window);
        Assert.Equal(OrderedListings.Rows(expected.Rows).Skip(20).Take(10), OrderedListings.Rows(second.Rows));
    }

    [Fact]
    public async Task A_series_table_listing_read_past_half_its_first_rows_has_the_window_after_them_read_ahead()
    {
        var spec = OrderedListings.Spec(QueryKind.V1CohortObjects, "{}", "[]", false, false, "Series");
        var expected = await release.Reference.ReadAsync("24.0", spec);
        Assert.True(expected.Handle!.Total > 110);
        using var engine = new QueryEngine(release.Data, new QueryOptions { NumberInBackground = false, WindowRows = 50 });
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);

        // A first page keeps ten pages' rows (100 here); a client that only looks at its first pages costs no window.
        await engine.ReadAsync("24.0", spec, 0, 10);
        await engine.ReadAsync("24.0", spec, 40, 10);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(0, engine.Windows.Count);

        // Past half of them, the window after them is read while the client reads the rest.
        await engine.ReadAsync("24.0", spec, 60, 10);
        var after = QueryEngine.WindowKey(QueryEngine.ResultKey("24.0", spec), 100, 150);
        for (var waited = 0; !Finished(engine.Windows, after); waited += 50)
        {
            Assert.True(waited < 60_000, "no window was read ahead");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var next = await engine.ReadAsync("24.0", spec, 100, 10);
        Assert.True(next.CacheHit, "the page after the kept rows was computed when asked");
        Assert.NotNull(next.Handle!.Window);
        Assert.Equal(expected.Handle.Total, next.Handle.Total);
        Assert.Equal(OrderedListings.Rows(expected.Rows).Skip(100).Take(10), OrderedListings.Rows(next.Rows));
    }

    private static bool Finished(ResultStore<ResultHandle> store, string key)
    {
        using var lease = store.TryAcquireFinished(key);
        return lease is not null;
    }

    private static bool Numbered(QueryEngine engine, string key) => Finished(engine.Results, key);

    /// <summary>
    /// How the later pages were served: from the first page's rows (read with it), from windows read before the
    /// numbering, by series (windows read from a numbering by series), or numbered whole.
    /// </summary>
    private readonly record struct Handles(int FromFirst, int Ahead, int Blocks, int Numbered)
    {
        public Handles With(ResultHandle handle) => handle switch
        {
            { Head: not null } => this with { FromFirst = FromFirst + 1 },
            { Blocks: not null } => this with { Blocks = Blocks + 1 },
            { Window: not null } => this with { Ahead = Ahead + 1 },
            _ => this with { Numbered = Numbered + 1 },
        };
    }
}

public sealed class SmallFirstPageEquivalenceTests(SmallScaledRelease release) : FirstPageEquivalenceTests(release), IClassFixture<SmallScaledRelease>;

public sealed class LargerFirstPageEquivalenceTests(LargerScaledRelease release) : FirstPageEquivalenceTests(release), IClassFixture<LargerScaledRelease>;
