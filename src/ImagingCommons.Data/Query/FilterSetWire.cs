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
        foreach (var entry in filters.Entries)
        {
            wire[entry.Key] = entry switch
            {
                TextFilter text when normalizeCollectionIds && text.Attribute.Name == "collection_id" =>
                    [.. text.Values.Select(v => FilterValue.String(FilterSet.NormalizeCollectionId(v, filters.Version)))],
                TextFilter text => [.. text.Values.Select(FilterValue.String)],
                NumberSetFilter set => [.. set.Values.Select(n => FilterValue.Number(n.Text))],
                RangeFilter range => [.. range.Bounds.Select(n => FilterValue.Number(n.Text))],
                _ => throw new InvalidOperationException("Unknown filter " + entry.GetType().Name),
            };
        }

        return wire;
    }
}
