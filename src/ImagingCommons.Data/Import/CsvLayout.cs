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

    /// <summary>The header's field names (a UTF-8 byte order mark is skipped), or null when the first line is empty.</summary>
    /// <exception cref="ImportException">the header is not valid UTF-8 or has an unterminated quote.</exception>
    public static IReadOnlyList<string>? ReadHeader(string path)
    {
        // The header's bytes up to its line break (outside quotes); only those are decoded, so the rest of the
        // file is left to DuckDB's reader, which reports errors with their row.
        var bytes = new List<byte>();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            var inQuotes = false;
            int b;
            while ((b = stream.ReadByte()) != -1)
            {
                if (b == '"')
                {
                    inQuotes = !inQuotes;
                }
                else if (!inQuotes && b is '\n' or '\r')
                {
                    break;
                }

                bytes.Add((byte)b);
            }

            if (inQuotes)
            {
                throw new ImportException("the header has a quote that is never closed.", path, line: 1);
            }
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException e)
        {
            throw new ImportException("the header is not valid UTF-8 (CSV files must be UTF-8 encoded).", path, line: 1, innerException: e);
        }

        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        if (text.Length == 0)
        {
            return null;
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch != '"')
                {
                    field.Append(ch);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(ch);
            }
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
