namespace ImagingCommons.Testing;

/// <summary>The server over the hand-made sample release (plus releases a subclass adds), shared by a test class.</summary>
public class ApiServer : IAsyncLifetime
{
    private readonly SampleRelease _sample = new();

    public ImagingCommonsApplication App { get; private set; } = null!;

    public HttpClient Client => App.Client;

    protected virtual int QueryDeadlineMs => 30_000;

    /// <summary>Writes further releases next to the sample's "24.0" before the server starts.</summary>
    protected virtual void WriteMoreReleases(HandMadeRelease release)
    {
    }

    public async ValueTask InitializeAsync()
    {
        WriteMoreReleases(_sample.Release);
        App = await ImagingCommonsApplication.StartAsync(_sample.Release.Root, o => o.QueryDeadlineMs = QueryDeadlineMs);
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

/// <summary>A server whose query deadline is 0: every first call answers 202.</summary>
public sealed class SlowApiServer : ApiServer
{
    protected override int QueryDeadlineMs => 0;
}
