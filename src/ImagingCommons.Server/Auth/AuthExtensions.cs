using ImagingCommons.Data.Releases;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCommons.Server.Auth;

internal static class AuthExtensions
{
    /// <summary>The policy of the /admin routes: an authenticated caller whose email is in AdminEmails.</summary>
    public const string AdminPolicy = "admin";

    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bearer authentication: ID tokens of the configured OIDC issuer (keys fetched from its JWKS over HTTP),
    /// tokens of the development issuer when it is on, and API keys; one email claim as the identity.
    /// </summary>
    public static IServiceCollection AddApiAuthentication(this IServiceCollection services, ServerOptions options)
    {
        var auth = options.Auth;
        var authentication = services
            .AddAuthentication(BearerSchemes.Bearer)
            .AddPolicyScheme(BearerSchemes.Bearer, "Bearer ID token or API key", o => o.ForwardDefaultSelector = context => BearerSchemes.Select(context, auth))
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(BearerSchemes.ApiKey, null);

        if (auth.Oidc.IsConfigured)
        {
            authentication.AddJwtBearer(BearerSchemes.Oidc, o => ConfigureOidc(o, auth.Oidc));
        }

        if (auth.DevIssuer)
        {
            services.AddSingleton(sp => DevIssuer.ForDataDirectory(sp.GetRequiredService<ReleaseCatalog>().Data));
            authentication.AddJwtBearer(BearerSchemes.Dev, _ => { });
            services.AddOptions<JwtBearerOptions>(BearerSchemes.Dev).Configure<DevIssuer>((o, issuer) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = issuer.ValidationParameters();
                o.Events = Events();
            });
        }

        var admins = auth.AdminEmails.Select(Data.Accounts.Emails.Normalize).ToHashSet(StringComparer.Ordinal);
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.FindFirst(BearerSchemes.EmailClaim)?.Value is { } email && admins.Contains(email)))
            .AddRegisteredUserPolicy();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddSingleton<Callers>();
        return services;
    }

    /// <summary>Authentication on every request (anonymous routes just see no user), then the routes' requirements.</summary>
    public static WebApplication UseApiAuthentication(this WebApplication app)
    {
        if (app.Services.GetService<DevIssuer>() is not null)
        {
            app.Logger.LogWarning("The development token issuer is on: anyone who can read the data directory can sign in as anyone");
        }

        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static void ConfigureOidc(JwtBearerOptions o, OidcOptions oidc)
    {
        o.MapInboundClaims = false;
        o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
        o.BackchannelTimeout = MetadataTimeout;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = oidc.AllIssuers,
            ValidAudiences = oidc.AllAudiences,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromMinutes(2),
        };
        if (string.IsNullOrWhiteSpace(oidc.JwksUrl))
        {
            o.Authority = oidc.Issuer;
        }
        else
        {
            var documents = new HttpDocumentRetriever(new HttpClient { Timeout = MetadataTimeout }) { RequireHttps = oidc.RequireHttpsMetadata };
            o.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(oidc.JwksUrl, new JwksRetriever(oidc.Issuer!.Trim()), documents);
        }

        o.Events = Events();
    }

    /// <summary>
    /// Identity = verified email: a token without an email, or whose email_verified claim is present and not true, is
    /// refused. Any failure (even the issuer's keys being unreachable) becomes a refusal, never an exception.
    /// </summary>
    private static JwtBearerEvents Events() => new()
    {
        OnTokenValidated = context =>
        {
            var email = context.Principal?.FindFirst("email")?.Value;
            var verified = context.Principal?.FindFirst("email_verified")?.Value;
            if (!Data.Accounts.Emails.IsPlausible(email))
            {
                context.Fail(new CredentialsRejectedException("The token carries no email address (request the 'email' scope)."));
            }
            else if (verified is not null && !string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase))
            {
                context.Fail(new CredentialsRejectedException("The token's email address is not verified."));
            }
            else
            {
                context.Principal = BearerSchemes.Principal(email!, context.Scheme.Name);
            }

            return Task.CompletedTask;
        },
        OnAuthenticationFailed = context =>
        {
            context.Fail(context.Exception);
            return Task.CompletedTask;
        },
    };
}
