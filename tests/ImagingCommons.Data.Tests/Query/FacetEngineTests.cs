using System.Text.Json;
using ImagingCommons.Data.Query;
using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>
/// Facet counts over the hand-made sample release (its table is in <see cref="SampleRelease"/>); every expected
/// number is counted by hand from that table. Each test runs on the series table and on the instance table.
/// Per series: 2.11 luad/05-0001 CT CHEST 2.5 (2 instances, 300 B); 2.12 luad/05-0001 SEG - (50 B);
/// 2.21 luad/05-0002 MR Chest 5.0 (300 B); 2.31 luad/05-0003 CT LUNG 1.0 (400 B); 2.41 kirc/B0-0001 CT ABDOMEN 5.0
/// (2, 1100 B); 2.51 nlst/100001 CT CHEST 2.0 (10 B); 2.61 nlst/100001 CT CHEST 3.0 (20 B); 2.62 nlst/100001 SR - (5 B);
/// 2.71 nlst/100002 CT - (30 B). TCGA records: 05-0001, 05-0002, B0-0001; 05-0003 and the nlst patients have none.
/// </summary>
public abstract class FacetEngineTests : IDisposable
{
    private readonly FacetEngine _engine;
    private readonly ImagingCommons.Data.Releases.DataDirectory _data;

    protected FacetEngineTests(SampleRelease sample, bool useSeriesTables)
    {
        _data = sample.Release.Data;
        _engine = new FacetEngine(sample.Release.Data, options: new FacetEngineOptions { UseSeriesTables = useSeriesTables });
        _engine.WarmUpAsync("24.0").GetAwaiter().GetResult();
        Assert.Equal(useSeriesTables, _engine.HasIndex("24.0"));
    }

