using System.Security.Claims;
using ImagingCommons.Data;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Releases;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// The local development issuer: HS256 tokens signed with a key kept in the data directory
/// (<c>keys/dev-issuer.key</c>, created on first use). It makes the authenticated routes usable with no external
/// identity provider; the server accepts its tokens only when <see cref="AuthOptions.DevIssuer"/> is on.
/// </summary>
public sealed class DevIssuer
{
    public const string Issuer = "imagingcommons-dev";

    public const string Audience = "imagingcommons-dev";

    internal const string KeyFileRelativePath = "keys/dev-issuer.key";

    private const int KeySize = 32;

    private DevIssuer(byte[] key)
    {
        SigningKey = new SymmetricSecurityKey(key) { KeyId = "dev-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(key))[..8] };
    }

    public SymmetricSecurityKey SigningKey { get; }

    public static DevIssuer ForDataDirectory(DataDirectory data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new DevIssuer(KeyFile.LoadOrCreate(
            Path.Combine(data.Path, KeyFileRelativePath), KeySize, "development issuer key", "tokens it signed stop working"));
    }

    /// <summary>A signed ID token for <paramref name="email"/> (verified), valid from <paramref name="now"/> for <paramref name="lifetime"/>.</summary>
    public string CreateToken(string email, TimeSpan lifetime, DateTimeOffset now)
    {
        if (!Emails.IsPlausible(email))
        {
            throw new ArgumentException("The email is not a valid address.", nameof(email));
        }

        var normalized = Emails.Normalize(email);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", normalized), new Claim("email", normalized)]),
            Claims = new Dictionary<string, object> { ["email_verified"] = true },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromMinutes(1),
    };
}
