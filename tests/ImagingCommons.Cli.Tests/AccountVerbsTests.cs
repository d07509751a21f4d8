using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>The account verbs of <c>idc</c> (auth dev-token, keys create/list/revoke) against the real server.</summary>
public sealed class AccountVerbsTests(SqliteAccountsServer server) : IClassFixture<SqliteAccountsServer>
{
    private const string Protected = "/v2/users/account_details";

    [Fact]
    public async Task Idc_auth_dev_token_prints_a_token_the_server_accepts_with_dev_auth()
    {
        var (exitCode, output, error) = await CommandLine.RunAsync("auth", "dev-token", "--data", server.DataDirectory, "--email", People.Ada, "--hours", "1");

        Assert.Equal(0, exitCode);
        Assert.Contains("--dev-auth", error, StringComparison.Ordinal);
        var (status, _, text) = await server.GetAsync(Protected, output.Trim());
        Assert.True(status == 200, text);
    }

    [Fact]
    public async Task An_api_key_from_idc_keys_create_works_until_idc_keys_revoke()
    {
        var (created, key, createdNote) = await CommandLine.RunAsync("keys", "create", "--data", server.DataDirectory, "--email", People.Bob);
        Assert.Equal(0, created);
        key = key.Trim();
        Assert.StartsWith("ick_", key, StringComparison.Ordinal);
        Assert.Contains("shown only this once", createdNote, StringComparison.Ordinal);

        var (before, _, text) = await server.GetAsync(Protected, key);
        Assert.True(before == 200, text);
        Assert.Contains($"\"email\":\"{People.Bob}\"", text, StringComparison.Ordinal);

        var id = key.Split('_')[1];
        var (listed, list, _) = await CommandLine.RunAsync("keys", "list", "--data", server.DataDirectory, "--email", People.Bob);
        Assert.Equal(0, listed);
        Assert.Contains(id + "\t" + People.Bob, list, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);

        var (revoked, revokedText, _) = await CommandLine.RunAsync("keys", "revoke", "--data", server.DataDirectory, "--id", id);
        Assert.Equal((0, $"Revoked API key {id}."), (revoked, revokedText.Trim()));
        var (after, _, afterText) = await server.GetAsync(Protected, key);
        Assert.Equal((401, """{"code":401,"message":"The API key is not valid, or it has been revoked."}"""), (after, afterText));
    }

    [Fact]
    public async Task Keys_are_only_issued_to_registered_users()
    {
        var (exitCode, output, error) = await CommandLine.RunAsync("keys", "create", "--data", server.DataDirectory, "--email", People.Carol);

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Contains("is not a registered user", error, StringComparison.Ordinal);
    }
}
