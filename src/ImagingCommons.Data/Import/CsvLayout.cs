using System.Text;

namespace ImagingCommons.Data.Import;

/// <summary>
/// The little CSV knowledge the importer needs besides DuckDB's reader: the header names (read exactly as written)
/// and, when an error is reported, where a data row starts in the file.
/// Records are separated by LF or CRLF outside double quotes; a quote inside a quoted field is doubled.
/// Blank lines are skipped (as DuckDB's reader does) and do not count as rows.
/// </summary>
internal static class CsvLayout
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The header's field names (a UTF-8 byte order mark is skipped), or null for an empty file.</summary>
    /// <exception cref="ImportException">the header is not valid UTF-8 or has an unterminated quote.</exception>
    public static IReadOnlyList<string>? ReadHeader(string path)
    {
        using var reader = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var first = true;
        var any = false;
        try
        {
            int ch;
            while ((ch = reader.Read()) != -1)
            {
                if (first)
                {
                    first = false;
                    if (ch == '\uFEFF')
                    {
                        continue;
                    }
                }

                any = true;
                if (inQuotes)
                {
                    if (ch == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                        }
                        else
                        {
                            inQuotes = false;
                        }
                    }
                    else
                    {
                        field.Append((char)ch);
                    }
                }
                else if (ch == '"')
                {
                    inQuotes = true;
                }
                else if (ch == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (ch == '\n')
                {
                    break;
                }
                else if (ch == '\r')
                {
                    if (reader.Peek() == '\n')
                    {
                        reader.Read();
                    }

                    break;
                }
                else
                {
                    field.Append((char)ch);
                }
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new ImportException("the header is not valid UTF-8 (CSV files must be UTF-8 encoded).", path, line: 1, innerException: e);
        }

        if (inQuotes)
        {
            throw new ImportException("the header has a quote that is never closed.", path, line: 1);
        }

        if (!any)
        {
            return null;
        }

        fields.Add(field.ToString());
        return fields;
    }

    /// <summary>One record of the file.</summary>
    /// <param name="Record">1-based record number as DuckDB's CSV errors count it (header is 1, blank lines count).</param>
    /// <param name="DataRow">1-based data row; 0 for the header and for blank lines.</param>
    /// <param name="Line">1-based physical line where the record starts.</param>
    public readonly record struct RecordPosition(long Record, long DataRow, long Line);

    /// <summary>The physical start line of each given data row (rows not found are left out).</summary>
    public static Dictionary<long, long> LinesOfRows(string path, IReadOnlyCollection<long> dataRows)
    {
        var wanted = new HashSet<long>(dataRows);
        var found = new Dictionary<long, long>();
        if (wanted.Count == 0)
        {
            return found;
        }

        foreach (var record in Records(path))
        {
            if (record.DataRow > 0 && wanted.Contains(record.DataRow))
            {
                found[record.DataRow] = record.Line;
                if (found.Count == wanted.Count)
                {
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>The record with DuckDB's record number (as in "CSV Error on Line: N"), if the file has it.</summary>
    public static RecordPosition? FindRecord(string path, long record)
    {
        foreach (var position in Records(path))
        {
            if (position.Record == record)
            {
                return position;
            }
        }

        return null;
    }

    /// <summary>Walks the records; quotes and line breaks are ASCII, so bytes are scanned without decoding.</summary>
    public static IEnumerable<RecordPosition> Records(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var buffer = new byte[1 << 16];
        long line = 1;
        long record = 1;
        long dataRow = 0;
        long startLine = 1;
        var empty = true;
        var inQuotes = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (b == (byte)'"')
                {
                    inQuotes = !inQuotes;
                    empty = false;
                }
                else if (b == (byte)'\n')
                {
                    line++;
                    if (!inQuotes)
                    {
                        yield return Finish();
                        startLine = line;
                        empty = true;
                    }
                }
                else if (b != (byte)'\r')
                {
                    empty = false;
                }
            }
        }

        if (!empty)
        {
            yield return Finish();
        }

        RecordPosition Finish()
        {
            var row = record > 1 && !empty ? ++dataRow : 0;
            return new RecordPosition(record++, row, startLine);
        }
    }
}
