using System.Globalization;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.OpenApi;

namespace ImagingCommons.Server.Apis;

/// <summary>GET /v1/users/account_details and /v2/users/account_details (spec §6.9, §7.10).</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/users/account_details", V1AccountDetails).WithName("v1AccountDetails").WithTags("v1 users")
            .WithSummary("The caller's account").RequireAuthorization().Authenticated<AccountDetailsShape>();
        routes.MapGet("/v2/users/account_details", V2AccountDetails).WithName("v2AccountDetails").WithTags("v2 users")
            .WithSummary("The caller's account").RequireAuthorization().Authenticated<AccountDetailsShape>();
        return routes;
    }

    public static async Task<IResult> V1AccountDetails(HttpContext context, Callers callers, CancellationToken cancellationToken) =>
        await callers.RegisteredAsync(context, cancellationToken) is { } user ? Details(user) : Callers.V1NotRegistered();

    public static async Task<IResult> V2AccountDetails(HttpContext context, Callers callers, CancellationToken cancellationToken) =>
        await callers.RegisteredAsync(context, cancellationToken) is { } user ? Details(user) : Callers.V2NotKnown(context);

    /// <summary>
    /// A locally registered account: first and last name as registered, no Google profile (extra_data); dates as
    /// RFC 1123 strings, the way Flask rendered datetimes.
    /// </summary>
    private static JsonBody Details(UserAccount user) => JsonBody.Ok(new JsonObject
    {
        ["code"] = 200,
        ["user_details"] = new JsonObject
        {
            ["date_joined"] = Rfc1123(user.DateJoined),
            ["email"] = user.Email,
            ["first_name"] = user.FirstName,
            ["id"] = user.Id,
            ["last_login"] = user.LastLogin is { } login ? Rfc1123(login) : null,
            ["last_name"] = user.LastName,
        },
    });

    private static string Rfc1123(DateTimeOffset time) => time.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
}
