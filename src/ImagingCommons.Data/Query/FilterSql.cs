using System.Globalization;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>
/// The SQL of one filter on its column, the values as positional parameters of the statement being built. It is the
/// one meaning of the filters (spec §5) that the manifests (<see cref="SqlBuilder"/>) and the facets
/// (<see cref="FacetsSql"/>) compile to: case-insensitive text with per-value <c>%</c> wildcards and "None" for NULL,
/// numbers compared as DOUBLE, the range operators' exact bounds. Values never enter the SQL text.
/// </summary>
internal sealed class FilterSql(ApiVersion version)
{
    private readonly List<object> _parameters = [];

    public IReadOnlyList<object> Parameters => _parameters;

    public string Parameter(object value)
    {
        _parameters.Add(value);
        return "$" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A numeric parameter typed DOUBLE: DuckDB otherwise gives a parameter the type of the column it meets, so a
    /// value beyond BIGINT's range (1e308 against age_at_diagnosis) would fail to convert instead of comparing.
    /// </summary>
    public string Number(double value) => $"CAST({Parameter(value)} AS DOUBLE)";

    /// <summary>The predicate of <paramref name="filter"/> on <paramref name="expression"/>, its attribute's column.</summary>
    public string Predicate(Filter filter, string expression)
    {
        switch (filter)
        {
            case TextFilter text:
                return TextPredicate(text, expression);

            case NumberSetFilter set:
                return string.Join(" OR ", set.Values.Select(n => $"{expression} = {Number(n.Value)}"));

            case RangeFilter range:
                var low = range.Low.Value;
                var high = range.High.Value;
                return range.Operator switch
                {
                    RangeOperator.Eq => $"{expression} = {Number(low)}",
                    RangeOperator.Gt => $"{expression} > {Number(low)}",
                    RangeOperator.Gte => $"{expression} >= {Number(low)}",
                    RangeOperator.Lt => $"{expression} < {Number(low)}",
                    RangeOperator.Lte => $"{expression} <= {Number(low)}",
                    RangeOperator.Btw => $"{expression} > {Number(low)} AND {expression} < {Number(high)}",
                    RangeOperator.Ebtw => $"{expression} >= {Number(low)} AND {expression} < {Number(high)}",
                    RangeOperator.Btwe => $"{expression} > {Number(low)} AND {expression} <= {Number(high)}",
                    RangeOperator.Ebtwe => $"{expression} BETWEEN {Number(low)} AND {Number(high)}",
                    _ => throw new InvalidOperationException("Unknown operator " + range.Operator),
                };

            default:
                throw new InvalidOperationException("Unknown filter " + filter.GetType().Name);
        }
    }

    /// <summary>Any of the values; strings compare lower-cased, other columns through their text.</summary>
    private string TextPredicate(TextFilter text, string expression)
    {
        var asText = ApiCatalog.TableSchemaOf(text.Attribute.EvaluatedIn)[text.Attribute.Name].Type == ColumnType.String
            ? expression
            : $"CAST({expression} AS VARCHAR)";
        var alternatives = new List<string>();
        foreach (var value in text.Values)
        {
            if (value == "None")
            {
                alternatives.Add($"{expression} IS NULL");
                continue;
            }

            var s = text.Attribute.Name == "collection_id" ? FilterSet.NormalizeCollectionId(value, version) : value;
            alternatives.Add(s.Contains('%', StringComparison.Ordinal)
                ? $"lower({asText}) LIKE lower({Parameter(s)})"
                : $"lower({asText}) = lower({Parameter(s)})");
        }

        return string.Join(" OR ", alternatives);
    }
}
