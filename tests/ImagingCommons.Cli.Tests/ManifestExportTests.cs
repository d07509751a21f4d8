using DuckDB.NET.Data;
using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Cli.Tests;

/// <summary>A release whose study descriptions hold the characters CSV and TSV must quote.</summary>
public sealed class AwkwardTextServer : IAsyncLifetime
{
    public const string Comma = "CHEST, ABDOMEN";
    public const string Quotes = "He said \"contrast\"";
    public const string Newline = "line one\nline two";
    public const string Tab = "tab\there";

    private readonly HandMadeRelease _release = new();

    public ImagingCommonsApplication App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _release.Write("24.0",
        [
            Instance("c", "P1", "1.1", "2.1", "3.1", "CT", size: 10, studyDescription: Comma),
            Instance("c", "P1", "1.2", "2.2", "3.2", "CT", size: 20, studyDescription: Quotes),
            Instance("c", "P2", "1.3", "2.3", "3.3", "MR", size: 30, studyDescription: Newline),
            Instance("c", "P2", "1.3", "2.3", "3.4", "MR", size: 40, studyDescription: Newline),
            Instance("c", "P3", "1.4", "2.4", "3.5", "CT", size: 50, studyDescription: Tab),
        ]);
        App = await ImagingCommonsApplication.StartAsync(_release.Root);
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        _release.Dispose();
    }
}

/// <summary>Manifest exports read back by an independent reader (DuckDB) or compared with IDC's own s5cmd format.</summary>
public sealed class ManifestExportTests(AwkwardTextServer server) : IClassFixture<AwkwardTextServer>
{
    private static readonly (string Series, string Description, long Instances, long Bytes)[] Expected =
    [
        ("2.1", AwkwardTextServer.Comma, 1, 10),
        ("2.2", AwkwardTextServer.Quotes, 1, 20),
        ("2.3", AwkwardTextServer.Newline, 2, 70),
        ("2.4", AwkwardTextServer.Tab, 1, 50),
    ];

    private async Task<string> ExportAsync(Scratch folder, string format)
    {
        var path = folder.File("manifest." + format);
        var (code, _, error) = await Idc.RunAsync(
            "manifest", "--filter", "collection_id=c", "--fields", "SeriesInstanceUID,StudyDescription", "--counts", "--group-size", "--output", path, "--server", server.App.Address.ToString());
        Assert.True(code == 0, error);
        return path;
    }

    [Fact]
    public async Task Parquet_reads_back_with_DuckDB_with_integer_columns_as_integers()
    {
        using var folder = new Scratch();
        var path = await ExportAsync(folder, "parquet");

        var rows = Query($"SELECT SeriesInstanceUID, StudyDescription, instance_count, group_size FROM read_parquet('{path}') ORDER BY SeriesInstanceUID");
        var types = Query($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))");

        Assert.Equal(
            [["SeriesInstanceUID", "VARCHAR"], ["StudyDescription", "VARCHAR"], ["instance_count", "BIGINT"], ["group_size", "BIGINT"]],
            types.Select(t => new[] { (string)t[0]!, (string)t[1]! }));
        Assert.Equal(Expected.Select(e => string.Join("|", e.Series, e.Description, e.Instances, e.Bytes)), rows.Select(r => string.Join("|", r)));
        Assert.All(rows, r => Assert.Equal([typeof(string), typeof(string), typeof(long), typeof(long)], r.Select(v => v!.GetType())));
    }

    [Theory]
    [InlineData("csv", ",")]
    [InlineData("tsv", "\t")]
    public async Task Delimited_exports_quote_commas_quotes_newlines_and_tabs_and_read_back_with_DuckDB(string format, string delimiter)
    {
        using var folder = new Scratch();
        var path = await ExportAsync(folder, format);

        var rows = Query($"SELECT SeriesInstanceUID, StudyDescription, instance_count, group_size FROM read_csv('{path}', header = true, delim = '{delimiter}', quote = '\"', escape = '\"', "
            + "columns = {'SeriesInstanceUID': 'VARCHAR', 'StudyDescription': 'VARCHAR', 'instance_count': 'BIGINT', 'group_size': 'BIGINT'}) ORDER BY SeriesInstanceUID");

        Assert.Equal(Expected.Select(e => new object?[] { e.Series, e.Description, e.Instances, e.Bytes }), rows);
    }

    [Fact]
    public async Task Csv_quotes_exactly_the_fields_that_need_it()
    {
        using var folder = new Scratch();
        var text = await File.ReadAllTextAsync(await ExportAsync(folder, "csv"), TestContext.Current.CancellationToken);

        Assert.Equal(
            "SeriesInstanceUID,StudyDescription,instance_count,group_size\n"
            + "2.1,\"CHEST, ABDOMEN\",1,10\n"
            + "2.2,\"He said \"\"contrast\"\"\",1,20\n"
            + "2.3,\"line one\nline two\",2,70\n"
            + "2.4,tab\there,1,50\n",
            text);
    }

    [Fact]
    public async Task Json_and_ndjson_hold_the_wire_values()
    {
        using var folder = new Scratch();
        var json = await File.ReadAllTextAsync(await ExportAsync(folder, "json"), TestContext.Current.CancellationToken);
        var ndjson = await File.ReadAllLinesAsync(await ExportAsync(folder, "ndjson"), TestContext.Current.CancellationToken);

        var fromJson = Query($"SELECT SeriesInstanceUID, StudyDescription, instance_count, group_size FROM read_json('{folder.File("manifest.json")}', format = 'array') ORDER BY 1");
        Assert.Equal(Expected.Select(e => new object?[] { e.Series, e.Description, e.Instances, e.Bytes }), fromJson);
        Assert.StartsWith("[\n{\"SeriesInstanceUID\":\"2.1\",\"StudyDescription\":\"CHEST, ABDOMEN\",\"instance_count\":1,\"group_size\":10}", json, StringComparison.Ordinal);
        Assert.Equal("""{"SeriesInstanceUID":"2.3","StudyDescription":"line one\nline two","instance_count":2,"group_size":70}""", ndjson[2]);
    }

    [Fact]
    public async Task S5cmd_lines_are_in_IDCs_format()
    {
        using var folder = new Scratch();
        var path = folder.File("cohort.s5cmd");
        var (code, _, error) = await Idc.RunAsync("manifest", "--filter", "Modality=MR,CT", "--format", "s5cmd", "--output", path, "--server", server.App.Address.ToString());

        Assert.True(code == 0, error);
        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);

        // The three comment lines of the files IDC's portal exports (idc-index tests/study_manifest_aws.s5cmd), then one line per series.
        var idc = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "idc-index", "study_manifest_aws.s5cmd"), TestContext.Current.CancellationToken);
        Assert.Equal(idc[..2], lines[..2]);
        Assert.Equal("# s5cmd --no-sign-request --endpoint-url https://s3.amazonaws.com run cohort.s5cmd", lines[2]);
        Assert.Equal(new[] { "2.1", "2.2", "2.3", "2.4" }.Select(s => $"cp s3://idc-open-data/{SeriesUuid(s)}/* ."), lines[3..]);
        Assert.All(lines[3..], l => Assert.Matches(@"^cp s3://[a-z0-9.\-]+/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/\* \.$", l));
        Assert.Contains("4 series written to", error, StringComparison.Ordinal);
    }

    private static List<object?[]> Query(string sql) => DuckDbRows.Query(sql);
}
