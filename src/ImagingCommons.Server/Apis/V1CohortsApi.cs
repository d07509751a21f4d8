using ImagingCommons.Contracts;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Accounts;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ImagingCommons.Server.Apis;

using ManifestAnswer = Results<WireOk<V1ManifestResponse<V1SavedCohortEcho>>, WirePending, WireError>;
using QueryAnswer = Results<WireOk<V1QueryResponse<V1SavedCohortEcho>>, WirePending, WireError>;

/// <summary>
/// The authenticated v1 routes of saved cohorts (spec §6.6.2, §6.7.2, §6.8), for registered users only, plus the
/// 2020-2021 spellings <c>/cohorts/{id}/manifest</c> and <c>/cohorts/{id}/query</c> paged on the same route.
/// </summary>
internal static class V1CohortsApi
{
    public static IEndpointRouteBuilder MapV1CohortsApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/cohorts").WithTags("v1 saved cohorts").RequireAuthorization(RegisteredUsers.Policy).ProducesApiErrors(401, 403, 429);
        v1.MapGet("", ListCohorts).WithName("v1ListCohorts").WithSummary("The caller's saved cohorts");
        v1.MapPost("", CreateCohort).WithName("v1CreateCohort").WithSummary("Save a cohort definition on the current release").AcceptsJson<V1CohortDefinition>();
        v1.MapDelete("", DeleteCohorts).WithName("v1DeleteCohorts").WithSummary("Delete saved cohorts").AcceptsJson<CohortIds>();
        v1.MapDelete("/{cohort_id}", DeleteCohort).WithName("v1DeleteCohort").WithSummary("Delete one saved cohort");
        v1.MapGet("/manifest/{cohort_id}", CohortManifest).WithName("v1CohortManifest").WithSummary("Manifest of a saved cohort, on its own release").ProducesApiErrors(410);
        v1.MapMethods("/query/{cohort_id}", [HttpMethods.Get, HttpMethods.Post], CohortQuery).WithName("v1CohortQuery")
            .WithSummary("Distinct field combinations of a saved cohort (GET with a body is accepted too)").AcceptsJson<V1QueryFields>().ProducesApiErrors(410);
        v1.MapGet("/{cohort_id}/manifest", CohortManifestSameRoute).WithName("v1CohortIdManifest")
            .WithSummary("2020-2021 spelling of /cohorts/manifest/{cohort_id}: later pages pass next_page back to this route").ProducesApiErrors(410);
        v1.MapMethods("/{cohort_id}/query", [HttpMethods.Get, HttpMethods.Post], CohortQuerySameRoute).WithName("v1CohortIdQuery")
            .WithSummary("2020-2021 spelling of /cohorts/query/{cohort_id}: later pages pass next_page back to this route").AcceptsJson<V1QueryFields>().ProducesApiErrors(410);
        return routes;
    }

    public static async Task<WireOk<CohortListResponse>> ListCohorts(CurrentUser user, ICohortStore cohorts, CancellationToken cancellationToken) =>
        Wire.Ok(new CohortListResponse(
            StatusCodes.Status200OK,
            [.. (await cohorts.ListActiveCohortsAsync(user.Account.Id, cancellationToken)).Select(c => SavedCohortViews.ListEntry(c, ApiVersion.V1))]));

    public static async Task<Results<WireOk<CohortCreatedResponse>, WireError>> CreateCohort(
        HttpRequest request, CurrentUser user, ICohortStore cohorts, ReleaseCatalog catalog, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var draft = V1Requests.CohortDefinition(body, ErrorTexts.V1CohortMalformed);
        if (!draft.IsValid)
        {
            return draft.Error;
        }

        var (name, description, filters) = draft.Value;
        var saved = await CohortAccess.SaveAsync(cohorts, user.Account, name!, description, filters, catalog.CurrentRelease!, "v1", cancellationToken);
        return Wire.Ok(SavedCohortViews.Created(saved, ApiVersion.V1));
    }

    public static async Task<Results<WireOk<CohortDeletionsResponse>, WireError>> DeleteCohorts(
        HttpRequest request, CurrentUser user, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var ids = V1Requests.CohortIds(body, ErrorTexts.V1MalformedJson);
        return ids.IsValid ? Wire.Ok(await SavedCohortViews.DeleteAsync(ids.Value.Ids, user.Account, cohorts, cancellationToken)) : ids.Error;
    }

    public static async Task<Results<WireOk<CohortDeletionsResponse>, WireError>> DeleteCohort(
        [FromRoute(Name = "cohort_id")] string cohortId, CurrentUser user, ICohortStore cohorts, CancellationToken cancellationToken) =>
        CohortId.TryParsePath(cohortId, out var id)
            ? Wire.Ok(await SavedCohortViews.DeleteAsync([id], user.Account, cohorts, cancellationToken))
            : Wire.BadRequest(ErrorTexts.InvalidCohortId(cohortId));

    public static async Task<ManifestAnswer> CohortManifest(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, CurrentUser user, ICohortStore cohorts, QueryEngine engine, PagedQueries paging,
        CancellationToken cancellationToken)
    {
        if (CohortAccess.IsReservedSegment(cohortId))
        {
            return Wire.MethodDoesNotExist();
        }

        var options = V1Requests.ManifestOptions(request);
        if (!options.IsValid)
        {
            return options.Error;
        }

        var (cohort, refused) = await CohortAccess.V1OwnAsync(cohortId, user.Account, cohorts, engine, cancellationToken);
        if (cohort is null)
        {
            return refused!;
        }

        var spec = SavedCohortViews.Spec(cohort, QueryKind.V1Manifest, options.Value.Columns);
        return await Listings.V1ManifestAsync(paging, user.Email, cohort.IdcDataVersion, spec, options.Value, sql => SavedCohortViews.V1Echo(cohort, sql), cancellationToken);
    }

    public static async Task<QueryAnswer> CohortQuery(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, CurrentUser user, ICohortStore cohorts, QueryEngine engine, PagedQueries paging,
        CancellationToken cancellationToken)
    {
        if (CohortAccess.IsReservedSegment(cohortId))
        {
            return Wire.MethodDoesNotExist();
        }

        var canHaveBody = request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false;
        using var body = canHaveBody ? await RequestInput.ReadJsonAsync(request, cancellationToken) : null;
        var fields = V1Requests.QueryFields(body, canHaveBody);
        if (!fields.IsValid)
        {
            return fields.Error;
        }

        var options = V1Requests.QueryOptions(request);
        if (!options.IsValid)
        {
            return options.Error;
        }

        var (cohort, refused) = await CohortAccess.V1OwnAsync(cohortId, user.Account, cohorts, engine, cancellationToken);
        if (cohort is null)
        {
            return refused!;
        }

        var spec = SavedCohortViews.Spec(cohort, QueryKind.V1Query, fields.Value.Fields);
        return await Listings.V1QueryAsync(paging, user.Email, cohort.IdcDataVersion, spec, options.Value, sql => SavedCohortViews.V1Echo(cohort, sql), cancellationToken);
    }

    /// <summary>GET /v1/cohorts/{id}/manifest: a first page, or, with next_page, the next page of the same listing.</summary>
    public static async Task<IResult> CohortManifestSameRoute(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, CurrentUser user, ICohortStore cohorts, QueryEngine engine, PagedQueries paging,
        CancellationToken cancellationToken) =>
        V1Requests.ContinuesOnSameRoute(request)
            ? await Listings.V1ManifestNextPageAsync(request, paging, cancellationToken)
            : await CohortManifest(cohortId, request, user, cohorts, engine, paging, cancellationToken);

    /// <summary>GET or POST /v1/cohorts/{id}/query: a first page, or, with next_page, the next page of the same listing.</summary>
    public static async Task<IResult> CohortQuerySameRoute(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, CurrentUser user, ICohortStore cohorts, QueryEngine engine, PagedQueries paging,
        CancellationToken cancellationToken) =>
        V1Requests.ContinuesOnSameRoute(request)
            ? await Listings.V1QueryNextPageAsync(request, paging, TokenFamilies.V1Query, cancellationToken)
            : await CohortQuery(cohortId, request, user, cohorts, engine, paging, cancellationToken);
}
