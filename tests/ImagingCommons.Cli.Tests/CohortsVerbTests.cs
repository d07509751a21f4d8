using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary><c>idc cohorts</c> against the server with accounts, signed in with an API key (from --api-key).</summary>
public sealed class CohortsVerbTests(SqliteAccountsServer server) : IClassFixture<SqliteAccountsServer>
{
    [Fact]
    public async Task Cohorts_are_created_listed_shown_and_deleted_with_an_api_key()
    {
        var key = await server.ApiKeyAsync(People.Ada);
        string[] access = ["--server", server.App!.Address.ToString(), "--api-key", key];

        var (created, id, createError) = await Idc.RunAsync(["cohorts", "create", "--name", "kirc", "--description", "kidney", "--filter", "collection_id=tcga_kirc", .. access]);
        var (listed, list, _) = await Idc.RunAsync(["cohorts", "list", .. access]);
        var (shown, show, showError) = await Idc.RunAsync(["cohorts", "show", id.Trim(), "--format", "json", .. access]);
        var (deleted, deletion, _) = await Idc.RunAsync(["cohorts", "delete", id.Trim(), .. access]);
        var (again, _, _) = await Idc.RunAsync(["cohorts", "delete", id.Trim(), .. access]);

        Assert.True(created == 0, createError);
        Assert.Matches(@"^\d+$", id.Trim());
        Assert.Equal(0, listed);
        Assert.Contains($"{id.Trim()}\tkirc\t24.0\tkidney\t{{\"collection_id\":[\"tcga_kirc\"]}}", list, StringComparison.Ordinal);

        // tcga_kirc: one patient, study 1.4, series 2.41 of instances 3.06 (500 bytes) and 3.07 (600 bytes).
        Assert.True(shown == 0, showError);
        Assert.Equal(
            $$"""{"cohort_id":{{id.Trim()}},"name":"kirc","description":"kidney","idc_data_version":"24.0","filters":{"collection_id":["tcga_kirc"]},"collections":1,"patients":1,"studies":1,"series":1,"instances":2,"bytes":1100}""",
            show.Trim());
        Assert.Equal(0, deleted);
        Assert.Equal($"{id.Trim()}\tCohort {id.Trim()} ('kirc') has been deleted.", deletion.Trim());
        Assert.Equal(1, again);
    }

    [Fact]
    public async Task Without_an_api_key_the_servers_refusal_is_shown()
    {
        var (code, _, error) = await Idc.RunAsync("cohorts", "list", "--server", server.App!.Address.ToString());
        Assert.Equal(1, code);
        Assert.Contains("error: the server answered 401", error, StringComparison.Ordinal);
    }
}
