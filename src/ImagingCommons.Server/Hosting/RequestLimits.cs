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

    /// <summary>
    /// A body over our bound is read and discarded up to this many bytes before the 413 is sent, so that a client still
    /// sending gets the answer instead of a broken connection; past it Kestrel closes the connection.
    /// </summary>
    public const long DrainBytes = 64L << 20;

    public static void ConfigureKestrel(KestrelServerOptions kestrel, RequestLimitOptions limits)
    {
        kestrel.Limits.MaxRequestLineSize = Math.Max(KestrelMaxRequestLineBytes, limits.MaxRequestTargetBytes + 64);
        kestrel.Limits.MaxRequestHeadersTotalSize = Math.Max(KestrelMaxHeaderBytes, limits.MaxRequestHeaderBytes);
        kestrel.Limits.MaxRequestBodySize = Math.Max(DrainBytes, limits.MaxRequestBodyBytes);
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
                return RefuseBodyAsync(context, limits.MaxRequestBodyBytes);
            }

            return next(context);
        });
        return app;
    }

    /// <summary>The 413 of a body over the bound, after reading what the client is still sending (up to <see cref="DrainBytes"/>).</summary>
    public static async Task RefuseBodyAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength is null or <= DrainBytes)
        {
            await DrainAsync(context.Request.Body, context.RequestAborted);
        }

        await Wire.Error(StatusCodes.Status413PayloadTooLarge, ErrorTexts.BodyTooLarge(limit)).ExecuteAsync(context);
    }

    internal static async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await body.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // Past Kestrel's own bound: the connection is closed after the answer.
        }
    }
}
