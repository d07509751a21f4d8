using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

/// <summary>
/// A filter set on the wire: attribute key (optionally with a numeric suffix such as <c>_btw</c>) → its values, in
/// the order given. Keys combine with AND, the values of one key with OR (spec §5). Setting a key again replaces its
/// values in place, as JSON parsing does with a repeated key.
/// </summary>
[JsonConverter(typeof(FiltersConverter))]
public sealed class Filters : IReadOnlyDictionary<string, IReadOnlyList<FilterValue>>
{
    private readonly List<KeyValuePair<string, IReadOnlyList<FilterValue>>> _entries = [];

    /// <summary>An empty filter set ("no constraint").</summary>
    public Filters()
    {
    }

    /// <summary>A filter set of these entries, in order.</summary>
    public Filters(IEnumerable<KeyValuePair<string, IReadOnlyList<FilterValue>>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, values) in entries)
        {
            this[key] = values;
        }
    }

    /// <summary>The values of <paramref name="key"/> (exact key, case-sensitive); setting replaces them in place.</summary>
    public IReadOnlyList<FilterValue> this[string key]
    {
        get => TryGetValue(key, out var values) ? values : throw new KeyNotFoundException(key);
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            var index = _entries.FindIndex(e => e.Key == key);
            var entry = new KeyValuePair<string, IReadOnlyList<FilterValue>>(key, [.. value]);
            if (index >= 0)
            {
                _entries[index] = entry;
            }
            else
            {
                _entries.Add(entry);
            }
        }
    }

    /// <summary>Adds or replaces a key (collection-initializer form: <c>new Filters { { "Modality", ["CT", "MR"] } }</c>).</summary>
    public void Add(string key, IReadOnlyList<FilterValue> values) => this[key] = values;

    /// <inheritdoc/>
    public int Count => _entries.Count;

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <inheritdoc/>
    public IEnumerable<IReadOnlyList<FilterValue>> Values => _entries.Select(e => e.Value);

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _entries.Exists(e => e.Key == key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out IReadOnlyList<FilterValue> value)
    {
        var index = _entries.FindIndex(e => e.Key == key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, IReadOnlyList<FilterValue>>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The filter set as JSON.</summary>
    public override string ToString() => JsonSerializer.Serialize(this, ContractsJsonContext.Default.Filters);
}

/// <summary>Reads and writes <see cref="Filters"/> as a JSON object of arrays, keys in order.</summary>
public sealed class FiltersConverter : JsonConverter<Filters>
{
    /// <inheritdoc/>
    public override Filters Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A filter set is a JSON object.");
        }

        var filters = new Filters();
        var valueConverter = new FilterValueConverter();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException($"The values of filter '{key}' are a JSON array.");
            }

            var values = new List<FilterValue>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                values.Add(valueConverter.Read(ref reader, typeof(FilterValue), options));
            }

            filters[key] = values;
        }

        return filters;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Filters value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var valueConverter = new FilterValueConverter();
        writer.WriteStartObject();
        foreach (var (key, values) in value)
        {
            writer.WriteStartArray(key);
            foreach (var item in values)
            {
                valueConverter.Write(writer, item, options);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
