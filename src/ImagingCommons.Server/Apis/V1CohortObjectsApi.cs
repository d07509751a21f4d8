using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// v1 "cohort objects" (addendum to the spec: the 2020 hierarchical routes). <c>POST /v1/cohorts/preview</c> is
/// anonymous; <c>GET /v1/cohorts/{id}</c> will answer through the same <see cref="CohortObjects.RespondAsync"/> once
/// saved cohorts exist (docs/api-decisions.md).
/// </summary>
internal static class V1CohortObjectsApi
{
    public const string NoFilterSet = "No filters were provided; ensure that the request body contains a 'filterSet' property.";
    public const string InvalidCharacters = "Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw ";
    public const string ObjectsFailed = "Error while trying to obtain cohort objects.";
    public const string InvalidVersion = "Invalid IDC version ";

    public static IEndpointRouteBuilder MapV1CohortObjectsApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/cohorts").WithTags("v1 cohort objects");
        v1.MapPost("/preview", Preview)
            .WithName("v1CohortPreview")
            .WithSummary("The objects of a cohort definition as a tree down to return_level, without saving it")
            .WithDescription("Pages by leaves: every page carries the tree of its own leaves. Continue with next_page on this same route (the body is then ignored and may be left out).")
            .Accepts<V1CohortPreviewRequestShape>("application/json")
            .Produces<V1CohortObjectsShape>(StatusCodes.Status200OK)
            .Produces<V1CohortObjectsTimeoutShape>(StatusCodes.Status202Accepted)
            .Produces<ErrorShape>(StatusCodes.Status400BadRequest)
            .Produces<ErrorShape>(StatusCodes.Status500InternalServerError);
        return routes;
    }

    public static async Task<IResult> Preview(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // A next-page call ignores the body (H10.6); a first page validates it first (H7 steps 1-5).
        PreviewBody? body = null;
        if (!CohortObjects.IsNextPageRequest(request))
        {
            using var document = await RequestInput.ReadJsonAsync(request, cancellationToken);
            if (!TryReadBody(document, out body, out var error))
            {
                return error;
            }
        }

        // The preview never reads the caller's identity: its tokens are bound to "Anonymous", usable by anyone (H5).
        return await CohortObjects.RespondAsync(
            request,
            Identities.Anonymous,
            TokenFamilies.V1CohortPreview,
            _ => ValueTask.FromResult(body!.Resolve(catalog)),
            resolveOnNextPages: false,
            paging,
            loggers.CreateLogger(typeof(CohortObjects).FullName!),
            cancellationToken);
    }

    /// <summary>What a valid preview body says; <see cref="Filters"/> is null when its filterSet has no filters key.</summary>
    internal sealed record PreviewBody(string Name, JsonNode? Description, FilterSet? Filters, string? Version)
    {
        /// <summary>
        /// The release the preview runs against (H7 step 9): absent, null or "" → current; a held release → that one
        /// (preview against an older release); anything else → 400 naming the held releases. Then the filters must exist.
        /// </summary>
        public CohortResolution Resolve(ReleaseCatalog catalog)
        {
            var held = catalog.HeldReleases;
            string release;
            if (string.IsNullOrEmpty(Version))
            {
                release = catalog.CurrentRelease!;
            }
            else if (held.Contains(Version, StringComparer.Ordinal))
            {
                release = Version;
            }
            else
            {
                return CohortResolution.Refused(JsonBody.BadRequest($"{InvalidVersion}{Version}; this server holds {string.Join(", ", held)}"));
            }

            if (Filters is null)
            {
                return CohortResolution.Refused(JsonBody.BadRequest(ObjectsFailed));
            }

            // The echo keeps the filters as sent (collection ids not normalised) with the release actually used (H3).
            var echo = new JsonObject
            {
                ["name"] = Name,
                ["description"] = Description?.DeepClone(),
                ["sql"] = "",
                ["filterSet"] = new JsonObject { ["idc_data_version"] = release, ["filters"] = Filters.ToJson(normalizeCollectionIds: false) },
            };
            return CohortResolution.Found(new CohortDefinition(echo, Filters, release));
        }
    }

    /// <summary>
    /// Steps 1-5 of H7 in order: JSON, filterSet, schema, name, invalid characters. The 2020 body wraps the filters
    /// in <c>filterSet</c>; a released-v1 body with top-level <c>filters</c> is read as <c>filterSet:{filters}</c> (H10.2).
    /// </summary>
    internal static bool TryReadBody(JsonDocument? document, [NotNullWhen(true)] out PreviewBody? body, [NotNullWhen(false)] out IResult? error)
    {
        body = null;
        error = null;
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = JsonBody.BadRequest(V1PreviewApi.MalformedJson);
            return false;
        }

        var root = document.RootElement;
        JsonElement? filtersElement;
        string? version = null;
        if (root.TryGetProperty("filterSet", out var filterSet))
        {
            if (!TryFilterSet(filterSet, out filtersElement, out version))
            {
                error = JsonBody.BadRequest(V1PreviewApi.FiltersMalformed);
                return false;
            }
        }
        else if (root.TryGetProperty("filters", out var topLevel))
        {
            filtersElement = topLevel;
        }
        else
        {
            error = JsonBody.BadRequest(NoFilterSet);
            return false;
        }

        FilterSet? filters = null;
        if (filtersElement is { } element && !FilterParser.TryParseV1(element, out filters, out _))
        {
            error = JsonBody.BadRequest(V1PreviewApi.FiltersMalformed);
            return false;
        }

        if (!V1PreviewApi.TryName(root, out var name, out var description))
        {
            error = JsonBody.BadRequest(V1PreviewApi.NoName);
            return false;
        }

        var refused = CohortText.FindRefused(name) ?? CohortText.FindRefused(description?.GetValueKind() == JsonValueKind.String ? description.GetValue<string>() : null);
        if (refused is not null)
        {
            error = JsonBody.BadRequest(InvalidCharacters + refused + "]");
            return false;
        }

        body = new PreviewBody(name, description, filters, version);
        return true;
    }

    /// <summary>The 2020 filterSet schema: an object with at most idc_data_version (a string; null tolerated, H10.3) and filters.</summary>
    private static bool TryFilterSet(JsonElement filterSet, out JsonElement? filters, out string? version)
    {
        filters = null;
        version = null;
        if (filterSet.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in filterSet.EnumerateObject())
        {
            switch (property.Name)
            {
                case "idc_data_version" when property.Value.ValueKind is JsonValueKind.String:
                    version = property.Value.GetString();
                    break;
                case "idc_data_version" when property.Value.ValueKind is JsonValueKind.Null:
                    version = null;
                    break;
                case "filters":
                    filters = property.Value;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}
