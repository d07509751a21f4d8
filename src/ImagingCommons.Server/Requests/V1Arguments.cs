using Microsoft.AspNetCore.WebUtilities;

namespace ImagingCommons.Server.Requests;

/// <summary>v1 endpoints reject query parameters they do not know, by exact (case-sensitive) name (spec §6).</summary>
internal static class V1Arguments
{
    /// <summary>The first query parameter, in request order, that is not in <paramref name="allowed"/>; null when all are.</summary>
    public static string? FirstUnexpected(HttpRequest request, params ReadOnlySpan<string> allowed)
    {
        if (!request.QueryString.HasValue)
        {
            return null;
        }

        foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
        {
            var name = pair.DecodeName().ToString();
            if (!allowed.Contains(name))
            {
                return name;
            }
        }

        return null;
    }
}
