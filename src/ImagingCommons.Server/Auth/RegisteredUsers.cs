using ImagingCommons.Data.Accounts;
using Microsoft.AspNetCore.Authorization;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// The caller of a route under the <see cref="RegisteredUsers.Policy"/>: the registered account behind the verified
/// email, bound once by the policy and handed to handlers as a parameter.
/// </summary>
internal sealed record CurrentUser(UserAccount Account)
{
    public string Email => Account.Email;

    /// <summary>Minimal APIs bind it from the request; a route without the policy has none, which is a programming error.</summary>
    public static ValueTask<CurrentUser?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<CurrentUser?>(context.Features.Get<CurrentUser>()
            ?? throw new InvalidOperationException($"{context.Request.Path} uses CurrentUser without the '{RegisteredUsers.Policy}' authorization policy."));
}

/// <summary>The authorization policy of the saved-cohort and account routes: an authenticated caller who is a registered user.</summary>
internal static class RegisteredUsers
{
    public const string Policy = "registered";

    public static AuthorizationBuilder AddRegisteredUserPolicy(this AuthorizationBuilder builder)
    {
        builder.Services.AddSingleton<IAuthorizationHandler, RegisteredUserHandler>();
        return builder.AddPolicy(Policy, policy => policy.RequireAuthenticatedUser().AddRequirements(new RegisteredUserRequirement()));
    }
}

/// <summary>The requirement that the caller's email belongs to a registered user.</summary>
internal sealed class RegisteredUserRequirement : IAuthorizationRequirement;

/// <summary>
/// Looks the caller up once per request (recording the sign-in as last_login) and binds them as
/// <see cref="CurrentUser"/>; fails with <see cref="NotRegistered"/> so that the result handler can answer with the
/// version's own words (v1: 403, v2: 401).
/// </summary>
internal sealed class RegisteredUserHandler(Callers callers) : AuthorizationHandler<RegisteredUserRequirement>
{
    public static readonly AuthorizationFailureReason NotRegistered = new(new RegisteredUserHandlerMarker(), "The caller is not a registered user.");

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, RegisteredUserRequirement requirement)
    {
        if (context.Resource is not HttpContext http)
        {
            return;
        }

        var user = await callers.RegisteredAsync(http, http.RequestAborted);
        if (user is null)
        {
            context.Fail(NotRegistered);
            return;
        }

        http.Features.Set(new CurrentUser(user));
        context.Succeed(requirement);
    }

    private sealed class RegisteredUserHandlerMarker : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context) => Task.CompletedTask;
    }
}
