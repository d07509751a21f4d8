using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCommons.Data.Query;

public enum ApiVersion
{
    V1,
    V2,
}

/// <summary>A number as the client sent it: its value, and its JSON spelling, which echoes keep (1.0 stays 1.0).</summary>
public readonly record struct FilterNumber(double Value, string Text)
{
    public override string ToString() => Text;
}

/// <summary>The comparison of a ranged filter, from its key's suffix (a bare v1 key means equality).</summary>
public enum RangeOperator
{
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,

    /// <summary>low &lt; x &lt; high.</summary>
    Btw,

    /// <summary>low ≤ x &lt; high.</summary>
    Ebtw,

    /// <summary>low &lt; x ≤ high.</summary>
    Btwe,

    /// <summary>low ≤ x ≤ high.</summary>
    Ebtwe,
}

/// <summary>
/// One validated filter: its key (canonical case), its attribute, its suffix ("" when bare) and its values, parsed
/// once. The concrete types say what the values are: <see cref="TextFilter"/>, <see cref="NumberSetFilter"/> or
/// <see cref="RangeFilter"/>.
/// </summary>
public abstract record Filter(string Key, FilterAttribute Attribute, string Suffix)
{
    /// <summary>The values as text, in the order sent: strings as they are, numbers in their JSON spelling.</summary>
    public abstract IReadOnlyList<string> TextValues { get; }

    /// <summary>Writes the values as sent (a JSON array); collection ids normalised when asked (see <see cref="FilterSet.NormalizeCollectionId"/>).</summary>
    internal abstract void WriteValues(Utf8JsonWriter writer, ApiVersion version, bool normalizeCollectionIds);

    /// <summary>The values as sent, as a JSON array.</summary>
    public abstract JsonArray ToJsonArray();
}

/// <summary>
/// A string-like attribute: matches any of <see cref="Values"/>, case-insensitively; "None" matches NULL and a value
/// containing % is a LIKE pattern.
/// </summary>
public sealed record TextFilter(string Key, FilterAttribute Attribute, IReadOnlyList<string> Values) : Filter(Key, Attribute, "")
{
    public override IReadOnlyList<string> TextValues => Values;

    internal override void WriteValues(Utf8JsonWriter writer, ApiVersion version, bool normalizeCollectionIds)
    {
        var normalize = normalizeCollectionIds && Attribute.Name == "collection_id";
        writer.WriteStartArray();
        foreach (var value in Values)
        {
            writer.WriteStringValue(normalize ? FilterSet.NormalizeCollectionId(value, version) : value);
        }

        writer.WriteEndArray();
    }

    public override JsonArray ToJsonArray() => new([.. Values.Select(v => (JsonNode)JsonValue.Create(v))]);
}

/// <summary>A categorical number attribute: matches any of <see cref="Values"/>.</summary>
public sealed record NumberSetFilter(string Key, FilterAttribute Attribute, IReadOnlyList<FilterNumber> Values) : Filter(Key, Attribute, "")
{
    public override IReadOnlyList<string> TextValues => [.. Values.Select(v => v.Text)];

    internal override void WriteValues(Utf8JsonWriter writer, ApiVersion version, bool normalizeCollectionIds) => FilterNumbers.Write(writer, Values);

    public override JsonArray ToJsonArray() => FilterNumbers.ToJsonArray(Values);
}

/// <summary>A ranged attribute compared with one bound (eq, gt, gte, lt, lte) or two (btw, ebtw, btwe, ebtwe).</summary>
public sealed record RangeFilter(string Key, FilterAttribute Attribute, string Suffix, RangeOperator Operator, IReadOnlyList<FilterNumber> Bounds)
    : Filter(Key, Attribute, Suffix)
{
    public FilterNumber Low => Bounds[0];

    /// <summary>The upper bound of a two-bound operator; the only bound otherwise.</summary>
    public FilterNumber High => Bounds[^1];

    public override IReadOnlyList<string> TextValues => [.. Bounds.Select(v => v.Text)];

    internal override void WriteValues(Utf8JsonWriter writer, ApiVersion version, bool normalizeCollectionIds) => FilterNumbers.Write(writer, Bounds);

    public override JsonArray ToJsonArray() => FilterNumbers.ToJsonArray(Bounds);

    /// <summary>The operator of a suffix: "" (v1's bare key) and "eq" are equality.</summary>
    public static RangeOperator OperatorOf(string suffix) => suffix switch
    {
        "" or "eq" => RangeOperator.Eq,
        "gt" => RangeOperator.Gt,
        "gte" => RangeOperator.Gte,
        "lt" => RangeOperator.Lt,
        "lte" => RangeOperator.Lte,
        "btw" => RangeOperator.Btw,
        "ebtw" => RangeOperator.Ebtw,
        "btwe" => RangeOperator.Btwe,
        "ebtwe" => RangeOperator.Ebtwe,
        _ => throw new ArgumentOutOfRangeException(nameof(suffix), suffix, "Unknown range suffix."),
    };
}

