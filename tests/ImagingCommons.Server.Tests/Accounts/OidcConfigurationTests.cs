using System.Net.Http.Headers;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Server;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.Hosting;
using ImagingCommons.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ImagingCommons.Server.Tests.Accounts;

/// <summary>How an OIDC issuer is configured: discovery, a bare JWKS URL (Google's way), and the settings refused at start.</summary>
public sealed class OidcConfigurationTests
{
    private const string GoogleJwks = "https://www.googleapis.com/oauth2/v3/certs";

    [Fact]
    public async Task An_issuer_without_discovery_is_trusted_through_its_jwks_url_under_each_of_its_names()
    {
        using var sample = new SampleRelease();
        await using var issuer = await TestIssuer.StartAsync();
        await using var server = await ImagingCommonsApplication.StartAsync(sample.Release.Root, o =>
        {
            o.Auth.Oidc.Issuer = "https://accounts.example.org";
            o.Auth.Oidc.AdditionalIssuers = ["accounts.example.org"];
            o.Auth.Oidc.JwksUrl = issuer.JwksUrl;
            o.Auth.Oidc.Audience = TestIssuer.Audience;
            o.Auth.Oidc.RequireHttpsMetadata = false;
        });
        await server.Services.GetRequiredService<IAccountStore>().AddUserAsync(People.Ada, "Ada", "Lovelace", TestContext.Current.CancellationToken);

        var canonical = await StatusAsync(server, issuer.Token(People.Ada, issuer: "https://accounts.example.org"));
        var shortName = await StatusAsync(server, issuer.Token(People.Ada, issuer: "accounts.example.org"));
        var other = await StatusAsync(server, issuer.Token(People.Ada));

        Assert.Equal((200, 200, 401), (canonical, shortName, other));
        Assert.True(issuer.KeyRequests >= 1);
    }

    [Fact]
    public async Task Google_id_tokens_need_nothing_but_configuration_keys()
    {
        using var sample = new SampleRelease();
        var app = ImagingCommonsServer.Build(
            [
                "--urls", "http://127.0.0.1:0",
                "--ImagingCommons:Auth:Oidc:Issuer=https://accounts.google.com",
                "--ImagingCommons:Auth:Oidc:AdditionalIssuers:0=accounts.google.com",
                $"--ImagingCommons:Auth:Oidc:JwksUrl={GoogleJwks}",
                "--ImagingCommons:Auth:Oidc:Audience=1234-abc.apps.googleusercontent.com",
            ],
            o =>
            {
                o.DataDirectory = sample.Release.Root;
                o.GenerateDefaultRelease = false;
            });
        await using (app)
        {
            // No token is sent: the test never talks to Google, it checks what the handler would do.
            var options = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(BearerSchemes.Oidc);

            Assert.Equal(["https://accounts.google.com", "accounts.google.com"], options.TokenValidationParameters.ValidIssuers);
            Assert.Equal(["1234-abc.apps.googleusercontent.com"], options.TokenValidationParameters.ValidAudiences);
            Assert.True(options.RequireHttpsMetadata);
            var keys = Assert.IsType<ConfigurationManager<OpenIdConnectConfiguration>>(options.ConfigurationManager);
            Assert.Equal(GoogleJwks, keys.MetadataAddress);
        }
    }

    [Theory]
    [InlineData("https://accounts.example.org", null, null, true, "Audience is empty")]
    [InlineData("http://accounts.example.org", "client", null, true, "is not HTTPS")]
    [InlineData("https://accounts.example.org", "client", "http://keys.example.org/jwks", true, "is not HTTPS")]
    [InlineData("accounts.example.org", "client", null, false, "is not an http(s) URL")]
    public async Task Incomplete_or_unsafe_oidc_settings_stop_the_start(string issuer, string? audience, string? jwks, bool requireHttps, string expected)
    {
        using var sample = new SampleRelease();
        var app = ImagingCommonsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.DataDirectory = sample.Release.Root;
            o.Auth.Oidc.Issuer = issuer;
            o.Auth.Oidc.Audience = audience;
            o.Auth.Oidc.JwksUrl = jwks;
            o.Auth.Oidc.RequireHttpsMetadata = requireHttps;
        });
        using var error = new StringWriter();

        var exitCode = await app.RunImagingCommonsAsync(error, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
    }

    private static async Task<int> StatusAsync(ImagingCommonsApplication server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/users/account_details");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }
}
