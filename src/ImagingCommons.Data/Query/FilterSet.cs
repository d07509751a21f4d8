using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCommons.Data.Query;

public enum ApiVersion
{
    V1,
    V2,
}

/// <summary>One validated filter: a key (canonical case), its attribute, its suffix ("" when bare) and the values as sent.</summary>
public sealed record FilterEntry(string Key, FilterAttribute Attribute, string Suffix, JsonElement Values);

/// <summary>A validated filter set: keys in first-seen order, the last occurrence's values (JSON parsing semantics).</summary>
public sealed class FilterSet
{
    public FilterSet(ApiVersion version, IReadOnlyList<FilterEntry> entries)
    {
        Version = version;
        Entries = entries;
    }

    public ApiVersion Version { get; }

    public IReadOnlyList<FilterEntry> Entries { get; }

    /// <summary>The filters as a JSON object, optionally with collection_id values normalised as previews echo them.</summary>
    public JsonObject ToJson(bool normalizeCollectionIds)
    {
        var result = new JsonObject();
        foreach (var entry in Entries)
        {
            var values = JsonNode.Parse(entry.Values.GetRawText())!.AsArray();
            if (normalizeCollectionIds && entry.Attribute.Name == "collection_id")
            {
                values = new JsonArray(values.Select(v => v is JsonValue jv && jv.TryGetValue<string>(out var s)
                    ? (JsonNode)JsonValue.Create(NormalizeCollectionId(s, Version))
                    : v?.DeepClone()).ToArray());
            }

            result[entry.Key] = values;
        }

        return result;
    }

    /// <summary>Client collection ids are lower-cased with '-' (and in v2 ' ') turned into '_' before matching.</summary>
    public static string NormalizeCollectionId(string value, ApiVersion version)
    {
        var normalized = value.ToLowerInvariant().Replace('-', '_');
        return version == ApiVersion.V2 ? normalized.Replace(' ', '_') : normalized;
    }
}

/// <summary>
/// Validates filter objects with the original API's rules and messages: v2 matches keys case-insensitively and
/// reports jsonschema errors with their schema and instance paths; v1 matches keys exactly and reports the raw
/// jsonschema message.
/// </summary>
public static class FilterParser
{
    public static bool TryParse(ApiVersion version, JsonElement filters, [NotNullWhen(true)] out FilterSet? set, [NotNullWhen(false)] out string? error) =>
        version == ApiVersion.V2 ? TryParseV2(filters, out set, out error) : TryParseV1(filters, out set, out error);

    public static bool TryParseV2(JsonElement filters, [NotNullWhen(true)] out FilterSet? set, [NotNullWhen(false)] out string? error)
    {
        set = null;
        if (filters.ValueKind != JsonValueKind.Object)
        {
            error = $"{PythonRepr.Of(filters)} is not of type 'object'; Failed validating type in schema  on instance ";
            return false;
        }

        var merged = new List<(string Key, JsonElement Values)>();
        foreach (var property in filters.EnumerateObject())
        {
            if (!ApiCatalog.V2FilterKeysLower.TryGetValue(property.Name.ToLowerInvariant(), out var canonical))
            {
                error = $"{property.Name} is not a valid filter.";
                return false;
            }

            Merge(merged, canonical, property.Value);
        }

        var entries = merged.Select(m =>
        {
            var (attribute, suffix) = ApiCatalog.V2FilterKeys[m.Key];
            return new FilterEntry(m.Key, attribute, suffix, m.Values.Clone());
        }).ToList();

        error = FirstSchemaError(entries, v2: true);
        if (error is not null)
        {
            return false;
        }

        set = new FilterSet(ApiVersion.V2, entries);
        return true;
    }

