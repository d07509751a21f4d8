using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;
using Microsoft.AspNetCore.WebUtilities;

using ImagingCommons.Server.OpenApi;

namespace ImagingCommons.Server.Apis;

/// <summary>The public v2 manifest routes (spec §7.8.1-7.8.3, §7.8.5).</summary>
internal static class V2ManifestApi
{
    /// <summary>What the original's JSON parser said about a body it could not read (spec §7.8.2 step 1).</summary>
    public const string UnreadableBody = "The browser (or proxy) sent a request that this server could not understand.";

    /// <summary>The body keys of every v2 manifest request (the saved-cohort route ignores cohort_def).</summary>
    internal static readonly string[] BodyKeys = ["cohort_def", "fields", "counts", "group_size", "sql", "page_size"];

    /// <summary>The keys a cohort definition may have, case-sensitive (spec §7.8.1).</summary>
    internal static readonly string[] CohortDefKeys = ["name", "description", "filters"];

    public static IEndpointRouteBuilder MapV2ManifestApi(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/cohorts/manifest").WithTags("v2 manifests (preview)");
        v2.MapPost("/preview", Preview).WithName("v2ManifestPreview").WithSummary("Manifest of a cohort definition, without saving it").JsonBody<V2ManifestPreviewRequestShape>().Paged<V2ManifestPreviewShape>();
        v2.MapGet("/preview/nextPage", PreviewNextPage).WithName("v2ManifestPreviewNextPage").WithSummary("Next page of a preview manifest").Paged<V2ManifestNextPageShape>();
        return routes;
    }

    /// <summary>A validated manifest body: the options every v2 manifest route shares.</summary>
    internal sealed record ManifestRequest(IReadOnlyList<string> Fields, bool Counts, bool GroupSize, bool Sql, int PageSize);

    public static async Task<IResult> Preview(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest(UnreadableBody);
        }

        var root = body.RootElement;
        if (!root.TryGetProperty("cohort_def", out var cohortDef))
        {
            return JsonBody.BadRequest("'cohort_def' is required in the body");
        }

        if (cohortDef.ValueKind != JsonValueKind.Object)
        {
            return JsonBody.BadRequest($"{PythonLike(cohortDef)} is not a valid cohort_def");
        }

        if (!TryCohortDefinition(cohortDef, out var filters, out var definitionError))
        {
            return JsonBody.BadRequest(definitionError);
        }

        if (SavedCohorts.InvalidCharacters(StringProperty(cohortDef, "name"), StringProperty(cohortDef, "description"), filters) is { } invalid)
        {
            return JsonBody.BadRequest(invalid);
        }

        if (!TryManifestBody(root, BodyKeys, out var manifest, out var error))
        {
            return JsonBody.BadRequest(error);
        }

