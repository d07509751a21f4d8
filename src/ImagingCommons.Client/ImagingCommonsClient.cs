using ImagingCommons.Client.Http;

namespace ImagingCommons.Client;

/// <summary>
/// A client of an ImagingCommons server (or any server of the IDC REST API v1/v2): <see cref="V1"/> and
/// <see cref="V2"/> for the public routes, <see cref="Cohorts"/> for saved cohorts (signed in), and
/// <see cref="Extensions"/> for this server's own routes. Thread-safe; keep one per server.
/// </summary>
/// <example>
/// <code>
/// using var client = new ImagingCommonsClient(new Uri("http://localhost:5000"));
/// var request = new V2ManifestPreviewRequest(
///     new V2CohortDefinition(Filters: new Filters { ["Modality"] = [FilterValue.String("CT")] }),
///     Fields: ["SeriesInstanceUID", "crdc_series_uuid"]);
/// await foreach (var row in client.V2.GetManifestPreview(request))
/// {
///     Console.WriteLine(row.GetString("crdc_series_uuid"));
/// }
/// </code>
/// </example>
public sealed class ImagingCommonsClient : IDisposable
{
    private readonly HttpClient? _owned;

    /// <summary>
    /// A client that makes its own <see cref="HttpClient"/>, with retries for connection errors, 5xx and 429 (see
    /// <see cref="ImagingCommonsClientOptions.MaxRetries"/>). Dispose it when done.
    /// </summary>
    /// <param name="baseAddress">The server, e.g. <c>http://localhost:5000</c> (a path prefix is kept).</param>
    /// <param name="options">Credential, retries, waits; null: the defaults, anonymous.</param>
    public ImagingCommonsClient(Uri baseAddress, ImagingCommonsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        options = (options ?? new ImagingCommonsClientOptions()).Clone();
        _owned = new HttpClient(ClientPipeline.CreateHandler(options)) { BaseAddress = WithSlash(baseAddress), Timeout = Timeout.InfiniteTimeSpan };
        BaseAddress = _owned.BaseAddress!;
        Initialize(new ApiTransport(_owned, BaseAddress, options), out _v1, out _v2, out _cohorts, out _extensions);
    }

    /// <summary>
    /// A client over an <see cref="HttpClient"/> of the caller's (its pipeline is used as it is: no retries are added;
    /// the client itself is not changed). <see cref="ImagingCommonsClientOptions.BaseAddress"/> names the server, else
    /// the HTTP client's <see cref="HttpClient.BaseAddress"/>.
    /// </summary>
    /// <param name="httpClient">The HTTP client; not disposed by this client.</param>
    /// <param name="options">Credential, waits, base address; null: the defaults, anonymous.</param>
    public ImagingCommonsClient(HttpClient httpClient, ImagingCommonsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options = (options ?? new ImagingCommonsClientOptions()).Clone();
        var address = options.BaseAddress ?? httpClient.BaseAddress
            ?? throw new ArgumentException("Give the server's address: HttpClient.BaseAddress or ImagingCommonsClientOptions.BaseAddress.", nameof(httpClient));
        BaseAddress = WithSlash(address);
        Initialize(new ApiTransport(httpClient, BaseAddress, options), out _v1, out _v2, out _cohorts, out _extensions);
    }

    private readonly V1Client _v1;
    private readonly V2Client _v2;
    private readonly CohortsClient _cohorts;
    private readonly ExtensionsClient _extensions;

    /// <summary>The server's address (ending in '/').</summary>
    public Uri BaseAddress { get; }

    /// <summary>The public v1 routes: metadata, manifests, queries, /dicomMetadata, cohort-object trees.</summary>
    public V1Client V1 => _v1;

    /// <summary>The public v2 routes: metadata, filters, fields, manifest previews.</summary>
    public V2Client V2 => _v2;

    /// <summary>Saved cohorts and the caller's account (needs a <see cref="ImagingCommonsClientOptions.Credential"/>).</summary>
    public CohortsClient Cohorts => _cohorts;

    /// <summary>This server's own routes under /api and /health (not part of IDC's API).</summary>
    public ExtensionsClient Extensions => _extensions;

    /// <inheritdoc/>
    public void Dispose() => _owned?.Dispose();

    private static void Initialize(ApiTransport transport, out V1Client v1, out V2Client v2, out CohortsClient cohorts, out ExtensionsClient extensions)
    {
        var resumer = new Paging.PendingResumer(transport.Options);
        v1 = new V1Client(transport, resumer);
        v2 = new V2Client(transport, resumer);
        cohorts = new CohortsClient(transport, resumer);
        extensions = new ExtensionsClient(transport, resumer);
    }

    private static Uri WithSlash(Uri address)
    {
        if (!address.IsAbsoluteUri)
        {
            throw new ArgumentException("The server's address must be absolute (http://host:port).", nameof(address));
        }

        return address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
    }
}
