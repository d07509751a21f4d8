using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Hosting;

/// <summary>
/// Checks the options as a whole before the server starts (ValidateOnStart), so that an unusable setting stops the
/// start with a message that says which key to change, instead of failing requests later.
/// </summary>
internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    private const string Oidc = $"{ServerOptions.Section}:Auth:Oidc";

    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)} is empty; name the data directory to serve.");
        }

        if (!string.IsNullOrWhiteSpace(options.PublicUrl) && !IsHttpUrl(options.PublicUrl))
        {
            failures.Add($"{ServerOptions.Section}:{nameof(ServerOptions.PublicUrl)} '{options.PublicUrl}' is not an http(s) URL.");
        }

        foreach (var origin in options.Cors.AllowedOrigins)
        {
            if (!IsHttpUrl(origin) || new Uri(origin).AbsolutePath != "/")
            {
                failures.Add($"{ServerOptions.Section}:Cors:AllowedOrigins: '{origin}' is not an origin like https://portal.example.org.");
            }
        }

        var oidc = options.Auth.Oidc;
        if (oidc.IsConfigured)
        {
            if (oidc.AllAudiences.Count == 0)
            {
                failures.Add($"{Oidc}:Issuer is set but {Oidc}:Audience is empty; name the client id the ID tokens are issued for.");
            }

            var metadata = string.IsNullOrWhiteSpace(oidc.JwksUrl) ? oidc.Issuer! : oidc.JwksUrl;
            if (!IsHttpUrl(metadata.Trim()))
            {
                failures.Add($"{Oidc}: the signing keys would be fetched from '{metadata}', which is not an http(s) URL; set {Oidc}:JwksUrl.");
            }
            else if (oidc.RequireHttpsMetadata && new Uri(metadata.Trim()).Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"{Oidc}: '{metadata}' is not HTTPS; signing keys are only fetched over HTTPS unless {Oidc}:RequireHttpsMetadata is false.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
