using ImagingCommons.Server.Apis;
using Microsoft.AspNetCore.Diagnostics;

namespace ImagingCommons.Server.Errors;

/// <summary>
/// The one place an exception becomes a response: a malformed request that the framework rejects keeps its 4xx
/// status, the account store being unreachable is a 503, anything else is the spec's generic <c>{"code":500,"message":"Exception: &lt;text&gt;"}</c>.
/// </summary>
internal sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ApiError error;
        if (exception is BadHttpRequestException bad)
        {
            error = new ApiError(bad.StatusCode, bad.Message);
        }
        else if (exception is Paging.TooManyQueriesException tooMany)
        {
            // An expected answer, not a fault: the caller's own queries are still running.
            httpContext.Response.Headers.RetryAfter = tooMany.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            error = new ApiError(StatusCodes.Status429TooManyRequests, tooMany.Message);
        }
        else if (exception is System.Data.Common.DbException)
        {
            // The account store is down or unreachable: say so, without the provider's text (hosts, users).
            logger.LogError(exception, "The account store failed on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            error = new ApiError(StatusCodes.Status503ServiceUnavailable, "The account store is unavailable; try again later.");
        }
        else
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            error = new ApiError(StatusCodes.Status500InternalServerError, "Exception: " + exception.Message);
        }

        httpContext.Response.StatusCode = error.Code;
        await httpContext.Response.WriteAsJsonAsync(error, WireJsonContext.Default.ApiError, cancellationToken: cancellationToken);
        return true;
    }
}
