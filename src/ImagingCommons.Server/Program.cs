using ImagingCommons.Server;

var app = ImagingCommonsServer.Build(args);
app.Run();
