using ImagingCommons.Data.Import;
using ImagingCommons.Data.Schema;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Import;

/// <summary>Tables exported from IDC under its other column names load as they are.</summary>
public sealed class ImportAliasTests
{
    [Fact]
    public void A_v2_collections_dump_and_idc_index_names_import_with_the_gaps_filled_from_dicom_pivot()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv",
            ImportSandbox.Keys + ",Modality,analysis_result_id\n"
            + "tcga_prad,P1,1.1,2.1,3.1,CT,\n"
            + "tcga_prad,P2,1.2,2.2,3.2,MR,\n"
            + "tcga_prad,P2,1.2,2.3,3.3,SEG,BAMF-AIMI-Annotations\n"
            + "nlst,N1,1.3,2.4,3.4,CT,\n");
        sandbox.Write("original_collections_metadata.csv",
            "collection_id,cancer_type,location,species,subject_count,date_updated,supporting_data\n"
            + "tcga_prad,Prostate Cancer,Prostate,Human,500,2016-08-29,\"Clinical, Genomics\"\n"
            + "nlst,Lung Cancer,Chest,Human,,2021-01-01,Clinical\n");
        var warnings = new List<string>();

        ReleaseImporter.Import(sandbox.Data, "24.0", "2026-05-15", sandbox.From, warnings.Add, TestContext.Current.CancellationToken);

        var collections = ImportSandbox.ReadTable(sandbox.ReleaseTable("24.0", IdcSchema.CollectionsName));
        var nlst = collections.Single(c => (string)c["collection_id"]! == "nlst");
        var prad = collections.Single(c => (string)c["collection_id"]! == "tcga_prad");
        Assert.Equal("Prostate Cancer", prad["cancer_types"]);
        Assert.Equal("Prostate", prad["tumor_locations"]);
        Assert.Equal(500L, prad["subjects"]);
        Assert.Equal("CT, MR, SEG", prad["image_types"]);
        Assert.Equal(1L, nlst["subjects"]);
        Assert.Equal("CT", nlst["image_types"]);
        Assert.Contains(warnings, w => w.Contains("'subject_count' is read as subjects", StringComparison.Ordinal));

        var pivot = ImportSandbox.ReadTable(sandbox.ReleaseTable("24.0", IdcSchema.DicomPivotName));
        Assert.Equal("BAMF-AIMI-Annotations", pivot.Single(r => (string)r["SOPInstanceUID"]! == "3.3")["analysis_results_id"]);
    }

    [Fact]
    public void A_column_given_under_both_names_is_refused()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ImportSandbox.Keys + ",analysis_result_id,analysis_results_id\nc,P,1,2,3,a,b\n");
        var before = sandbox.Snapshot();

        var error = Assert.Throws<ImportException>(() => ReleaseImporter.Import(sandbox.Data, "24.0", "2026-05-15", sandbox.From, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("is given twice, as analysis_result_id and as analysis_results_id", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.Snapshot());
    }
}
