using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Releases;

public class ReleaseCatalogTests
{
    [Fact]
    public void An_empty_data_directory_has_no_current_release()
    {
        using var directory = new TempDataDirectory();
        var catalog = new ReleaseCatalog(directory.Data);

        Assert.False(catalog.Refresh());

        Assert.Null(catalog.CurrentRelease);
        Assert.Empty(catalog.HeldReleases);
        Assert.Null(catalog.GetCurrentMetadata());
    }

    [Fact]
    public void Metadata_is_loaded_in_storage_order_with_nulls_and_dates()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(
            directory.Data,
            "2.0",
            "2020-12-18",
            [
                new() { ["collection_id"] = "zeta", ["cancer_types"] = "Lung", ["subjects"] = 12L, ["updated"] = "2019-02-03" },
                new() { ["collection_id"] = "alpha" },
            ],
            [new() { ["analysis_result_id"] = "R1", ["analysis_result_title"] = "Title", ["modalities"] = "SEG", ["updated"] = "2021-01-31" }]);
        var catalog = new ReleaseCatalog(directory.Data);

        Assert.True(catalog.Refresh());
        var metadata = catalog.GetMetadata("2.0");

        Assert.Equal("2.0", metadata.Version);
        Assert.Equal(["zeta", "alpha"], metadata.Collections.Select(c => c.CollectionId));
        Assert.Equal(
            new CollectionMetadata("zeta", null, "Lung", null, null, null, null, null, null, null, null, null, null, 12, new DateOnly(2019, 2, 3)),
            metadata.Collections[0]);
        Assert.Equal(
            new CollectionMetadata("alpha", null, null, null, null, null, null, null, null, null, null, null, null, null, null),
            metadata.Collections[1]);
        var result = Assert.Single(metadata.AnalysisResults);
        Assert.Equal(("R1", "Title", "SEG", new DateOnly(2021, 1, 31)), (result.AnalysisResultId, result.AnalysisResultTitle, result.Modalities, result.Updated));
        Assert.Same(metadata, catalog.GetMetadata("2.0"));
    }

    [Fact]
    public void A_release_without_an_analysis_results_table_has_none()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "1.0", "2020-10-06", [new() { ["collection_id"] = "only" }], null);
        var catalog = new ReleaseCatalog(directory.Data);
        catalog.Refresh();

        Assert.Empty(catalog.GetMetadata("1.0").AnalysisResults);
    }

    [Fact]
    public void The_current_release_is_the_newest_held_and_versions_include_listed_ones_not_held()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "9.0", "2022-01-01", [], null);
        TestReleases.Write(directory.Data, "10.0", "2022-06-01", [], null);
        directory.Data.WriteVersions([new("1.0", "2020-10-06"), new("11.0", "2022-09-01")]);
        var catalog = new ReleaseCatalog(directory.Data);

        catalog.Refresh();

        Assert.Equal("10.0", catalog.CurrentRelease);
        Assert.Equal(["9.0", "10.0"], catalog.HeldReleases);
        Assert.Equal(["1.0", "9.0", "10.0", "11.0"], catalog.Versions.Select(v => v.IdcDataVersion));
    }

    [Fact]
    public void Refresh_keeps_the_same_state_instance_when_nothing_changed()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "1.0", "2020-10-06", [], null);
        var catalog = new ReleaseCatalog(directory.Data);
        catalog.Refresh();
        var state = catalog.State;

        Assert.False(catalog.Refresh());
        Assert.False(catalog.RefreshIfChanged());

        Assert.Same(state, catalog.State);
    }

    [Fact]
    public void RefreshIfChanged_picks_up_a_release_published_after_the_first_refresh()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "1.0", "2020-10-06", [new() { ["collection_id"] = "old" }], null);
        var catalog = new ReleaseCatalog(directory.Data);
        catalog.Refresh();

        TestReleases.Write(directory.Data, "2.0", "2020-12-18", [new() { ["collection_id"] = "new" }], null);

        Assert.True(catalog.RefreshIfChanged());
        Assert.Equal("2.0", catalog.CurrentRelease);
        Assert.Equal(["new"], catalog.GetCurrentMetadata()!.Collections.Select(c => c.CollectionId));
    }

    [Fact]
    public void A_release_whose_tables_cannot_be_read_never_becomes_current()
    {
        using var directory = new TempDataDirectory();
        TestReleases.Write(directory.Data, "1.0", "2020-10-06", [new() { ["collection_id"] = "good" }], null);
        var catalog = new ReleaseCatalog(directory.Data);
        catalog.Refresh();
        var broken = directory.Data.ReleasePath("2.0");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, IdcSchema.CollectionsName + ".parquet"), "not parquet");
        File.WriteAllText(Path.Combine(broken, DataDirectory.ReleaseInfoFile), """{"idc_data_version":"2.0","date_active":"2020-12-18","source":"test","row_counts":{}}""");

        Assert.ThrowsAny<Exception>(() => catalog.Refresh());

        Assert.Equal("1.0", catalog.CurrentRelease);
        Assert.Equal(["good"], catalog.GetCurrentMetadata()!.Collections.Select(c => c.CollectionId));
    }

    [Fact]
    public void Metadata_of_a_release_that_is_not_held_is_not_found()
    {
        using var directory = new TempDataDirectory();
        var catalog = new ReleaseCatalog(directory.Data);

        Assert.Throws<KeyNotFoundException>(() => catalog.GetMetadata("3.0"));
    }
}
