using System.Text.Json;
using ImagingCommons.Data.Query;
using static ImagingCommons.Testing.HandMadeRelease;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Query;

public sealed class SeriesIndexTests
{
    [Fact]
    public async Task A_column_that_varies_inside_a_series_stays_on_the_instance_table()
    {
        using var release = new HandMadeRelease();
        release.Write("24.0",
        [
            Instance("c", "P1", "1.1", "2.1", "3.1", "CT", "CHEST", 100, 1.0),
            Instance("c", "P1", "1.1", "2.1", "3.2", "CT", "CHEST", 200, 3.0),
            Instance("c", "P1", "1.1", "2.2", "3.3", "MR", "CHEST", 400, 3.0),
        ]);
        using var engine = new QueryEngine(release.Data);
        var columns = await new SeriesIndexes(release.Data).Start("24.0", TestContext.Current.CancellationToken);
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);

        Assert.NotNull(columns);
        Assert.Contains("Modality", columns.Columns);
        Assert.DoesNotContain("SliceThickness", columns.Columns);

        // Row-level: only instance 3.2 of series 2.1 has SliceThickness > 2, so its series counts one instance of 200 bytes.
        var spec = Spec("""{"SliceThickness_gt":[2]}""");
        var handlePage = await engine.ReadAsync("24.0", spec, 0, 10);
        var (handle, rows) = (handlePage.Handle!, handlePage.Rows);
        Assert.DoesNotContain("dicom_pivot_by_series", handle.DisplaySql, StringComparison.Ordinal);
        Assert.Equal([["2.1", 1L, 200L], ["2.2", 1L, 400L]], rows.Select(r => new object?[] { r[0], r[1], r[2] }));

        // Series-level filter: the series table answers with the same counts the instance table would.
        var byModality = Spec("""{"Modality":["CT"]}""");
        var seriesHandlePage = await engine.ReadAsync("24.0", byModality, 0, 10);
        var (seriesHandle, seriesRows) = (seriesHandlePage.Handle!, seriesHandlePage.Rows);
        Assert.Contains("dicom_pivot_by_series", seriesHandle.DisplaySql, StringComparison.Ordinal);
        Assert.Equal([["2.1", 2L, 300L]], seriesRows.Select(r => new object?[] { r[0], r[1], r[2] }));
    }

    private static QuerySpec Spec(string filters)
    {
        using var document = JsonDocument.Parse(filters);
        Assert.True(FilterParser.TryParseV2(document.RootElement, out var set, out _));
        return new QuerySpec { Kind = QueryKind.V2Manifest, Filters = set, Fields = ["SeriesInstanceUID"], Counts = true, GroupSize = true };
    }
}
