namespace ImagingCommons.Data.Query;

/// <summary>
/// What a facet request asks for: a validated v2 filter set and the filter attributes to count. A facet's counts are
/// taken under every filter except that attribute's own clauses (GDC's facet semantics), so ticking CT does not make
/// MR vanish from the Modality list.
/// </summary>
public sealed record FacetQuery(FilterSet Filters, IReadOnlyList<FilterAttribute> Attributes, int Limit = FacetQuery.DefaultLimit, int Bins = FacetQuery.DefaultBins)
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;
    public const int DefaultBins = 10;
    public const int MaxBins = 100;
}

/// <summary>The cohort's size under the whole filter set, counted as the v2 manifest counts (distinct ids, bytes of distinct instances).</summary>
public sealed record FacetTotals(long Collections, long Patients, long Studies, long Series, long Instances, long Bytes);

/// <summary>How many series and patients of the cohort (under the other filters) fall in one bucket.</summary>
public sealed record FacetCount(long Series, long Patients);

/// <summary>
/// One value of a categorical attribute: the value to put in a filter (a string, a number for Categorical Number
/// attributes, or null for "no value", which the filter spells "None") and its counts. String values that differ only
/// by case are one bucket, as the filters match them case-insensitively; the spelling shown is the first in byte order.
/// </summary>
public sealed record FacetValue(object? Value, long Series, long Patients);

/// <summary>A histogram bin: values from <see cref="Lower"/> (inclusive) to <see cref="Upper"/> (exclusive, or inclusive on the last bin of a Ranged Number).</summary>
public sealed record HistogramBin(double Lower, double Upper, bool UpperInclusive, long Series, long Patients);

/// <summary>The values' range under the other filters and equal-width bins over it (integer bounds for Ranged Integer attributes).</summary>
public sealed record FacetHistogram(double Min, double Max, IReadOnlyList<HistogramBin> Bins);

/// <summary>
/// The counts of one attribute. Categorical attributes have <see cref="Values"/> (most series first, at most the
/// query's limit; <see cref="ValueCount"/> says how many there are in all); ranged attributes have a
/// <see cref="Histogram"/> (null when no series has a value) and <see cref="Missing"/> (series without a value).
/// <see cref="Unrecorded"/> is set for TCGA attributes only: series whose patient has no record in that table, which
/// the API's filters let through whatever value is asked for (spec §5.5), so a filter on value v selects
/// v's count plus these.
/// </summary>
public sealed record AttributeFacet(
    FilterAttribute Attribute,
    IReadOnlyList<FacetValue>? Values,
    long ValueCount,
    FacetHistogram? Histogram,
    FacetCount? Missing,
    FacetCount? Unrecorded)
{
    public bool Truncated => Values is not null && Values.Count < ValueCount;
}

/// <summary>A facet answer: the release it was computed on, the cohort's totals and one entry per requested attribute, in request order.</summary>
public sealed record FacetResult(string Release, FacetTotals Totals, IReadOnlyList<AttributeFacet> Facets);
