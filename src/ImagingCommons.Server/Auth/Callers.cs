using ImagingCommons.Data.Accounts;
using ImagingCommons.Server.Apis;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// Who is calling: the authenticated email, and the registered user behind it. An authenticated caller who is not
/// registered gets the spec's answers (v1: 403, v2: 401 "&lt;email&gt; is not a known user").
/// </summary>
internal sealed class Callers(IAccountStore accounts, TimeProvider time)
{
    /// <summary>last_login is written at most this often per user, so that reads do not turn into writes.</summary>
    private static readonly TimeSpan LoginGranularity = TimeSpan.FromMinutes(15);

    public const string V1NotRegisteredMessage = "Unauthorized. User not registered with the IDC web app";

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

    public static JsonBody V1NotRegistered() => JsonBody.Error(StatusCodes.Status403Forbidden, V1NotRegisteredMessage);

    public static JsonBody V2NotKnown(HttpContext context) =>
        JsonBody.Error(StatusCodes.Status401Unauthorized, $"{Email(context)} is not a known user");
}