    public void Dispose()
    {
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static FilterSet Filters(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.True(FilterParser.TryParseV2(document.RootElement, out var set, out var error), error);
        return set;
    }

    internal static FilterAttribute Attribute(string name) => ApiCatalog.V2Filters.Single(a => a.Name == name);

    private Task<FacetResult> Count(string filters, params string[] attributes) => Count(filters, FacetQuery.DefaultBins, attributes);

    private Task<FacetResult> Count(string filters, int bins, params string[] attributes) =>
        _engine.CountAsync("24.0", new FacetQuery(Filters(filters), [.. attributes.Select(Attribute)], Bins: bins), TestContext.Current.CancellationToken);

    private static (object? Value, long Series, long Patients)[] Values(AttributeFacet facet) =>
        [.. facet.Values!.Select(v => (v.Value, v.Series, v.Patients))];

    [Fact]
    public async Task Without_filters_the_totals_are_the_whole_release_and_values_come_most_series_first()
    {
        var result = await Count("{}", "Modality", "collection_id", "BodyPartExamined");

        Assert.Equal("24.0", result.Release);
        Assert.Equal(new FacetTotals(Collections: 3, Patients: 6, Studies: 7, Series: 9, Instances: 11, Bytes: 2215), result.Totals);
        Assert.Equal([("CT", 6L, 5L), ("MR", 1L, 1L), ("SEG", 1L, 1L), ("SR", 1L, 1L)], Values(result.Facets[0]));
        Assert.Equal([("tcga_luad", 4L, 3L), ("nlst", 4L, 2L), ("tcga_kirc", 1L, 1L)], Values(result.Facets[1]));
        // CHEST and Chest are one value (filters match case-insensitively); the series without a body part are "None".
        Assert.Equal([("CHEST", 4L, 3L), (null, 3L, 3L), ("ABDOMEN", 1L, 1L), ("LUNG", 1L, 1L)], Values(result.Facets[2]));
        Assert.Equal(4, result.Facets[2].ValueCount);
        Assert.False(result.Facets[2].Truncated);
        Assert.Null(result.Facets[0].Unrecorded);
    }

    [Fact]
    public async Task An_attributes_own_clause_does_not_narrow_its_own_counts()
    {
        var result = await Count("""{"Modality":["CT"],"collection_id":["TCGA-LUAD"]}""", "Modality", "collection_id", "BodyPartExamined");

        // CT in tcga_luad: 2.11 (2 instances, 300 B) and 2.31 (400 B).
        Assert.Equal(new FacetTotals(1, 2, 2, 2, 3, 700), result.Totals);
        // Modality under collection tcga_luad only: MR and SEG stay listed.
        Assert.Equal([("CT", 2L, 2L), ("MR", 1L, 1L), ("SEG", 1L, 1L)], Values(result.Facets[0]));
        // Collections under Modality CT only.
        Assert.Equal([("nlst", 3L, 2L), ("tcga_luad", 2L, 2L), ("tcga_kirc", 1L, 1L)], Values(result.Facets[1]));
        // An attribute with no clause of its own is counted under all the filters.
        Assert.Equal([("CHEST", 1L, 1L), ("LUNG", 1L, 1L)], Values(result.Facets[2]));
    }

    [Fact]
    public async Task TCGA_values_count_recorded_patients_and_report_the_unrecorded_ones_apart()
    {
        var all = await Count("{}", "race");
        Assert.Equal([("WHITE", 3L, 2L), ("ASIAN", 1L, 1L)], Values(all.Facets[0]));
        Assert.Equal(new FacetCount(5, 3), all.Facets[0].Unrecorded);

        var result = await Count("""{"race":["WHITE"],"Modality":["CT"]}""", "race", "Modality");

        // Patients without a record pass race=WHITE (spec §5.5): every CT series stays.
        Assert.Equal(new FacetTotals(3, 5, 6, 6, 8, 1860), result.Totals);
        Assert.Equal([("WHITE", 2L, 2L)], Values(result.Facets[0]));
        Assert.Equal(new FacetCount(4, 3), result.Facets[0].Unrecorded);
        // Modality under race=WHITE: the ASIAN patient's MR series is gone, the unrecorded patients' series stay.
        Assert.Equal([("CT", 6L, 5L), ("SEG", 1L, 1L), ("SR", 1L, 1L)], Values(result.Facets[1]));
    }

    [Fact]
    public async Task A_patients_several_samples_never_multiply_its_series()
    {
        var result = await Count("{}", "sample_type");
        Assert.Equal([("Primary Tumor", 4L, 3L), ("Solid Tissue Normal", 2L, 1L)], Values(result.Facets[0]));
        Assert.Equal(new FacetCount(5, 3), result.Facets[0].Unrecorded);

        var filtered = await Count("""{"sample_type":["solid tissue normal"]}""");
        // 05-0001's two series plus the unrecorded patients' five.
        Assert.Equal(new FacetTotals(2, 4, 5, 7, 8, 815), filtered.Totals);
    }

    [Fact]
    public async Task A_ranged_attribute_gets_equal_width_bins_between_its_smallest_and_largest_value()
    {
        var result = await Count("{}", bins: 4, "SliceThickness");
        var facet = result.Facets[0];

        Assert.Null(facet.Values);
        Assert.Equal(1.0, facet.Histogram!.Min);
        Assert.Equal(5.0, facet.Histogram.Max);
        Assert.Equal(
            [(1.0, 2.0, false, 1L, 1L), (2.0, 3.0, false, 2L, 2L), (3.0, 4.0, false, 1L, 1L), (4.0, 5.0, true, 2L, 2L)],
            facet.Histogram.Bins.Select(b => (b.Lower, b.Upper, b.UpperInclusive, b.Series, b.Patients)));
        Assert.Equal(new FacetCount(3, 3), facet.Missing);
        Assert.Null(facet.Unrecorded);
    }

    [Fact]
    public async Task A_ranged_attributes_own_bounds_do_not_narrow_its_histogram()
    {
        var result = await Count("""{"collection_id":["nlst"],"SliceThickness_gte":[3]}""", bins: 2, "SliceThickness");

        Assert.Equal(new FacetTotals(1, 1, 1, 1, 1, 20), result.Totals);
        var facet = result.Facets[0];
        Assert.Equal(
            [(2.0, 2.5, false, 1L, 1L), (2.5, 3.0, true, 1L, 1L)],
            facet.Histogram!.Bins.Select(b => (b.Lower, b.Upper, b.UpperInclusive, b.Series, b.Patients)));
        Assert.Equal(new FacetCount(2, 2), facet.Missing);
    }

    [Fact]
    public async Task A_ranged_integer_TCGA_attribute_gets_integer_bins_and_its_unrecorded_patients()
    {
        var facet = (await Count("{}", bins: 3, "age_at_diagnosis")).Facets[0];

        // Ages 50 (B0-0001), 66 (05-0001, two series), 75 (05-0002): width ceil(26 / 3) = 9.
        Assert.Equal(
            [(50.0, 59.0, false, 1L, 1L), (59.0, 68.0, false, 2L, 1L), (68.0, 77.0, false, 1L, 1L)],
            facet.Histogram!.Bins.Select(b => (b.Lower, b.Upper, b.UpperInclusive, b.Series, b.Patients)));
        Assert.Equal(new FacetCount(0, 0), facet.Missing);
        Assert.Equal(new FacetCount(5, 3), facet.Unrecorded);

        var bmi = (await Count("{}", "bmi")).Facets[0];
        Assert.Equal(24.5, bmi.Histogram!.Min);
        Assert.Equal(30.0, bmi.Histogram.Max);
        Assert.Equal(new FacetCount(1, 1), bmi.Missing);
    }

    [Fact]
    public async Task A_long_value_list_is_cut_at_the_limit_and_says_how_many_values_there_are()
    {
        var result = await _engine.CountAsync("24.0", new FacetQuery(Filters("{}"), [Attribute("collection_id"), Attribute("race")], Limit: 1), TestContext.Current.CancellationToken);

        Assert.Equal([("tcga_luad", 4L, 3L)], Values(result.Facets[0]));
        Assert.Equal(3, result.Facets[0].ValueCount);
        Assert.True(result.Facets[0].Truncated);
        Assert.Equal([("WHITE", 3L, 2L)], Values(result.Facets[1]));
        Assert.Equal(2, result.Facets[1].ValueCount);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"Modality":["ct"],"BodyPartExamined":["None","LUNG"]}""")]
    [InlineData("""{"race":["WHITE"],"sample_type":["Primary Tumor"]}""")]
    [InlineData("""{"SliceThickness_ebtw":[2,5],"age_at_diagnosis_gt":[60]}""")]
    public async Task The_totals_are_the_counts_of_a_v2_manifest_of_the_same_filters(string filters)
    {
        var result = await Count(filters);
        using var engine = new QueryEngine(_data, new QueryOptions { UseSeriesTables = false });
        var spec = new QuerySpec { Kind = QueryKind.V2Manifest, Filters = Filters(filters), Counts = true, GroupSize = true };
        var page = await engine.ReadAsync("24.0", spec, 0, 1);
        var (handle, row) = (page.Handle!, page.Rows.Single());
        var manifest = handle.Columns.Select((c, i) => (c.Name, Value: row[i] is null ? 0 : Convert.ToInt64(row[i], System.Globalization.CultureInfo.InvariantCulture))).ToDictionary(c => c.Name, c => c.Value);

        Assert.Equal(
            new FacetTotals(manifest["collection_count"], manifest["patient_count"], manifest["study_count"], manifest["series_count"], manifest["instance_count"], manifest["group_size"]),
            result.Totals);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"Modality":["CT","MR"]}""")]
    [InlineData("""{"race":["WHITE"],"collection_id":["tcga_luad","nlst"]}""")]
    [InlineData("""{"BodyPartExamined":["%che%"],"age_at_diagnosis_lte":[70]}""")]
    public async Task Each_values_count_is_what_a_filter_on_that_value_selects(string filters)
    {
        string[] attributes = ["Modality", "collection_id", "BodyPartExamined", "race", "sample_type"];
        var result = await Count(filters, attributes);

        foreach (var facet in result.Facets)
        {
            foreach (var value in facet.Values!)
            {
                using var document = JsonDocument.Parse(filters);
                var narrowed = document.RootElement.EnumerateObject()
                    .Where(p => !p.Name.Equals(facet.Attribute.Name, StringComparison.OrdinalIgnoreCase))
                    .ToDictionary(p => p.Name, p => p.Value);
                narrowed[facet.Attribute.Name] = JsonSerializer.SerializeToElement(new[] { value.Value as string ?? "None" });
                var direct = await Count(JsonSerializer.Serialize(narrowed));
                var expected = value.Series + (facet.Unrecorded?.Series ?? 0);
                Assert.True(expected == direct.Totals.Series, $"{facet.Attribute.Name}={value.Value ?? "None"} under {filters}: facet {expected}, direct {direct.Totals.Series}");
            }
        }
    }
}

