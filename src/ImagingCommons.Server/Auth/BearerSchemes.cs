using System.Security.Claims;
using ImagingCommons.Data.Accounts;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// The authentication schemes behind <c>Authorization: Bearer &lt;token&gt;</c>, and the selector that sends each
/// request to one of them by the token's shape: API keys (<c>ick_…</c>) to the key handler, JWTs of the development
/// issuer to it (when on), other JWTs to the configured OIDC issuer; anything else ends in the key handler, which
/// refuses it with a clear reason.
/// </summary>
internal static class BearerSchemes
{
    /// <summary>The default scheme: a policy scheme that forwards to one of the others.</summary>
    public const string Bearer = "Bearer";

    public const string Oidc = "Oidc";

    public const string Dev = "DevIssuer";

    public const string ApiKey = "ApiKey";

    /// <summary>The one claim the API reads: the caller's verified email, normalised.</summary>
    public const string EmailClaim = "email";

    public static string Select(HttpContext context, AuthOptions auth)
    {
        var token = BearerToken(context.Request);
        if (token is null || ApiKeys.LooksLikeKey(token))
        {
            return ApiKey;
        }

        var issuer = PeekIssuer(token);
        if (issuer is null)
        {
            return ApiKey;
        }

        if (auth.DevIssuer && string.Equals(issuer, DevIssuer.Issuer, StringComparison.Ordinal))
        {
            return Dev;
        }

        return auth.Oidc.IsConfigured ? Oidc : ApiKey;
    }

    /// <summary>The token of a single well-formed <c>Bearer</c> header, else null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var headers = request.Headers.Authorization;
        if (headers.Count != 1 || headers[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value["Bearer ".Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>The unverified <c>iss</c> of a JWT (only to pick the scheme that will verify it); null when not a JWT.</summary>
    public static string? PeekIssuer(string token)
    {
        if (token.Length > 16 * 1024 || token.Count(c => c == '.') != 2)
        {
            return null;
        }

        try
        {
            return new JsonWebToken(token).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The principal every scheme produces: one email claim, named by the scheme that vouched for it.</summary>
    public static ClaimsPrincipal Principal(string email, string scheme) =>
        new(new ClaimsIdentity([new Claim(EmailClaim, Emails.Normalize(email))], scheme, EmailClaim, null));
}
