using System.Net.Http.Headers;
using System.Text;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Server;
using ImagingCommons.Server.Auth;
using ImagingCommons.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImagingCommons.Server.Tests.Accounts;

/// <summary>Every log line of a server at Trace level, while it is sent good and bad credentials: no token, key or email in any.</summary>
public sealed class LogSecrecyTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tokens_keys_and_emails_never_reach_the_logs()
    {
        using var sample = new SampleRelease();
        await using var issuer = await TestIssuer.StartAsync();
        // Every category at Trace, the framework's too (its default below Warning is lifted here).
        await using var server = await ImagingCommonsApplication.StartAsync(
            sample.Release.Root,
            o =>
            {
                o.Auth.Oidc.Issuer = issuer.Issuer;
                o.Auth.Oidc.Audience = TestIssuer.Audience;
                o.Auth.Oidc.RequireHttpsMetadata = false;
                o.Auth.DevIssuer = true;
            },
            arguments: ["--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace"]);
        var client = server.Client;
        var accounts = server.Services.GetRequiredService<IAccountStore>();
        var (ada, _) = await accounts.AddUserAsync(People.Ada, "Ada", "Lovelace", Cancel);
        var key = (await accounts.CreateApiKeyAsync(ada.Id, Cancel)).Key;
        var secrets = new[]
        {
            issuer.Token(People.Ada),
            issuer.Token(People.Ada, t => t.Expires = DateTime.UtcNow.AddSeconds(-200)),
            issuer.Token(People.Ada, t => t.Audience = "other"),
            issuer.Token(People.Carol),
            issuer.Token(People.Ada, emailVerified: false),
            server.Services.GetRequiredService<DevIssuer>().CreateToken(People.Bob, TimeSpan.FromHours(1), DateTimeOffset.UtcNow),
            key,
            key[..^2] + "xx",
        };

        foreach (var secret in secrets)
        {
            foreach (var (method, path, json) in new[]
            {
                ("GET", "/v2/users/account_details", (string?)null),
                ("POST", "/v2/cohorts", """{"name":"n","filters":{"Modality":["CT"]}}"""),
                ("POST", "/v1/cohorts/manifest/preview?SOPInstanceUID=True", """{"name":"n","filters":{}}"""),
                ("GET", "/v2/cohorts/manifest/nextPage?next_page=x", null),
            })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                if (json is not null)
                {
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request, Cancel);
            }
        }

        var text = server.Logs.Text;
        Assert.Contains("AuthenticationScheme", text, StringComparison.Ordinal);
        foreach (var secret in secrets.Append(key.Split('_', 3)[2]).Append(People.Ada).Append(People.Bob).Append(People.Carol))
        {
            Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"the logs hold {secret[..Math.Min(secret.Length, 20)]}…");
        }
    }
}
