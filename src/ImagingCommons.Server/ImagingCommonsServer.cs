namespace ImagingCommons.Server;

/// <summary>Builds the web application; shared by <c>dotnet run</c>, <c>idc serve</c> and the tests.</summary>
public static class ImagingCommonsServer
{
    public static WebApplication Build(string[] args, Action<ServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        configure?.Invoke(options);
        builder.Services.AddSingleton(options);

        var app = builder.Build();
        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" }));
        return app;
    }
}
