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
        var logs = new CapturingLoggerProvider();
        var app = ImagingCommonsServer.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Trace"], o =>
        {
            o.DataDirectory = sample.Release.Root;
            o.GenerateDefaultRelease = false;
            o.Auth.Oidc.Issuer = issuer.Issuer;
            o.Auth.Oidc.Audience = TestIssuer.Audience;
            o.Auth.Oidc.RequireHttpsMetadata = false;
            o.Auth.DevIssuer = true;
        });
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        await using (app)
        {
            await app.StartAsync(Cancel);
            using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()) };
            var accounts = app.Services.GetRequiredService<IAccountStore>();
            var (ada, _) = await accounts.AddUserAsync(People.Ada, "Ada", "Lovelace", Cancel);
            var key = (await accounts.CreateApiKeyAsync(ada.Id, Cancel)).Key;
            var secrets = new[]
            {
                issuer.Token(People.Ada),
                issuer.Token(People.Ada, t => t.Expires = DateTime.UtcNow.AddSeconds(-200)),
                issuer.Token(People.Ada, t => t.Audience = "other"),
                issuer.Token(People.Carol),
                issuer.Token(People.Ada, emailVerified: false),
                app.Services.GetRequiredService<DevIssuer>().CreateToken(People.Bob, TimeSpan.FromHours(1), DateTimeOffset.UtcNow),
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

            await app.StopAsync(Cancel);
            var text = logs.Text;
            Assert.Contains("AuthenticationScheme", text, StringComparison.Ordinal);
            foreach (var secret in secrets.Append(key.Split('_', 3)[2]).Append(People.Ada).Append(People.Bob).Append(People.Carol))
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"the logs hold {secret[..Math.Min(secret.Length, 20)]}…");
            }
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._text)
                {
                    owner._text.Append(category).Append(": ").Append(formatter(state, exception)).AppendLine();
                    if (exception is not null)
                    {
                        owner._text.AppendLine(exception.ToString());
                    }

                    if (state is IEnumerable<KeyValuePair<string, object?>> values)
                    {
                        foreach (var (name, value) in values)
                        {
                            owner._text.Append("  ").Append(name).Append('=').Append(value).AppendLine();
                        }
                    }
                }
            }
        }
    }
}