public sealed class SeriesTableFacetTests(SampleRelease sample) : FacetEngineTests(sample, useSeriesTables: true), IClassFixture<SampleRelease>;

public sealed class InstanceTableFacetTests(SampleRelease sample) : FacetEngineTests(sample, useSeriesTables: false), IClassFixture<SampleRelease>;

/// <summary>Facets on releases made for one question each.</summary>
public sealed class FacetEngineReleaseTests
{
    [Fact]
    public async Task A_column_that_varies_inside_a_series_is_counted_per_instance()
    {
        using var release = new HandMadeRelease();
        release.Write("24.0",
        [
            Instance("c", "P1", "1.1", "2.1", "3.1", "CT", "CHEST", 100, 1.0),
            Instance("c", "P1", "1.1", "2.1", "3.2", "CT", "CHEST", 200, 3.0),
            Instance("c", "P2", "1.2", "2.2", "3.3", "MR", "CHEST", 400, 3.0),
        ]);
        using var engine = new FacetEngine(release.Data);
        await engine.WarmUpAsync("24.0");

        var query = new FacetQuery(FacetEngineTests.Filters("""{"SliceThickness_gt":[2]}"""), [FacetEngineTests.Attribute("SliceThickness"), FacetEngineTests.Attribute("Modality")], Bins: 2);
        var result = await engine.CountAsync("24.0", query, TestContext.Current.CancellationToken);

        // Row-level, as the manifests: only instance 3.2 of series 2.1 passes, so 2.1 brings one instance of 200 B.
        Assert.Equal(new FacetTotals(1, 2, 2, 2, 2, 600), result.Totals);
        // Series 2.1 has values in both bins [1, 2) and [2, 3]; 2.2 only in the second.
        Assert.Equal(
            [(1.0, 2.0, false, 1L, 1L), (2.0, 3.0, true, 2L, 2L)],
            result.Facets[0].Histogram!.Bins.Select(b => (b.Lower, b.Upper, b.UpperInclusive, b.Series, b.Patients)));
        Assert.Equal([("CT", 1L, 1L), ("MR", 1L, 1L)], result.Facets[1].Values!.Select(v => (v.Value, v.Series, v.Patients)));
    }

