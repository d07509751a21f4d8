using System.Globalization;
using ImagingCommons.Contracts;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.Responses;

namespace ImagingCommons.Server.Apis;

/// <summary>GET /v1/users/account_details and /v2/users/account_details (spec §6.9, §7.10), for registered users.</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/users/account_details", AccountDetails).WithName("v1AccountDetails").WithTags("v1 users")
            .WithSummary("The caller's account").RequireAuthorization(RegisteredUsers.Policy).ProducesApiErrors(401, 403);
        routes.MapGet("/v2/users/account_details", AccountDetails).WithName("v2AccountDetails").WithTags("v2 users")
            .WithSummary("The caller's account").RequireAuthorization(RegisteredUsers.Policy).ProducesApiErrors(401);
        return routes;
    }

    /// <summary>
    /// A locally registered account: first and last name as registered, no Google profile (extra_data); dates as
    /// RFC 1123 strings, the way Flask rendered datetimes.
    /// </summary>
    public static WireOk<AccountDetailsResponse> AccountDetails(CurrentUser user) => Wire.Ok(new AccountDetailsResponse(
        StatusCodes.Status200OK,
        new UserDetails(
            Rfc1123(user.Account.DateJoined),
            user.Account.Email,
            user.Account.FirstName,
            user.Account.Id,
            user.Account.LastLogin is { } login ? Rfc1123(login) : null,
            user.Account.LastName)));

    private static string Rfc1123(DateTimeOffset time) => time.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
}
