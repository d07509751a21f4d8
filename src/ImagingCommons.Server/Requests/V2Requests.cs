using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.WebUtilities;

namespace ImagingCommons.Server.Requests;

/// <summary>The v2 request checks, in the order and with the texts of spec §7.8.2 and §7.9.</summary>
internal static class V2Requests
{
    /// <summary>The v2 default page size, in the body of a first page and the query string of nextPage.</summary>
    public const int DefaultPageSize = 1000;

    /// <summary>The body keys of every v2 manifest request (the saved-cohort route ignores cohort_def).</summary>
    private static readonly string[] BodyKeys = ["cohort_def", "fields", "counts", "group_size", "sql", "page_size"];

    /// <summary>The keys a cohort definition may have, case-sensitive (spec §7.8.1).</summary>
    private static readonly string[] CohortDefKeys = ["name", "description", "filters"];

    /// <summary>POST /v2/cohorts/manifest/preview: steps 1-10 of §7.8.2.</summary>
    public static Checked<V2ManifestPreview> ManifestPreview(JsonDocument? body)
    {
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(ErrorTexts.V2UnreadableBody);
        }

        var root = body.RootElement;
        if (!root.TryGetProperty("cohort_def", out var cohortDef))
        {
            return Wire.BadRequest(ErrorTexts.V2NoCohortDef);
        }

        if (cohortDef.ValueKind != JsonValueKind.Object)
        {
            return Wire.BadRequest(ErrorTexts.V2InvalidCohortDef(PythonLike(cohortDef)));
        }

        var cohort = CohortDefinition(cohortDef, nameWhenAbsent: "");
        if (!cohort.IsValid)
        {
            return cohort.Error;
        }

        var options = ManifestOptions(root);
        return options.IsValid ? new V2ManifestPreview(cohort.Value, options.Value) : options.Error;
    }

    /// <summary>The body of POST /v2/cohorts/manifest/{id}: steps 1 and 5-10 (a cohort_def sent there is ignored).</summary>
    public static Checked<V2ManifestOptions> ManifestBody(JsonDocument? body) =>
        body is null || body.RootElement.ValueKind != JsonValueKind.Object
            ? Wire.BadRequest(ErrorTexts.V2UnreadableBody)
            : ManifestOptions(body.RootElement);

    /// <summary>POST /v2/cohorts: the cohort definition itself (keys, filters, name and description types, characters).</summary>
    public static Checked<CohortDraft> NewCohort(JsonDocument? body) =>
        body is null || body.RootElement.ValueKind != JsonValueKind.Object
            ? Wire.BadRequest(ErrorTexts.V2UnreadableBody)
            : CohortDefinition(body.RootElement, nameWhenAbsent: null);

    /// <summary>v2 nextPage: parameter names match case-insensitively; any other parameter is refused.</summary>
    public static Checked<NextPageRequest> NextPage(HttpRequest request)
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
                    return Wire.BadRequest(ErrorTexts.V2InvalidQueryParameter(name));
                }
            }
        }

        return RequestInput.TryPageSize(pageSizeText, out var pageSize)
            ? new NextPageRequest(token, pageSize)
            : Wire.BadRequest(ErrorTexts.V2InvalidPageSize);
    }

    /// <summary>How the original's f-strings printed a value: strings bare, everything else as JSON text.</summary>
    public static string PythonLike(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary>
    /// Steps 3-4 (keys, then filters; missing filters: none), then the name and description (strings or null;
    /// absent: "" in a preview, none in POST /cohorts) and the invalid-characters rule.
    /// </summary>
    private static Checked<CohortDraft> CohortDefinition(JsonElement definition, string? nameWhenAbsent)
    {
        foreach (var property in definition.EnumerateObject())
        {
            if (!CohortDefKeys.Contains(property.Name))
            {
                return Wire.BadRequest(ErrorTexts.V2InvalidCohortDefKey(property.Name));
            }
        }

        FilterSet? filters;
        string? error;
        if (definition.TryGetProperty("filters", out var filtersElement))
        {
            if (!FilterParser.TryParseV2(filtersElement, out filters, out error))
            {
                return Wire.BadRequest(error);
            }
        }
        else
        {
            using var none = JsonDocument.Parse("{}");
            if (!FilterParser.TryParseV2(none.RootElement, out filters, out error))
            {
                return Wire.BadRequest(error);
            }
        }

        if (!TryText(definition, "name", nameWhenAbsent, out var name, out var badName))
        {
            return Wire.BadRequest(ErrorTexts.V2InvalidName(badName));
        }

        if (!TryText(definition, "description", "", out var description, out var badDescription))
        {
            return Wire.BadRequest(ErrorTexts.V2InvalidDescription(badDescription));
        }

        return V1Requests.InvalidCharacters(name, description, filters) is { } invalid ? invalid : new CohortDraft(name, description, filters);
    }

    /// <summary>A string, or null (JSON null), or <paramref name="missing"/> when absent; false for any other JSON value.</summary>
    private static bool TryText(JsonElement root, string key, string? missing, out string? text, [NotNullWhen(false)] out string? refused)
    {
        text = missing;
        refused = null;
        if (!root.TryGetProperty(key, out var value))
        {
            return true;
        }

        if (value.ValueKind is JsonValueKind.String or JsonValueKind.Null)
        {
            text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return true;
        }

        refused = PythonLike(value);
        return false;
    }

    /// <summary>
    /// Steps 5-10: body keys, fields, booleans, page_size, field names, something to return. <paramref name="bodyKeys"/>:
    /// the keys a body may have (our held-release preview has its own), by default v2's.
    /// </summary>
    internal static Checked<V2ManifestOptions> ManifestOptions(JsonElement root, IReadOnlyCollection<string>? bodyKeys = null)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (!(bodyKeys ?? BodyKeys).Contains(property.Name))
            {
                return Wire.BadRequest(ErrorTexts.V2InvalidBodyKey(property.Name));
            }
        }

        if (!root.TryGetProperty("fields", out var fieldsElement))
        {
            return Wire.BadRequest(ErrorTexts.V2NoFields);
        }

        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
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
                    return Wire.BadRequest(ErrorTexts.V2InvalidValue(PythonLike(value), key));
                }

                flags[key] = parsed.Value;
            }
        }

        var pageSize = DefaultPageSize;
        if (root.TryGetProperty("page_size", out var pageSizeElement))
        {
            if (pageSizeElement.ValueKind != JsonValueKind.Number || !pageSizeElement.TryGetInt64(out var size))
            {
                return Wire.BadRequest(ErrorTexts.V2BodyPageSize);
            }

            pageSize = (int)Math.Clamp(size, int.MinValue, int.MaxValue);
        }

        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            return Wire.BadRequest(ErrorTexts.V2InvalidField(PythonLike(fieldsElement)));
        }

        var fields = new List<string>();
        foreach (var item in fieldsElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !ApiCatalog.V2FieldsLower.TryGetValue(item.GetString()!.ToLowerInvariant(), out var field))
            {
                return Wire.BadRequest(ErrorTexts.V2InvalidField(PythonLike(item)));
            }

            fields.Add(field.Name);
        }

        if (fields.Count == 0 && !flags["counts"] && !flags["group_size"])
        {
            return Wire.BadRequest(ErrorTexts.V2NothingRequested);
        }

        return new V2ManifestOptions(fields, flags["counts"], flags["group_size"], flags["sql"], pageSize);
    }
}
