using System.Text.Json;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// Our extension routes behind the portal besides the facets: the server's settings, and a manifest preview on any
/// held release (IDC's v2 preview only counts on the current one), paged with the shared tokens.
/// </summary>
internal static class PortalApi
{
    /// <summary>Tokens of this preview page only through its own nextPage route.</summary>
    private const string TokenFamily = "api-manifest";

    private static readonly string[] ManifestKeys = ["filters", "release", "fields", "counts", "group_size", "page_size"];

    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").WithTags("portal");
        api.MapGet("/portal", Settings).WithName("portalSettings").WithSummary("The current release, the releases held, and the configured viewer");
        api.MapPost("/manifest/preview", Preview).WithName("manifestPreview")
            .WithSummary("A v2 manifest of a filter set on any held release")
            .WithDescription("The body of /v2/cohorts/manifest/preview with `filters` and `release` in place of `cohort_def`; the same fields, "
                + "counts, group_size and page_size rules. 202 with next_page when the query outlives the deadline.")
            .Accepts<ManifestPreviewRequest>("application/json")
            .Produces<ManifestPreviewResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/manifest/preview/nextPage", NextPage).WithName("manifestPreviewNextPage")
            .WithSummary("The next page of a manifest preview (query parameters next_page and page_size)")
            .Produces<ManifestPreviewResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static Ok<PortalSettings> Settings(ReleaseCatalog catalog, ServerOptions options) => TypedResults.Ok(new PortalSettings(
        catalog.CurrentRelease!,
        [.. catalog.HeldReleases],
        string.IsNullOrWhiteSpace(options.Portal.ViewerUrl) ? null : options.Portal.ViewerUrl.Trim()));

    public static async Task<Results<Ok<ManifestPreviewResponse>, Accepted<ManifestPreviewResponse>, ProblemHttpResult>> Preview(
        HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return FacetsApi.Invalid("The body must be a JSON object: {\"filters\": {…}, \"fields\": [\"SeriesInstanceUID\", …], \"release\": \"24.0\"}.");
        }

        var root = body.RootElement;
        if (!FacetsApi.TryRelease(root, catalog, out var release, out var error))
        {
            return FacetsApi.Invalid(error);
        }

        using var empty = JsonDocument.Parse("{}");
        var filtersElement = root.TryGetProperty("filters", out var f) && f.ValueKind != JsonValueKind.Null ? f : empty.RootElement;
        if (!FilterParser.TryParseV2(filtersElement, out var filters, out error))
        {
            return FacetsApi.Invalid(error);
        }

        if (V1Requests.InvalidCharacters(null, null, filters) is { } invalid)
        {
            return FacetsApi.Invalid(invalid.Value.Message);
        }

        var checkedManifest = V2Requests.ManifestOptions(root, ManifestKeys);
        if (!checkedManifest.IsValid)
        {
            return FacetsApi.Invalid(checkedManifest.Error.Value.Message);
        }

        var manifest = checkedManifest.Value;

        var spec = new QuerySpec
        {
            Kind = QueryKind.V2Manifest,
            Filters = filters,
            Fields = manifest.Fields,
            Counts = manifest.Counts,
            GroupSize = manifest.GroupSize,
        };
        var outcome = await paging.FirstPageAsync(Identities.Anonymous, TokenFamily, release, spec, manifest.PageSize, cancellationToken);
        return Respond(release, outcome);
    }

    public static async Task<Results<Ok<ManifestPreviewResponse>, Accepted<ManifestPreviewResponse>, ProblemHttpResult>> NextPage(
        HttpRequest request, PagedQueries paging, CancellationToken cancellationToken)
    {
        string? token = null;
        string? pageSizeText = null;
        foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
        {
            var name = pair.DecodeName().ToString();
            if (name == "next_page")
            {
                token = pair.DecodeValue().ToString();
            }
            else if (name == "page_size")
            {
                pageSizeText = pair.DecodeValue().ToString();
            }
            else
            {
                return FacetsApi.Invalid($"Unknown query parameter {name} (this route takes next_page and page_size).");
            }
        }

        if (!RequestInput.TryPageSize(pageSizeText, out var pageSize))
        {
            return FacetsApi.Invalid("page_size must be an integer.");
        }

        if (!paging.TryOpen(token, Identities.Anonymous, TokenFamily, out var opened, out _))
        {
            return FacetsApi.Invalid("The next_page token is not one of this route's, or it has expired; start the preview again.");
        }

        var outcome = await paging.NextPageAsync(token, Identities.Anonymous, TokenFamily, pageSize, cancellationToken);
        return outcome.Status == PageStatus.InvalidToken
            ? FacetsApi.Invalid("The next_page token is not one of this route's, or it has expired; start the preview again.")
            : Respond(opened.Release, outcome);
    }

    private static Results<Ok<ManifestPreviewResponse>, Accepted<ManifestPreviewResponse>, ProblemHttpResult> Respond(string release, PageOutcome outcome)
    {
        if (outcome.Status == PageStatus.Pending)
        {
            return TypedResults.Accepted((string?)null, new ManifestPreviewResponse(release, null, outcome.Token));
        }

        return TypedResults.Ok(new ManifestPreviewResponse(release, Pages.V2Manifest(outcome), outcome.NextPage));
    }
}
