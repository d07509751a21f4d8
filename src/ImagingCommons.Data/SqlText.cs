using System.Text;

namespace ImagingCommons.Data;

/// <summary>
/// The one set of quoting helpers for the DuckDB SQL that the importer, the generator, the release catalog and the
/// query engine build. Values from clients never go through here (they are parameters); names and paths do.
/// </summary>
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

    /// <summary>A list literal of strings, <c>['a', 'b']</c> (for settings such as allowed_directories).</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Literal)) + "]";

    /// <summary>
    /// A literal for a path that DuckDB's readers (read_csv, read_parquet) will open as that exact file: they treat
    /// <c>*</c>, <c>?</c> and <c>[</c> as glob syntax (so <c>b[1].csv</c> would open <c>b1.csv</c>), so each is
    /// wrapped in a one-character class (<c>[[]</c>). A path that is written (COPY … TO) or a setting takes
    /// <see cref="Literal"/>.
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
