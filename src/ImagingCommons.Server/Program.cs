using ImagingCommons.Server.Hosting;

// The switches of `idc serve` (--data, --dev-auth, --generate, …) work here too: they are configuration keys.
var builder = WebApplication.CreateBuilder(ServerArguments.Normalize(args));

// Releases, queries, accounts, auth, CORS, wire JSON, OpenAPI, errors: one call (Hosting/ImagingCommonsHosting.cs).
builder.AddImagingCommons();

var app = builder.Build();

// The pipeline and every route of v1, v2 and our own.
app.MapImagingCommons();

return await app.RunImagingCommonsAsync();
