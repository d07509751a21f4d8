using System.Text.Json;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.WebUtilities;

namespace ImagingCommons.Server.Requests;

/// <summary>
/// The v1 request checks, each in the original's order with its texts (spec §6, §5.7, addendum H7): what a v1 route
/// needs from its body and query string, or the answer that refuses it.
/// </summary>
internal static class V1Requests
{
    /// <summary>The v1 manifest columns: query parameter / output key → dicom_pivot column, in the original's order.</summary>
    private static readonly string[] ManifestKeys = [.. SqlBuilder.V1ManifestColumns.Select(c => c.Key), "sql", "page_size"];

    /// <summary>The query keys of a cohort-objects first page; <c>email</c> is accepted for old clients and never used (H10.8).</summary>
    private static readonly string[] CohortObjectsKeys = ["return_level", "sql", "page_size", "next_page", "email"];

    /// <summary>A v1 manifest preview or POST /v1/cohorts body: filters, name, description, invalid characters.</summary>
    /// <param name="schemaError">The message of a schema error: the raw jsonschema text (manifest preview), or a route's own.</param>
    public static Checked<CohortDraft> CohortDefinition(JsonDocument? body, string? schemaError = null)
    {
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(ErrorTexts.V1MalformedJson);
        }

        var root = body.RootElement;
        if (!root.TryGetProperty("filters", out var filtersElement))
        {
            return Wire.BadRequest(ErrorTexts.V1NoFilters);
        }

        if (!FilterParser.TryParseV1(filtersElement, out var filters, out var error))
        {
            return Wire.BadRequest(schemaError ?? error);
        }