internal static class FilterNumbers
{
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<FilterNumber> numbers)
    {
        writer.WriteStartArray();
        foreach (var number in numbers)
        {
            // The spelling as sent: it is a validated JSON number literal.
            writer.WriteRawValue(number.Text, skipInputValidation: true);
        }

        writer.WriteEndArray();
    }

    public static JsonArray ToJsonArray(IReadOnlyList<FilterNumber> numbers) => new([.. numbers.Select(n => JsonNode.Parse(n.Text))]);
}

/// <summary>
/// A validated filter set: keys in first-seen order, the last occurrence's values (JSON parsing semantics), parsed
/// under the rules of <see cref="Version"/>.
/// </summary>
public sealed class FilterSet
{
    public FilterSet(ApiVersion version, IReadOnlyList<Filter> entries)
    {
        Version = version;
        Entries = entries;
    }

    /// <summary>The API version whose rules the filters were validated under (key spelling, collection id normalisation).</summary>
    public ApiVersion Version { get; }

    public IReadOnlyList<Filter> Entries { get; }

    public static FilterSet Empty(ApiVersion version) => new(version, []);

    /// <summary>The filters as a JSON object, optionally with collection_id values normalised as previews echo them.</summary>
    public JsonObject ToJson(bool normalizeCollectionIds)
    {
        var result = new JsonObject();
        foreach (var entry in Entries)
        {
            result[entry.Key] = normalizeCollectionIds && entry is TextFilter { Attribute.Name: "collection_id" } text
                ? new JsonArray([.. text.Values.Select(v => (JsonNode)JsonValue.Create(NormalizeCollectionId(v, Version)))])
                : entry.ToJsonArray();
        }

        return result;
    }

    /// <summary>Writes the filters as a JSON object: the same content as <see cref="ToJson"/>, without building nodes.</summary>
    public void WriteTo(Utf8JsonWriter writer, bool normalizeCollectionIds)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (var entry in Entries)
        {
            writer.WritePropertyName(entry.Key);
            entry.WriteValues(writer, Version, normalizeCollectionIds);
        }

        writer.WriteEndObject();
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
/// jsonschema message. A set that validates is parsed into typed filters once, here.
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

        return TryBuild(ApiVersion.V2, merged, ApiCatalog.V2FilterKeys, out set, out error);
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

        return TryBuild(ApiVersion.V1, merged, ApiCatalog.V1FilterKeys, out set, out error);
    }

    private static bool TryBuild(
        ApiVersion version,
        List<(string Key, JsonElement Values)> merged,
        IReadOnlyDictionary<string, (FilterAttribute Attribute, string Suffix)> keys,
        [NotNullWhen(true)] out FilterSet? set,
        [NotNullWhen(false)] out string? error)
    {
        set = null;
        var raw = merged.Select(m => (m.Key, keys[m.Key].Attribute, keys[m.Key].Suffix, m.Values)).ToList();
        error = FirstSchemaError(raw, v2: version == ApiVersion.V2);
        if (error is not null)
        {
            return false;
        }

        var entries = new List<Filter>(raw.Count);
        foreach (var (key, attribute, suffix, values) in raw)
        {
            if (!TryTyped(key, attribute, suffix, values, out var filter))
            {
                // jsonschema took any string; .NET cannot hold one with a lone surrogate escape ("\ud800").
                error = $"A value of {key} is not valid Unicode text.";
                return false;
            }

            entries.Add(filter);
        }

        set = new FilterSet(version, entries);
        return true;
    }

    private static bool TryTyped(string key, FilterAttribute attribute, string suffix, JsonElement values, [NotNullWhen(true)] out Filter? filter)
    {
        filter = null;
        if (attribute.IsStringLike)
        {
            var texts = new List<string>(values.GetArrayLength());
            foreach (var item in values.EnumerateArray())
            {
                try
                {
                    texts.Add(item.GetString()!);
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }

            filter = new TextFilter(key, attribute, texts);
            return true;
        }

        var numbers = values.EnumerateArray().Select(v => new FilterNumber(v.GetDouble(), v.GetRawText())).ToList();
        filter = attribute.IsRanged
            ? new RangeFilter(key, attribute, suffix, RangeFilter.OperatorOf(suffix), numbers)
            : new NumberSetFilter(key, attribute, numbers);
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
    private static string? FirstSchemaError(IReadOnlyList<(string Key, FilterAttribute Attribute, string Suffix, JsonElement Values)> entries, bool v2)
    {
        foreach (var entry in entries)
        {
            var (min, max) = Arity(entry.Attribute, entry.Suffix);
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
                        ? $"{message}; Failed validating type in schema ['properties'],['{entry.Key}'],['items'] on instance ['{entry.Key}'],[{index.ToString(CultureInfo.InvariantCulture)}]"
                        : message;
                }

                index++;
            }
        }

        return null;
    }

    private static (int Min, int? Max) Arity(FilterAttribute attribute, string suffix)
    {
        if (!attribute.IsRanged)
        {
            return (1, null);
        }

        return ApiCatalog.IsPairSuffix(suffix) ? (2, 2) : (1, 1);
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
