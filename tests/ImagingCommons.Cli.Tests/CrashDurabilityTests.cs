using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Auth;
using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>Acknowledged writes survive the server process being killed (SIGKILL) right after it answered.</summary>
public sealed class CrashDurabilityTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Cohorts_created_and_deleted_before_a_kill_9_are_all_there_after_a_restart(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        using var release = new HandMadeRelease(test.Root);
        release.Write("24.0", SampleRelease.Pivot, SampleRelease.Clinical, SampleRelease.Biospecimen);
        var (user, _) = await test.Store.AddUserAsync(People.Ada, "Ada", "Lovelace", Cancel);
        var key = (await test.Store.CreateApiKeyAsync(user.Id, Cancel)).Key;

        List<(long Id, string Name, bool Deleted)> acknowledged;
        await using (var first = await ServerProcess.StartAsync(test.Root, test.PostgresConnectionString))
        {
            var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                var made = new List<(long, string, bool)>();
                for (var i = 0; i < 6; i++)
                {
                    var name = $"c{c}-{i}";
                    var created = await SendAsync(first.Client, HttpMethod.Post, c % 2 == 0 ? "/v1/cohorts" : "/v2/cohorts", key, $$$"""{"name":"{{{name}}}","filters":{"Modality":["CT"]}}""");
                    var id = (long)created["cohort_properties"]!["cohort_id"]!;
                    var delete = i % 2 == 1;
                    if (delete)
                    {
                        var deleted = await SendAsync(first.Client, HttpMethod.Delete, "/v2/cohorts", key, $$"""{"cohorts":[{{id}}]}""");
                        Assert.Contains("has been deleted.", deleted.ToJsonString(), StringComparison.Ordinal);
                    }

                    made.Add((id, name, delete));
                }

                return made;
            }, Cancel)));

            first.Kill();
            acknowledged = [.. clients.SelectMany(c => c)];
        }

        // The restarted server runs with --dev-auth: the same user, signed in with a development token this time.
        await using var second = await ServerProcess.StartAsync(test.Root, test.PostgresConnectionString, "--dev-auth");
        var devToken = DevIssuer.ForDataDirectory(new DataDirectory(test.Root)).CreateToken(People.Ada, TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
        var listed = await SendAsync(second.Client, HttpMethod.Get, "/v2/cohorts", devToken);
        Assert.Equal(
            acknowledged.Where(a => !a.Deleted).Select(a => (a.Id, a.Name)).Order(),
            listed["cohorts"]!.AsArray().Select(c => ((long)c!["cohort_id"]!, (string)c["name"]!)).Order());
        var gone = acknowledged.First(a => a.Deleted).Id;
        Assert.Contains("it may already be deleted", (await SendAsync(second.Client, HttpMethod.Delete, $"/v1/cohorts/{gone}", key)).ToJsonString(), StringComparison.Ordinal);
        var next = (long)(await SendAsync(second.Client, HttpMethod.Post, "/v2/cohorts", key, """{"name":"after"}"""))["cohort_properties"]!["cohort_id"]!;
        Assert.True(next > acknowledged.Max(a => a.Id));
    }

    private static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, string key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
