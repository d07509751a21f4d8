namespace ImagingCommons.Server.Routing;

internal static class TrailingSlashExtensions
{
    /// <summary>
    /// The original registered every route with an optional trailing slash (spec §1). Stripping one trailing slash
    /// before routing gives every route, present and future, both forms; routes are mapped without the slash.
    /// </summary>
    public static WebApplication UseOptionalTrailingSlash(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value;
            if (path is { Length: > 1 } && path[^1] == '/')
            {
                context.Request.Path = new PathString(path[..^1]);
            }

            return next(context);
        });
        return app;
    }
}
