using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>The read verbs of idc against the server over the sample release (expected values read off SampleRelease by hand).</summary>
public sealed class ClientVerbsTests(ApiServer server) : IClassFixture<ApiServer>
{
    private string Server => server.App.Address.ToString();

    [Fact]
    public async Task Versions_lists_the_release_served_as_tsv()
    {
        var (code, output, error) = await Idc.RunAsync("versions", "--server", Server);
        Assert.True(code == 0, error);
        Assert.Equal("idc_data_version\tdate_active\tactive\n24.0\t2026-05-15\ttrue\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_and_exit_code_1()
    {
        var (code, _, error) = await Idc.RunAsync("collections", "--server", "http://127.0.0.1:1");
        Assert.Equal(1, code);
        Assert.Contains("cannot reach the server at http://127.0.0.1:1/", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_lists_keys_and_the_values_of_one()
    {
        var (code, output, _) = await Idc.RunAsync("filters", "--server", Server);
        var (valuesCode, values, _) = await Idc.RunAsync("filters", "Modality", "--server", Server);

        Assert.Equal(0, code);
        Assert.Contains("\tage_at_diagnosis_btw\tRanged Integer\t", output, StringComparison.Ordinal);
        Assert.Equal(0, valuesCode);
        Assert.Equal(["CT", "MR", "SEG", "SR"], values.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Fields_lists_the_manifest_fields_per_source()
    {
        var (code, output, _) = await Idc.RunAsync("fields", "--server", Server);
        Assert.Equal(0, code);
        Assert.StartsWith("data_source\tfield\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("dicom_pivot\tcrdc_series_uuid\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_counts_a_filter_set_and_its_bytes()
    {
        var (code, output, error) = await Idc.RunAsync("preview", "--filter", "collection_id=tcga_luad", "--server", Server);

        // tcga_luad: patients TCGA-05-0001/2/3, studies 1.1-1.3, series 2.11 2.12 2.21 2.31, 5 instances of 100+200+50+300+400 bytes.
        Assert.True(code == 0, error);
        Assert.Equal("collections\t1\npatients\t3\nstudies\t3\nseries\t4\ninstances\t5\nbytes\t1050\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Preview_types_ranged_values_as_numbers()
    {
        var (code, output, error) = await Idc.RunAsync("preview", "--filter", "age_at_diagnosis_btw=60,70", "--format", "json", "--server", Server);

        // 60 < age < 70: TCGA-05-0001 (66); patients without a clinical record pass too (TCGA-05-0003, 100001, 100002).
        // Instances 3.01-3.03 (350 bytes), 3.05 (400), 3.08-3.10 (35), 3.11 (30).
        Assert.True(code == 0, error);
        Assert.Equal("""{"collections":2,"patients":4,"studies":5,"series":7,"instances":8,"bytes":815}""", output.Trim());
    }

    [Fact]
    public async Task A_mistyped_filter_key_is_a_usage_error_with_a_suggestion()
    {
        var (code, _, error) = await Idc.RunAsync("preview", "--filter", "Modalty=CT", "--server", Server);
        Assert.Equal(2, code);
        Assert.Contains("Modalty is not a filter of this server; did you mean Modality?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_the_server_refuses_fails_with_its_message()
    {
        var (code, _, error) = await Idc.RunAsync("preview", "--filter", "age_at_diagnosis_btw=60", "--server", Server);
        Assert.Equal(1, code);
        Assert.Contains("error: the server answered 400: [60] is too short", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_refuses_a_release_the_server_does_not_hold_with_its_message()
    {
        var (code, _, error) = await Idc.RunAsync("manifest", "--filter", "Modality=CT", "--release", "23.0", "--server", Server);
        Assert.Equal(1, code);
        Assert.Contains("Release \"23.0\" is not held by this server; it holds 24.0.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parquet_needs_an_output_file()
    {
        var (code, _, error) = await Idc.RunAsync("manifest", "--format", "parquet", "--server", Server);
        Assert.Equal(2, code);
        Assert.Contains("--output", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_writes_every_page_as_ndjson_to_stdout()
    {
        var (code, output, error) = await Idc.RunAsync("manifest", "--filter", "collection_id=nlst", "--fields", "SOPInstanceUID", "--format", "ndjson", "--page-size", "1", "--server", Server);

        Assert.True(code == 0, error);
        Assert.Equal(["""{"SOPInstanceUID":"3.08"}""", """{"SOPInstanceUID":"3.09"}""", """{"SOPInstanceUID":"3.10"}""", """{"SOPInstanceUID":"3.11"}"""],
            output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("4 rows", error, StringComparison.Ordinal);
    }
}

/// <summary>Parsing, help and exit codes of the command line itself (no server needed).</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task A_mistyped_verb_gets_exit_code_2_and_the_verb_it_resembles()
    {
        var (code, _, error) = await Idc.RunAsync("downlod", "rider_pilot");
        Assert.Equal(2, code);
        Assert.Contains("'downlod': did you mean 'download'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_like_token_gets_no_nonsense_suggestion()
    {
        var (code, _, error) = await Idc.RunAsync("./d");
        Assert.Equal(2, code);
        Assert.DoesNotContain("did you mean", error, StringComparison.Ordinal);
        Assert.Contains("See 'idc --help'.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mistyped_option_suggests_the_option()
    {
        var (code, _, error) = await Idc.RunAsync("download-from-selection", "--download-dir", "d", "--colection-id", "x");
        Assert.Equal(2, code);
        Assert.Contains("did you mean '--collection-id'?", error, StringComparison.Ordinal);
        Assert.Contains("See 'idc download-from-selection --help'.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("download")]
    [InlineData("download-from-manifest")]
    [InlineData("download-from-selection")]
    [InlineData("versions")]
    [InlineData("collections")]
    [InlineData("filters")]
    [InlineData("fields")]
    [InlineData("preview")]
    [InlineData("manifest")]
    [InlineData("cohorts")]
    [InlineData("cohorts", "list")]
    [InlineData("cohorts", "create")]
    [InlineData("cohorts", "delete")]
    [InlineData("cohorts", "show")]
    [InlineData("serve")]
    [InlineData("import")]
    [InlineData("generate")]
    [InlineData("ingest")]
    [InlineData("upload")]
    [InlineData("users")]
    [InlineData("users", "add")]
    [InlineData("users", "list")]
    [InlineData("keys")]
    [InlineData("keys", "create")]
    [InlineData("keys", "revoke")]
    [InlineData("keys", "list")]
    [InlineData("auth")]
    [InlineData("auth", "dev-token")]
    public async Task Every_verb_has_help_with_examples(params string[] verb)
    {
        var (code, output, _) = await Idc.RunAsync([.. verb, "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("Examples:", output, StringComparison.Ordinal);
        Assert.Contains("idc " + string.Join(' ', verb), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_directory_template_is_a_usage_error()
    {
        var (code, _, error) = await Idc.RunAsync("download-from-selection", "--collection-id", "x", "--download-dir", "d", "--dir-template", "%StudyDate", "--server", "http://127.0.0.1:1");
        Assert.Equal(2, code);
        Assert.Contains("is not made of %collection_id", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (code, output, _) = await Idc.RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }
}

/// <summary>The sample release "24.0" and an older release "23.0" that holds only series 2.51 of nlst.</summary>
public sealed class TwoReleasesServer : ApiServer
{
    protected override void WriteMoreReleases(HandMadeRelease release) =>
        release.Write("23.0", [.. SampleRelease.Pivot.Where(r => (string?)r["SeriesInstanceUID"] == "2.51")], date: "2026-01-15");
}

public sealed class HeldReleaseManifestTests(TwoReleasesServer server) : IClassFixture<TwoReleasesServer>
{
    [Fact]
    public async Task Manifest_of_a_held_older_release_comes_from_that_release()
    {
        string[] common = ["manifest", "--filter", "Modality=CT", "--fields", "SeriesInstanceUID", "--format", "ndjson", "--server", server.App.Address.ToString()];

        var (older, olderRows, olderError) = await Idc.RunAsync([.. common, "--release", "23.0"]);
        var (current, currentRows, _) = await Idc.RunAsync([.. common, "--release", "24.0"]);

        Assert.True(older == 0, olderError);
        Assert.Equal(["""{"SeriesInstanceUID":"2.51"}"""], olderRows.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, current);

        // 24.0's CT series: 2.11, 2.31, 2.41, 2.51, 2.61, 2.71.
        Assert.Equal(6, currentRows.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
