using System.Text;

namespace ImagingCommons.Data;

/// <summary>Quoting for the SQL that the importer and the query engine build (names and paths come from outside).</summary>
internal static class SqlText
{
    /// <summary>A double-quoted identifier.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A single-quoted string literal (DuckDB's plain literals have no backslash escapes).</summary>
    public static string Literal(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A NUL character cannot be part of a SQL literal.", nameof(text));
        }

        return "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// A literal for a path that DuckDB's readers (read_csv, read_parquet) will open as that exact file: they treat
    /// <c>*</c>, <c>?</c> and <c>[</c> as glob syntax, so each is wrapped in a one-character class (<c>[[]</c>).
    /// </summary>
    public static string ReadPath(string path)
    {
        var escaped = new StringBuilder(path.Length + 8);
        foreach (var ch in path)
        {
            if (ch is '*' or '?' or '[')
            {
                escaped.Append('[').Append(ch).Append(']');
            }
            else
            {
                escaped.Append(ch);
            }
        }

        return Literal(escaped.ToString());
    }
}
