using System.Reflection;
using ImagingCommons.Contracts;
using Microsoft.AspNetCore.Http.Metadata;

namespace ImagingCommons.Server.Responses;

/// <summary>A 200 answer whose body is a contract record, written by the contracts' serializer.</summary>
internal sealed class WireOk<T>(T value) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
{
    public T Value => value;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => WireJson.ContentType;

    public Task ExecuteAsync(HttpContext httpContext) => WireJson.WriteAsync(httpContext, StatusCodes.Status200OK, value);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), [WireJson.ContentType]));
}

/// <summary>HTTP 202: the query keeps running; the body carries the token to resume with (spec §8.3).</summary>
internal sealed class WirePending(PendingResponse value) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<PendingResponse>
{
    public PendingResponse Value => value;

    public int? StatusCode => StatusCodes.Status202Accepted;

    public Task ExecuteAsync(HttpContext httpContext) => WireJson.WriteAsync(httpContext, StatusCodes.Status202Accepted, value);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(PendingResponse), [WireJson.ContentType]));
}

/// <summary>
/// An error answer on /v1 and /v2: the spec's <c>{"code","message"}</c> with the HTTP status equal to the code.
/// Documents 400, the error of every route that takes input; routes add their other statuses with
/// <see cref="ApiRouteExtensions.ProducesApiErrors"/>.
/// </summary>
internal sealed class WireError(ApiError error) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<ApiError>
{
    public ApiError Value => error;

    public int? StatusCode => error.Code;

    public Task ExecuteAsync(HttpContext httpContext) => WireJson.WriteAsync(httpContext, error.Code, error);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(ApiError), [WireJson.ContentType]));
}

/// <summary>Shorthands for the typed answers.</summary>
internal static class Wire
{
    public static WireOk<T> Ok<T>(T value) => new(value);

    public static WireError Error(int status, string message) => new(new ApiError(status, message));

    public static WireError BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    public static WireError NotFound(string message) => Error(StatusCodes.Status404NotFound, message);

    public static WireError Forbidden(string message) => Error(StatusCodes.Status403Forbidden, message);

    public static WireError MethodDoesNotExist() => NotFound(ErrorTexts.MethodDoesNotExist);
}

internal static class ApiRouteExtensions
{
    /// <summary>Documents the error statuses a route answers besides 400, each with the spec's error body.</summary>
    public static TBuilder ProducesApiErrors<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            foreach (var status in statuses)
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ApiError), [WireJson.ContentType]));
            }
        });
        return builder;
    }

    /// <summary>Documents the JSON body a route reads (the handler validates the raw JSON itself, in the spec's order).</summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder)
        where TBody : notnull => builder.Accepts<TBody>(WireJson.ContentType);
}
