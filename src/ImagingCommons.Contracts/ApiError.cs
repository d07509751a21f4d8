using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

/// <summary>
/// The error body of every <c>/v1</c> and <c>/v2</c> answer that is not a success: <c>{"code":&lt;int&gt;,"message":"&lt;text&gt;"}</c>,
/// where <c>code</c> equals the HTTP status (spec §3). The texts are in <see cref="ErrorTexts"/>.
/// </summary>
/// <param name="Code">The HTTP status code.</param>
/// <param name="Message">What went wrong, in the original API's words where it had any.</param>
public sealed record ApiError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message);