    [Fact]
    public async Task Categorical_numbers_are_numbers_and_the_release_asked_for_is_the_one_counted()
    {
        using var release = new HandMadeRelease();
        static Dictionary<string, object?> Slide(string series, string sop, long? power)
        {
            var row = Instance("c", "P" + series, "1." + series, "2." + series, sop, "SM");
            row["ObjectiveLensPower"] = power;
            return row;
        }

        release.Write("23.0", [Slide("1", "3.1", 20)]);
        release.Write("24.0", [Slide("1", "3.1", 20), Slide("2", "3.2", 40), Slide("3", "3.3", 40), Slide("4", "3.4", null)]);
        using var engine = new FacetEngine(release.Data);

        var query = new FacetQuery(FacetEngineTests.Filters("""{"ObjectiveLensPower":[40]}"""), [FacetEngineTests.Attribute("ObjectiveLensPower")]);
        var current = await engine.CountAsync("24.0", query, TestContext.Current.CancellationToken);
        var older = await engine.CountAsync("23.0", query, TestContext.Current.CancellationToken);

        Assert.Equal(2, current.Totals.Series);
        Assert.Equal([(40L, 2L, 2L), (null, 1L, 1L), (20L, 1L, 1L)], current.Facets[0].Values!.Select(v => (v.Value, v.Series, v.Patients)));
        Assert.Equal("23.0", older.Release);
        Assert.Equal(0, older.Totals.Series);
        Assert.Equal([(20L, 1L, 1L)], older.Facets[0].Values!.Select(v => (v.Value, v.Series, v.Patients)));
    }

    [Theory]
    [InlineData(1.0, 5.0, 4, false, "1..2 2..3 3..4 4..5]")]
    [InlineData(2.0, 2.0, 10, false, "2..2]")]
    [InlineData(50, 75, 3, true, "50..59 59..68 68..77")]
    [InlineData(0, 9, 10, true, "0..1 1..2 2..3 3..4 4..5 5..6 6..7 7..8 8..9 9..10")]
    [InlineData(0, 9, 4, true, "0..3 3..6 6..9 9..12")]
    [InlineData(0.25, 0.75, 10, true, "0..1")]
    public void Bin_bounds_cover_the_range_with_equal_widths(double min, double max, int count, bool integer, string expected)
    {
        var bins = FacetEngine.BinBounds(min, max, count, integer);
        var text = string.Join(" ", bins.Select(b => FormattableString.Invariant($"{b.Lower}..{b.Upper}{(b.UpperInclusive ? "]" : "")}")));
        Assert.Equal(expected, text);
    }
}
