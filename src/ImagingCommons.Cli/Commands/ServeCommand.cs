using System.CommandLine;
using ImagingCommons.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace ImagingCommons.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data directory holding the releases", DefaultValueFactory = _ => "data" };
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var deadline = new Option<int?>("--query-deadline-ms")
        {
            Description = "How long a request waits for its query before answering 202 with a next_page token (0: always 202)",
        };
        var devAuth = new Option<bool>("--dev-auth") { Description = "Accept tokens of the development issuer (idc auth dev-token); never on a shared server" };
        var command = new Command("serve", "Serve the IDC API over a data directory") { data, urls, deadline, devAuth };
        command.SetAction(async (parse, cancellationToken) =>
        {
            WebApplication app;
            try
            {
                app = ImagingCommonsServer.Build(["--urls", parse.GetValue(urls)!], o =>
                {
                    o.DataDirectory = parse.GetValue(data)!;
                    if (parse.GetValue(deadline) is { } milliseconds)
                    {
                        o.QueryDeadlineMs = milliseconds;
                    }

                    o.Auth.DevIssuer |= parse.GetValue(devAuth);
                });
            }
            catch (ServerStartupException exception)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(exception.Message);
                return 1;
            }

            await using (app)
            {
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        });
        return command;
    }
}
