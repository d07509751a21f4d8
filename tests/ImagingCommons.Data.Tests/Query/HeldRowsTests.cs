using System.Text.Json;
using ImagingCommons.Data.Query;
using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>
/// The first rows results keep in the process count against <see cref="QueryOptions.HeldRowsMemoryLimit"/>: beyond it
/// the least recently used results go, and their pages, computed again, are the same.
/// </summary>
public sealed class HeldRowsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Beyond_the_held_rows_limit_a_result_is_dropped_and_its_pages_are_computed_again_the_same()
    {
        using var release = new HandMadeRelease();
        var rows = new List<Dictionary<string, object?>>();
        for (var i = 0; i < 24; i++)
        {
            rows.Add(Instance("c", "P" + (i % 2), "1." + (i % 2), "2." + (i % 4), $"3.{100 + i}", i % 4 < 2 ? "CT" : "MR"));
        }

        release.Write("24.0", rows);
        var (ct, mr) = (V2("""{"Modality":["CT"]}"""), V2("""{"Modality":["MR"]}"""));
        using var roomy = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 0, NumberInBackground = false });
        using var tight = new QueryEngine(release.Data, new QueryOptions { SeriesReadMinimumRows = 0, NumberInBackground = false, HeldRowsMemoryLimit = "1KB" });
        foreach (var engine in new[] { roomy, tight })
        {
            await engine.WarmUpAsync("24.0", Cancel);
            Assert.True(await engine.WarmUpUidOrderAsync("24.0", Cancel));
        }

        async Task<(bool CacheHit, List<string> Rows)> Read(QueryEngine engine, QuerySpec spec, long offset)
        {
            var page = await engine.ReadAsync("24.0", spec, offset, 4);
            return (page.CacheHit, page.Rows.Select(r => JsonSerializer.Serialize(r.Select(v => v?.ToString()))).ToList());
        }

        var expected = new List<(bool, List<string>)>();
        var read = new List<(bool, List<string>)>();
        foreach (var (engine, into) in new[] { (roomy, expected), (tight, read) })
        {
            into.Add(await Read(engine, ct, 0));
            into.Add(await Read(engine, mr, 0));
            into.Add(await Read(engine, ct, 0));
            into.Add(await Read(engine, ct, 4));
        }

        // The first page of CT keeps its 12 rows (about 3 KB estimated), so the MR listing's pushes it out of 1 KB.
        Assert.Equal([false, false, true], expected.Take(3).Select(p => p.Item1));
        Assert.Equal([false, false, false], read.Take(3).Select(p => p.Item1));
        Assert.Equal(expected.Select(p => string.Join("\n", p.Item2)), read.Select(p => string.Join("\n", p.Item2)));
        Assert.All(read, p => Assert.Equal(4, p.Item2.Count));
    }

    private static QuerySpec V2(string filters)
    {
        using var document = JsonDocument.Parse(filters);
        Assert.True(FilterParser.TryParseV2(document.RootElement, out var set, out var error), error);
        return new QuerySpec { Kind = QueryKind.V2Manifest, Filters = set, Fields = ["SOPInstanceUID", "gcs_url"] };
    }
}
