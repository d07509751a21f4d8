using ImagingCommons.Contracts;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Diagnostics;

namespace ImagingCommons.Server.Errors;

/// <summary>
/// The one place an exception becomes a response: a malformed request that the framework rejects keeps its 4xx
/// status, the account store being unreachable is a 503, anything else is the spec's generic 500 with a fixed text
/// and a correlation id that the log carries with the exception (the exception's own text can hold file paths).
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ApiError error;
        if (exception is BadHttpRequestException bad)
        {
            if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // Let a client that is still sending finish, so that it reads the answer.
                await Hosting.RequestLimits.DrainAsync(httpContext.Request.Body, cancellationToken);
            }

            error = new ApiError(bad.StatusCode, bad.Message);
        }
        else if (exception is Paging.TooManyQueriesException tooMany)
        {
            // An expected answer, not a fault: the caller's own queries are still running.
            httpContext.Response.Headers.RetryAfter = tooMany.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            error = new ApiError(StatusCodes.Status429TooManyRequests, tooMany.Message);
        }
        else if (exception is System.Data.Common.DbException and not DuckDB.NET.Data.DuckDBException)
        {
            // (DuckDB runs the queries, in process: its failures, such as a full disk, are the server's own, a 500.)
            // The account store is down or unreachable: say so, without the provider's text (hosts, users).
            LogStoreFailure(logger, exception, httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
            error = new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorTexts.AccountStoreUnavailable);
        }
        else
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
            error = new ApiError(StatusCodes.Status500InternalServerError, ErrorTexts.Internal(httpContext.TraceIdentifier));
        }

        await new WireError(error).ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The account store failed on {Method} {Path} (correlation id {CorrelationId})")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception, string method, PathString path, string correlationId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path} (correlation id {CorrelationId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path, string correlationId);
}
