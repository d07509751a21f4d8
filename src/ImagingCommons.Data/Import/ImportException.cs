using System.Globalization;
using System.Text;

namespace ImagingCommons.Data.Import;

/// <summary>
/// Bad import input (or a release that cannot be created). The message names the file, the row (1-based data row;
/// for CSV also the physical line, the header being line 1) and the column whenever they are known.
/// When this is thrown the data directory is left exactly as it was.
/// </summary>
public sealed class ImportException : Exception
{
    public ImportException()
        : this("The import failed.")
    {
    }

    public ImportException(string message)
        : this(message, file: null)
    {
    }

    public ImportException(string message, Exception innerException)
        : this(message, file: null, innerException: innerException)
    {
    }

    /// <param name="detail">What is wrong, without the location (that is prefixed from the other arguments).</param>
    /// <param name="file">The file (full path) or folder concerned.</param>
    /// <param name="row">1-based data row (the first row after a CSV header is row 1).</param>
    /// <param name="column">The column, by its IDC name.</param>
    /// <param name="line">For CSV: the 1-based physical line where the row starts (the header is line 1).</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ImportException(string detail, string? file, long? row = null, string? column = null, long? line = null, Exception? innerException = null)
        : base(Compose(detail, file, row, column, line), innerException)
    {
        Detail = detail;
        File = file;
        Row = row;
        Column = column;
        Line = line;
    }

    /// <summary>The file (or folder) the error is about, as a full path.</summary>
    public string? File { get; }

    /// <summary>1-based data row (the row after a CSV header is row 1; in Parquet the first row is row 1).</summary>
    public long? Row { get; }

    /// <summary>The column the error is about, by its IDC name (or the name found in the file).</summary>
    public string? Column { get; }

    /// <summary>For CSV input: the 1-based line of the file where the row starts (the header is line 1).</summary>
    public long? Line { get; }

    /// <summary>The message without the file/row/column prefix.</summary>
    public string Detail { get; }

    private static string Compose(string detail, string? file, long? row, string? column, long? line)
    {
        var location = new List<string>();
        if (file is not null)
        {
            location.Add(file);
        }

        if (row is not null)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"row {row}");
            if (line is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $" (line {line})");
            }

            location.Add(text.ToString());
        }
        else if (line is not null)
        {
            location.Add(string.Create(CultureInfo.InvariantCulture, $"line {line}"));
        }

        if (column is not null)
        {
            location.Add($"column {column}");
        }

        return location.Count == 0 ? detail : string.Join(", ", location) + ": " + detail;
    }
}
