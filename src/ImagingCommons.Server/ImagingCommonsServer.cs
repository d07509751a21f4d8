using ImagingCommons.Server.Hosting;

namespace ImagingCommons.Server;

/// <summary>Builds the web application exactly as <c>Program.cs</c> does; for <c>idc serve</c> and the tests.</summary>
public static class ImagingCommonsServer
{
    public static WebApplication Build(string[] args, Action<ServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(ServerArguments.Normalize(args));
        builder.AddImagingCommons(configure);
        var app = builder.Build();
        app.MapImagingCommons();
        return app;
    }
}
