using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.OpenApi;
using ImagingCommons.Server.Paging;
using Microsoft.AspNetCore.Mvc;

namespace ImagingCommons.Server.Apis;

/// <summary>The authenticated v2 routes of saved cohorts (spec §7.8.4, §7.8.5, §7.9).</summary>
internal static class V2CohortsApi
{
    public static IEndpointRouteBuilder MapV2CohortsApi(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/cohorts").WithTags("v2 saved cohorts").RequireAuthorization();
        v2.MapGet("", ListCohorts).WithName("v2ListCohorts").WithSummary("The caller's saved cohorts").Authenticated<CohortListShape>();
        v2.MapPost("", CreateCohort).WithName("v2CreateCohort").WithSummary("Save a cohort definition on the current release").JsonBody<V2CohortDefinitionShape>().Authenticated<CohortCreatedShape>();
        v2.MapDelete("", DeleteCohorts).WithName("v2DeleteCohorts").WithSummary("Delete saved cohorts").JsonBody<CohortIdsShape>().Authenticated<CohortDeletionsShape>();
        v2.MapDelete("/{cohort_id}", DeleteCohort).WithName("v2DeleteCohort").WithSummary("Delete one saved cohort").Authenticated<CohortDeletionsShape>();
        v2.MapPost("/manifest/{cohort_id}", CohortManifest).WithName("v2CohortManifest").WithSummary("Manifest of a saved cohort, on its own release").JsonBody<V2ManifestRequestShape>().Paged<V2ManifestPreviewShape>().Authenticated();
        v2.MapGet("/manifest/nextPage", NextPage).WithName("v2CohortManifestNextPage").WithSummary("Next page of a saved cohort's manifest (tokens are bound to the caller)").Paged<V2ManifestNextPageShape>().Authenticated();
        return routes;
    }

    public static async Task<IResult> ListCohorts(HttpContext context, Callers callers, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(context, cancellationToken);
        return user is null ? Callers.V2NotKnown(context) : await SavedCohorts.ListAsync(user, cohorts, ApiVersion.V2, cancellationToken);
    }

    public static async Task<IResult> CreateCohort(
        HttpRequest request, Callers callers, ICohortStore cohorts, ReleaseCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V2NotKnown(request.HttpContext);
        }

        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest(V2ManifestApi.UnreadableBody);
        }

        var root = body.RootElement;
        if (!V2ManifestApi.TryCohortDefinition(root, out var filters, out var definitionError))
        {
            return JsonBody.BadRequest(definitionError);
        }

        if (!TryText(root, "name", out var name) || !TryText(root, "description", out var description, missing: ""))
        {
            return JsonBody.BadRequest(root.TryGetProperty("name", out var n) && n.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
                ? $"{V2ManifestApi.PythonLike(n)} is not a valid cohort name"
                : $"{V2ManifestApi.PythonLike(root.GetProperty("description"))} is not a valid cohort description");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            name = "Cohort created on " + time.GetUtcNow().ToString("dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture);
        }

        if (SavedCohorts.InvalidCharacters(name, description, filters) is { } invalid)
        {
            return JsonBody.BadRequest(invalid);
        }

        var saved = await cohorts.CreateCohortAsync(
            new NewCohort(user.Id, name, description, catalog.CurrentRelease!, "v2", filters.ToJson(false).ToJsonString(V1CohortsApi.StoredJson)), cancellationToken);
        return SavedCohorts.Created(saved, ApiVersion.V2);
    }

    public static async Task<IResult> DeleteCohorts(HttpRequest request, Callers callers, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V2NotKnown(request.HttpContext);
        }

        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        return SavedCohorts.TryReadIds(body, V2ManifestApi.UnreadableBody, out var ids, out var error)
            ? await SavedCohorts.DeleteAsync(ids, user, cohorts, cancellationToken)
            : error;
    }

    public static async Task<IResult> DeleteCohort([FromRoute(Name = "cohort_id")] string cohortId, HttpContext context, Callers callers, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(context, cancellationToken);
        if (user is null)
        {
            return Callers.V2NotKnown(context);
        }

        return CohortId.TryParsePath(cohortId, out var id)
            ? await SavedCohorts.DeleteAsync([id], user, cohorts, cancellationToken)
            : SavedCohorts.InvalidId(cohortId);
    }

    /// <summary>
    /// Body validation (steps 5-10) comes first, then the cohort: unknown 404, caller not registered 401, not the
    /// owner or deleted 403 with the original's message (which lacked the email), as in spec §7.8.4.
    /// </summary>
    public static async Task<IResult> CohortManifest(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, Callers callers, ICohortStore cohorts, QueryEngine engine, PagedQueries paging, CancellationToken cancellationToken)
    {
        if (SavedCohorts.IsReservedSegment(cohortId))
        {
            return SavedCohorts.MethodDoesNotExist();
        }

        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest(V2ManifestApi.UnreadableBody);
        }

        if (!V2ManifestApi.TryManifestBody(body.RootElement, V2ManifestApi.BodyKeys, out var manifest, out var bodyError))
        {
            return JsonBody.BadRequest(bodyError);
        }

        if (!CohortId.TryParsePath(cohortId, out var id))
        {
            return SavedCohorts.InvalidId(cohortId);
        }

        var cohort = id.StoreId is { } storeId ? await cohorts.FindCohortAsync(storeId, cancellationToken) : null;
        if (cohort is null)
        {
            return JsonBody.Error(StatusCodes.Status404NotFound, $"A cohort with the ID {id} was not found.");
        }

        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V2NotKnown(request.HttpContext);
        }

        if (!SavedCohorts.CanRead(cohort, user))
        {
            return JsonBody.Error(StatusCodes.Status403Forbidden, " " + string.Format(CultureInfo.InvariantCulture, SavedCohorts.NotOwnerSuffix, id));
        }

        if (!engine.HoldsRelease(cohort.IdcDataVersion))
        {
            return SavedCohorts.ReleaseGone(cohort);
        }

        var spec = SavedCohorts.Spec(cohort, QueryKind.V2Manifest, manifest.Fields, manifest.Counts, manifest.GroupSize);
        var outcome = await paging.FirstPageAsync(user.Email, TokenFamilies.V2Manifest, cohort.IdcDataVersion, spec, manifest.PageSize, cancellationToken);
        var echo = new JsonObject
        {
            ["cohort_id"] = cohort.Id,
            ["name"] = cohort.Name,
            ["description"] = cohort.Description,
            ["filterSet"] = SavedCohorts.FilterSet(cohort, ApiVersion.V2),
            ["user_email"] = user.Email,
        };
        return V2ManifestApi.Respond(outcome, echo, manifest.Sql);
    }

    /// <summary>The authenticated nextPage: only tokens this caller's own manifests issued (not previews, not other users').</summary>
    public static async Task<IResult> NextPage(HttpRequest request, Callers callers, PagedQueries paging, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        return user is null
            ? Callers.V2NotKnown(request.HttpContext)
            : await V2ManifestApi.NextPage(request, paging, user.Email, cancellationToken);
    }

    /// <summary>A string, or null (JSON null), or <paramref name="missing"/> when absent; false for any other JSON value.</summary>
    private static bool TryText(JsonElement root, string key, out string? text, string? missing = null)
    {
        text = missing;
        if (!root.TryGetProperty(key, out var value))
        {
            return true;
        }

        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
    }
}
