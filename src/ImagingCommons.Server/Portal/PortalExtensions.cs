using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace ImagingCommons.Server.Portal;

/// <summary>
/// The portal: plain HTML, CSS and ES modules embedded in the server assembly (no build step, nothing from a CDN),
/// the page at <c>/</c> and its files under <c>/portal/</c>. It talks only to this server's own routes.
/// </summary>
internal static class PortalExtensions
{
    /// <summary>The page may load nothing but this server's own files, and may only call this server.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly ManifestEmbeddedFileProvider Files = new(typeof(PortalExtensions).Assembly, "Portal/site");

    public static WebApplication UsePortal(this WebApplication app)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            RequestPath = "/portal",
            ContentTypeProvider = types,
            // Revalidate on every load: a new server version's scripts are never mixed with an old page.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }

    public static IEndpointRouteBuilder MapPortal(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpContext context) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-cache";
            headers["Referrer-Policy"] = "no-referrer";
            return Results.Stream(Files.GetFileInfo("index.html").CreateReadStream(), "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        return routes;
    }
}