        return Draft(root, filters, schemaError ?? ErrorTexts.V1NameOrDescriptionNotText);
    }

    /// <summary>POST /v1/cohorts/query/preview (spec §6.7.1).</summary>
    public static Checked<V1QueryPreview> QueryPreview(JsonDocument? body)
    {
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(ErrorTexts.V1MalformedJson);
        }

        var root = body.RootElement;
        if (!root.TryGetProperty("cohort_def", out var cohortDef) || cohortDef.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(ErrorTexts.V1NoCohortDef);
        }

        if (!cohortDef.TryGetProperty("filters", out var filtersElement))
        {
            return Wire.BadRequest(ErrorTexts.V1NoCohortDefFilters);
        }

        if (!root.TryGetProperty("queryFields", out var queryFields))
        {
            return Wire.BadRequest(ErrorTexts.V1NoQueryFields);
        }

        if (!FilterParser.TryParseV1(filtersElement, out var filters, out _)
            || queryFields.ValueKind != JsonValueKind.Object
            || !queryFields.TryGetProperty("fields", out var fieldsElement)
            || FieldArray(fieldsElement) is not { } fields)
        {
            return Wire.BadRequest(ErrorTexts.V1FiltersMalformed);
        }

        var draft = Draft(cohortDef, filters, ErrorTexts.V1NameOrDescriptionNotText);
        return draft.IsValid ? new V1QueryPreview(draft.Value, fields) : draft.Error;
    }

    /// <summary>The body of POST (or GET) /v1/cohorts/query/{id}: <c>{"fields":[…]}</c>.</summary>
    public static Checked<V1QueryFieldList> QueryFields(JsonDocument? body, bool requestCanHaveBody)
    {
        if (!requestCanHaveBody)
        {
            return Wire.BadRequest(ErrorTexts.V1NoQueryFields);
        }

        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(ErrorTexts.V1MalformedJson);
        }

        if (!body.RootElement.TryGetProperty("fields", out var fieldsElement))
        {
            return Wire.BadRequest(ErrorTexts.V1NoQueryFields);
        }

        return FieldArray(fieldsElement) is { } fields ? new V1QueryFieldList(fields) : Wire.BadRequest(ErrorTexts.V1FiltersMalformed);
    }

    /// <summary>The query string of a v1 manifest: known keys only, an integer page_size, at least one selected column.</summary>
    public static Checked<V1ManifestOptions> ManifestOptions(HttpRequest request)
    {
        if (V1Arguments.FirstUnexpected(request, ManifestKeys) is { } unexpected)
        {
            return Wire.BadRequest(ErrorTexts.V1InvalidKey(unexpected));
        }

        if (!RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize))
        {
            return Wire.BadRequest(ErrorTexts.V1BadPageSize);
        }

        var selected = SqlBuilder.V1ManifestColumns.Where(c => RequestInput.V1Bool(request, c.Key)).Select(c => c.Key).ToList();
        return selected.Count == 0
            ? Wire.BadRequest(ErrorTexts.V1NoColumns)
            : new V1ManifestOptions(selected, RequestInput.V1Bool(request, "sql"), pageSize);
    }

    /// <summary>The query string of a v1 query: sql and page_size only.</summary>
    public static Checked<V1QueryOptions> QueryOptions(HttpRequest request)
    {
        if (V1Arguments.FirstUnexpected(request, "sql", "page_size") is { } unexpected)
        {
            return Wire.BadRequest(ErrorTexts.V1InvalidKey(unexpected));
        }

        return RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize)
            ? new V1QueryOptions(RequestInput.V1Bool(request, "sql"), pageSize)
            : Wire.BadRequest(ErrorTexts.V1BadPageSize);
    }

    /// <summary>The query string of /v1/dicomMetadata: page_size only.</summary>
    public static Checked<V1QueryOptions> DicomMetadataOptions(HttpRequest request)
    {
        if (V1Arguments.FirstUnexpected(request, "page_size") is { } unexpected)
        {
            return Wire.BadRequest(ErrorTexts.V1InvalidKey(unexpected));
        }

        return RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize)
            ? new V1QueryOptions(false, pageSize)
            : Wire.BadRequest(ErrorTexts.V1BadPageSize);
    }

    /// <summary>A v1 nextPage query string: next_page and page_size (other parameters are ignored, as the original did).</summary>
    public static Checked<NextPageRequest> NextPage(HttpRequest request) =>
        RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize)
            ? new NextPageRequest(RequestInput.Query(request, "next_page"), pageSize)
            : Wire.BadRequest(ErrorTexts.V1BadPageSize);

    /// <summary>
    /// A call of a 2020-2021 route spelling (<c>/cohorts/preview/manifest</c>, <c>/cohorts/{id}/manifest</c>, …) that
    /// continues a listing: a non-empty <c>next_page</c> passed back to the same route.
    /// </summary>
    public static bool ContinuesOnSameRoute(HttpRequest request) => !string.IsNullOrEmpty(RequestInput.Query(request, "next_page"));

    /// <summary>
    /// Steps 1-5 of H7 in order: JSON, filterSet, schema, name, invalid characters. The 2020 body wraps the filters
    /// in <c>filterSet</c>; a released-v1 body with top-level <c>filters</c> is read as <c>filterSet:{filters}</c> (H10.2).
    /// </summary>
    public static Checked<V1CohortObjectsPreview> CohortObjectsPreview(JsonDocument? document)
    {
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(ErrorTexts.V1MalformedJson);
        }

        var root = document.RootElement;
        JsonElement? filtersElement;
        string? version = null;
        if (root.TryGetProperty("filterSet", out var filterSet))
        {
            if (!TryFilterSet(filterSet, out filtersElement, out version))
            {
                return Wire.BadRequest(ErrorTexts.V1FiltersMalformed);
            }
        }
        else if (root.TryGetProperty("filters", out var topLevel))
        {
            filtersElement = topLevel;
        }
        else
        {
            return Wire.BadRequest(ErrorTexts.V1NoFilterSet);
        }

        FilterSet? filters = null;
        if (filtersElement is { } element && !FilterParser.TryParseV1(element, out filters, out _))
        {
            return Wire.BadRequest(ErrorTexts.V1FiltersMalformed);
        }

        if (Name(root) is not { } name)
        {
            return Wire.BadRequest(ErrorTexts.V1NoName);
        }

        if (!TryDescription(root, out var description))
        {
            return Wire.BadRequest(ErrorTexts.V1NameOrDescriptionNotText);
        }

        var refused = CohortText.FindRefused(name) ?? CohortText.FindRefused(description) ?? (filters is null ? null : CohortText.FindRefused(filters));
        if (refused is not null)
        {
            return Wire.BadRequest(ErrorTexts.V1ObjectsInvalidCharacters(refused));
        }

        return new V1CohortObjectsPreview(name, description, filters, version);
    }

    /// <summary>
    /// Step 7 of H7 on a first page: every key must be known (the message names the last unknown one) and the level
    /// valid; the level message wins.
    /// </summary>
    public static WireError? CohortObjectsKeyError(HttpRequest request)
    {
        var level = RequestInput.Query(request, "return_level");
        if (level is not null && CohortLevels.Depth(level) == 0)
        {
            return Wire.BadRequest(ErrorTexts.V1InvalidLevel(level));
        }

        string? unknown = null;
        if (request.QueryString.HasValue)
        {
            foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
            {
                var name = pair.DecodeName().ToString();
                if (!CohortObjectsKeys.Contains(name))
                {
                    unknown = name;
                }
            }
        }

        return unknown is null ? null : Wire.BadRequest(ErrorTexts.V1InvalidKey(unknown));
    }

    /// <summary>page_size of the cohort-objects routes: an integer of at least 1 (H10.9), default 1000 on every call.</summary>
    public static bool TryCohortObjectsPageSize(HttpRequest request, out int pageSize) =>
        RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out pageSize) && pageSize >= 1;

    /// <summary>The ids of a DELETE /cohorts body, <c>{"cohorts":[id, …]}</c>.</summary>
    public static Checked<CohortIdList> CohortIds(JsonDocument? body, string malformedMessage)
    {
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(malformedMessage);
        }

        if (!body.RootElement.TryGetProperty("cohorts", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return Wire.BadRequest(ErrorTexts.NoCohortIds);
        }

        if (list.GetArrayLength() > MaxIdsPerDelete)
        {
            return Wire.BadRequest(ErrorTexts.TooManyCohortIds(MaxIdsPerDelete));
        }

        var ids = new List<CohortId>();
        foreach (var item in list.EnumerateArray())
        {
            if (!CohortId.TryParseJson(item, out var id))
            {
                return Wire.BadRequest(ErrorTexts.InvalidCohortId(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText()));
            }

            ids.Add(id);
        }

        return new CohortIdList(ids);
    }

    /// <summary>At most this many ids per DELETE /cohorts (ours).</summary>
    public const int MaxIdsPerDelete = 1000;

    /// <summary>The name (a non-empty string), the description (a string, null, or absent: ""), the invalid-characters rule.</summary>
    private static Checked<CohortDraft> Draft(JsonElement definition, FilterSet filters, string descriptionError)
    {
        if (Name(definition) is not { } name)
        {
            return Wire.BadRequest(ErrorTexts.V1NoName);
        }

        if (!TryDescription(definition, out var description))
        {
            return Wire.BadRequest(descriptionError);
        }

        return InvalidCharacters(name, description, filters) is { } invalid ? invalid : new CohortDraft(name, description, filters);
    }

    /// <summary>The refusal of script-like text in the name, the description or a filter value (spec §3), or null.</summary>
    public static WireError? InvalidCharacters(string? name, string? description, FilterSet filters) =>
        CohortText.FindRefused(name) is not null ? Wire.BadRequest(ErrorTexts.InvalidName)
        : CohortText.FindRefused(description) is not null ? Wire.BadRequest(ErrorTexts.InvalidDescription)
        : CohortText.FindRefused(filters) is not null ? Wire.BadRequest(ErrorTexts.InvalidFilterText)
        : null;

    private static string? Name(JsonElement definition) =>
        definition.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())
            ? n.GetString()
            : null;

    /// <summary>A description must be a string or null; a missing one defaults to "" (spec §10 #25).</summary>
    private static bool TryDescription(JsonElement definition, out string? description)
    {
        description = "";
        if (!definition.TryGetProperty("description", out var d))
        {
            return true;
        }

        description = d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        return d.ValueKind is JsonValueKind.String or JsonValueKind.Null;
    }

    /// <summary>v1 query fields: a non-empty array of names from the fixed enum (case-sensitive).</summary>
    private static List<string>? FieldArray(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            return null;
        }

        var fields = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !ApiCatalog.V1QueryFields.Contains(item.GetString()!))
            {
                return null;
            }

            fields.Add(item.GetString()!);
        }

        return fields;
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
