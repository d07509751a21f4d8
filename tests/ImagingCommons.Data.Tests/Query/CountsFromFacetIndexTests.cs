using System.Text.Json;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>
/// A v2 manifest of counts alone is answered from the facet index when it covers the filters, and that answer is the
/// SQL's to the byte: the same columns, values, nulls and `sql` text, on a generated release with TCGA patients,
/// analysis results and empty cohorts.
/// </summary>
public sealed class CountsFromFacetIndexTests(GeneratedRelease release) : IClassFixture<GeneratedRelease>
{
    public static TheoryData<string, bool, bool, bool> Cohorts => new()
    {
        // filters, counts, group_size, answered from the index
        { "{}", true, true, true },
        { """{"Modality":["CT","MR"]}""", true, true, true },
        { """{"Modality":["ct"],"BodyPartExamined":["CHEST","None"]}""", true, true, true },
        { """{"BodyPartExamined":["%che%"],"collection_id":["nlst","tcga_luad"]}""", true, false, true },
        { """{"Modality":["S%"],"license_short_name":["CC BY%"]}""", false, true, true },
        { """{"race":["WHITE"],"age_at_diagnosis_btw":[40,70]}""", true, true, true },
        { """{"sample_type":["Primary Tumor"],"Modality":["CT"]}""", true, true, true },
        { """{"Modality":["no such modality"]}""", true, true, true },
        { """{"SliceThickness_gte":[1.0],"Modality":["CT"]}""", true, true, true },
    };

    [Theory]
    [MemberData(nameof(Cohorts))]
    public async Task A_manifest_of_counts_alone_is_the_same_from_the_index_as_from_SQL(string filters, bool counts, bool groupSize, bool fromIndex)
    {
        await AssertSameCounts(release.Data, filters, counts, groupSize, fromIndex);
    }

    [Fact]
    public async Task A_filter_on_a_column_that_varies_inside_a_series_is_counted_by_SQL_per_instance()
    {
        using var made = new HandMadeRelease();
        made.Write("24.0",
        [
            HandMadeRelease.Instance("c", "P1", "1.1", "2.1", "3.1", "CT", "CHEST", 100, 1.0),
            HandMadeRelease.Instance("c", "P1", "1.1", "2.1", "3.2", "CT", "CHEST", 200, 3.0),
            HandMadeRelease.Instance("c", "P2", "1.2", "2.2", "3.3", "MR", "CHEST", 400, 3.0),
        ]);

        var page = await AssertSameCounts(made.Data, """{"SliceThickness_gt":[2]}""", counts: true, groupSize: true, fromIndex: false);

        // Instances 3.2 and 3.3 pass: two series, two instances, 600 bytes.
        var row = page.Handle!.Columns.Select((c, i) => (c.Name, Value: page.Rows[0][i])).ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal((2L, 2L, 600L), ((long)row["series_count"]!, (long)row["instance_count"]!, (long)row["group_size"]!));
    }

    private static async Task<QueryPage> AssertSameCounts(DataDirectory data, string filters, bool counts, bool groupSize, bool fromIndex)
    {
        using var document = JsonDocument.Parse(filters);
        Assert.True(FilterParser.TryParseV2(document.RootElement, out var set, out var error), error);
        var spec = new QuerySpec { Kind = QueryKind.V2Manifest, Filters = set, Counts = counts, GroupSize = groupSize };

        using var facets = new FacetEngine(data);
        await facets.WarmUpAsync("24.0");
        var totals = new AnsweredTotals(facets);
        using var bySql = new QueryEngine(data);
        using var byIndex = new QueryEngine(data, totals: totals);
        await bySql.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
        await byIndex.WarmUpAsync("24.0", TestContext.Current.CancellationToken);

        var expected = await bySql.ReadAsync("24.0", spec);
        var actual = await byIndex.ReadAsync("24.0", spec);

        Assert.Equal(fromIndex ? 1 : 0, totals.Answered);
        Assert.Equal(expected.Handle!.Columns, actual.Handle!.Columns);
        Assert.Equal(Json(expected.Rows), Json(actual.Rows));
        Assert.Equal(1, actual.Handle.Total);
        Assert.Equal(expected.Handle.DisplaySql, actual.Handle.DisplaySql);
        Assert.Empty((await byIndex.ReadAsync("24.0", spec, offset: 1, count: 10)).Rows);
        return actual;
    }

    [Fact]
    public async Task Before_the_index_is_built_the_counts_come_from_SQL()
    {
        using var document = JsonDocument.Parse("""{"Modality":["CT"]}""");
        Assert.True(FilterParser.TryParseV2(document.RootElement, out var set, out var error), error);
        var spec = new QuerySpec { Kind = QueryKind.V2Manifest, Filters = set, Counts = true, GroupSize = true };
        using var facets = new FacetEngine(release.Data);
        var totals = new AnsweredTotals(facets);
        using var engine = new QueryEngine(release.Data, totals: totals);
        await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);

        var page = await engine.ReadAsync("24.0", spec);

        Assert.Equal(0, totals.Answered);
        Assert.Single(page.Rows);
        Assert.True(Convert.ToInt64(page.Rows[0][page.Handle!.Columns.ToList().FindIndex(c => c.Name == "series_count")], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    private static string Json(IReadOnlyList<object?[]> rows) => JsonSerializer.Serialize(rows);

    /// <summary>The facet engine, counting the requests it answered (rather than declined).</summary>
    private sealed class AnsweredTotals(FacetEngine facets) : ICohortTotals
    {
        public int Answered;

        public async Task<FacetTotals?> TryTotalsAsync(string release, FilterSet filters, CancellationToken cancellationToken)
        {
            var totals = await facets.TryTotalsAsync(release, filters, cancellationToken);
            if (totals is not null)
            {
                Interlocked.Increment(ref Answered);
            }

            return totals;
        }
    }
}
