using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.OpenApi;
using ImagingCommons.Server.Paging;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace ImagingCommons.Server.Apis;

/// <summary>The authenticated v1 routes of saved cohorts (spec §6.6.2, §6.7.2, §6.8).</summary>
internal static class V1CohortsApi
{
    public const string CohortMalformed = "Cohort information was improperly formatted - cohort not created.";

    internal static readonly JsonSerializerOptions StoredJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapV1CohortsApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/cohorts").WithTags("v1 saved cohorts").RequireAuthorization();
        v1.MapGet("", ListCohorts).WithName("v1ListCohorts").WithSummary("The caller's saved cohorts").Authenticated<CohortListShape>();
        v1.MapPost("", CreateCohort).WithName("v1CreateCohort").WithSummary("Save a cohort definition on the current release").JsonBody<V1CohortDefinitionShape>().Authenticated<CohortCreatedShape>();
        v1.MapDelete("", DeleteCohorts).WithName("v1DeleteCohorts").WithSummary("Delete saved cohorts").JsonBody<CohortIdsShape>().Authenticated<CohortDeletionsShape>();
        v1.MapGet("/{cohort_id}", CohortObjectsTree).WithName("v1CohortObjects").WithSummary("A saved cohort's collections, patients, studies, series and instances as a tree, on its own release").Paged<V1CohortObjectsShape>().Authenticated();
        v1.MapDelete("/{cohort_id}", DeleteCohort).WithName("v1DeleteCohort").WithSummary("Delete one saved cohort").Authenticated<CohortDeletionsShape>();
        v1.MapGet("/manifest/{cohort_id}", CohortManifest).WithName("v1CohortManifest").WithSummary("Manifest of a saved cohort, on its own release").Paged<V1ManifestPreviewShape>().Authenticated();
        v1.MapMethods("/query/{cohort_id}", [HttpMethods.Get, HttpMethods.Post], CohortQuery).WithName("v1CohortQuery").WithSummary("Distinct field combinations of a saved cohort (GET with a body is accepted too)").JsonBody<V1QueryFieldsShape>().Paged<V1QueryPreviewShape>().Authenticated();
        return routes;
    }

    public static async Task<IResult> ListCohorts(HttpContext context, Callers callers, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(context, cancellationToken);
        return user is null ? Callers.V1NotRegistered() : await SavedCohorts.ListAsync(user, cohorts, ApiVersion.V1, cancellationToken);
    }

    public static async Task<IResult> CreateCohort(HttpRequest request, Callers callers, ICohortStore cohorts, ReleaseCatalog catalog, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V1NotRegistered();
        }

        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest(V1PreviewApi.MalformedJson);
        }

        var root = body.RootElement;
        if (!root.TryGetProperty("filters", out var filtersElement))
        {
            return JsonBody.BadRequest(V1PreviewApi.NoFilters);
        }

        if (!FilterParser.TryParseV1(filtersElement, out var filters, out _))
        {
            return JsonBody.BadRequest(CohortMalformed);
        }

        if (!V1PreviewApi.TryName(root, out var name, out var descriptionNode))
        {
            return JsonBody.BadRequest(V1PreviewApi.NoName);
        }

        string? description = null;
        if (descriptionNode is not null && !(descriptionNode is JsonValue value && value.TryGetValue(out description)))
        {
            return JsonBody.BadRequest(CohortMalformed);
        }

        if (SavedCohorts.InvalidCharacters(name, description, filters) is { } invalid)
        {
            return JsonBody.BadRequest(invalid);
        }

        var saved = await cohorts.CreateCohortAsync(
            new NewCohort(user.Id, name, description, catalog.CurrentRelease!, "v1", filters.ToJson(false).ToJsonString(StoredJson)), cancellationToken);
        return SavedCohorts.Created(saved, ApiVersion.V1);
    }

    public static async Task<IResult> DeleteCohorts(HttpRequest request, Callers callers, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V1NotRegistered();
        }

        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        return SavedCohorts.TryReadIds(body, V1PreviewApi.MalformedJson, out var ids, out var error)
            ? await SavedCohorts.DeleteAsync(ids, user, cohorts, cancellationToken)
            : error;
    }

    public static async Task<IResult> DeleteCohort([FromRoute(Name = "cohort_id")] string cohortId, HttpContext context, Callers callers, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var user = await callers.RegisteredAsync(context, cancellationToken);
        if (user is null)
        {
            return Callers.V1NotRegistered();
        }

        return CohortId.TryParsePath(cohortId, out var id)
            ? await SavedCohorts.DeleteAsync([id], user, cohorts, cancellationToken)
            : SavedCohorts.InvalidId(cohortId);
    }

    /// <summary>
    /// GET /v1/cohorts/{id} (the 2020 hierarchical form, addendum H1-H5): the owner's cohort as a tree down to
    /// return_level, answered from the cohort's pinned release; ownership is checked again on every page.
    /// </summary>
    public static async Task<IResult> CohortObjectsTree(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, Callers callers, ICohortStore cohorts, QueryEngine engine, PagedQueries paging,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (SavedCohorts.IsReservedSegment(cohortId))
        {
            return SavedCohorts.MethodDoesNotExist();
        }

        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V1NotRegistered();
        }

        if (!CohortId.TryParsePath(cohortId, out var id))
        {
            return SavedCohorts.InvalidId(cohortId);
        }

        return await CohortObjects.RespondAsync(
            request,
            user.Email,
            TokenFamilies.V1Cohort(id.StoreId ?? 0),
            async token =>
            {
                var (cohort, error) = await OwnCohortAsync(cohortId, user, cohorts, engine, token);
                return cohort is null
                    ? CohortResolution.Refused(error!)
                    : CohortResolution.Found(new CohortDefinition(Echo(cohort), SavedCohorts.ParseFilters(cohort), cohort.IdcDataVersion));
            },
            resolveOnNextPages: true,
            paging,
            loggers.CreateLogger(typeof(V1CohortsApi)),
            cancellationToken);
    }

    public static async Task<IResult> CohortManifest(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, Callers callers, ICohortStore cohorts, QueryEngine engine, PagedQueries paging, CancellationToken cancellationToken)
    {
        if (SavedCohorts.IsReservedSegment(cohortId))
        {
            return SavedCohorts.MethodDoesNotExist();
        }

        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V1NotRegistered();
        }

        var (parameterError, columns, pageSize) = V1PreviewApi.ManifestParameters(request);
        if (parameterError is not null)
        {
            return parameterError;
        }

        var (cohort, lookupError) = await OwnCohortAsync(cohortId, user, cohorts, engine, cancellationToken);
        if (cohort is null)
        {
            return lookupError!;
        }

        var spec = SavedCohorts.Spec(cohort, QueryKind.V1Manifest, columns);
        var outcome = await paging.FirstPageAsync(user.Email, TokenFamilies.V1Manifest, cohort.IdcDataVersion, spec, pageSize, cancellationToken);
        return V1PreviewApi.ManifestResponse(outcome, Echo(cohort), RequestInput.V1Bool(request, "sql"));
    }

    public static async Task<IResult> CohortQuery(
        [FromRoute(Name = "cohort_id")] string cohortId, HttpRequest request, Callers callers, ICohortStore cohorts, QueryEngine engine, PagedQueries paging, CancellationToken cancellationToken)
    {
        if (SavedCohorts.IsReservedSegment(cohortId))
        {
            return SavedCohorts.MethodDoesNotExist();
        }

        var user = await callers.RegisteredAsync(request.HttpContext, cancellationToken);
        if (user is null)
        {
            return Callers.V1NotRegistered();
        }

        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return JsonBody.BadRequest(V1PreviewApi.NoQueryFields);
        }

        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest(V1PreviewApi.MalformedJson);
        }

        if (!body.RootElement.TryGetProperty("fields", out var fieldsElement))
        {
            return JsonBody.BadRequest(V1PreviewApi.NoQueryFields);
        }

        if (!V1PreviewApi.TryFieldArray(fieldsElement, out var fields))
        {
            return JsonBody.BadRequest(V1PreviewApi.FiltersMalformed);
        }

        var (parameterError, pageSize) = V1PreviewApi.QueryParameters(request);
        if (parameterError is not null)
        {
            return parameterError;
        }

        var (cohort, lookupError) = await OwnCohortAsync(cohortId, user, cohorts, engine, cancellationToken);
        if (cohort is null)
        {
            return lookupError!;
        }

        var spec = SavedCohorts.Spec(cohort, QueryKind.V1Query, fields);
        var outcome = await paging.FirstPageAsync(user.Email, TokenFamilies.V1Query, cohort.IdcDataVersion, spec, pageSize, cancellationToken);
        return V1PreviewApi.QueryResponse(outcome, Echo(cohort), RequestInput.V1Bool(request, "sql"));
    }

    /// <summary>The caller's own, active cohort on a held release, or the v1 answer saying why not (spec §6.6.2).</summary>
    private static async Task<(SavedCohort? Cohort, IResult? Error)> OwnCohortAsync(
        string text, UserAccount user, ICohortStore cohorts, QueryEngine engine, CancellationToken cancellationToken)
    {
        if (!CohortId.TryParsePath(text, out var id))
        {
            return (null, SavedCohorts.InvalidId(text));
        }

        var cohort = id.StoreId is { } storeId ? await cohorts.FindCohortAsync(storeId, cancellationToken) : null;
        if (cohort is null)
        {
            return (null, JsonBody.BadRequest($"A cohort with the ID {id} was not found."));
        }

        if (!SavedCohorts.CanRead(cohort, user))
        {
            return (null, JsonBody.Error(StatusCodes.Status403Forbidden, $"{user.Email} " + string.Format(System.Globalization.CultureInfo.InvariantCulture, SavedCohorts.NotOwnerSuffix, id)));
        }

        return engine.HoldsRelease(cohort.IdcDataVersion) ? (cohort, null) : (null, SavedCohorts.ReleaseGone(cohort));
    }

    /// <summary>The cohort block of a v1 cohort manifest or query: its id, name, description, sql and stored filters.</summary>
    private static JsonObject Echo(SavedCohort cohort) => new()
    {
        ["cohort_id"] = cohort.Id,
        ["name"] = cohort.Name,
        ["description"] = cohort.Description,
        ["sql"] = "",
        ["filterSet"] = SavedCohorts.FilterSet(cohort, ApiVersion.V1),
    };
}
