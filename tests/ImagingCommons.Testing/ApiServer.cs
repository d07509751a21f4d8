namespace ImagingCommons.Testing;

/// <summary>The server over the hand-made sample release (plus releases a subclass adds), shared by a test class.</summary>
public class ApiServer : IAsyncLifetime
{
    private readonly SampleRelease _sample = new();

    public ImagingCommonsApplication App { get; private set; } = null!;

    public HttpClient Client => App.Client;

    protected virtual int QueryDeadlineMs => 30_000;

    /// <summary>Extra command-line arguments of the server (log levels, for tests that wait for a log line).</summary>
    protected virtual string[] Arguments => [];

    /// <summary>Writes further releases next to the sample's "24.0" before the server starts.</summary>
    protected virtual void WriteMoreReleases(HandMadeRelease release)
    {
    }

    public async ValueTask InitializeAsync()
    {
        WriteMoreReleases(_sample.Release);
        App = await ImagingCommonsApplication.StartAsync(_sample.Release.Root, o => o.QueryDeadlineMs = QueryDeadlineMs, arguments: Arguments);
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        _sample.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A GET whose answer must be JSON.</summary>
    public async Task<ApiResponse> GetAsync(string path)
    {
        var response = await App.GetAsync(path);
        Assert.Equal("application/json", response.ContentHeaders.ContentType?.MediaType);
        return response;
    }

    /// <summary>A POST of a JSON body whose answer must be JSON.</summary>
    public async Task<ApiResponse> PostAsync(string path, string json)
    {
        var response = await App.PostAsync(path, json);
        Assert.Equal("application/json", response.ContentHeaders.ContentType?.MediaType);
        return response;
    }
}

/// <summary>
/// A server whose query deadline is 0: every call answers 202 until its query is done. Tests wait for the engine's
/// "QueryComputed" line (<see cref="WaitForComputedAsync"/>) before resuming, instead of polling.
/// </summary>
public sealed class SlowApiServer : ApiServer
{
    protected override int QueryDeadlineMs => 0;

    protected override string[] Arguments => ["--Logging:LogLevel:ImagingCommons.Data=Debug"];

    /// <summary>Waits until a result of that kind (a QueryKind name, e.g. "V2Manifest") has been computed since the server started.</summary>
    public Task WaitForComputedAsync(string kind) =>
        App.Logs.WaitForAsync(l => l.Event.Name == "QueryComputed" && string.Equals(l.State.GetValueOrDefault("Kind")?.ToString(), kind, StringComparison.Ordinal))
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
}
