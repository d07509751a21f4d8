using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Contracts;

namespace ImagingCommons.Data.Query;

/// <summary>A validated filter set on the wire, as the previews echo it.</summary>
public static class FilterSetWire
{
    /// <summary>The filters as sent (numbers in their original spelling), collection ids normalised when asked.</summary>
    public static Filters ToWire(this FilterSet filters, bool normalizeCollectionIds)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var wire = new Filters();
        foreach (var (key, node) in filters.ToJson(normalizeCollectionIds))
        {
            wire[key] = [.. node!.AsArray().Select(Value)];
        }

        return wire;
    }

    private static FilterValue Value(JsonNode? node) => node!.GetValueKind() == JsonValueKind.String
        ? FilterValue.String(node.GetValue<string>())
        : FilterValue.Number(node.ToJsonString());
}
