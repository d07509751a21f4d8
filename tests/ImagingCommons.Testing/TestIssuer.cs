using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCommons.Testing;

/// <summary>
/// A tiny OpenID Connect issuer on Kestrel (127.0.0.1, port chosen by the OS): a discovery document and a JWKS with
/// one RSA key, fetched by the server under test over HTTP like Google's. It signs ID tokens shaped like Google's.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "imagingcommons-test-client.apps.example.org";

    private readonly WebApplication _app;
    private readonly RSA _rsa = RSA.Create(2048);
    private int _keyRequests;

    private TestIssuer(WebApplication app)
    {
        _app = app;
        Key = new RsaSecurityKey(_rsa) { KeyId = "test-key-1" };
    }

    /// <summary>The issuer URL (http://127.0.0.1:port), also the <c>iss</c> of its tokens.</summary>
    public string Issuer { get; private set; } = "";

    public string JwksUrl => Issuer + "/jwks";

    public RsaSecurityKey Key { get; }

    /// <summary>How many times the JWKS was fetched.</summary>
    public int KeyRequests => Volatile.Read(ref _keyRequests);

    public static async Task<TestIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new TestIssuer(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(
            JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = issuer.Issuer,
                ["jwks_uri"] = issuer.JwksUrl,
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            }), "application/json"));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer._keyRequests);
            var parameters = issuer._rsa.ExportParameters(includePrivateParameters: false);
            return Results.Text(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA",
                        ["use"] = "sig",
                        ["alg"] = "RS256",
                        ["kid"] = issuer.Key.KeyId,
                        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                        ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                    },
                },
            }), "application/json");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        issuer.Issuer = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
        return issuer;
    }

    /// <summary>A Google-shaped ID token (email, email_verified) signed with this issuer's key, valid for an hour.</summary>
    public string Token(string email, Action<SecurityTokenDescriptor>? tweak = null, object? emailVerified = null, SecurityKey? signWith = null, string? issuer = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["email_verified"] = emailVerified ?? true };
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "1000" + email.GetHashCode(StringComparison.Ordinal)), new Claim("email", email)]),
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(signWith ?? Key, SecurityAlgorithms.RsaSha256),
        };
        tweak?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
