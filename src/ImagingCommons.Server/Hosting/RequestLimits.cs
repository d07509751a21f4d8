using ImagingCommons.Contracts;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ImagingCommons.Server.Hosting;

/// <summary>
/// Kestrel refuses an over-long request line, over-large headers or body with an empty answer, before the app sees
/// the request. So Kestrel's own bounds are set well above ours, and our bounds are enforced here, where the answer
/// can carry the spec's <c>{"code","message"}</c> body (414, 431, 413).
/// </summary>
internal static class RequestLimits
{
    /// <summary>Kestrel's bounds: requests beyond these still get Kestrel's bare answer (documented in the README).</summary>
    public const int KestrelMaxRequestLineBytes = 1 << 20;

    public const int KestrelMaxHeaderBytes = 1 << 20;

    public static void ConfigureKestrel(KestrelServerOptions kestrel, RequestLimitOptions limits)
    {
        kestrel.Limits.MaxRequestLineSize = Math.Max(KestrelMaxRequestLineBytes, limits.MaxRequestTargetBytes + 64);
        kestrel.Limits.MaxRequestHeadersTotalSize = Math.Max(KestrelMaxHeaderBytes, limits.MaxRequestHeaderBytes);
        kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
    }

    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var limits = context.RequestServices.GetRequiredService<ServerOptions>().Limits;
            var request = context.Request;
            var target = request.PathBase.Value?.Length + request.Path.Value?.Length + request.QueryString.Value?.Length ?? 0;
            if (target > limits.MaxRequestTargetBytes)
            {
                return Wire.Error(StatusCodes.Status414UriTooLong, ErrorTexts.UriTooLong(limits.MaxRequestTargetBytes)).ExecuteAsync(context);
            }

            long headerBytes = 0;
            foreach (var (name, values) in request.Headers)
            {
                headerBytes += name.Length + 4;
                foreach (var value in values)
                {
                    headerBytes += value?.Length ?? 0;
                }
            }

            if (headerBytes > limits.MaxRequestHeaderBytes)
            {
                return Wire.Error(StatusCodes.Status431RequestHeaderFieldsTooLarge, ErrorTexts.HeadersTooLarge(limits.MaxRequestHeaderBytes)).ExecuteAsync(context);
            }

            if (request.ContentLength > limits.MaxRequestBodyBytes)
            {
                // Answered before reading it; Kestrel closes the connection rather than drain a body nobody reads.
                return Wire.Error(StatusCodes.Status413PayloadTooLarge, ErrorTexts.BodyTooLarge(limits.MaxRequestBodyBytes)).ExecuteAsync(context);
            }

            return next(context);
        });
        return app;
    }
}
