using ImagingCommons.Contracts;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// Answers a refused request itself instead of challenging a scheme: on the IDC routes with the spec's
/// <c>{"code","message"}</c> body (401 saying why the credentials failed; an unregistered caller: v1 403, v2 401
/// "&lt;email&gt; is not a known user"), elsewhere (/admin, /api) with problem details; with a
/// <c>WWW-Authenticate: Bearer</c> header on every 401 (RFC 6750).
/// </summary>
internal sealed class ApiAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        int status;
        string message;
        var path = context.Request.Path;
        if (authorizeResult.Challenged)
        {
            // The authentication middleware keeps only successes; the handlers cache their result, so asking again is cheap.
            var failure = (await context.AuthenticateAsync()).Failure;
            status = StatusCodes.Status401Unauthorized;
            message = AuthenticationFailures.Describe(failure);
            context.Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        }
        else if (authorizeResult.AuthorizationFailure?.FailureReasons.Contains(RegisteredUserHandler.NotRegistered) == true)
        {
            var v2 = path.StartsWithSegments("/v2", StringComparison.Ordinal);
            status = v2 ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            message = v2 ? ErrorTexts.V2NotKnown(Callers.Email(context)) : ErrorTexts.V1NotRegistered;
        }
        else
        {
            status = StatusCodes.Status403Forbidden;
            message = ErrorTexts.AdministratorsOnly;
        }

        if (IsIdcRoute(path))
        {
            await Wire.Error(status, message).ExecuteAsync(context);
            return;
        }

        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = status == 401 ? "Unauthorized" : "Forbidden", Detail = message },
        });
    }

    private static bool IsIdcRoute(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.Ordinal) || path.StartsWithSegments("/v2", StringComparison.Ordinal);
}
