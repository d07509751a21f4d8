using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Accounts;

/// <summary>
/// Bearer credentials against the real server: ID tokens of a test OIDC issuer whose keys the server fetches over
/// HTTP, tokens of the development issuer, API keys; and everything that must be refused with a 401 saying why.
/// </summary>
public sealed class AuthenticationTests(SqliteAccountsServer server) : IClassFixture<SqliteAccountsServer>
{
    private const string Protected = "/v2/users/account_details";

    private async Task<(int Status, string Text, HttpResponseMessage Response)> CallAsync(string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response);
    }

    [Fact]
    public async Task An_id_token_of_the_configured_issuer_is_accepted_with_keys_fetched_over_http()
    {
        var (status, text, response) = await CallAsync(Protected, "Bearer " + server.Token(People.Ada));
        response.Dispose();

        Assert.True(status == 200, text);
        Assert.Contains($"\"email\":\"{People.Ada}\"", text, StringComparison.Ordinal);
        Assert.True(server.Issuer.KeyRequests >= 1);
    }

    [Fact]
    public async Task The_identity_is_the_verified_email_in_lower_case()
    {
        var (status, text, response) = await CallAsync(Protected, "Bearer " + server.Issuer.Token("  ADA@Example.ORG "));
        response.Dispose();

        Assert.True(status == 200, text);
        Assert.Contains($"\"email\":\"{People.Ada}\"", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "expired", "The token has expired." },
        { "not yet valid", "The token is not valid yet." },
        { "wrong audience", "The token was issued for another audience (client id) than this server's." },
        { "wrong issuer", "The token's issuer is not trusted by this server." },
        { "tampered", "The token's signature is invalid." },
        { "another key, same kid", "The token's signature is invalid." },
        { "unknown key", "The token's signature cannot be checked: its key is not among the issuer's signing keys." },
        { "unsigned", "The token's signature is invalid." },
        { "email not verified", "The token's email address is not verified." },
        { "email not verified (string)", "The token's email address is not verified." },
        { "no email", "The token carries no email address (request the 'email' scope)." },
        { "development token of another data directory", "The token's signature cannot be checked: its key is not among the issuer's signing keys." },
        { "basic", "The Authorization header must be 'Bearer <ID token or API key>'." },
        { "empty bearer", "The Authorization header must be 'Bearer <ID token or API key>'." },
        { "garbage", "The bearer token is neither a JWT nor an API key of this server." },
        { "unknown api key", "The API key is not valid, or it has been revoked." },
        { "missing", "Authentication required: send the header 'Authorization: Bearer <ID token or API key>'." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_credentials_are_refused_with_401_and_the_reason(string kind, string message)
    {
        var authorization = kind switch
        {
            "missing" => null,
            "basic" => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ada:secret")),
            "empty bearer" => "Bearer ",
            "garbage" => "Bearer not-a-token",
            "unknown api key" => "Bearer ick_0123456789ab_" + new string('A', 43),
            _ => "Bearer " + Token(kind),
        };

        var (status, text, response) = await CallAsync(Protected, authorization);

        Assert.Equal(401, status);
        Assert.Equal($$"""{"code":401,"message":"{{message}}"}""", text);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        response.Dispose();
    }

    [Theory]
    [InlineData("/v2/about")]
    [InlineData("/v1/cohorts/manifest/nextPage?next_page=x")]
    public async Task Bad_credentials_on_an_anonymous_route_are_ignored(string path)
    {
        foreach (var authorization in new[] { "Bearer " + Token("expired"), "Bearer garbage", "Bearer ick_x", "Basic abc", "Bearer " + Token("wrong issuer") })
        {
            var (status, text, response) = await CallAsync(path, authorization);
            response.Dispose();
            Assert.True(status is 200 or 400, $"{authorization[..Math.Min(12, authorization.Length)]}: {status} {text}");
            Assert.DoesNotContain("\"code\":401", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_preview_answers_a_caller_with_an_expired_token_as_anyone()
    {
        var (status, _, text) = await server.PostAsync("/v2/cohorts/manifest/preview", server.Issuer.Token(People.Ada, Expired),
            """{"cohort_def":{"filters":{}},"fields":["collection_id"]}""");

        Assert.True(status == 200, text);
    }

    private static void Expired(SecurityTokenDescriptor token)
    {
        token.IssuedAt = DateTime.UtcNow.AddHours(-3);
        token.NotBefore = DateTime.UtcNow.AddHours(-3);
        token.Expires = DateTime.UtcNow.AddHours(-2);
    }

    private string Token(string kind)
    {
        var issuer = server.Issuer;
        switch (kind)
        {
            case "expired":
                return issuer.Token(People.Ada, Expired);
            case "not yet valid":
                return issuer.Token(People.Ada, t =>
                {
                    t.NotBefore = DateTime.UtcNow.AddHours(1);
                    t.Expires = DateTime.UtcNow.AddHours(2);
                });
            case "wrong audience":
                return issuer.Token(People.Ada, t => t.Audience = "someone-else.apps.example.org");
            case "wrong issuer":
                return issuer.Token(People.Ada, issuer: "https://issuer.example.org");
            case "tampered":
                var parts = issuer.Token(People.Bob).Split('.');
                var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(People.Bob, People.Ada, StringComparison.Ordinal);
                return $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
            case "another key, same kid":
                using (var rsa = RSA.Create(2048))
                {
                    return issuer.Token(People.Ada, signWith: new RsaSecurityKey(rsa) { KeyId = issuer.Key.KeyId });
                }

            case "unknown key":
                using (var rsa = RSA.Create(2048))
                {
                    return issuer.Token(People.Ada, signWith: new RsaSecurityKey(rsa) { KeyId = "rotated-key-9" });
                }

            case "unsigned":
                var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
                var body = Base64UrlEncoder.Encode(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(issuer.Token(People.Ada).Split('.')[1])));
                return $"{header}.{body}.";
            case "email not verified":
                return issuer.Token(People.Ada, emailVerified: false);
            case "email not verified (string)":
                return issuer.Token(People.Ada, emailVerified: "false");
            case "no email":
                return issuer.Token(People.Ada, t => t.Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", "42")]));
            case "development token of another data directory":
                var other = Path.Combine(Path.GetTempPath(), "ic-other-dev-" + Guid.NewGuid().ToString("N"));
                try
                {
                    return DevIssuer.ForDataDirectory(new DataDirectory(other)).CreateToken(People.Ada, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
                }
                finally
                {
                    Directory.Delete(other, recursive: true);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
