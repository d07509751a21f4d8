using System.CommandLine;
using ImagingCommons.Server;
using ImagingCommons.Server.Hosting;

namespace ImagingCommons.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var data = DataOption.Create("Data directory holding the releases");
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var deadline = new Option<int?>("--query-deadline-ms")
        {
            Description = "How long a request waits for its query before answering 202 with a next_page token (0: always 202)",
        };
        var devAuth = new Option<bool>("--dev-auth") { Description = "Accept tokens of the development issuer (idc auth dev-token); never on a shared server" };
        var generate = new Option<bool>("--generate") { Description = "When the data directory holds no release, generate the small synthetic default release into it first" };
        var command = new Command("serve", "Serve the IDC API over a data directory") { data, urls, deadline, devAuth, generate };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // The same switches `dotnet run --project src/ImagingCommons.Server` takes, so both build the same server.
            var args = new List<string> { "--urls", parse.GetValue(urls)!, "--data", parse.GetValue(data)! };
            if (parse.GetValue(deadline) is { } milliseconds)
            {
                args.AddRange(["--query-deadline-ms", milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            if (parse.GetValue(devAuth))
            {
                args.Add("--dev-auth");
            }

            // A data directory named on the command line must hold a release unless generating is asked for.
            args.Add("--generate=" + (parse.GetValue(generate) ? "true" : "false"));
            var app = ImagingCommonsServer.Build([.. args]);
            return await app.RunImagingCommonsAsync(parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }
}
