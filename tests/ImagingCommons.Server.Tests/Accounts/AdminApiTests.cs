using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Accounts;

/// <summary>POST /admin/users: how administrators (ImagingCommons:Auth:AdminEmails) register users over HTTP.</summary>
public sealed class AdminApiTests(SqliteAccountsServer server) : IClassFixture<SqliteAccountsServer>
{
    [Fact]
    public async Task An_administrator_registers_a_user_who_can_then_save_cohorts()
    {
        var email = $"new{Guid.NewGuid():N}@example.org";
        var json = $$"""{"email":"{{email}}","first_name":"Katherine","last_name":"Johnson"}""";

        var (created, body, text) = await server.PostAsync("/admin/users", server.Token(People.Root), json);
        var (again, same, _) = await server.PostAsync("/admin/users", server.Token(People.Root), json);
        var (listed, _, users) = await server.SendAsync(HttpMethod.Get, "/admin/users", server.Token(People.Root));
        var (cohorts, _, _) = await server.GetAsync("/v2/cohorts", server.Token(email));

        Assert.True(created == 201, text);
        Assert.Equal((email, "Katherine", "Johnson"), ((string)body["email"]!, (string)body["first_name"]!, (string)body["last_name"]!));
        Assert.Equal((200, (long)body["id"]!), (again, (long)same["id"]!));
        Assert.Equal(200, listed);
        Assert.Contains($"\"email\":\"{email}\"", users, StringComparison.Ordinal);
        Assert.Equal(200, cohorts);
    }

    [Fact]
    public async Task Only_administrators_may_register_users_and_others_get_problem_details()
    {
        const string Json = """{"email":"x@example.org","first_name":"X","last_name":"Y"}""";

        var (forbidden, forbiddenBody, _) = await server.PostAsync("/admin/users", server.Token(People.Ada), Json);
        var (anonymous, anonymousBody, _) = await server.PostAsync("/admin/users", null, Json);

        Assert.Equal((403, 403), (forbidden, (int)forbiddenBody["status"]!));
        Assert.Equal((401, 401), (anonymous, (int)anonymousBody["status"]!));
        Assert.Equal(401, (await server.GetAsync("/v2/cohorts", server.Token("x@example.org"))).Status);
    }

    [Fact]
    public async Task A_registration_without_an_email_or_names_is_a_validation_problem()
    {
        var (status, body, text) = await server.PostAsync("/admin/users", server.Token(People.Root), """{"email":"nope","first_name":" "}""");

        Assert.True(status == 400, text);
        Assert.Equal(["email", "first_name", "last_name"], body["errors"]!.AsObject().Select(e => e.Key).Order());
    }
}
