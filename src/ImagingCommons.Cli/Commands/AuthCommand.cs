using System.CommandLine;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Auth;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc auth dev-token</c>: a token of the development issuer, for a server started with <c>--dev-auth</c>.</summary>
internal static class AuthCommand
{
    public static Command Create()
    {
        var data = DataOption.Create("Data directory of the server (its keys/dev-issuer.key signs the token)");
        var email = new Option<string>("--email") { Description = "The verified email the token carries", Required = true };
        var hours = new Option<double>("--hours") { Description = "How long the token is valid", DefaultValueFactory = _ => 12 };
        var devToken = new Command("dev-token", "Print a development ID token (accepted only by idc serve --dev-auth)") { data, email, hours };
        devToken.SetAction((parse, cancellationToken) => AccountStoreAccess.RunAsync(parse, async (output, error) =>
        {
            var lifetime = parse.GetValue(hours);
            if (!(lifetime > 0 && lifetime <= 24 * 366))
            {
                await error.WriteLineAsync("error: --hours must be more than 0 and at most a year.");
                return 1;
            }

            var issuer = DevIssuer.ForDataDirectory(DataOption.ForWriting(parse, data, "auth dev-token"));
            await output.WriteLineAsync(issuer.CreateToken(parse.GetValue(email)!, TimeSpan.FromHours(lifetime), DateTimeOffset.UtcNow));
            await error.WriteLineAsync($"Valid for {lifetime} hours; send it as 'Authorization: Bearer <token>' to a server started with --dev-auth on this data directory.");
            return 0;
        }));

        return new Command("auth", "Authentication helpers") { devToken };
    }
}
