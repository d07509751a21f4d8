using ImagingCommons.Data.Accounts;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// Who is calling: the authenticated email, and the registered user behind it.
/// </summary>
internal sealed class Callers(IAccountStore accounts, TimeProvider time)
{
    /// <summary>last_login is written at most this often per user, so that reads do not turn into writes.</summary>
    private static readonly TimeSpan LoginGranularity = TimeSpan.FromMinutes(15);

    /// <summary>The caller's verified, normalised email; null when anonymous.</summary>
    public static string? Email(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(BearerSchemes.EmailClaim)?.Value : null;

    /// <summary>The registered user behind the authenticated caller, or null; records the sign-in as last_login.</summary>
    public async Task<UserAccount?> RegisteredAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (Email(context) is not { } email)
        {
            return null;
        }

        var user = await accounts.FindUserAsync(email, cancellationToken);
        var now = time.GetUtcNow();
        if (user is not null && (user.LastLogin is null || now - user.LastLogin.Value >= LoginGranularity))
        {
            await accounts.RecordLoginAsync(user.Id, now, cancellationToken);
            user = user with { LastLogin = now };
        }

        return user;
    }
}
