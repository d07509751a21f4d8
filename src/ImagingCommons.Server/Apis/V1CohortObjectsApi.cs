using ImagingCommons.Contracts;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Accounts;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ImagingCommons.Server.Apis;

using PreviewAnswer = Results<WireOk<V1CohortObjectsResponse<V1CohortObjectsEcho>>, WireOk<V1CohortObjectsResponse<EmptyObject>>, WirePending, WireError>;
using SavedAnswer = Results<WireOk<V1CohortObjectsResponse<V1SavedCohortEcho>>, WireOk<V1CohortObjectsResponse<EmptyObject>>, WirePending, WireError>;

/// <summary>
/// v1 "cohort objects" (addendum to the spec: the 2020 hierarchical routes): <c>POST /v1/cohorts/preview</c>
/// (anonymous) and <c>GET /v1/cohorts/{id}</c> (the owner's saved cohort, on its pinned release).
/// </summary>
internal static class V1CohortObjectsApi
{
    public static IEndpointRouteBuilder MapV1CohortObjectsApi(this IEndpointRouteBuilder routes)
    {
        var preview = routes.MapGroup("/v1/cohorts").WithTags("v1 cohort objects");
        preview.MapPost("/preview", Preview)
            .WithName("v1CohortPreview")
            .WithSummary("The objects of a cohort definition as a tree down to return_level, without saving it")
            .WithDescription("Pages by leaves: every page carries the tree of its own leaves. Continue with next_page on this same route (the body is then ignored and may be left out).")
            .AcceptsJson<V1CohortPreviewRequest>()
            .ProducesApiErrors(429, 500);

        var saved = routes.MapGroup("/v1/cohorts").WithTags("v1 cohort objects").RequireAuthorization(RegisteredUsers.Policy).ProducesApiErrors(401, 403);
        saved.MapGet("/{cohort_id}", SavedCohort)
            .WithName("v1CohortObjects")
            .WithSummary("A saved cohort's collections, patients, studies, series and instances as a tree, on its own release")
            .ProducesApiErrors(410, 429, 500);
        return routes;
    }

    public static async Task<PreviewAnswer> Preview(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // A next-page call ignores the body (H10.6); a first page validates it first (H7 steps 1-5).
        V1CohortObjectsPreview? body = null;
        if (!V1Requests.ContinuesOnSameRoute(request))
        {
            using var document = await RequestInput.ReadJsonAsync(request, cancellationToken);
            var read = V1Requests.CohortObjectsPreview(document);
            if (!read.IsValid)
            {
                return read.Error;
            }

            body = read.Value;
        }

        // The preview never reads the caller's identity: its tokens are bound to "Anonymous", usable by anyone (H5).
        return await CohortObjectsListing.RespondAsync(
            request,
            Identities.Anonymous,
            TokenFamilies.V1CohortPreview,
            _ => ValueTask.FromResult(Resolve(body!, catalog)),
            resolveOnNextPages: false,
            paging,
            loggers.CreateLogger(typeof(CohortObjectsListing).FullName!),
            cancellationToken);
    }

    /// <summary>
    /// GET /v1/cohorts/{id} (the 2020 hierarchical form, addendum H1-H5): the owner's cohort as a tree down to
    /// return_level, answered from the cohort's pinned release; ownership is checked again on every page.
    /// </summary>
    public static async Task<SavedAnswer> SavedCohort(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, CurrentUser user, ICohortStore cohorts, QueryEngine engine, PagedQueries paging,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (CohortAccess.IsReservedSegment(cohortId))
        {
            return Wire.MethodDoesNotExist();
        }

        if (!CohortId.TryParsePath(cohortId, out var id))
        {
            return Wire.BadRequest(ErrorTexts.InvalidCohortId(cohortId));
        }

        return await CohortObjectsListing.RespondAsync<V1SavedCohortEcho>(
            request,
            user.Email,
            TokenFamilies.V1Cohort(id.StoreId ?? 0),
            async token =>
            {
                var (cohort, error) = await CohortAccess.V1OwnAsync(cohortId, user.Account, cohorts, engine, token);
                return cohort is null
                    ? (null, error)
                    : (new CohortObjectsDefinition<V1SavedCohortEcho>(sql => SavedCohortViews.V1Echo(cohort, sql), SavedCohortViews.ParseFilters(cohort), cohort.IdcDataVersion), null);
            },
            resolveOnNextPages: true,
            paging,
            loggers.CreateLogger(typeof(CohortObjectsListing).FullName!),
            cancellationToken);
    }

    /// <summary>
    /// The release the preview runs against (H7 step 9): absent, null or "" → current; a held release → that one
    /// (preview against an older release); anything else → 400 naming the held releases. Then the filters must exist.
    /// </summary>
    private static (CohortObjectsDefinition<V1CohortObjectsEcho>? Definition, WireError? Error) Resolve(V1CohortObjectsPreview body, ReleaseCatalog catalog)
    {
        var held = catalog.HeldReleases;
        string release;
        if (string.IsNullOrEmpty(body.Version))
        {
            release = catalog.CurrentRelease!;
        }
        else if (held.Contains(body.Version, StringComparer.Ordinal))
        {
            release = body.Version;
        }
        else
        {
            return (null, Wire.BadRequest(ErrorTexts.V1InvalidVersion(body.Version, held)));
        }

        if (body.Filters is not { } filters)
        {
            return (null, Wire.BadRequest(ErrorTexts.V1ObjectsFailed));
        }

        // The echo keeps the filters as sent (collection ids not normalised) with the release actually used (H3).
        var shown = new FilterSetEcho(release, filters.ToWire(normalizeCollectionIds: false));
        return (new CohortObjectsDefinition<V1CohortObjectsEcho>(sql => new V1CohortObjectsEcho(body.Name, body.Description, sql, shown), filters, release), null);
    }
}
