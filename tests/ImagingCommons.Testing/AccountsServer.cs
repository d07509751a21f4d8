using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Server;
using ImagingCommons.Server.Auth;
using ImagingCommons.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCommons.Testing;

/// <summary>The people of the account tests. Ada and Bob are registered; Carol signs in but is not; Root administers.</summary>
public static class People
{
    public const string Ada = "ada@example.org";
    public const string Bob = "bob@example.org";
    public const string Carol = "carol@example.org";
    public const string Root = "root@example.org";
}

/// <summary>
/// The real server on Kestrel over the sample release "24.0", trusting a <see cref="TestIssuer"/> (keys fetched over
/// HTTP) and the development issuer, with its account store on SQLite or PostgreSQL. A PostgreSQL fixture without
/// IMAGINGCOMMONS_TEST_POSTGRES starts nothing; its tests skip.
/// </summary>
public abstract class AccountsServer : IAsyncLifetime
{
    private SampleRelease? _sample;
    private string? _schema;

    public abstract StoreKind Kind { get; }

    public TestIssuer Issuer { get; private set; } = null!;

    public ImagingCommonsApplication? App { get; private set; }

    public HttpClient Client => App!.Client;

    public IServiceProvider Services => App!.Services;

    public string DataDirectory => _sample!.Release.Root;

    public async ValueTask InitializeAsync()
    {
        if (Kind == StoreKind.Postgres && TestPostgres.ConnectionString is null)
        {
            return;
        }

        string? postgres = null;
        if (Kind == StoreKind.Postgres)
        {
            (postgres, _schema) = await TestPostgres.CreateSchemaAsync();
        }

        _sample = new SampleRelease();
        Issuer = await TestIssuer.StartAsync();
        App = await ImagingCommonsApplication.StartAsync(_sample.Release.Root, o =>
        {
            o.Accounts.Postgres = postgres;
            o.Auth.Oidc.Issuer = Issuer.Issuer;
            o.Auth.Oidc.Audience = TestIssuer.Audience;
            o.Auth.Oidc.RequireHttpsMetadata = false;
            o.Auth.DevIssuer = true;
            o.Auth.AdminEmails = [People.Root];
        });
        var accounts = App.Services.GetRequiredService<IAccountStore>();
        await accounts.AddUserAsync(People.Ada, "Ada", "Lovelace", TestContext.Current.CancellationToken);
        await accounts.AddUserAsync(People.Bob, "Bob", "Builder", TestContext.Current.CancellationToken);
        await accounts.AddUserAsync(People.Root, "Root", "Admin", TestContext.Current.CancellationToken);
    }

    /// <summary>Call first in every test: skips when this fixture's store is not available.</summary>
    public void SkipUnlessAvailable()
    {
        if (App is null)
        {
            TestPostgres.SkipIfUnavailable();
        }
    }

    /// <summary>An OIDC ID token of the test issuer for <paramref name="email"/>.</summary>
    public string Token(string email) => Issuer.Token(email);

    /// <summary>A development-issuer token, as <c>idc auth dev-token</c> prints it.</summary>
    public string DevToken(string email) =>
        Services.GetRequiredService<DevIssuer>().CreateToken(email, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    public async Task<string> ApiKeyAsync(string email)
    {
        var accounts = Services.GetRequiredService<IAccountStore>();
        var user = await accounts.FindUserAsync(email, TestContext.Current.CancellationToken);
        return (await accounts.CreateApiKeyAsync(user!.Id, TestContext.Current.CancellationToken)).Key;
    }

    /// <summary>Sends a request with an optional bearer token and JSON body.</summary>
    public Task<ApiResponse> SendAsync(HttpMethod method, string path, string? token = null, string? json = null) => App!.SendAsync(method, path, token, json);

    public Task<ApiResponse> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, token);

    public Task<ApiResponse> PostAsync(string path, string? token, string json) => SendAsync(HttpMethod.Post, path, token, json);

    public Task<ApiResponse> DeleteAsync(string path, string? token, string? json = null) => SendAsync(HttpMethod.Delete, path, token, json);

    /// <summary>Saves a cohort through v2 as <paramref name="email"/> and returns its id.</summary>
    public async Task<long> CreateCohortAsync(string email, string filters, string name = "c", string version = "v2")
    {
        var (status, body, text) = await PostAsync($"/{version}/cohorts", Token(email), $$"""{"name":"{{name}}","description":"d","filters":{{filters}}}""");
        Assert.True(status == 200, text);
        return (long)body["cohort_properties"]!["cohort_id"]!;
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
            await Issuer.DisposeAsync();
        }

        _sample?.Dispose();
        if (_schema is not null)
        {
            await TestPostgres.DropSchemaAsync(_schema);
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteAccountsServer : AccountsServer
{
    public override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresAccountsServer : AccountsServer
{
    public override StoreKind Kind => StoreKind.Postgres;
}
