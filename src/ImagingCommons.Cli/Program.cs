using System.CommandLine;
using ImagingCommons.Cli.Commands;

var root = new RootCommand("idc: ImagingCommons command line (serve, import, users, keys, auth)")
{
    ServeCommand.Create(),
    ImportCommand.Create(),
    GenerateCommand.Create(),
    UsersCommand.Create(),
    KeysCommand.Create(),
    AuthCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
