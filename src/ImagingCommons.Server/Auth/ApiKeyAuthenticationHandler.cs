using System.Text.Encodings.Web;
using ImagingCommons.Data.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// API keys issued by this server (<c>idc keys create</c>), looked up by hash on every request so a revoked key stops
/// working at once on every replica. Also the scheme that answers for requests no JWT scheme takes: no header
/// (no result), a header that is not <c>Bearer</c>, or a JWT from an issuer nobody configured (refused, with why).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IAccountStore accounts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var token = BearerSchemes.BearerToken(Request);
        if (token is null)
        {
            return Refuse(headers.Count > 1
                ? "Send a single Authorization header."
                : "The Authorization header must be 'Bearer <ID token or API key>'.");
        }

        if (ApiKeys.LooksLikeKey(token))
        {
            var user = await accounts.FindUserByApiKeyAsync(token, Context.RequestAborted);
            return user is null
                ? Refuse("The API key is not valid, or it has been revoked.")
                : AuthenticateResult.Success(new AuthenticationTicket(BearerSchemes.Principal(user.Email, Scheme.Name), Scheme.Name));
        }

        return Refuse(BearerSchemes.PeekIssuer(token) is null
            ? "The bearer token is neither a JWT nor an API key of this server."
            : "The token's issuer is not trusted by this server.");
    }

    private static AuthenticateResult Refuse(string message) => AuthenticateResult.Fail(new CredentialsRejectedException(message));
}
