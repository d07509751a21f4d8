using ImagingCommons.Contracts;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace ImagingCommons.Server.Errors;

internal static class ErrorHandlingExtensions
{
    public static IServiceCollection AddApiErrors(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();

        // A request that minimal APIs cannot bind throws BadHttpRequestException (in every environment, not only in
        // Development), so that ApiExceptionHandler answers it with its status and the framework's reason.
        services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>
    /// Exceptions go to <see cref="ApiExceptionHandler"/>. An error status that nothing wrote a body for gets the
    /// spec's <c>{"code","message"}</c> body: an unknown path, or a known path with another method (405), is the
    /// spec's <c>404 {"code":404,"message":"Method does not exist."}</c>; any other status carries its reason phrase.
    /// </summary>
    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteErrorBody);
        return app;
    }

    private static Task WriteErrorBody(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        ApiError error;
        if (response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = default;
            error = new ApiError(StatusCodes.Status404NotFound, ErrorTexts.MethodDoesNotExist);
        }
        else
        {
            error = new ApiError(response.StatusCode, ReasonPhrases.GetReasonPhrase(response.StatusCode));
        }

        return new WireError(error).ExecuteAsync(context.HttpContext);
    }
}
