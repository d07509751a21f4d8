using Microsoft.AspNetCore.Routing.Patterns;

namespace ImagingCommons.Server.Routing;

internal static class ExactRouteMatchingExtensions
{
    /// <summary>
    /// ASP.NET Core matches literal segments ignoring case and tolerates empty segments (<c>/v1/about//</c>), while
    /// the original's routes are case-sensitive (spec §1: <c>/v1/About</c> and <c>/cohorts/manifest/nextpage</c> do
    /// not exist) and accept at most one trailing slash (stripped before routing by
    /// <see cref="TrailingSlashExtensions.UseOptionalTrailingSlash"/>). After routing, an endpoint that matched only
    /// thanks to that leniency is dropped, so the request ends as the 404 "Method does not exist.".
    /// </summary>
    public static WebApplication UseExactRouteMatching(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is RouteEndpoint endpoint && !MatchesExactly(endpoint.RoutePattern, context.Request.Path))
            {
                context.SetEndpoint(null);
            }

            return next(context);
        });
        return app;
    }

    internal static bool MatchesExactly(RoutePattern pattern, PathString path)
    {
        var value = path.Value ?? string.Empty;
        var segments = value.Length > 1 ? value[1..].Split('/') : [];
        if (segments.Any(s => s.Length == 0))
        {
            return false;
        }

        for (var i = 0; i < pattern.PathSegments.Count && i < segments.Length; i++)
        {
            var parts = pattern.PathSegments[i].Parts;
            if (parts.Count == 1 && parts[0] is RoutePatternLiteralPart literal
                && !string.Equals(literal.Content, segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
