using System.Globalization;
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

/// <summary>The authenticated v2 routes of saved cohorts (spec §7.8.4, §7.8.5, §7.9).</summary>
internal static class V2CohortsApi
{
    public static IEndpointRouteBuilder MapV2CohortsApi(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/cohorts").WithTags("v2 saved cohorts").RequireAuthorization(RegisteredUsers.Policy).ProducesApiErrors(401, 429);
        v2.MapGet("", ListCohorts).WithName("v2ListCohorts").WithSummary("The caller's saved cohorts");
        v2.MapPost("", CreateCohort).WithName("v2CreateCohort").WithSummary("Save a cohort definition on the current release").AcceptsJson<V2CohortDefinition>();
        v2.MapDelete("", DeleteCohorts).WithName("v2DeleteCohorts").WithSummary("Delete saved cohorts").AcceptsJson<CohortIds>();
        v2.MapDelete("/{cohort_id}", DeleteCohort).WithName("v2DeleteCohort").WithSummary("Delete one saved cohort");
        v2.MapGet("/manifest/nextPage", NextPage).WithName("v2CohortManifestNextPage").WithSummary("Next page of a saved cohort's manifest (tokens are bound to the caller)");

        // The spec orders this route's checks (body, then the cohort's existence, then the caller's registration, then
        // ownership: §7.8.4), so it asks only for a signed-in caller and checks registration itself.
        var manifest = routes.MapGroup("/v2/cohorts").WithTags("v2 saved cohorts").RequireAuthorization().ProducesApiErrors(401, 403, 404, 410, 429);
        manifest.MapPost("/manifest/{cohort_id}", CohortManifest).WithName("v2CohortManifest").WithSummary("Manifest of a saved cohort, on its own release").AcceptsJson<V2ManifestRequest>();
        return routes;
    }

    public static async Task<WireOk<CohortListResponse>> ListCohorts(CurrentUser user, ICohortStore cohorts, CancellationToken cancellationToken) =>
        Wire.Ok(new CohortListResponse(
            StatusCodes.Status200OK,
            [.. (await cohorts.ListActiveCohortsAsync(user.Account.Id, cancellationToken)).Select(c => SavedCohortViews.ListEntry(c, ApiVersion.V2))]));

    public static async Task<Results<WireOk<CohortCreatedResponse>, WireError>> CreateCohort(
        HttpRequest request, CurrentUser user, ICohortStore cohorts, ReleaseCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var draft = V2Requests.NewCohort(body);
        if (!draft.IsValid)
        {
            return draft.Error;
        }

        var (name, description, filters) = draft.Value;
        if (string.IsNullOrWhiteSpace(name))
        {
            name = "Cohort created on " + time.GetUtcNow().ToString("dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture);
        }

        var saved = await CohortAccess.SaveAsync(cohorts, user.Account, name, description, filters, catalog.CurrentRelease!, "v2", cancellationToken);
        return Wire.Ok(SavedCohortViews.Created(saved, ApiVersion.V2));
    }

    public static async Task<Results<WireOk<CohortDeletionsResponse>, WireError>> DeleteCohorts(
        HttpRequest request, CurrentUser user, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var ids = V1Requests.CohortIds(body, ErrorTexts.V2UnreadableBody);
        return ids.IsValid ? Wire.Ok(await SavedCohortViews.DeleteAsync(ids.Value.Ids, user.Account, cohorts, cancellationToken)) : ids.Error;
    }

    public static async Task<Results<WireOk<CohortDeletionsResponse>, WireError>> DeleteCohort(
        [FromRoute(Name = "cohort_id")] string cohortId, CurrentUser user, ICohortStore cohorts, CancellationToken cancellationToken) =>
        CohortId.TryParsePath(cohortId, out var id)
            ? Wire.Ok(await SavedCohortViews.DeleteAsync([id], user.Account, cohorts, cancellationToken))
            : Wire.BadRequest(ErrorTexts.InvalidCohortId(cohortId));

    /// <summary>
    /// Body validation (steps 5-10) comes first, then the cohort: unknown 404, caller not registered 401, not the
    /// owner or deleted 403 with the original's message (which lacked the email), as in spec §7.8.4.
    /// </summary>
    public static async Task<Results<WireOk<V2ManifestResponse<V2SavedCohortEcho>>, WirePending, WireError>> CohortManifest(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, Callers callers, ICohortStore cohorts, QueryEngine engine, PagedQueries paging,
        CancellationToken cancellationToken)
    {
        if (CohortAccess.IsReservedSegment(cohortId))
        {
            return Wire.MethodDoesNotExist();
        }

        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var options = V2Requests.ManifestBody(body);
        if (!options.IsValid)
        {
            return options.Error;
        }

        if (!CohortId.TryParsePath(cohortId, out var id))
        {
            return Wire.BadRequest(ErrorTexts.InvalidCohortId(cohortId));
        }

        var cohort = id.StoreId is { } storeId ? await cohorts.FindCohortAsync(storeId, cancellationToken) : null;
        if (cohort is null)
        {
            return Wire.NotFound(ErrorTexts.V2CohortNotFound(id.ToString()));
        }

        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Wire.Error(StatusCodes.Status401Unauthorized, ErrorTexts.V2NotKnown(Callers.Email(request.HttpContext)));
        }

        if (!CohortAccess.CanRead(cohort, user))
        {
            return Wire.Forbidden(ErrorTexts.V2NotOwner(id.ToString()));
        }

        if (!engine.HoldsRelease(cohort.IdcDataVersion))
        {
            return CohortAccess.ReleaseGone(cohort);
        }

        var spec = SavedCohortViews.Spec(cohort, QueryKind.V2Manifest, options.Value.Fields, options.Value.Counts, options.Value.GroupSize);
        var shown = SavedCohortViews.FilterSet(cohort, ApiVersion.V2);
        return await Listings.V2ManifestAsync(
            paging, user.Email, cohort.IdcDataVersion, spec, options.Value,
            sql => new V2SavedCohortEcho(cohort.Id, cohort.Name, cohort.Description, shown, user.Email, sql), cancellationToken);
    }

    /// <summary>The authenticated nextPage: only tokens this caller's own manifests issued (not previews, not other users').</summary>
    public static Task<Results<WireOk<V2ManifestPage>, WirePending, WireError>> NextPage(HttpRequest request, CurrentUser user, PagedQueries paging, CancellationToken cancellationToken) =>
        Listings.V2ManifestNextPageAsync(request, paging, user.Email, cancellationToken);
}
