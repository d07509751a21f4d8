namespace ImagingCommons.Data.Schema;

/// <summary>The logical type of a release column; it decides storage, import parsing and wire rendering.</summary>
public enum ColumnType
{
    String,
    Integer,
    Float,
    Date,
    /// <summary>A repeated string (DICOM multi-value); in CSV the values are separated by a backslash.</summary>
    StringList,
}

public sealed record ColumnDef(string Name, ColumnType Type)
{
    public string DuckDbType => Type switch
    {
        ColumnType.String => "VARCHAR",
        ColumnType.Integer => "BIGINT",
        ColumnType.Float => "DOUBLE",
        ColumnType.Date => "DATE",
        ColumnType.StringList => "VARCHAR[]",
        _ => throw new InvalidOperationException(Type.ToString()),
    };
}

public sealed class TableSchema
{
    private readonly Dictionary<string, ColumnDef> _byName;

    public TableSchema(string name, IReadOnlyList<string> keyColumns, IReadOnlyList<ColumnDef> columns, IReadOnlyDictionary<string, string>? aliases = null)
    {
        Name = name;
        KeyColumns = keyColumns;
        Columns = columns;
        Aliases = aliases ?? new Dictionary<string, string>();
        _byName = columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// Other names IDC has used for a column (older table versions, idc-index, the API's own keys) → the column.
    /// The importer reads them as the column, so that tables exported from IDC load as they are.
    /// </summary>
    public IReadOnlyDictionary<string, string> Aliases { get; }

    /// <summary>The column a file's column name stands for: the name itself, or the column it is an alias of.</summary>
    public ColumnDef? Resolve(string name) => Find(name) ?? (Aliases.TryGetValue(name, out var canonical) ? Find(canonical) : null);

    /// <summary>IDC's own table name; also the import file's base name and the release file's base name.</summary>
    public string Name { get; }

    /// <summary>Columns that must be present (and non-empty) in an imported file.</summary>
    public IReadOnlyList<string> KeyColumns { get; }

    public IReadOnlyList<ColumnDef> Columns { get; }

    public ColumnDef? Find(string name) => _byName.GetValueOrDefault(name);

    public ColumnDef this[string name] => _byName[name];

    public bool Contains(string name) => _byName.ContainsKey(name);
}
