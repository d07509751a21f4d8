using System.Text.Json;
using ImagingCommons.Data.Query;
using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>Pages of listings read from a release's orders (<see cref="UidOrder"/>, <see cref="UrlOrder"/>) against the listing numbered whole.</summary>
internal static class OrderedListings
{
    /// <summary>Small windows, listings of any size, and no numbering in the background: every later page from windows.</summary>
    public static QueryOptions Options => new() { SeriesReadMinimumRows = 0, WindowRows = 4, NumberInBackground = false };

    /// <summary>
    /// Reads a listing whole at pages of 1, 3, 5 and 100 rows (each size on a fresh engine), every page from the order
    /// (<paramref name="fromOrder"/>), then a deep page and one past the end on another engine, as on another replica:
    /// the rows, order and totals of the listing numbered whole.
    /// </summary>
    public static async Task AssertReadFromOrderAsync(HandMadeRelease release, QuerySpec spec, Func<ResultHandle, bool> fromOrder)
    {
        using var reference = new QueryEngine(release.Data, new QueryOptions { FirstPagesAlone = false });
        var expected = Rows((await reference.ReadAsync("24.0", spec)).Rows);
        Assert.True(expected.Count > 8);

        foreach (var pageSize in new[] { 1, 3, 5, 100 })
        {
            using var engine = new QueryEngine(release.Data, Options);
            await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
            Assert.True(await engine.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken));
            var read = new List<string>();
            for (var offset = 0L; offset < expected.Count; offset += pageSize)
            {
                var page = await engine.ReadAsync("24.0", spec, offset, pageSize);
                Assert.Equal(expected.Count, page.Handle!.Total);
                Assert.True(fromOrder(page.Handle), $"page {offset}+{pageSize} not from the order");
                read.AddRange(Rows(page.Rows));
            }

            Assert.Equal(expected, read);

            using var other = new QueryEngine(release.Data, Options);
            await other.WarmUpUidOrderAsync("24.0", TestContext.Current.CancellationToken);
            var deep = await other.ReadAsync("24.0", spec, expected.Count - 2, pageSize);
            Assert.Equal(expected.Skip(expected.Count - 2).Take(pageSize), Rows(deep.Rows));
            Assert.Empty((await other.ReadAsync("24.0", spec, expected.Count, pageSize)).Rows);
        }
    }

    /// <summary>A listing of a kind with filters and fields as JSON (a v1 kind, whose filters are v1's, with no counts or group_size).</summary>
    public static QuerySpec Spec(QueryKind kind, string filters, string fields, bool counts, bool groupSize, string? level)
    {
        using var document = JsonDocument.Parse(filters);
        var version = kind == QueryKind.V2Manifest ? ApiVersion.V2 : ApiVersion.V1;
        Assert.True(FilterParser.TryParse(version, document.RootElement, out var set, out var error), error);
        return new QuerySpec
        {
            Kind = kind,
            Filters = set,
            Fields = kind == QueryKind.V1CohortObjects ? [] : JsonSerializer.Deserialize<string[]>(fields)!,
            Counts = counts && kind == QueryKind.V2Manifest,
            GroupSize = groupSize && kind == QueryKind.V2Manifest,
            Level = level,
        };
    }

    public static List<string> Rows(IEnumerable<object?[]> rows) => rows.Select(r => JsonSerializer.Serialize(r.Select(v => v?.ToString()))).ToList();
}
