using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// A 200 response whose JSON body (of shape <typeparamref name="TResponse"/>) was serialized once, ahead of time:
/// the metadata endpoints serve immutable releases, so they write the same bytes on every request.
/// </summary>
internal sealed class PrecomputedJson<TResponse>(byte[] utf8Json) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string JsonContentType = "application/json";

    public ReadOnlyMemory<byte> Utf8Json { get; } = utf8Json;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.ContentLength = Utf8Json.Length;
        return response.Body.WriteAsync(Utf8Json, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TResponse), [JsonContentType]));
}
