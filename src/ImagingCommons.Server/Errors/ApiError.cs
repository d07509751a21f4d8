using System.Text.Json.Serialization;

namespace ImagingCommons.Server.Errors;

/// <summary>The error body of every /v1 and /v2 route (spec §3): <c>{"code":&lt;int&gt;,"message":"&lt;text&gt;"}</c>.</summary>
internal sealed record ApiError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message)
{
    /// <summary>The body for an unknown path or method anywhere (spec §1).</summary>
    public static ApiError MethodDoesNotExist { get; } = new(StatusCodes.Status404NotFound, "Method does not exist.");

    public static ApiError InvalidArgument(string key) => new(StatusCodes.Status400BadRequest, "Invalid argument " + key);
}
