using ImagingCommons.Contracts;
using ImagingCommons.Testing;

namespace ImagingCommons.Client.Tests;

/// <summary>Saved cohorts through the client, signed in with each kind of credential.</summary>
public sealed class ClientCohortsTests(SqliteAccountsServer server) : IClassFixture<SqliteAccountsServer>
{
    private ImagingCommonsClient Client(ImagingCommonsCredential? credential) => new(server.App!.Address, new ImagingCommonsClientOptions { Credential = credential });

    [Fact]
    public async Task An_api_key_saves_lists_pages_and_deletes_a_cohort()
    {
        using var client = Client(ImagingCommonsCredential.ApiKey(await server.ApiKeyAsync(People.Ada)));
        var cancellation = TestContext.Current.CancellationToken;

        var saved = await client.Cohorts.CreateAsync(new V2CohortDefinition("lung", "d", new Filters { ["collection_id"] = ["tcga_luad"], ["Modality"] = ["CT"] }), cancellation);
        var listed = await client.Cohorts.ListAsync(cancellationToken: cancellation);
        var rows = await client.Cohorts.GetManifest(saved.CohortId, new V2ManifestRequest(["SOPInstanceUID"], PageSize: 1), cancellation).ToListAsync(cancellation);
        var deleted = await client.Cohorts.DeleteAsync([saved.CohortId], cancellationToken: cancellation);

        Assert.Equal("24.0", saved.FilterSet.IdcDataVersion);
        Assert.Contains(listed, c => c.CohortId == saved.CohortId && c.Name == "lung");
        // tcga_luad CT instances: 3.01, 3.02 (series 2.11) and 3.05 (series 2.31).
        Assert.Equal(["3.01", "3.02", "3.05"], rows.Select(r => r.GetString("SOPInstanceUID")));
        Assert.Equal($"Cohort {saved.CohortId} ('lung') has been deleted.", Assert.Single(deleted).Result.Notes);
    }

    [Fact]
    public async Task An_id_token_and_a_development_token_read_the_account()
    {
        using var oidc = Client(ImagingCommonsCredential.IdToken(server.Token(People.Bob)));
        using var dev = Client(ImagingCommonsCredential.DevelopmentToken(server.DevToken(People.Bob)));

        Assert.Equal(People.Bob, (await oidc.Cohorts.GetAccountDetailsAsync(TestContext.Current.CancellationToken)).Email);
        Assert.Equal(People.Bob, (await dev.Cohorts.GetAccountDetailsAsync(TestContext.Current.CancellationToken)).Email);
    }

    [Fact]
    public async Task Without_a_credential_saved_cohorts_answer_401_with_the_server_message()
    {
        using var client = Client(null);
        var failure = await Assert.ThrowsAsync<ImagingCommonsApiException>(() => client.Cohorts.ListAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(401, failure.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(failure.ServerMessage));
    }

    [Fact]
    public async Task A_provided_credential_is_asked_for_on_every_request()
    {
        var asked = 0;
        var key = await server.ApiKeyAsync(People.Ada);
        using var client = Client(ImagingCommonsCredential.FromProvider(_ => { Interlocked.Increment(ref asked); return ValueTask.FromResult(key); }));

        await client.Cohorts.ListAsync(cancellationToken: TestContext.Current.CancellationToken);
        await client.Cohorts.GetAccountDetailsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, asked);
    }
}
