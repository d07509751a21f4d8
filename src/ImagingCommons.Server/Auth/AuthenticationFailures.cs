using Microsoft.IdentityModel.Tokens;

namespace ImagingCommons.Server.Auth;

/// <summary>A refusal whose message is written for the caller (it names no token, key or email).</summary>
internal sealed class CredentialsRejectedException(string message) : Exception(message);

/// <summary>Turns why authentication failed into the clear text of a 401 body.</summary>
internal static class AuthenticationFailures
{
    public static string Describe(Exception? failure) => failure switch
    {
        null => Contracts.ErrorTexts.AuthenticationRequired,
        CredentialsRejectedException rejected => rejected.Message,
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenNoExpirationException => "The token has no expiry time.",
        SecurityTokenInvalidAudienceException => "The token was issued for another audience (client id) than this server's.",
        SecurityTokenInvalidIssuerException => "The token's issuer is not trusted by this server.",
        SecurityTokenSignatureKeyNotFoundException => "The token's signature cannot be checked: its key is not among the issuer's signing keys.",
        SecurityTokenInvalidSignatureException => "The token's signature is invalid.",
        SecurityTokenInvalidAlgorithmException => "The token is signed with an algorithm this server does not accept.",
        SecurityTokenMalformedException => "The bearer token is malformed.",
        SecurityTokenException => "The bearer token is invalid.",
        ArgumentException => "The bearer token is malformed.",
        _ => "The bearer token could not be validated (the identity provider may be unreachable).",
    };
}
