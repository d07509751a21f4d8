using ImagingCommons.Data.Query;
using ImagingCommons.Server.Hosting;
using ImagingCommons.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Tests.Hosting;

/// <summary>ImagingCommons:Query and its earlier spellings.</summary>
public sealed class QueryOptionsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_query_section_is_bound_and_the_earlier_keys_win_when_given()
    {
        using var sample = new SampleRelease();
        await using var server = await ImagingCommonsApplication.StartAsync(
            sample.Release.Root,
            arguments:
            [
                "--ImagingCommons:Query:MaxPageSize=5", "--ImagingCommons:MaxPageSize=2",
                "--ImagingCommons:Query:Deadline=00:00:07", "--ImagingCommons:Query:MaxConcurrentQueries=3",
                "--ImagingCommons:Query:MaxOutstandingJobsPerCaller=4", "--ImagingCommons:Query:MemoryLimit=512MB",
                "--ImagingCommons:Query:IdleTimeout=00:05:00", "--ImagingCommons:Query:ResumeWindow=00:02:00",
            ]);
        var options = server.Services.GetRequiredService<IOptions<QueryOptions>>().Value;

        Assert.Equal(
            (2, TimeSpan.FromSeconds(7), 3, 4, "512MB", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)),
            (options.MaxPageSize, options.Deadline, options.MaxConcurrentQueries, options.MaxOutstandingJobsPerCaller, options.MemoryLimit, options.IdleTimeout, options.ResumeWindow));

        // The page is cut at the earlier key's 2 rows, not the section's 5 (the sample release has 9 series).
        var page = await server.PostAsync("/v2/cohorts/manifest/preview", """{"cohort_def":{"filters":{}},"fields":["SeriesInstanceUID"],"page_size":10}""");
        Assert.Equal(2, page.Json.GetProperty("manifest").GetProperty("rowsReturned").GetInt32());
    }

    [Fact]
    public async Task The_earlier_deadline_key_in_milliseconds_sets_the_deadline()
    {
        using var sample = new SampleRelease();
        await using var server = await ImagingCommonsApplication.StartAsync(
            sample.Release.Root, arguments: ["--ImagingCommons:QueryDeadlineMs=1500", "--ImagingCommons:Query:Deadline=00:01:00"]);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), server.Services.GetRequiredService<IOptions<QueryOptions>>().Value.Deadline);
    }

    [Theory]
    [InlineData("--ImagingCommons:Query:MaxConcurrentQueries=0", "ImagingCommons:Query:MaxConcurrentQueries must be at least 1.")]
    [InlineData("--ImagingCommons:Query:MemoryLimit=lots", "ImagingCommons:Query:MemoryLimit 'lots' is not a size such as 2GB or 512MB.")]
    [InlineData("--ImagingCommons:Query:ResumeWindow=00:00:00", "ImagingCommons:Query:ResumeWindow must be positive.")]
    [InlineData("--ImagingCommons:Query:PageReadMemoryLimit=half", "ImagingCommons:Query:PageReadMemoryLimit 'half' is not a size such as 1GB or 512MB.")]
    [InlineData("--ImagingCommons:Query:OrderBuildMemoryLimit=some", "ImagingCommons:Query:OrderBuildMemoryLimit 'some' is not a size such as 1GB or 512MB.")]
    [InlineData("--ImagingCommons:Query:HeldRowsMemoryLimit=12 parsecs", "ImagingCommons:Query:HeldRowsMemoryLimit '12 parsecs' is not a size such as 256MB or 1GB.")]
    [InlineData("--ImagingCommons:Query:NarrowListingRowGroups=33", "ImagingCommons:Query:NarrowListingRowGroups must be from 0 to 32.")]
    public async Task A_bad_query_option_stops_the_start_with_one_line_naming_it(string argument, string message)
    {
        using var sample = new SampleRelease();
        var app = ImagingCommonsServer.Build(["--urls", "http://127.0.0.1:0", argument], o => o.DataDirectory = sample.Release.Root);
        using var error = new StringWriter();

        Assert.Equal(1, await app.RunImagingCommonsAsync(error, Cancel));
        Assert.Equal("error: " + message, error.ToString().Trim());
    }
}