    public static bool TryParseV1(JsonElement filters, [NotNullWhen(true)] out FilterSet? set, [NotNullWhen(false)] out string? error)
    {
        set = null;
        if (filters.ValueKind != JsonValueKind.Object)
        {
            error = $"{PythonRepr.Of(filters)} is not of type 'object'";
            return false;
        }

        var merged = new List<(string Key, JsonElement Values)>();
        var unexpected = new List<string>();
        foreach (var property in filters.EnumerateObject())
        {
            if (!ApiCatalog.V1FilterKeys.ContainsKey(property.Name))
            {
                if (!unexpected.Contains(property.Name))
                {
                    unexpected.Add(property.Name);
                }

                continue;
            }

            Merge(merged, property.Name, property.Value);
        }

        if (unexpected.Count > 0)
        {
            var names = string.Join(", ", unexpected.Select(PythonRepr.OfString));
            error = $"Additional properties are not allowed ({names} {(unexpected.Count == 1 ? "was" : "were")} unexpected)";
            return false;
        }

        var entries = merged.Select(m =>
        {
            var (attribute, suffix) = ApiCatalog.V1FilterKeys[m.Key];
            return new FilterEntry(m.Key, attribute, suffix, m.Values.Clone());
        }).ToList();

        error = FirstSchemaError(entries, v2: false);
        if (error is not null)
        {
            return false;
        }

        set = new FilterSet(ApiVersion.V1, entries);
        return true;
    }

    private static void Merge(List<(string Key, JsonElement Values)> merged, string key, JsonElement values)
    {
        var index = merged.FindIndex(m => m.Key == key);
        if (index >= 0)
        {
            merged[index] = (key, values);
        }
        else
        {
            merged.Add((key, values));
        }
    }

    /// <summary>
    /// jsonschema's best_match prefers the shallowest error: array-level errors of any key come before item errors.
    /// </summary>
    private static string? FirstSchemaError(IReadOnlyList<FilterEntry> entries, bool v2)
    {
        foreach (var entry in entries)
        {
            var (min, max) = Arity(entry);
            var values = entry.Values;
            string? message = null;
            var validator = "";
            if (values.ValueKind != JsonValueKind.Array)
            {
                message = $"{PythonRepr.Of(values)} is not of type 'array'";
                validator = "type";
            }
            else if (values.GetArrayLength() < min)
            {
                message = $"{PythonRepr.Of(values)} is too short";
                validator = "minItems";
            }
            else if (max is { } m && values.GetArrayLength() > m)
            {
                message = $"{PythonRepr.Of(values)} is too long";
                validator = "maxItems";
            }

            if (message is not null)
            {
                return v2 ? $"{message}; Failed validating {validator} in schema ['properties'],['{entry.Key}'] on instance ['{entry.Key}']" : message;
            }
        }

        foreach (var entry in entries)
        {
            var expected = ItemType(entry.Attribute);
            var index = 0;
            foreach (var item in entry.Values.EnumerateArray())
            {
                if (!IsOfType(item, expected))
                {
                    var message = $"{PythonRepr.Of(item)} is not of type '{expected}'";
                    return v2
                        ? $"{message}; Failed validating type in schema ['properties'],['{entry.Key}'],['items'] on instance ['{entry.Key}'],[{index}]"
                        : message;
                }

                index++;
            }
        }

        return null;
    }

    private static (int Min, int? Max) Arity(FilterEntry entry)
    {
        if (!entry.Attribute.IsRanged)
        {
            return (1, null);
        }

        return ApiCatalog.IsPairSuffix(entry.Suffix) ? (2, 2) : (1, 1);
    }

    private static string ItemType(FilterAttribute attribute) => attribute.Kind switch
    {
        AttributeKind.RangedInteger => "integer",
        AttributeKind.RangedNumber or AttributeKind.CategoricalNumber => "number",
        _ => "string",
    };

    private static bool IsOfType(JsonElement item, string type) => type switch
    {
        "string" => item.ValueKind == JsonValueKind.String,
        "number" => item.ValueKind == JsonValueKind.Number && item.TryGetDouble(out var d) && double.IsFinite(d),
        // jsonschema counts 1.0 as an integer.
        "integer" => item.ValueKind == JsonValueKind.Number && item.TryGetDouble(out var i) && double.IsFinite(i) && i == Math.Floor(i),
        _ => false,
    };
}
