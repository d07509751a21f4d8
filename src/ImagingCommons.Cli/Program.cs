using System.CommandLine;
using ImagingCommons.Cli.Commands;

var root = new RootCommand("idc: ImagingCommons command line (serve, import, generate, ingest, upload, users, keys, auth)")
{
    ServeCommand.Create(),
    ImportCommand.Create(),
    GenerateCommand.Create(),
    IngestCommand.Create(),
    UploadCommand.Create(),
    UsersCommand.Create(),
    KeysCommand.Create(),
    AuthCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