        var release = catalog.CurrentRelease!;
        var spec = new QuerySpec
        {
            Kind = QueryKind.V2Manifest,
            Filters = filters,
            Fields = manifest.Fields,
            Counts = manifest.Counts,
            GroupSize = manifest.GroupSize,
        };
        var cohort = new JsonObject
        {
            ["name"] = cohortDef.TryGetProperty("name", out var n) ? JsonNode.Parse(n.GetRawText()) : "",
            ["description"] = cohortDef.TryGetProperty("description", out var d) ? JsonNode.Parse(d.GetRawText()) : "",
            ["filterSet"] = new JsonObject { ["idc_data_version"] = release, ["filters"] = filters.ToJson(normalizeCollectionIds: true) },
        };
        var outcome = await paging.FirstPageAsync(Identities.Anonymous, TokenFamilies.V2Manifest, release, spec, manifest.PageSize, cancellationToken);
        return Respond(outcome, cohort, manifest.Sql);
    }

    /// <summary>Steps 3-4 of the v2 validation order: the cohort definition's keys, then its filters (missing: none).</summary>
    internal static bool TryCohortDefinition(JsonElement cohortDef, [NotNullWhen(true)] out FilterSet? filters, [NotNullWhen(false)] out string? error)
    {
        filters = null;
        foreach (var property in cohortDef.EnumerateObject())
        {
            if (!CohortDefKeys.Contains(property.Name))
            {
                error = $"'{property.Name}' is an invalid cohort_def key";
                return false;
            }
        }

        using var emptyFilters = JsonDocument.Parse("{}");
        var filtersElement = cohortDef.TryGetProperty("filters", out var f) ? f : emptyFilters.RootElement;
        return FilterParser.TryParseV2(filtersElement, out filters, out error);
    }

    /// <summary>The first page of a v2 manifest (preview or saved cohort), or the 202 body.</summary>
    internal static IResult Respond(PageOutcome outcome, JsonObject cohort, bool sql)
    {
        if (outcome.Status == PageStatus.Pending)
        {
            return ResultRendering.Pending(outcome.Token, new JsonObject { ["cohort_def"] = cohort });
        }

        if (sql)
        {
            cohort["sql"] = outcome.Handle!.DisplaySql;
        }

        return JsonBody.Ok(new JsonObject
        {
            ["code"] = 200,
            ["cohort_def"] = cohort,
            ["manifest"] = ResultRendering.Block(outcome, "manifest_data"),
            ["next_page"] = outcome.NextPage,
        });
    }

    public static Task<IResult> PreviewNextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        NextPage(request, paging, Identities.Anonymous, cancellationToken);

    /// <summary>v2 nextPage: parameter names match case-insensitively; tokens are bound to the caller's identity.</summary>
    internal static async Task<IResult> NextPage(HttpRequest request, PagedQueries paging, string identity, CancellationToken cancellationToken)
    {
        string? token = null;
        string? pageSizeText = null;
        if (request.QueryString.HasValue)
        {
            foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
            {
                var name = pair.DecodeName().ToString();
                var value = pair.DecodeValue().ToString();
                if (name.Equals("next_page", StringComparison.OrdinalIgnoreCase))
                {
                    token = value;
                }
                else if (name.Equals("page_size", StringComparison.OrdinalIgnoreCase))
                {
                    pageSizeText = value;
                }
                else
                {
                    return JsonBody.BadRequest("Invalid query parameter " + name);
                }
            }
        }

        if (!RequestInput.TryPageSize(pageSizeText, out var pageSize))
        {
            return JsonBody.BadRequest("Invalid page_size");
        }

        var outcome = await paging.NextPageAsync(token, identity, TokenFamilies.V2Manifest, pageSize, cancellationToken);
        return outcome.Status switch
        {
            PageStatus.InvalidToken => JsonBody.BadRequest("Invalid next_page token " + (token ?? "None")),
            PageStatus.Pending => ResultRendering.Pending(outcome.Token),
            _ => JsonBody.Ok(new JsonObject
            {
                ["code"] = 200,
                ["manifest"] = ResultRendering.Block(outcome, "manifest_data"),
                ["next_page"] = outcome.NextPage,
            }),
        };
    }

    /// <summary>Steps 5-10 of the v2 validation order: body keys, fields, booleans, page_size, field names.</summary>
    internal static bool TryManifestBody(JsonElement root, string[] allowedKeys, out ManifestRequest manifest, out string error)
    {
        manifest = new ManifestRequest([], false, false, false, PagedQueries.DefaultPageSize);
        foreach (var property in root.EnumerateObject())
        {
            if (!allowedKeys.Contains(property.Name))
            {
                error = $"{property.Name} is an invalid body key";
                return false;
            }
        }

        if (!root.TryGetProperty("fields", out var fieldsElement))
        {
            error = "fields is required in the body";
            return false;
        }

        var flags = new Dictionary<string, bool>();
        foreach (var key in new[] { "counts", "group_size", "sql" })
        {
            flags[key] = false;
            if (root.TryGetProperty(key, out var value))
            {
                bool? parsed = value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String => value.GetString() switch
                    {
                        "True" or "true" => true,
                        "False" or "false" => false,
                        _ => null,
                    },
                    _ => null,
                };
                if (parsed is null)
                {
                    error = $"{PythonLike(value)} is an invalid value for {key}";
                    return false;
                }

                flags[key] = parsed.Value;
            }
        }

        var pageSize = PagedQueries.DefaultPageSize;
        if (root.TryGetProperty("page_size", out var pageSizeElement))
        {
            if (pageSizeElement.ValueKind != JsonValueKind.Number || !pageSizeElement.TryGetInt64(out var size))
            {
                error = "page_size value must be an integer";
                return false;
            }

            pageSize = (int)Math.Clamp(size, int.MinValue, int.MaxValue);
        }

        var fields = new List<string>();
        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            error = $"{PythonLike(fieldsElement)} is not a valid field.";
            return false;
        }

        foreach (var item in fieldsElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !ApiCatalog.V2FieldsLower.TryGetValue(item.GetString()!.ToLowerInvariant(), out var field))
            {
                error = $"{PythonLike(item)} is not a valid field.";
                return false;
            }

            fields.Add(field.Name);
        }

        if (fields.Count == 0 && !flags["counts"] && !flags["group_size"])
        {
            error = "If 'fields' is empty, then one or both of 'counts' and 'group_size' must be True";
            return false;
        }

        manifest = new ManifestRequest(fields, flags["counts"], flags["group_size"], flags["sql"], pageSize);
        error = "";
        return true;
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>How the original's f-strings printed a value: strings bare, everything else as JSON text.</summary>
    internal static string PythonLike(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
