using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ImagingCommons.LoadBenchmarks;

/// <summary>One answer of the server: the page's rows and total, and the token of the next page ("" on the last).</summary>
internal sealed record PageAnswer(long Total, int Rows, string NextPage, double Milliseconds, int Accepted);

/// <summary>Asks a running server for listings the way a client would: the first page (resuming through 202s), then next pages.</summary>
internal sealed class ServerClient(string baseUrl) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromMinutes(30),
    };

    /// <summary>The first page of a listing, however many 202s it takes (each resumed at once with its token); the time is to the 200.</summary>
    public async Task<PageAnswer> FirstPageAsync(Listing listing, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var (status, body) = listing.Route switch
        {
            Route.V2Preview => await SendAsync(HttpMethod.Post, "/v2/cohorts/manifest/preview", listing.Body, cancellationToken),
            Route.V1Manifest => await SendAsync(HttpMethod.Post, "/v1/cohorts/manifest/preview?" + listing.QueryString, listing.Body, cancellationToken),
            Route.V1Query => await SendAsync(HttpMethod.Post, "/v1/cohorts/query/preview?" + listing.QueryString, listing.Body, cancellationToken),
            Route.V1CohortPreview => await SendAsync(HttpMethod.Post, "/v1/cohorts/preview?" + listing.QueryString, listing.Body, cancellationToken),
            Route.V1DicomMetadata => await SendAsync(HttpMethod.Get, "/v1/dicomMetadata?page_size=1000", null, cancellationToken),
            _ => throw new InvalidOperationException(listing.Route.ToString()),
        };
        var accepted = 0;
        while (status == HttpStatusCode.Accepted)
        {
            accepted++;
            (status, body) = await NextAsync(listing, Token(body), 1000, cancellationToken);
        }

        return Answer(listing, status, body, watch.Elapsed.TotalMilliseconds, accepted);
    }

    /// <summary>The page after <paramref name="token"/>, resuming through 202s.</summary>
    public async Task<PageAnswer> NextPageAsync(Listing listing, string token, int pageSize, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var (status, body) = await NextAsync(listing, token, pageSize, cancellationToken);
        var accepted = 0;
        while (status == HttpStatusCode.Accepted)
        {
            accepted++;
            (status, body) = await NextAsync(listing, Token(body), pageSize, cancellationToken);
        }

        return Answer(listing, status, body, watch.Elapsed.TotalMilliseconds, accepted);
    }

    /// <summary>Requests/s and latency of a plain GET, by wrk when it is installed (see bench/perf/run.sh).</summary>
    public Uri Address(string path) => new(_http.BaseAddress!, path);

    public void Dispose() => _http.Dispose();

    private Task<(HttpStatusCode, JsonNode?)> NextAsync(Listing listing, string token, int pageSize, CancellationToken cancellationToken)
    {
        var query = "next_page=" + Uri.EscapeDataString(token) + "&page_size=" + pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return listing.Route switch
        {
            Route.V2Preview => SendAsync(HttpMethod.Get, "/v2/cohorts/manifest/preview/nextPage?" + query, null, cancellationToken),
            Route.V1Manifest => SendAsync(HttpMethod.Get, "/v1/cohorts/manifest/nextPage?" + query, null, cancellationToken),
            Route.V1Query => SendAsync(HttpMethod.Get, "/v1/cohorts/query/nextPage?" + query, null, cancellationToken),
            Route.V1CohortPreview => SendAsync(HttpMethod.Post, "/v1/cohorts/preview?" + query, listing.Body, cancellationToken),
            Route.V1DicomMetadata => SendAsync(HttpMethod.Get, "/v1/dicomMetadata/nextPage?" + query, null, cancellationToken),
            _ => throw new InvalidOperationException(listing.Route.ToString()),
        };
    }

    private async Task<(HttpStatusCode, JsonNode?)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
        {
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
        }

        return (response.StatusCode, JsonNode.Parse(text));
    }

    private static string Token(JsonNode? body) =>
        body?["next_page"]?.GetValue<string>() ?? body?["query_info"]?["next_page"]?.GetValue<string>() ?? throw new InvalidOperationException("A 202 without a token.");

    private static PageAnswer Answer(Listing listing, HttpStatusCode status, JsonNode? body, double milliseconds, int accepted)
    {
        if (status != HttpStatusCode.OK || body is not JsonObject root)
        {
            throw new InvalidOperationException($"{listing.Kind}: no page");
        }

        // The block holding totalFound and rowsReturned: manifest, query_results or cohortObjects.
        var block = root.Select(p => p.Value).OfType<JsonObject>().FirstOrDefault(o => o.ContainsKey("totalFound"))
            ?? throw new InvalidOperationException($"{listing.Kind}: no totalFound in {root.ToJsonString()[..200]}");
        var next = root["next_page"]?.GetValue<string>() ?? "";
        return new PageAnswer(block["totalFound"]!.GetValue<long>(), block["rowsReturned"]!.GetValue<int>(), next, milliseconds, accepted);
    }
}
