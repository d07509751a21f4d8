using System.Text.Json.Nodes;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Accounts;

/// <summary>GET /v1/cohorts/{id}: a saved cohort's tree, for its owner only, from its pinned release.</summary>
public sealed class CohortObjectsApiTests(SqliteAccountsServer server) : IClassFixture<SqliteAccountsServer>
{
    [Fact]
    public async Task The_owner_gets_the_tree_of_the_saved_cohort_with_its_stored_filters()
    {
        var id = await server.CreateCohortAsync(People.Ada, """{"collection_id":["tcga_kirc"]}""", name: "kidney", version: "v1");

        var (status, body, text) = await server.GetAsync($"/v1/cohorts/{id}?return_level=Study", server.Token(People.Ada));

        Assert.True(status == 200, text);
        Assert.Equal(id, (long)body["cohort"]!["cohort_id"]!);
        Assert.Equal("kidney", (string)body["cohort"]!["name"]!);
        Assert.Equal("""{"idc_data_version":"24.0","filters":{"collection_id":["tcga_kirc"]}}""", body["cohort"]!["filterSet"]!.ToJsonString());
        Assert.Equal(
            """{"totalFound":1,"rowsReturned":1,"collections":[{"collection_id":"tcga_kirc","patients":[{"patient_id":"TCGA-B0-0001","studies":[{"StudyInstanceUID":"1.4"}]}]}]}""",
            body["cohortObjects"]!.ToJsonString());
        Assert.Equal("", (string)body["next_page"]!);
    }

    [Fact]
    public async Task A_cohort_saved_through_v2_keeps_its_suffixed_filters()
    {
        var id = await server.CreateCohortAsync(People.Ada, """{"age_at_diagnosis_btw":[65,75]}""");

        var (status, body, text) = await server.GetAsync($"/v1/cohorts/{id}?return_level=Patient", server.Token(People.Ada));

        Assert.True(status == 200, text);
        // TCGA-05-0001 is 66; TCGA-05-0002 (75) and TCGA-B0-0001 (50) fail; patients without a record pass.
        Assert.Equal(
            """[{"collection_id":"nlst","patients":[{"patient_id":"100001"},{"patient_id":"100002"}]},{"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0003"}]}]""",
            body["cohortObjects"]!["collections"]!.ToJsonString());
    }

    [Fact]
    public async Task Pages_are_bound_to_the_owner_and_merge_back_to_every_instance()
    {
        var id = await server.CreateCohortAsync(People.Ada, "{}");
        var (status, body, text) = await server.GetAsync($"/v1/cohorts/{id}?return_level=Instance&page_size=4", server.Token(People.Ada));
        Assert.True(status == 200, text);
        Assert.Equal(11, (int)body["cohortObjects"]!["totalFound"]!);
        var instances = Instances(body);
        var token = (string)body["next_page"]!;

        var (stolen, stolenBody, _) = await server.GetAsync($"/v1/cohorts/{id}?next_page={token}", server.Token(People.Bob));
        Assert.True(stolen is 400 or 403, stolenBody.ToJsonString());

        while (token != "")
        {
            (status, body, text) = await server.GetAsync($"/v1/cohorts/{id}?next_page={token}&page_size=4", server.Token(People.Ada));
            Assert.True(status == 200, text);
            Assert.Equal("{}", body["cohort"]!.ToJsonString());
            instances.AddRange(Instances(body));
            token = (string)body["next_page"]!;
        }

        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"3.{i:00}").Order(StringComparer.Ordinal), instances.Order(StringComparer.Ordinal));
        Assert.Equal(11, instances.Distinct().Count());
    }

    [Fact]
    public async Task Another_user_an_unknown_id_a_deleted_cohort_and_no_credentials_are_refused()
    {
        var id = await server.CreateCohortAsync(People.Ada, """{"Modality":["CT"]}""");

        var (other, otherBody, _) = await server.GetAsync($"/v1/cohorts/{id}", server.Token(People.Bob));
        Assert.Equal(403, other);
        Assert.Equal($"{People.Bob} isn't the owner of cohort ID {id}, or the cohort has been deleted.", (string)otherBody["message"]!);

        var (unknown, unknownBody, _) = await server.GetAsync("/v1/cohorts/987654321", server.Token(People.Ada));
        Assert.Equal(400, unknown);
        Assert.Equal("A cohort with the ID 987654321 was not found.", (string)unknownBody["message"]!);

        var (anonymous, _, _) = await server.GetAsync($"/v1/cohorts/{id}");
        Assert.Equal(401, anonymous);

        var (deleted, _, _) = await server.DeleteAsync($"/v1/cohorts/{id}", server.Token(People.Ada));
        Assert.Equal(200, deleted);
        var (afterDelete, _, _) = await server.GetAsync($"/v1/cohorts/{id}", server.Token(People.Ada));
        Assert.Equal(403, afterDelete);

        var (bad, badBody, _) = await server.GetAsync("/v1/cohorts/abc", server.Token(People.Ada));
        Assert.Equal(400, bad);
        Assert.Equal("abc is not a valid cohort ID.", (string)badBody["message"]!);
    }

    private static List<string> Instances(JsonObject body) =>
        body["cohortObjects"]!["collections"]!.AsArray()
            .SelectMany(c => c!["patients"]!.AsArray())
            .SelectMany(p => p!["studies"]!.AsArray())
            .SelectMany(s => s!["series"]!.AsArray())
            .SelectMany(s => s!["instances"]!.AsArray())
            .Select(i => (string)i!["SOPInstanceUID"]!)
            .ToList();
}
