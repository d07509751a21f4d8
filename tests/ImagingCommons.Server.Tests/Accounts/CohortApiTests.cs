using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImagingCommons.Data.Accounts;
using Microsoft.Extensions.DependencyInjection;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Accounts;

/// <summary>
/// The saved-cohort routes of v1 and v2 over real HTTP, with real ID tokens; the same suite runs with the account
/// store on SQLite and on PostgreSQL. Each test registers its own users so that listings only hold its own cohorts.
/// </summary>
public abstract class CohortApiTests<TServer>(TServer server)
    where TServer : AccountsServer
{
    private const string TwoToTheSixtyFour = "18446744073709551616";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<string> NewUserAsync(string first = "Grace", string last = "Hopper")
    {
        server.SkipUnlessAvailable();
        var email = $"u{Guid.NewGuid():N}@example.org";
        await server.Services.GetRequiredService<IAccountStore>().AddUserAsync(email, first, last, Cancel);
        return email;
    }

    private static string Rows(JsonObject body, string block, string rows) => body[block]![rows]!.ToJsonString();

    private static string[] Keys(JsonNode? node) => [.. node!.AsObject().Select(p => p.Key)];

    // ---- saving and listing --------------------------------------------------------------------------------------

    [StoreFact]
    public async Task A_v1_cohort_is_saved_on_the_current_release_and_echoes_its_filters_as_strings()
    {
        var user = await NewUserAsync();

        var (status, body, text) = await server.PostAsync("/v1/cohorts", server.Token(user),
            """{"name":"lung","description":"Example","filters":{"collection_id":["TCGA-LUAD"],"Modality":["CT","MR"],"age_at_diagnosis_btw":[65,75]}}""");

        Assert.True(status == 200, text);
        Assert.Equal(["code", "cohort_properties"], Keys(body));
        var properties = body["cohort_properties"]!;
        Assert.Equal(["cohort_id", "name", "description", "filterSet"], Keys(properties));
        Assert.True((long)properties["cohort_id"]! > 0);
        Assert.Equal("lung", (string)properties["name"]!);
        Assert.Equal("Example", (string)properties["description"]!);
        Assert.Equal("""{"idc_data_version":"24.0","filters":{"collection_id":["TCGA-LUAD"],"Modality":["CT","MR"],"age_at_diagnosis_btw":["65","75"]}}""",
            properties["filterSet"]!.ToJsonString());
    }

    [StoreFact]
    public async Task A_v2_cohort_keeps_canonical_keys_values_as_sent_and_suffixed_numbers_as_numbers()
    {
        var user = await NewUserAsync();

        var (status, body, text) = await server.PostAsync("/v2/cohorts", server.Token(user),
            """{"name":"testcohort","description":"Test description","filters":{"collection_id":["tcga_luad","TCGA-KIRC"],"MODALITY":["cT","Mr"],"Race":["WHITE"],"age_at_diagnosis_btwe":[1,100.0]}}""");

        Assert.True(status == 200, text);
        var properties = body["cohort_properties"]!;
        Assert.Equal(["cohort_id", "name", "description", "filterSet"], Keys(properties));
        Assert.Equal(
            """{"idc_data_version":"24.0","filters":{"collection_id":["tcga_luad","TCGA-KIRC"],"Modality":["cT","Mr"],"race":["WHITE"],"age_at_diagnosis_btwe":[1,100.0]}}""",
            properties["filterSet"]!.ToJsonString());
    }

    [StoreTheory]
    [InlineData("""{"description":"no name","filters":{"Modality":["CT"]}}""")]
    [InlineData("""{"name":"","filters":{"Modality":["CT"]}}""")]
    [InlineData("""{"name":null}""")]
    public async Task A_v2_cohort_without_a_name_is_named_after_its_creation_time(string definition)
    {
        var user = await NewUserAsync();

        var (status, body, text) = await server.PostAsync("/v2/cohorts", server.Token(user), definition);

        Assert.True(status == 200, text);
        Assert.Matches(new Regex(@"^Cohort created on \d{2}-\d{2}-\d{4} \d{2}:\d{2}$"), (string)body["cohort_properties"]!["name"]!);
    }

    [StoreFact]
    public async Task Listing_shows_only_the_callers_active_cohorts_each_version_with_its_value_types()
    {
        var ada = await NewUserAsync("Ada", "Lovelace");
        var bob = await NewUserAsync("Bob", "Builder");
        var first = await server.CreateCohortAsync(ada, """{"Modality":["CT"],"age_at_diagnosis_btw":[65,75]}""", "first");
        var second = await server.CreateCohortAsync(ada, """{"collection_id":["nlst"]}""", "second", version: "v1");
        var deleted = await server.CreateCohortAsync(ada, "{}", "deleted");
        await server.CreateCohortAsync(bob, "{}", "bobs");
        Assert.Equal(200, (await server.DeleteAsync($"/v2/cohorts/{deleted}", server.Token(ada))).Status);

        var (v1Status, v1, _) = await server.GetAsync("/v1/cohorts", server.Token(ada));
        var (v2Status, v2, _) = await server.GetAsync("/v2/cohorts", server.Token(ada));

        Assert.Equal((200, 200), (v1Status, v2Status));
        Assert.Equal(
            $$$$"""[{"cohort_id":{{{{first}}}},"name":"first","description":"d","owner":"Ada Lovelace","permission":"OWNER","filterSet":{"idc_data_version":"24.0","filters":{"Modality":["CT"],"age_at_diagnosis_btw":["65","75"]}}},"""
            + $$$$"""{"cohort_id":{{{{second}}}},"name":"second","description":"d","owner":"Ada Lovelace","permission":"OWNER","filterSet":{"idc_data_version":"24.0","filters":{"collection_id":["nlst"]}}}]""",
            v1["cohorts"]!.ToJsonString());
        Assert.Equal("""{"Modality":["CT"],"age_at_diagnosis_btw":[65,75]}""", v2["cohorts"]![0]!["filterSet"]!["filters"]!.ToJsonString());
        Assert.Equal([first, second], v2["cohorts"]!.AsArray().Select(c => (long)c!["cohort_id"]!));
    }

    [StoreFact]
    public async Task Empty_filters_save_a_cohort_of_the_whole_release()
    {
        var user = await NewUserAsync();
        var id = await server.CreateCohortAsync(user, "{}");

        var (status, body, text) = await server.PostAsync($"/v2/cohorts/manifest/{id}", server.Token(user), """{"fields":[],"counts":true}""");

        Assert.True(status == 200, text);
        Assert.Equal("""[{"collection_count":3,"patient_count":6,"study_count":7,"series_count":9,"instance_count":11}]""", Rows(body, "manifest", "manifest_data"));
    }

    // ---- deleting -----------------------------------------------------------------------------------------------

    [StoreFact]
    public async Task Deleting_answers_one_result_per_id_in_request_order()
    {
        var ada = await NewUserAsync();
        var bob = await NewUserAsync();
        var mine = await server.CreateCohortAsync(ada, """{"Modality":["CT","MR"],"age_at_diagnosis_gte":[70]}""", "testcohort");
        var theirs = await server.CreateCohortAsync(bob, "{}");

        var (status, body, text) = await server.DeleteAsync("/v1/cohorts", server.Token(ada), $$"""{"cohorts":[{{mine}},{{TwoToTheSixtyFour}},{{theirs}},{{mine}}]}""");

        Assert.True(status == 200, text);
        Assert.Equal(
            $$"""{"code":200,"cohorts":["""
            + $$$$"""{"cohort_id":{{{{mine}}}},"result":{"notes":"Cohort {{{{mine}}}} ('testcohort') has been deleted.","data":{"filters":[{"id":{{{{mine}}}},"data_version":"24.0","filters":[{"name":"Modality","values":["CT","MR"]},{"name":"age_at_diagnosis_gte","values":["70"]}]}]}}},"""
            + $$$"""{"cohort_id":{{{TwoToTheSixtyFour}}},"result":{"message":"A cohort with the ID {{{TwoToTheSixtyFour}}} was not found!"}},"""
            + $$$"""{"cohort_id":{{{theirs}}},"result":{"message":"{{{ada}}} isn't the owner of cohort ID {{{theirs}}} and so cannot delete it.","delete_permission":false}},"""
            + $$$"""{"cohort_id":{{{mine}}},"result":{"message":"Cohort ID {{{mine}}} was not found - it may already be deleted."}}]}""",
            text);
        Assert.Single((await server.GetAsync("/v2/cohorts", server.Token(bob))).Body["cohorts"]!.AsArray());
    }

    [StoreTheory]
    [InlineData("v1", TwoToTheSixtyFour)]
    [InlineData("v2", TwoToTheSixtyFour)]
    [InlineData("v2", "340282366920938463463374607431768211456")]
    [InlineData("v1", "0")]
    public async Task Deleting_by_path_echoes_ids_of_any_size_as_integers(string version, string id)
    {
        var user = await NewUserAsync();

        var (status, _, text) = await server.DeleteAsync($"/{version}/cohorts/{id}", server.Token(user));

        Assert.Equal(200, status);
        Assert.Equal($$$"""{"code":200,"cohorts":[{"cohort_id":{{{id}}},"result":{"message":"A cohort with the ID {{{id}}} was not found!"}}]}""", text);
    }

    [StoreTheory]
    [InlineData("/v1/cohorts/abc", null, "abc is not a valid cohort ID.")]
    [InlineData("/v2/cohorts/-1", null, "-1 is not a valid cohort ID.")]
    [InlineData("/v2/cohorts/1.5", null, "1.5 is not a valid cohort ID.")]
    [InlineData("/v1/cohorts", """{"cohorts":["x"]}""", "x is not a valid cohort ID.")]
    [InlineData("/v2/cohorts", """{"cohorts":[1.5]}""", "1.5 is not a valid cohort ID.")]
    [InlineData("/v2/cohorts", """{"cohorts":[1e3]}""", "1e3 is not a valid cohort ID.")]
    [InlineData("/v2/cohorts", """{"cohorts":[null]}""", "null is not a valid cohort ID.")]
    [InlineData("/v2/cohorts", """{"cohorts":"1"}""", "The body must name the cohorts to delete: {\"cohorts\": [<cohort ID>, ...]}.")]
    [InlineData("/v1/cohorts", "{}", "The body must name the cohorts to delete: {\"cohorts\": [<cohort ID>, ...]}.")]
    [InlineData("/v1/cohorts", "{", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("/v2/cohorts", "[1]", "The browser (or proxy) sent a request that this server could not understand.")]
    public async Task Bad_cohort_ids_get_a_clean_400(string path, string? json, string message)
    {
        var user = await NewUserAsync();

        var (status, body, _) = await server.DeleteAsync(path, server.Token(user), json);

        Assert.Equal((400, 400, message), (status, (int)body["code"]!, (string)body["message"]!));
    }

    [StoreFact]
    public async Task The_id_of_a_deleted_cohort_is_never_given_again()
    {
        var user = await NewUserAsync();
        var first = await server.CreateCohortAsync(user, "{}");
        await server.DeleteAsync($"/v2/cohorts/{first}", server.Token(user));

        var second = await server.CreateCohortAsync(user, "{}");

        Assert.True(second > first);
    }

    // ---- manifests and queries of saved cohorts ------------------------------------------------------------------

    [StoreFact]
    public async Task A_v1_cohort_manifest_is_the_preview_of_its_filters_with_the_cohort_echoed()
    {
        var user = await NewUserAsync();
        const string Filters = """{"collection_id":["TCGA-LUAD"],"Modality":["CT"]}""";
        var id = await server.CreateCohortAsync(user, Filters, "luad", version: "v1");
        const string Columns = "Collection_ID=True&Patient_ID=True&SeriesInstanceUID=True";

        var (status, body, text) = await server.GetAsync($"/v1/cohorts/manifest/{id}?{Columns}&sql=True", server.Token(user));
        var (_, preview, _) = await server.PostAsync($"/v1/cohorts/manifest/preview?{Columns}", null, $$"""{"name":"x","filters":{{Filters}}}""");

        Assert.True(status == 200, text);
        Assert.Equal(Rows(preview, "manifest", "json_manifest"), Rows(body, "manifest", "json_manifest"));
        Assert.Equal(2, (int)body["manifest"]!["totalFound"]!);
        var cohort = body["cohort"]!;
        Assert.Equal(["cohort_id", "name", "description", "sql", "filterSet"], Keys(cohort));
        Assert.Equal(id, (long)cohort["cohort_id"]!);
        Assert.Contains("SELECT", (string)cohort["sql"]!, StringComparison.Ordinal);
        Assert.Equal("""{"idc_data_version":"24.0","filters":{"collection_id":["TCGA-LUAD"],"Modality":["CT"]}}""", cohort["filterSet"]!.ToJsonString());
        Assert.Equal("", (string)body["next_page"]!);
    }

    [StoreFact]
    public async Task A_v1_cohort_query_answers_post_and_get_with_a_body_alike()
    {
        var user = await NewUserAsync();
        var id = await server.CreateCohortAsync(user, """{"collection_id":["tcga_luad"]}""", "q", version: "v1");
        const string Fields = """{"fields":["Modality","SliceThickness"]}""";

        var (postStatus, posted, text) = await server.PostAsync($"/v1/cohorts/query/{id}", server.Token(user), Fields);
        var (getStatus, got, _) = await server.SendAsync(HttpMethod.Get, $"/v1/cohorts/query/{id}", server.Token(user), Fields);

        Assert.True(postStatus == 200, text);
        Assert.Equal(200, getStatus);
        Assert.Equal(
            """[{"Modality":"CT","SliceThickness":"1.0"},{"Modality":"CT","SliceThickness":"2.5"},{"Modality":"MR","SliceThickness":"5.0"},{"Modality":"SEG","SliceThickness":null}]""",
            Rows(posted, "query_results", "json"));
        Assert.Equal(Rows(posted, "query_results", "json"), Rows(got, "query_results", "json"));
        Assert.Equal(["cohort_id", "name", "description", "sql", "filterSet"], Keys(posted["cohort_def"]));
        Assert.Equal("", (string)posted["cohort_def"]!["sql"]!);
    }

    [StoreFact]
    public async Task A_v2_cohort_manifest_is_the_preview_of_its_filters_and_names_the_caller()
    {
        var user = await NewUserAsync();
        const string Filters = """{"collection_id":["TCGA-LUAD"],"Modality":["CT"],"age_at_diagnosis_btw":[65,75]}""";
        var id = await server.CreateCohortAsync(user, Filters, "lung");
        const string Options = """ "fields":["SeriesInstanceUID","Modality"],"counts":true,"group_size":"true" """;

        var (status, body, text) = await server.PostAsync($"/v2/cohorts/manifest/{id}", server.Token(user), $$"""{{{Options}},"sql":true}""");
        var (_, preview, _) = await server.PostAsync("/v2/cohorts/manifest/preview", null, $$"""{"cohort_def":{"filters":{{Filters}}},{{Options}}}""");

        Assert.True(status == 200, text);
        Assert.Equal(Rows(preview, "manifest", "manifest_data"), Rows(body, "manifest", "manifest_data"));
        var cohort = body["cohort_def"]!;
        Assert.Equal(["cohort_id", "name", "description", "filterSet", "user_email", "sql"], Keys(cohort));
        Assert.Equal((id, "lung", user), ((long)cohort["cohort_id"]!, (string)cohort["name"]!, (string)cohort["user_email"]!));
        Assert.Equal("""{"idc_data_version":"24.0","filters":{"collection_id":["TCGA-LUAD"],"Modality":["CT"],"age_at_diagnosis_btw":[65,75]}}""", cohort["filterSet"]!.ToJsonString());
    }

    [StoreFact]
    public async Task A_cohort_saved_through_v1_means_the_same_through_v2()
    {
        var user = await NewUserAsync();
        // v1's bare continuous-numeric key is an equality (v2 has only suffixed forms).
        const string Filters = """{"age_at_diagnosis":[66],"Modality":["CT"]}""";
        var id = await server.CreateCohortAsync(user, Filters, "v1 cohort", version: "v1");

        var (status, body, text) = await server.PostAsync($"/v2/cohorts/manifest/{id}", server.Token(user), """{"fields":["PatientID"]}""");
        var (_, preview, _) = await server.PostAsync("/v1/cohorts/manifest/preview?Patient_ID=True", null, $$"""{"name":"x","filters":{{Filters}}}""");
        var (_, listed, _) = await server.GetAsync("/v2/cohorts", server.Token(user));

        Assert.True(status == 200, text);
        Assert.Equal(
            preview["manifest"]!["json_manifest"]!.AsArray().Select(r => (string)r!["Patient_ID"]!),
            body["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["PatientID"]!));
        Assert.Equal("""{"age_at_diagnosis":["66"],"Modality":["CT"]}""", listed["cohorts"]![0]!["filterSet"]!["filters"]!.ToJsonString());
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    [StoreFact]
    public async Task V1_cohort_manifest_errors_have_the_original_texts()
    {
        var ada = await NewUserAsync();
        var bob = await NewUserAsync();
        var bobs = await server.CreateCohortAsync(bob, "{}");
        var gone = await server.CreateCohortAsync(ada, "{}");
        await server.DeleteAsync($"/v1/cohorts/{gone}", server.Token(ada));
        var token = server.Token(ada);

        (string Path, int Status, string Message)[] cases =
        [
            ("/v1/cohorts/manifest/999999999?SOPInstanceUID=True", 400, "A cohort with the ID 999999999 was not found."),
            ($"/v1/cohorts/manifest/{TwoToTheSixtyFour}?SOPInstanceUID=True", 400, $"A cohort with the ID {TwoToTheSixtyFour} was not found."),
            ($"/v1/cohorts/manifest/{bobs}?SOPInstanceUID=True", 403, $"{ada} isn't the owner of cohort ID {bobs}, or the cohort has been deleted."),
            ($"/v1/cohorts/manifest/{gone}?SOPInstanceUID=True", 403, $"{ada} isn't the owner of cohort ID {gone}, or the cohort has been deleted."),
            ($"/v1/cohorts/manifest/{bobs}?SOPInstanceUID=True&foo=1", 400, "Invalid key foo"),
            ($"/v1/cohorts/manifest/{bobs}?SOPInstanceUID=True&page_size=ten", 400, "Parameter page_size must have an integer value"),
            ($"/v1/cohorts/manifest/{bobs}", 400, "[ERROR] get_manifest(): Error trying to preview a cohort"),
            ("/v1/cohorts/manifest/x1?SOPInstanceUID=True", 400, "x1 is not a valid cohort ID."),
            ("/v1/cohorts/manifest/preview", 404, "Method does not exist."),
        ];
        foreach (var (path, expectedStatus, message) in cases)
        {
            var (status, body, _) = await server.GetAsync(path, token);
            Assert.Equal((path, expectedStatus, message), (path, status, (string)body["message"]!));
        }
    }

    [StoreTheory]
    [InlineData("POST", "", "{\"fields\":[\"Modality\"]}", 0, "A cohort with the ID 999999999 was not found.")]
    [InlineData("POST", "", "{\"queryFields\":{\"fields\":[\"Modality\"]}}", 400, "No queryFields provided; ensure that the request body contains a 'queryFields' component.")]
    [InlineData("GET", "", null, 400, "No queryFields provided; ensure that the request body contains a 'queryFields' component.")]
    [InlineData("POST", "", "{\"fields\":[\"bogus\"]}", 400, "Filters were improperly formatted.")]
    [InlineData("POST", "", "{\"fields\":[]}", 400, "Filters were improperly formatted.")]
    [InlineData("POST", "", "{\"fields\":", 400, "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("POST", "?foo=1", "{\"fields\":[\"Modality\"]}", 400, "Invalid key foo")]
    [InlineData("POST", "?page_size=x", "{\"fields\":[\"Modality\"]}", 400, "Parameter page_size must have an integer value")]
    public async Task V1_cohort_query_errors_have_the_original_texts(string method, string query, string? json, int expected, string message)
    {
        var user = await NewUserAsync();

        var (status, body, _) = await server.SendAsync(new HttpMethod(method), $"/v1/cohorts/query/999999999{query}", server.Token(user), json);

        Assert.Equal((expected == 0 ? 400 : expected, message), (status, (string)body["message"]!));
    }

    [StoreTheory]
    [InlineData("""{"name":"x"}""", "No filters were provided; ensure that the request body contains a 'filters' property.")]
    [InlineData("""{"name":"x","filters":{"RACE":["WHITE"]}}""", "Cohort information was improperly formatted - cohort not created.")]
    [InlineData("""{"name":"x","filters":{"Modality":"CT"}}""", "Cohort information was improperly formatted - cohort not created.")]
    [InlineData("""{"name":"x","description":5,"filters":{}}""", "Cohort information was improperly formatted - cohort not created.")]
    [InlineData("""{"filters":{"Modality":["CT"]}}""", "A name was not provided for this cohort. The cohort was not made.")]
    [InlineData("""{"name":"","filters":{}}""", "A name was not provided for this cohort. The cohort was not made.")]
    [InlineData("""{"name":"x","filters":""", "The JSON provided in this request appears to be improperly formatted.")]
    [InlineData("""{"name":"<script>alert(1)</script>","filters":{}}""", "Your cohort's name contains invalid characters; please edit and resubmit.")]
    [InlineData("""{"name":"x","filters":{"Modality":["<iframe>"]}}""", "Your cohort's filters contain invalid characters; please edit and resubmit.")]
    public async Task V1_cohort_creation_errors_have_the_original_texts(string json, string message)
    {
        var user = await NewUserAsync();

        var (status, body, _) = await server.PostAsync("/v1/cohorts", server.Token(user), json);

        Assert.Equal((400, message), (status, (string)body["message"]!));
        Assert.Empty((await server.GetAsync("/v1/cohorts", server.Token(user))).Body["cohorts"]!.AsArray());
    }

    [StoreTheory]
    [InlineData("""{"Name":"x"}""", "'Name' is an invalid cohort_def key")]
    [InlineData("""{"name":"x","filters":{"bogus":["x"]}}""", "bogus is not a valid filter.")]
    [InlineData("""{"name":"x","filters":{"age_at_diagnosis_btw":[65.2,70]}}""", "65.2 is not of type 'integer'; Failed validating type in schema ['properties'],['age_at_diagnosis_btw'],['items'] on instance ['age_at_diagnosis_btw'],[0]")]
    [InlineData("""{"name":5}""", "5 is not a valid cohort name")]
    [InlineData("""{"name":"x","description":[]}""", "[] is not a valid cohort description")]
    [InlineData("""not json""", "The browser (or proxy) sent a request that this server could not understand.")]
    [InlineData("""{"name":"x","description":"<script>"}""", "Your cohort's description contains invalid characters; please edit and resubmit.")]
    public async Task V2_cohort_creation_errors_follow_the_cohort_def_rules(string json, string message)
    {
        var user = await NewUserAsync();

        var (status, body, _) = await server.PostAsync("/v2/cohorts", server.Token(user), json);

        Assert.Equal((400, message), (status, (string)body["message"]!));
    }

    [StoreFact]
    public async Task V2_cohort_manifest_validates_the_body_before_looking_up_the_cohort_then_answers_404_401_403()
    {
        var ada = await NewUserAsync();
        var bob = await NewUserAsync();
        var bobs = await server.CreateCohortAsync(bob, "{}");
        var gone = await server.CreateCohortAsync(ada, "{}");
        await server.DeleteAsync($"/v2/cohorts/{gone}", server.Token(ada));

        (string Token, string Path, string Body, int Status, string Message)[] cases =
        [
            (server.Token(People.Carol), "/v2/cohorts/manifest/1", """{"Fields":[]}""", 400, "Fields is an invalid body key"),
            (server.Token(ada), "/v2/cohorts/manifest/999999999", """{"counts":true}""", 400, "fields is required in the body"),
            (server.Token(ada), "/v2/cohorts/manifest/999999999", """{"fields":["PatientAge"]}""", 400, "PatientAge is not a valid field."),
            (server.Token(ada), "/v2/cohorts/manifest/999999999", """{"fields":[]}""", 400, "If 'fields' is empty, then one or both of 'counts' and 'group_size' must be True"),
            (server.Token(ada), "/v2/cohorts/manifest/999999999", "{", 400, "The browser (or proxy) sent a request that this server could not understand."),
            (server.Token(ada), "/v2/cohorts/manifest/999999999", """{"fields":["Modality"]}""", 404, "A cohort with the ID 999999999 was not found."),
            (server.Token(ada), $"/v2/cohorts/manifest/{TwoToTheSixtyFour}", """{"fields":["Modality"]}""", 404, $"A cohort with the ID {TwoToTheSixtyFour} was not found."),
            (server.Token(People.Carol), $"/v2/cohorts/manifest/{bobs}", """{"fields":["Modality"]}""", 401, $"{People.Carol} is not a known user"),
            (server.Token(ada), $"/v2/cohorts/manifest/{bobs}", """{"fields":["Modality"]}""", 403, $" isn't the owner of cohort ID {bobs}, or the cohort has been deleted."),
            (server.Token(ada), $"/v2/cohorts/manifest/{gone}", """{"fields":["Modality"]}""", 403, $" isn't the owner of cohort ID {gone}, or the cohort has been deleted."),
            (server.Token(ada), "/v2/cohorts/manifest/abc", """{"fields":["Modality"]}""", 400, "abc is not a valid cohort ID."),
            (server.Token(ada), "/v2/cohorts/manifest/nextPage", """{"fields":["Modality"]}""", 404, "Method does not exist."),
        ];
        foreach (var (token, path, json, expectedStatus, message) in cases)
        {
            var (status, body, _) = await server.PostAsync(path, token, json);
            Assert.Equal((path, json, expectedStatus, message), (path, json, status, (string)body["message"]!));
        }
    }

    [StoreTheory]
    [InlineData("GET", "/v1/cohorts", null)]
    [InlineData("POST", "/v1/cohorts", """{"name":"x","filters":{}}""")]
    [InlineData("DELETE", "/v1/cohorts", """{"cohorts":[1]}""")]
    [InlineData("DELETE", "/v1/cohorts/1", null)]
    [InlineData("GET", "/v1/cohorts/manifest/1?SOPInstanceUID=True", null)]
    [InlineData("POST", "/v1/cohorts/query/1", """{"fields":["Modality"]}""")]
    [InlineData("GET", "/v1/users/account_details", null)]
    public async Task An_unregistered_caller_gets_403_on_every_v1_route(string method, string path, string? json)
    {
        server.SkipUnlessAvailable();

        var (status, body, text) = await server.SendAsync(new HttpMethod(method), path, server.Token(People.Carol), json);

        Assert.Equal(403, status);
        Assert.Equal("""{"code":403,"message":"Unauthorized. User not registered with the IDC web app"}""", text);
        Assert.Equal(403, (int)body["code"]!);
    }

    [StoreTheory]
    [InlineData("GET", "/v2/cohorts", null)]
    [InlineData("POST", "/v2/cohorts", """{"name":"x"}""")]
    [InlineData("DELETE", "/v2/cohorts", """{"cohorts":[1]}""")]
    [InlineData("DELETE", "/v2/cohorts/1", null)]
    [InlineData("GET", "/v2/cohorts/manifest/nextPage?next_page=x", null)]
    [InlineData("GET", "/v2/users/account_details", null)]
    public async Task An_unregistered_caller_is_not_a_known_user_on_every_v2_route(string method, string path, string? json)
    {
        server.SkipUnlessAvailable();

        var (status, _, text) = await server.SendAsync(new HttpMethod(method), path, server.Token(People.Carol), json);

        Assert.Equal(401, status);
        Assert.Equal($$"""{"code":401,"message":"{{People.Carol}} is not a known user"}""", text);
    }

    [StoreTheory]
    [InlineData("GET", "/v1/cohorts")]
    [InlineData("POST", "/v1/cohorts")]
    [InlineData("DELETE", "/v1/cohorts")]
    [InlineData("DELETE", "/v1/cohorts/1")]
    [InlineData("GET", "/v1/cohorts/manifest/1")]
    [InlineData("GET", "/v1/cohorts/query/1")]
    [InlineData("POST", "/v1/cohorts/query/1")]
    [InlineData("GET", "/v1/users/account_details")]
    [InlineData("GET", "/v2/cohorts")]
    [InlineData("POST", "/v2/cohorts")]
    [InlineData("DELETE", "/v2/cohorts")]
    [InlineData("DELETE", "/v2/cohorts/1")]
    [InlineData("POST", "/v2/cohorts/manifest/1")]
    [InlineData("GET", "/v2/cohorts/manifest/nextPage")]
    [InlineData("GET", "/v2/users/account_details/")]
    public async Task Every_protected_route_answers_401_without_credentials(string method, string path)
    {
        server.SkipUnlessAvailable();

        var (status, _, text) = await server.SendAsync(new HttpMethod(method), path);

        Assert.Equal(401, status);
        Assert.Equal("""{"code":401,"message":"Authentication required: send the header 'Authorization: Bearer <ID token or API key>'."}""", text);
    }

    // ---- paging tokens are bound to their caller -------------------------------------------------------------------

    [StoreFact]
    public async Task A_v2_cohort_manifest_pages_only_for_its_owner_and_only_on_the_authenticated_route()
    {
        var ada = await NewUserAsync();
        var bob = await NewUserAsync();
        var id = await server.CreateCohortAsync(ada, "{}");
        var (_, first, _) = await server.PostAsync($"/v2/cohorts/manifest/{id}", server.Token(ada), """{"fields":["SeriesInstanceUID"],"page_size":4}""");
        var token = (string)first["next_page"]!;
        var (_, preview, _) = await server.PostAsync("/v2/cohorts/manifest/preview", server.Token(ada), """{"cohort_def":{},"fields":["SeriesInstanceUID"],"page_size":4}""");
        var previewToken = (string)preview["next_page"]!;

        var (bobStatus, bobBody, _) = await server.GetAsync($"/v2/cohorts/manifest/nextPage?next_page={token}", server.Token(bob));
        var (anonymous, _, _) = await server.GetAsync($"/v2/cohorts/manifest/nextPage?next_page={token}");
        var (onPreview, onPreviewBody, _) = await server.GetAsync($"/v2/cohorts/manifest/preview/nextPage?next_page={token}");
        var (previewOnAuth, previewOnAuthBody, _) = await server.GetAsync($"/v2/cohorts/manifest/nextPage?next_page={previewToken}", server.Token(ada));

        Assert.Equal((400, "Invalid next_page token " + token), (bobStatus, (string)bobBody["message"]!));
        Assert.Equal(401, anonymous);
        Assert.Equal((400, "Invalid next_page token " + token), (onPreview, (string)onPreviewBody["message"]!));
        Assert.Equal((400, "Invalid next_page token " + previewToken), (previewOnAuth, (string)previewOnAuthBody["message"]!));

        var series = first["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["SeriesInstanceUID"]!).ToList();
        while (token != "")
        {
            var (status, next, text) = await server.GetAsync($"/v2/cohorts/manifest/nextPage?Next_Page={token}&PAGE_SIZE=4", server.Token(ada));
            Assert.True(status == 200, text);
            Assert.Equal(["code", "manifest", "next_page"], Keys(next));
            series.AddRange(next["manifest"]!["manifest_data"]!.AsArray().Select(r => (string)r!["SeriesInstanceUID"]!));
            token = (string)next["next_page"]!;
        }

        Assert.Equal(["2.11", "2.12", "2.21", "2.31", "2.41", "2.51", "2.61", "2.62", "2.71"], series);
    }

    [StoreTheory]
    [InlineData("?next_page=x&foo=1", "Invalid query parameter foo")]
    [InlineData("?next_page=x&Page_Size=ten", "Invalid page_size")]
    [InlineData("?next_page=abc", "Invalid next_page token abc")]
    [InlineData("", "Invalid next_page token None")]
    public async Task The_authenticated_v2_next_page_has_the_preview_next_pages_texts(string query, string message)
    {
        server.SkipUnlessAvailable();

        var (status, body, _) = await server.GetAsync("/v2/cohorts/manifest/nextPage" + query, server.Token(People.Ada));

        Assert.Equal((400, message), (status, (string)body["message"]!));
    }

    [StoreTheory]
    [InlineData("manifest", "?SOPInstanceUID=True&page_size=5", null, "json_manifest")]
    [InlineData("query", "?page_size=5", """{"fields":["SOPInstanceUID"]}""", "json")]
    public async Task A_v1_cohort_listing_pages_only_for_its_owner(string kind, string query, string? json, string rowsKey)
    {
        var ada = await NewUserAsync();
        var bob = await NewUserAsync();
        var id = await server.CreateCohortAsync(ada, "{}", version: "v1");
        var (status, first, text) = await server.SendAsync(kind == "manifest" ? HttpMethod.Get : HttpMethod.Post, $"/v1/cohorts/{kind}/{id}{query}", server.Token(ada), json);
        Assert.True(status == 200, text);
        var token = (string)first["next_page"]!;
        var block = kind == "manifest" ? "manifest" : "query_results";

        var (anonymous, anonymousBody, _) = await server.GetAsync($"/v1/cohorts/{kind}/nextPage?next_page={token}");
        var (other, otherBody, _) = await server.GetAsync($"/v1/cohorts/{kind}/nextPage?next_page={token}", server.Token(bob));
        var (owner, ownerBody, _) = await server.GetAsync($"/v1/cohorts/{kind}/nextPage?next_page={token}&page_size=5", server.DevToken(ada));

        Assert.Equal((400, "Invalid next_page token " + token), (anonymous, (string)anonymousBody["message"]!));
        Assert.Equal((400, "Invalid next_page token " + token), (other, (string)otherBody["message"]!));
        Assert.Equal(200, owner);
        Assert.Equal(["3.06", "3.07", "3.08", "3.09", "3.10"], ownerBody[block]![rowsKey]!.AsArray().Select(r => (string)r!["SOPInstanceUID"]!));
    }

    [StoreFact]
    public async Task A_signed_in_caller_can_page_an_anonymous_preview()
    {
        server.SkipUnlessAvailable();
        var (_, preview, _) = await server.PostAsync("/v1/cohorts/manifest/preview?SOPInstanceUID=True&page_size=10", null, """{"name":"all","filters":{}}""");

        var (status, next, _) = await server.GetAsync($"/v1/cohorts/manifest/nextPage?next_page={preview["next_page"]}", server.Token(People.Ada));

        Assert.Equal(200, status);
        Assert.Equal("""[{"SOPInstanceUID":"3.11"}]""", Rows(next, "manifest", "json_manifest"));
    }

    // ---- account details --------------------------------------------------------------------------------------------

    [StoreTheory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Account_details_describe_the_registered_caller_with_rfc_1123_dates(string version)
    {
        var user = await NewUserAsync("Grace", "Hopper");
        var registered = await server.Services.GetRequiredService<IAccountStore>().FindUserAsync(user, Cancel);

        var (status, body, text) = await server.GetAsync($"/{version}/users/account_details", server.Token(user));

        Assert.True(status == 200, text);
        var details = body["user_details"]!;
        Assert.Equal(["date_joined", "email", "first_name", "id", "last_login", "last_name"], Keys(details));
        Assert.Equal((user, "Grace", "Hopper", registered!.Id), ((string)details["email"]!, (string)details["first_name"]!, (string)details["last_name"]!, (long)details["id"]!));
        var rfc1123 = new Regex(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$");
        Assert.Matches(rfc1123, (string)details["date_joined"]!);
        Assert.Matches(rfc1123, (string)details["last_login"]!);
    }

    // ---- many clients at once -----------------------------------------------------------------------------------------

    [StoreFact]
    public async Task Many_clients_creating_and_deleting_at_once_lose_nothing_and_never_share_an_id()
    {
        var users = new[] { await NewUserAsync(), await NewUserAsync() };
        var tokens = users.ToDictionary(u => u, server.Token);
        var clients = Enumerable.Range(0, 8).Select(_ => new HttpClient { BaseAddress = server.Client.BaseAddress }).ToList();
        try
        {
            var work = clients.Select((client, c) => Task.Run(async () =>
            {
                var user = users[c % users.Length];
                var made = new List<(long Id, string Name, bool Deleted)>();
                for (var i = 0; i < 8; i++)
                {
                    var name = $"client{c}-cohort{i}";
                    using var create = new HttpRequestMessage(HttpMethod.Post, c % 2 == 0 ? "/v2/cohorts" : "/v1/cohorts")
                    {
                        Content = new StringContent($$$"""{"name":"{{{name}}}","filters":{"Modality":["CT"]}}""", System.Text.Encoding.UTF8, "application/json"),
                    };
                    create.Headers.Authorization = new("Bearer", tokens[user]);
                    using var created = await client.SendAsync(create, Cancel);
                    Assert.Equal(200, (int)created.StatusCode);
                    var id = (long)JsonNode.Parse(await created.Content.ReadAsStringAsync(Cancel))!["cohort_properties"]!["cohort_id"]!;
                    var delete = i % 3 == 0;
                    if (delete)
                    {
                        using var remove = new HttpRequestMessage(HttpMethod.Delete, $"/v2/cohorts/{id}");
                        remove.Headers.Authorization = new("Bearer", tokens[user]);
                        using var removed = await client.SendAsync(remove, Cancel);
                        Assert.Contains("has been deleted.", await removed.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
                    }

                    made.Add((id, name, delete));
                }

                return (User: user, Made: made);
            }, Cancel)).ToList();
            var results = await Task.WhenAll(work);

            var all = results.SelectMany(r => r.Made).ToList();
            Assert.Equal(64, all.Select(m => m.Id).Distinct().Count());
            foreach (var user in users)
            {
                var expected = results.Where(r => r.User == user).SelectMany(r => r.Made).Where(m => !m.Deleted).Select(m => (m.Id, m.Name)).Order();
                var (_, listed, _) = await server.GetAsync("/v2/cohorts", tokens[user]);
                Assert.Equal(expected, listed["cohorts"]!.AsArray().Select(c => ((long)c!["cohort_id"]!, (string)c["name"]!)).Order());
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    // ---- hostile input ----------------------------------------------------------------------------------------------

    [StoreFact]
    public async Task Hostile_input_never_gets_a_500()
    {
        var user = await NewUserAsync();
        var id = await server.CreateCohortAsync(user, "{}");
        var deep = new string('[', 5000) + new string(']', 5000);
        var token = server.Token(user);
        (string Method, string Path, string? Body)[] requests =
        [
            ("POST", "/v2/cohorts", deep),
            ("POST", "/v1/cohorts", deep),
            ("DELETE", "/v2/cohorts", $$"""{"cohorts":[{{new string('9', 20000)}}]}"""),
            ("DELETE", "/v1/cohorts", $$"""{"cohorts":[{{string.Join(',', Enumerable.Repeat("1", 1001))}}]}"""),
            ("DELETE", "/v1/cohorts/" + new string('7', 3000), null),
            ("POST", "/v2/cohorts", """{"name":"\u0000\ud800","filters":{"Modality":["\u0000"]}}"""),
            ("POST", "/v2/cohorts", """{"filters":{"age_at_diagnosis_btw":[1e400,2]}}"""),
            ("POST", "/v2/cohorts", """{"filters":null}"""),
            ("POST", "/v2/cohorts", """{"filters":[]}"""),
            ("POST", "/v1/cohorts", """{"name":"x","filters":null}"""),
            ("POST", "/v1/cohorts", """{"name":["x"],"filters":{}}"""),
            ("POST", $"/v2/cohorts/manifest/{id}", """{"fields":"Modality"}"""),
            ("POST", $"/v2/cohorts/manifest/{id}", """{"fields":[null],"page_size":1e400}"""),
            ("POST", $"/v2/cohorts/manifest/{id}", """{"fields":["Modality"],"page_size":-5}"""),
            ("POST", $"/v2/cohorts/manifest/{id}", """{"fields":["Modality"],"page_size":99999999999999999999}"""),
            ("GET", $"/v1/cohorts/manifest/{id}?SOPInstanceUID=True&page_size=-1", null),
            ("GET", $"/v1/cohorts/manifest/{id}?SOPInstanceUID=True&page_size=99999999999999999999999", null),
            ("POST", $"/v1/cohorts/query/{id}", """{"fields":"Modality"}"""),
            ("GET", "/v2/cohorts/manifest/nextPage?next_page=" + new string('A', 70000), null),
            ("GET", "/v1/cohorts/manifest/nextPage?next_page=%00%ff", null),
            ("PUT", "/v2/cohorts", "{}"),
        ];
        foreach (var (method, path, json) in requests)
        {
            var (status, _, text) = await server.SendAsync(new HttpMethod(method), path, token, json);
            Assert.True(status is >= 200 and < 500, $"{method} {path[..Math.Min(path.Length, 80)]}: {status} {text[..Math.Min(text.Length, 300)]}");
        }
    }
}

public sealed class SqliteCohortApiTests(SqliteAccountsServer server) : CohortApiTests<SqliteAccountsServer>(server), IClassFixture<SqliteAccountsServer>;

public sealed class PostgresCohortApiTests(PostgresAccountsServer server) : CohortApiTests<PostgresAccountsServer>(server), IClassFixture<PostgresAccountsServer>;
