using System.Text.Json.Serialization;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// Our own administration routes (not part of the IDC contract, so errors are problem details): registering users.
/// Only callers whose email is in <c>ImagingCommons:Auth:AdminEmails</c> may use them.
/// </summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin").WithTags("Administration").RequireAuthorization(AuthExtensions.AdminPolicy);
        admin.MapGet("/users", ListUsers).WithName("ListUsers").WithSummary("Registered users");
        admin.MapPost("/users", AddUser).WithName("AddUser").WithSummary("Register a user (idempotent: an existing email answers 200 with that user)");
        return routes;
    }

    public static async Task<Ok<AdminUser[]>> ListUsers(IAccountStore accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok((await accounts.ListUsersAsync(cancellationToken)).Select(AdminUser.From).ToArray());

    public static async Task<Results<Created<AdminUser>, Ok<AdminUser>, ValidationProblem>> AddUser(
        NewUserRequest request, IAccountStore accounts, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Emails.IsPlausible(request.Email))
        {
            errors["email"] = ["An email address is required."];
        }

        if (string.IsNullOrWhiteSpace(request.FirstName))
        {
            errors["first_name"] = ["A first name is required."];
        }

        if (string.IsNullOrWhiteSpace(request.LastName))
        {
            errors["last_name"] = ["A last name is required."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (user, created) = await accounts.AddUserAsync(request.Email!, request.FirstName!, request.LastName!, cancellationToken);
        return created ? TypedResults.Created($"/admin/users/{user.Id}", AdminUser.From(user)) : TypedResults.Ok(AdminUser.From(user));
    }
}

internal sealed record NewUserRequest(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("first_name")] string? FirstName,
    [property: JsonPropertyName("last_name")] string? LastName);

internal sealed record AdminUser(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("first_name")] string FirstName,
    [property: JsonPropertyName("last_name")] string LastName,
    [property: JsonPropertyName("date_joined")] DateTimeOffset DateJoined,
    [property: JsonPropertyName("last_login")] DateTimeOffset? LastLogin)
{
    public static AdminUser From(UserAccount user) => new(user.Id, user.Email, user.FirstName, user.LastName, user.DateJoined, user.LastLogin);
}
