using ImagingCommons.Client.Downloads;

namespace ImagingCommons.Client.Tests;

/// <summary>Manifests as IDC and idc-index write them, and as idc manifest writes them.</summary>
public sealed class ManifestFileTests
{
    private static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "idc-index", name);

    [Fact]
    public async Task IDC_s5cmd_manifests_are_read_series_by_series()
    {
        var aws = await ManifestFile.ReadAsync(TestData("study_manifest_aws.s5cmd"), TestContext.Current.CancellationToken);
        var prior = await ManifestFile.ReadAsync(TestData("prior_version_manifest.s5cmd"), TestContext.Current.CancellationToken);

        // Three comment lines and the stray 'study_manifest_cp_command' line are skipped, as idc-index skips lines without s3://.
        Assert.Equal(["28621ba9-1aca-4aab-a2a1-f6d2c3e2ab19", "f0b76401-c6d1-4b61-a5fd-3fa596e6cc41", "4ea3bbe6-98da-4b92-abe6-2ee18927e3c9"], aws.Sources.Select(s => s.CrdcSeriesUuid));
        Assert.All(aws.Sources, s => Assert.Equal(("idc-open-data", (string?)null, s.CrdcSeriesUuid + "/"), (s.Bucket, s.Key, s.Prefix)));
        Assert.Empty(aws.Problems);
        Assert.True(aws.Ignored >= 4);
        Assert.Equal(["line 5", "line 6", "line 7"], aws.Sources.Select(s => s.Origin));

        // Two spaces before the destination on some lines.
        Assert.Equal(5, prior.Sources.Count);
        Assert.Equal("s3://idc-open-data/35459457-bd4c-4eef-9579-47f12fc6928e/", prior.Sources[1].Url);
    }

    [Fact]
    public async Task The_gcs_manifest_names_the_same_series_as_the_aws_one()
    {
        var aws = await ManifestFile.ReadAsync(TestData("study_manifest_aws.s5cmd"), TestContext.Current.CancellationToken);
        var gcs = await ManifestFile.ReadAsync(TestData("study_manifest_gcs.s5cmd"), TestContext.Current.CancellationToken);
        Assert.Equal(aws.Sources.Select(s => s.Url), gcs.Sources.Select(s => s.Url));
    }

    [Fact]
    public void A_line_with_an_s3_url_that_is_not_a_copy_is_a_problem()
    {
        var manifest = ManifestFile.FromS5cmd("cp s3://b/5e00/* .\nrm s3://b/x/*\ncp s3://nobucket .\n");
        Assert.Single(manifest.Sources);
        Assert.Equal(["line 2", "line 3"], manifest.Problems.Select(p => p.Origin));
    }

    [Fact]
    public void Rows_name_objects_or_series_folders()
    {
        var manifest = ManifestFile.FromDelimited(
            "aws_url,instance_size,instance_hash,SeriesInstanceUID,StudyDescription\n"
            + "s3://b/s1/i1.dcm,10,0123456789ABCDEF0123456789abcdef,2.1,\"a, \"\"b\"\"\nc\"\n"
            + "s3://b/s1/i2.dcm,,,2.1,\n",
            ',');
        var series = ManifestFile.FromJson("""[{"crdc_series_uuid":"s9","aws_bucket":"b2","Modality":"CT"},{"Modality":"MR"}]""");

        Assert.Equal([("b", "s1/i1.dcm", (long?)10, "0123456789abcdef0123456789abcdef"), ("b", "s1/i2.dcm", null, null)],
            manifest.Sources.Select(s => (s.Bucket, s.Key!, s.Size, s.Md5)));
        Assert.Equal("2.1", manifest.Sources[0].Series!.SeriesInstanceUid);
        Assert.Equal(("b2", "s9/", "CT"), (series.Sources[0].Bucket, series.Sources[0].Prefix!, series.Sources[0].Series!.Modality));
        Assert.Equal("row 2", Assert.Single(series.Problems).Origin);
    }

    [Theory]
    [InlineData(DirectoryTemplate.DefaultText, "tcga_luad/TCGA-05-0001/1.1/CT_2.11")]
    [InlineData("%collection_id-%Modality/%crdc_series_uuid", "tcga_luad-CT/5e-11")]
    [InlineData("", "")]
    [InlineData("%PatientID_%SeriesInstanceUID", "TCGA-05-0001_2.11")]
    public void Directory_templates_render_idc_index_placeholders(string template, string expected)
    {
        var series = new SeriesInfo("tcga_luad", "TCGA-05-0001", "1.1", "2.11", "CT", "5e-11");
        Assert.Equal(expected, DirectoryTemplate.Parse(template).Render(series));
    }

    [Fact]
    public void Values_cannot_make_folders_of_their_own()
    {
        var series = new SeriesInfo("c", "../../etc", "a/b", null, "CT");
        Assert.Equal("c/.._.._etc/a_b/CT_unknown", DirectoryTemplate.Default.Render(series));
    }

    [Theory]
    [InlineData("%collection_id/%StudyDate")]
    [InlineData("%collection_id.%PatientID")]
    [InlineData("folder/%PatientID")]
    public void Templates_with_other_text_are_refused(string template) =>
        Assert.Throws<FormatException>(() => DirectoryTemplate.Parse(template));
}
