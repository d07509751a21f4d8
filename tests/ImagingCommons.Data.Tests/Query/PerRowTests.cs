using ImagingCommons.Data.Query;
using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>
/// A listing whose output holds every series identifier and SOPInstanceUID has its pages read as one result row per
/// instance-table row where each series read has a row per instance (<see cref="CompiledQuery.PerRowSql"/>), and
/// grouped where a series has an instance of several rows: either way the rows of the listing numbered whole.
/// </summary>
public sealed class PerRowTests
{
    private const string Ids = """ "collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID" """;

    [Theory]
    [InlineData(QueryKind.V2Manifest, "{}", $$"""[{{Ids}},"gcs_url","StudyDate","StudyDescription"]""", null, true)]
    [InlineData(QueryKind.V2Manifest, """{"Modality":["CT"]}""", $$"""["gcs_url",{{Ids}}]""", null, true)]
    [InlineData(QueryKind.V1Query, """{"collection_id":["a"]}""", $$"""[{{Ids}},"SOPClassUID"]""", null, true)]
    [InlineData(QueryKind.V1CohortObjects, "{}", "[]", "Instance", true)]
    [InlineData(QueryKind.V1Manifest, "{}", """["Collection_ID","Patient_ID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID","GCS_URL"]""", null, true)]
    // A TCGA filter or field joins rows that repeat an instance; without every identifier two rows may share a group.
    [InlineData(QueryKind.V2Manifest, """{"race":["WHITE"]}""", $$"""[{{Ids}}]""", null, false)]
    [InlineData(QueryKind.V2Manifest, "{}", $$"""[{{Ids}},"race"]""", null, false)]
    [InlineData(QueryKind.V2Manifest, "{}", """["collection_id","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID"]""", null, false)]
    [InlineData(QueryKind.V2Manifest, "{}", """["SOPInstanceUID","gcs_url"]""", null, false)]
    [InlineData(QueryKind.V1CohortObjects, "{}", "[]", "Series", false)]
    [InlineData(QueryKind.V1DicomMetadata, "{}", "[]", null, false)]
    public void A_query_has_a_per_row_form_only_when_its_output_tells_every_row_apart_and_it_joins_nothing(QueryKind kind, string filters, string fields, string? level, bool perRow)
    {
        var compiled = SqlBuilder.Compile(OrderedListings.Spec(kind, filters, fields, counts: true, groupSize: true, level));
        Assert.Equal(perRow, compiled.PerRowSql is not null);
        if (compiled.PerRowSql is { } sql)
        {
            Assert.DoesNotContain("DISTINCT", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("GROUP BY", sql, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// CT and MR series of a row per instance around SEG series whose instances have a row per segment, so that
    /// pages and windows of one, three and five rows hold series of either kind, alone and together.
    /// </summary>
    private static List<Dictionary<string, object?>> Mixed()
    {
        var rows = new List<Dictionary<string, object?>>();
        foreach (var (series, modality, instances) in new[] { ("2.1", "CT", 7), ("2.2", "SEG", 2), ("2.3", "MR", 9), ("2.4", "SEG", 1), ("2.5", "CT", 6) })
        {
            for (var i = 0; i < instances; i++)
            {
                var segments = modality == "SEG" ? 3 : 1;
                for (var segment = 1; segment <= segments; segment++)
                {
                    var row = Instance("a", "P1", "1.1", series, $"3.{series[2]}{i:00}", modality, "CHEST", 100 + i, studyDate: "2001-01-02", studyDescription: "CHEST");
                    if (modality == "SEG")
                    {
                        row["SegmentNumber"] = segment;
                    }

                    rows.Add(row);
                }
            }
        }

        return rows;
    }

    [Theory]
    [InlineData(QueryKind.V2Manifest, $$"""[{{Ids}},"gcs_url","StudyDate","StudyDescription"]""", null)]
    [InlineData(QueryKind.V1Query, $$"""[{{Ids}},"SOPClassUID"]""", null)]
    [InlineData(QueryKind.V1CohortObjects, "[]", "Instance")]
    public async Task Windows_of_series_with_a_row_per_instance_and_of_series_with_several_give_the_whole_results_rows(QueryKind kind, string fields, string? level)
    {
        using var release = new HandMadeRelease();
        release.Write("24.0", Mixed());
        var spec = OrderedListings.Spec(kind, """{"Modality":["CT","SEG","MR"]}""", fields, counts: true, groupSize: true, level);
        using var reference = new QueryEngine(release.Data, new QueryOptions { FirstPagesAlone = false });
        var expected = OrderedListings.Rows((await reference.ReadAsync("24.0", spec)).Rows);
        Assert.Equal(7 + 2 + 9 + 1 + 6, expected.Count);

        foreach (var pageSize in new[] { 1, 3, 5 })
        {
            using var engine = new QueryEngine(release.Data, OrderedListings.Options);
            await engine.WarmUpAsync("24.0", TestContext.Current.CancellationToken);
            var read = new List<string>();
            var windows = 0;
            for (var offset = 0L; offset < expected.Count; offset += pageSize)
            {
                var page = await engine.ReadAsync("24.0", spec, offset, pageSize);
                Assert.Equal(expected.Count, page.Handle!.Total);
                windows += page.Handle.Window is null ? 0 : 1;
                read.AddRange(OrderedListings.Rows(page.Rows));
            }

            Assert.Equal(expected, read);
            Assert.True(pageSize * 10 >= expected.Count || windows > 0, $"pages of {pageSize} read no window");
        }
    }
}
