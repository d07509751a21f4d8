using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

public enum SourceTable
{
    DicomPivot,
    Clinical,
    Biospecimen,
}

/// <summary>The data types of v2's /filters (v1's "Continuous Numeric" maps to the ranged kinds).</summary>
public enum AttributeKind
{
    CategoricalString,
    String,
    CategoricalNumber,
    RangedInteger,
    RangedNumber,
}

public sealed record FilterAttribute(string Name, SourceTable Table, AttributeKind Kind)
{
    public bool IsRanged => Kind is AttributeKind.RangedInteger or AttributeKind.RangedNumber;

    public bool IsStringLike => Kind is AttributeKind.CategoricalString or AttributeKind.String;

    public string DataTypeName => Kind switch
    {
        AttributeKind.CategoricalString => "Categorical String",
        AttributeKind.String => "String",
        AttributeKind.CategoricalNumber => "Categorical Number",
        AttributeKind.RangedInteger => "Ranged Integer",
        AttributeKind.RangedNumber => "Ranged Number",
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    /// <summary>
    /// The table whose column is evaluated: project_short_name is listed under biospecimen by /filters but is
    /// evaluated on clinical (one row per case), so that it never multiplies rows.
    /// </summary>
    public SourceTable EvaluatedIn => Name == "project_short_name" ? SourceTable.Clinical : Table;
}

public sealed record FieldDef(string Name, SourceTable Table)
{
    public SourceTable EvaluatedIn => Name == "project_short_name" ? SourceTable.Clinical : Table;
}

/// <summary>The attribute, field and column lists of the IDC API, and the suffix rules that go with them.</summary>
public static partial class ApiCatalog
{
    /// <summary>v2's suffixes in the order /filters lists them.</summary>
    public static readonly IReadOnlyList<string> V2Suffixes = ["btw", "ebtw", "btwe", "ebtwe", "gte", "lte", "gt", "lt", "eq"];

    /// <summary>v1's suffixes in the order /attributes lists them (the bare name means equality).</summary>
    public static readonly IReadOnlyList<string> V1Suffixes = ["lt", "lte", "btw", "ebtw", "ebtwe", "btwe", "gte", "gt"];

    public static bool IsPairSuffix(string suffix) => suffix is "btw" or "ebtw" or "btwe" or "ebtwe";

    public static TableSchema TableSchemaOf(SourceTable table) => table switch
    {
        SourceTable.DicomPivot => IdcSchema.DicomPivot,
        SourceTable.Clinical => IdcSchema.Clinical,
        SourceTable.Biospecimen => IdcSchema.Biospecimen,
        _ => throw new InvalidOperationException(table.ToString()),
    };

    public static string TableName(SourceTable table) => TableSchemaOf(table).Name;

    /// <summary>Every accepted v2 filter key (canonical case) with its attribute and suffix ("" for bare keys).</summary>
    public static IReadOnlyDictionary<string, (FilterAttribute Attribute, string Suffix)> V2FilterKeys => Index.V2Keys;

    /// <summary>Every accepted v1 filter key (case-sensitive) with its attribute and suffix ("" for bare keys).</summary>
    public static IReadOnlyDictionary<string, (FilterAttribute Attribute, string Suffix)> V1FilterKeys => Index.V1Keys;

    /// <summary>v2 filter keys by lower-cased key, for case-insensitive matching.</summary>
    public static IReadOnlyDictionary<string, string> V2FilterKeysLower => Index.V2KeysLower;

    public static IReadOnlyDictionary<string, FieldDef> V2FieldsLower => Index.V2FieldsLower;

    /// <summary>v1 query field name → dicom_pivot column (the truncated `Surface_area_of` is served from the real column).</summary>
    public static string V1QueryColumn(string field) => field == "Surface_area_of" ? "Surface_area_of_mesh" : field;

    /// <summary>v1 /dicomMetadata column name → dicom_pivot column.</summary>
    public static string DicomMetadataColumn(string column) => column == "program" ? "Program" : column;

    private static Dictionary<string, (FilterAttribute, string)> BuildKeys(IReadOnlyList<FilterAttribute> attributes, bool v2)
    {
        var keys = new Dictionary<string, (FilterAttribute, string)>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            if (attribute.IsRanged)
            {
                if (!v2)
                {
                    keys[attribute.Name] = (attribute, "");
                }

                foreach (var suffix in v2 ? V2Suffixes : V1Suffixes)
                {
                    keys[attribute.Name + "_" + suffix] = (attribute, suffix);
                }
            }
            else
            {
                keys[attribute.Name] = (attribute, "");
            }
        }

        return keys;
    }

    // A nested class so that these indexes are built after the tables of the other partial file.
    private static class Index
    {
        public static readonly Dictionary<string, (FilterAttribute, string)> V2Keys = BuildKeys(V2Filters, v2: true);
        public static readonly Dictionary<string, (FilterAttribute, string)> V1Keys = BuildKeys(V1Filters, v2: false);
        public static readonly Dictionary<string, string> V2KeysLower =
            V2Keys.Keys.ToDictionary(k => k.ToLowerInvariant(), k => k, StringComparer.Ordinal);
        public static readonly Dictionary<string, FieldDef> V2FieldsLower =
            V2Fields.ToDictionary(f => f.Name.ToLowerInvariant(), f => f, StringComparer.Ordinal);
    }
}
