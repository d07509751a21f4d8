using ImagingCommons.Server.Apis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ImagingCommons.Server.Auth;

/// <summary>
/// Answers a refused request itself instead of challenging a scheme: on the IDC routes with the spec's
/// <c>{"code":401,"message":…}</c> body saying why (missing, expired, wrong audience…), elsewhere (/admin) with
/// problem details; with a <c>WWW-Authenticate: Bearer</c> header either way (RFC 6750).
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
        if (authorizeResult.Challenged)
        {
            // The authentication middleware keeps only successes; the handlers cache their result, so asking again is cheap.
            var failure = (await context.AuthenticateAsync()).Failure;
            status = StatusCodes.Status401Unauthorized;
            message = AuthenticationFailures.Describe(failure);
            context.Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        }
        else
        {
            status = StatusCodes.Status403Forbidden;
            message = "This route is for administrators (ImagingCommons:Auth:AdminEmails).";
        }

        if (IsIdcRoute(context.Request.Path))
        {
            await JsonBody.Error(status, message).ExecuteAsync(context);
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
