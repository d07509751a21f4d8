using System.IO.Compression;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace ImagingCommons.Server.Responses;

/// <summary>
/// A 200 response whose JSON body (of shape <typeparamref name="TResponse"/>) was serialized once, ahead of time:
/// the metadata endpoints serve immutable releases, so they write the same bytes on every request. Bodies above
/// <see cref="CompressionThreshold"/> are also gzipped once and sent that way to clients that accept gzip
/// (a real /v2/collections body is about 200 KB; gzipped it is a tenth of that).
/// </summary>
internal sealed class PrecomputedJson<TResponse> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const int CompressionThreshold = 1024;

    private readonly byte[] _utf8Json;
    private readonly byte[]? _gzip;

    /// <summary>Serialises <paramref name="value"/> once.</summary>
    public PrecomputedJson(TResponse value)
        : this(WireJson.Serialize(value))
    {
    }

    public PrecomputedJson(byte[] utf8Json)
    {
        _utf8Json = utf8Json;
        if (utf8Json.Length > CompressionThreshold)
        {
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(utf8Json);
            }

            _gzip = compressed.ToArray();
        }
    }

    public ReadOnlyMemory<byte> Utf8Json => _utf8Json;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => WireJson.ContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = WireJson.ContentType;
        var body = _utf8Json;
        if (_gzip is not null)
        {
            response.Headers.Vary = HeaderNames.AcceptEncoding;
            if (AcceptsGzip(httpContext.Request))
            {
                response.Headers.ContentEncoding = "gzip";
                body = _gzip;
            }
        }

        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TResponse), [WireJson.ContentType]));

    private static bool AcceptsGzip(HttpRequest request)
    {
        if (request.Headers.AcceptEncoding.Count == 0)
        {
            return false;
        }

        foreach (var coding in request.GetTypedHeaders().AcceptEncoding)
        {
            if ((coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Value.Equals("*", StringComparison.Ordinal))
                && coding.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }
}
