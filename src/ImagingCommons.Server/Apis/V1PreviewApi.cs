using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;

using ImagingCommons.Server.OpenApi;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// The public (no-auth) v1 manifest and query routes and their nextPage routes (spec §6.6, §6.7).
/// </summary>
internal static class V1PreviewApi
{
    public const string MalformedJson = "The JSON provided in this request appears to be improperly formatted.";
    public const string NoFilters = "No filters were provided; ensure that the request body contains a 'filters' property.";
    public const string NoName = "A name was not provided for this cohort. The cohort was not made.";
    public const string NoColumns = "[ERROR] get_manifest(): Error trying to preview a cohort";
    public const string BadPageSize = "Parameter page_size must have an integer value";
    public const string FiltersMalformed = "Filters were improperly formatted.";
    public const string NoQueryFields = "No queryFields provided; ensure that the request body contains a 'queryFields' component.";

    private static readonly string[] ManifestKeys = [.. SqlBuilder.V1ManifestColumns.Select(c => c.Key), "sql", "page_size"];

    public static IEndpointRouteBuilder MapV1PreviewApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/cohorts").WithTags("v1 cohorts (preview)");
        v1.MapPost("/manifest/preview", ManifestPreview).WithName("v1ManifestPreview").WithSummary("Manifest of a cohort definition, without saving it").JsonBody<V1CohortDefinitionShape>().Paged<V1ManifestPreviewShape>();
        v1.MapGet("/manifest/nextPage", ManifestNextPage).WithName("v1ManifestNextPage").WithSummary("Next page of a manifest").Paged<V1ManifestNextPageShape>();
        v1.MapPost("/query/preview", QueryPreview).WithName("v1QueryPreview").WithSummary("Distinct field combinations of a cohort definition").JsonBody<V1QueryPreviewRequestShape>().Paged<V1QueryPreviewShape>();
        v1.MapGet("/query/nextPage", QueryNextPage).WithName("v1QueryNextPage").WithSummary("Next page of a query").Paged<QueryNextPageShape>();
        return routes;
    }

    public static async Task<IResult> ManifestPreview(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest(MalformedJson);
        }

        var root = body.RootElement;
        if (!root.TryGetProperty("filters", out var filtersElement))
        {
            return JsonBody.BadRequest(NoFilters);
        }

        if (!FilterParser.TryParseV1(filtersElement, out var filters, out var error))
        {
            return JsonBody.BadRequest(error);
        }

        if (!TryName(root, out var name, out var description))
        {
            return JsonBody.BadRequest(NoName);
        }

        if (SavedCohorts.InvalidCharacters(name, TextOf(description), filters) is { } invalid)
        {
            return JsonBody.BadRequest(invalid);
        }

        var (parameterError, selected, pageSize) = ManifestParameters(request);
        if (parameterError is not null)
        {
            return parameterError;
        }

        var release = catalog.CurrentRelease!;
        var spec = new QuerySpec { Kind = QueryKind.V1Manifest, Filters = filters, Fields = selected };
        var outcome = await paging.FirstPageAsync(Identities.Anonymous, TokenFamilies.V1Manifest, release, spec, pageSize, cancellationToken);
        var cohort = new JsonObject
        {
            ["name"] = name,
            ["description"] = description,
            ["filterSet"] = new JsonObject { ["idc_data_version"] = release, ["filters"] = filters.ToJson(normalizeCollectionIds: true) },
            ["sql"] = "",
        };
        return ManifestResponse(outcome, cohort, RequestInput.V1Bool(request, "sql"));
    }

    /// <summary>
    /// The query string of a v1 manifest (preview or saved cohort): known keys only, an integer page_size, at least
    /// one selected column.
    /// </summary>
    internal static (IResult? Error, List<string> Columns, int PageSize) ManifestParameters(HttpRequest request)
    {
        if (V1Arguments.FirstUnexpected(request, ManifestKeys) is { } unexpected)
        {
            return (JsonBody.BadRequest("Invalid key " + unexpected), [], 0);
        }

        if (!RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize))
        {
            return (JsonBody.BadRequest(BadPageSize), [], 0);
        }

        var selected = SqlBuilder.V1ManifestColumns.Where(c => RequestInput.V1Bool(request, c.Key)).Select(c => c.Key).ToList();
        return selected.Count == 0 ? (JsonBody.BadRequest(NoColumns), [], 0) : (null, selected, pageSize);
    }

    /// <summary>The first page of a v1 manifest, with <paramref name="cohort"/> (its "sql" filled in when asked), or the 202 body.</summary>
    internal static IResult ManifestResponse(PageOutcome outcome, JsonObject cohort, bool sql)
    {
        if (outcome.Status == PageStatus.Pending)
        {
            return ResultRendering.Pending(outcome.Token);
        }

        cohort["sql"] = sql ? outcome.Handle!.DisplaySql : "";
        return JsonBody.Ok(new JsonObject
        {
            ["code"] = 200,
            ["cohort"] = cohort,
            ["manifest"] = ResultRendering.Block(outcome, "json_manifest"),
            ["next_page"] = outcome.NextPage,
        });
    }

    public static Task<IResult> ManifestNextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        NextPage(request, paging, TokenFamilies.V1Manifest, "manifest", "json_manifest", includeEmptyCohort: false, cancellationToken);

    public static async Task<IResult> QueryPreview(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest(MalformedJson);
        }

        var root = body.RootElement;
        if (!root.TryGetProperty("cohort_def", out var cohortDef) || cohortDef.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest("No cohort_def provided; ensure that the request body contains a 'cohort_dev' component.");
        }

        if (!cohortDef.TryGetProperty("filters", out var filtersElement))
        {
            return JsonBody.BadRequest("No filters were provided; ensure that the cohort_def contains a 'filterSet' component.");
        }

        if (!root.TryGetProperty("queryFields", out var queryFields))
        {
            return JsonBody.BadRequest(NoQueryFields);
        }

        if (!FilterParser.TryParseV1(filtersElement, out var filters, out _) || !TryFields(queryFields, out var fields))
        {
            return JsonBody.BadRequest(FiltersMalformed);
        }

        if (!TryName(cohortDef, out var name, out var description))
        {
            return JsonBody.BadRequest(NoName);
        }

        if (SavedCohorts.InvalidCharacters(name, TextOf(description), filters) is { } invalid)
        {
            return JsonBody.BadRequest(invalid);
        }

        var (error, pageSize) = QueryParameters(request);
        if (error is not null)
        {
            return error;
        }

        var release = catalog.CurrentRelease!;
        var spec = new QuerySpec { Kind = QueryKind.V1Query, Filters = filters, Fields = fields };
        var outcome = await paging.FirstPageAsync(Identities.Anonymous, TokenFamilies.V1Query, release, spec, pageSize, cancellationToken);
        var echo = filters.ToJson(normalizeCollectionIds: true);
        var cohort = new JsonObject
        {
            ["name"] = name,
            ["description"] = description,
            ["filters"] = echo.DeepClone(),
            ["filterSet"] = new JsonObject { ["idc_data_version"] = release, ["filters"] = echo },
            ["sql"] = "",
        };
        return QueryResponse(outcome, cohort, RequestInput.V1Bool(request, "sql"));
    }

    /// <summary>The first page of a v1 query, with <paramref name="cohort"/> as its cohort_def, or the 202 body.</summary>
    internal static IResult QueryResponse(PageOutcome outcome, JsonObject cohort, bool sql)
    {
        if (outcome.Status == PageStatus.Pending)
        {
            return ResultRendering.Pending(outcome.Token, new JsonObject { ["cohort_def"] = cohort });
        }

        cohort["sql"] = sql ? outcome.Handle!.DisplaySql : "";
        return JsonBody.Ok(new JsonObject
        {
            ["code"] = 200,
            ["cohort_def"] = cohort,
            ["query_results"] = ResultRendering.Block(outcome, "json"),
            ["next_page"] = outcome.NextPage,
        });
    }

    public static Task<IResult> QueryNextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        NextPage(request, paging, TokenFamilies.V1Query, "query_results", "json", includeEmptyCohort: true, cancellationToken);

    /// <summary>The v1 nextPage routes: anonymous callers allowed; tokens bound to the caller who started the listing.</summary>
    internal static async Task<IResult> NextPage(HttpRequest request, PagedQueries paging, string family, string blockKey, string rowsKey, bool includeEmptyCohort, CancellationToken cancellationToken)
    {
        var token = RequestInput.Query(request, "next_page");
        if (!RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize))
        {
            return JsonBody.BadRequest(BadPageSize);
        }

        var identity = family == TokenFamilies.V1DicomMetadata ? Identities.None : CallerIdentity(request);
        var outcome = await paging.NextPageAsync(token, identity, family, pageSize, cancellationToken);
        if (outcome.Status == PageStatus.InvalidToken && identity != Identities.Anonymous && identity != Identities.None)
        {
            // A signed-in caller may page a listing started anonymously (a preview): anonymous tokens are anyone's.
            outcome = await paging.NextPageAsync(token, Identities.Anonymous, family, pageSize, cancellationToken);
        }
        switch (outcome.Status)
        {
            case PageStatus.InvalidToken:
                return JsonBody.BadRequest("Invalid next_page token " + (token ?? "None"));
            case PageStatus.Pending:
                return ResultRendering.Pending(outcome.Token);
        }

        var result = new JsonObject { ["code"] = 200 };
        if (includeEmptyCohort)
        {
            result["cohort"] = new JsonObject();
        }

        result[blockKey] = ResultRendering.Block(outcome, rowsKey);
        result["next_page"] = outcome.NextPage;
        return JsonBody.Ok(result);
    }

    /// <summary>The identity a v1 token is bound to: the verified email when signed in, else "Anonymous".</summary>
    internal static string CallerIdentity(HttpRequest request) => Auth.Callers.Email(request.HttpContext) ?? Identities.Anonymous;

    internal static (IResult? Error, int PageSize) QueryParameters(HttpRequest request)
    {
        if (V1Arguments.FirstUnexpected(request, "sql", "page_size") is { } unexpected)
        {
            return (JsonBody.BadRequest("Invalid key " + unexpected), 0);
        }

        return RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize)
            ? (null, pageSize)
            : (JsonBody.BadRequest(BadPageSize), 0);
    }

    /// <summary>v1 query fields: a non-empty array of names from the fixed enum (case-sensitive).</summary>
    internal static bool TryFields(JsonElement container, out List<string> fields)
    {
        fields = [];
        if (container.ValueKind != JsonValueKind.Object || !container.TryGetProperty("fields", out var array))
        {
            return false;
        }

        return TryFieldArray(array, out fields);
    }

    internal static bool TryFieldArray(JsonElement array, out List<string> fields)
    {
        fields = [];
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            return false;
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !ApiCatalog.V1QueryFields.Contains(item.GetString()!))
            {
                return false;
            }

            fields.Add(item.GetString()!);
        }

        return true;
    }

    /// <summary>The text of a description node, or null when it is absent or not a string.</summary>
    internal static string? TextOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A cohort definition needs a non-empty string name; a missing description defaults to "".</summary>
    internal static bool TryName(JsonElement definition, out string name, out JsonNode? description)
    {
        name = "";
        description = JsonValue.Create("");
        if (definition.TryGetProperty("description", out var d))
        {
            description = d.ValueKind == JsonValueKind.Null ? null : JsonNode.Parse(d.GetRawText());
        }

        if (!definition.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(n.GetString()))
        {
            return false;
        }

        name = n.GetString()!;
        return true;
    }
}
