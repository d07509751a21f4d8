using ImagingCommons.Contracts;
using ImagingCommons.Server.Responses;
using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// GET /v1/about and /v2/about (spec §6.1, §7.1), and the non-API helper routes of spec §1: /hello, the OAuth
/// callback pages, and the root.
/// </summary>
internal static class AboutApi
{
    private const string LearnMore = "Documentation is available at <https://learn.canceridc.dev/>";

    public static IEndpointRouteBuilder MapAboutApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/about", GetV1About).WithName("GetV1About").WithSummary("Welcome message and documentation links").WithTags("v1");
        app.MapGet("/v2/about", GetV2About).WithName("GetV2About").WithSummary("Welcome message and documentation links").WithTags("v2");
        app.MapGet("/hello", Hello).ExcludeFromDescription();
        app.MapGet("/v1/oauth2callback", OAuthCallback).ExcludeFromDescription();
        app.MapGet("/v2/oauth2callback", OAuthCallback).ExcludeFromDescription();
        return app;
    }

    public static WireOk<AboutResponse> GetV1About(HttpRequest request, MetadataResponses responses, IOptions<ServerOptions> options) =>
        About(request, responses, options.Value, "v1", "Welcome to the NCI IDC API, Version 1");

    public static WireOk<AboutResponse> GetV2About(HttpRequest request, MetadataResponses responses, IOptions<ServerOptions> options) =>
        About(request, responses, options.Value, "v2", "Welcome to the NCI IDC API, Version 2");

    /// <summary>The original's test route (spec §1).</summary>
    public static IResult Hello() => Results.Text("Hello, World!", "text/plain");

    /// <summary>
    /// The original's OAuth redirect page. This server signs callers in with bearer tokens and API keys, so the page
    /// says how to get one instead of completing a browser flow.
    /// </summary>
    public static IResult OAuthCallback() => Results.Content(
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>ImagingCommons sign-in</title></head>
        <body><h1>Sign-in</h1>
        <p>This server accepts <code>Authorization: Bearer &lt;token&gt;</code> with an ID token of its configured identity
        provider, an API key (<code>idc keys create</code>), or, on a development server, a development token
        (<code>idc auth dev-token</code>). There is nothing to complete here.</p></body></html>
        """,
        "text/html; charset=utf-8");

    /// <summary>
    /// The documentation link points at this server's own interactive page (from the configured public URL, else from
    /// the request's host), not IDC's retired one; a synthetic release says so.
    /// </summary>
    private static WireOk<AboutResponse> About(HttpRequest request, MetadataResponses responses, ServerOptions options, string version, string message)
    {
        var baseUrl = string.IsNullOrWhiteSpace(options.PublicUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : options.PublicUrl.TrimEnd('/');
        var documentation = $"SwaggerUI interface available at <{baseUrl}/{version}/swagger/>. {LearnMore}";
        return Wire.Ok(new AboutResponse(StatusCodes.Status200OK, documentation, message, responses.Current.Synthetic ? true : null));
    }
}
