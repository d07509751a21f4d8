using System.Net;
using ImagingCommons.Contracts;
using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

/// <summary>The bound on a caller's running queries and the query gate, over real HTTP, with queries that never end.</summary>
public sealed class QueryLimitsTests : IAsyncLifetime
{
    private readonly SlowRelease _release = new();
    private ImagingCommonsApplication? _server;

    private ImagingCommonsApplication Server => _server!;

    public async ValueTask InitializeAsync() =>
        _server = await ImagingCommonsApplication.StartAsync(
            _release.Root,
            arguments: ["--ImagingCommons:Query:MaxOutstandingJobsPerCaller=1", "--ImagingCommons:Query:Deadline=00:00:00", "--ImagingCommons:Query:MaxConcurrentQueries=1"]);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _release.Dispose();
    }

    [Fact]
    public async Task A_caller_whose_query_is_still_running_gets_429_with_retry_after_for_another_on_v1_and_v2_but_may_resume_its_own()
    {
        var first = await Server.PostAsync("/v2/cohorts/manifest/preview", V2Body(1));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var token = first.Json.GetProperty("next_page").GetString()!;

        var v2 = await Server.PostAsync("/v2/cohorts/manifest/preview", V2Body(2));
        var v1 = await Server.PostAsync("/v1/cohorts/manifest/preview?SOPInstanceUID=True", $$"""{"name":"slow","filters":{{SlowRelease.Filters(3)}}}""");

        foreach (var refused in new[] { v2, v1 })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(["code", "message"], refused.Json.EnumerateObject().Select(p => p.Name));
            Assert.Equal(429, refused.Json.GetProperty("code").GetInt32());
            Assert.Equal(ErrorTexts.TooManyQueries(1), refused.Json.GetProperty("message").GetString());
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        }

        // An expected answer, not a fault: nothing is logged as an error.
        Assert.DoesNotContain(Server.Logs, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));

        // Its own query is never refused: asked again, or resumed with its token, it answers 202 as before.
        var again = await Server.PostAsync("/v2/cohorts/manifest/preview", V2Body(1));
        var resumed = await Server.GetAsync("/v2/cohorts/manifest/preview/nextPage?next_page=" + token);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
    }

    private static string V2Body(int variant) => $$"""{"cohort_def":{"filters":{{SlowRelease.Filters(variant)}}},"fields":{{SlowRelease.Fields}}}""";
}
