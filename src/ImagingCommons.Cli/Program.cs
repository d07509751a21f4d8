using System.CommandLine;
using ImagingCommons.Cli.Commands;

var root = new RootCommand("idc: ImagingCommons command line (serve, import, generate)")
{
    ServeCommand.Create(),
    ImportCommand.Create(),
    GenerateCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
