using ImagingCommons.Data.Schema;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Import;

/// <summary>docs/release-format.md lists every table and column of the schema with its types.</summary>
public sealed class ReleaseFormatDocTests
{
    private static readonly Lazy<string> Doc = new(() => File.ReadAllText(Path.Combine(Repository.Root, "docs", "release-format.md")));

    public static TheoryData<string> Tables => [.. IdcSchema.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Tables))]
    public void The_release_format_doc_lists_every_column_of_the_table_with_its_types(string tableName)
    {
        var table = IdcSchema.FindTable(tableName)!;
        var section = Section(tableName);

        var missing = table.Columns
            .Where(c => !section.Contains($"| `{c.Name}` | {c.Type} | {c.DuckDbType} |", StringComparison.Ordinal))
            .Select(c => $"| `{c.Name}` | {c.Type} | {c.DuckDbType} |")
            .ToList();

        Assert.True(missing.Count == 0, $"docs/release-format.md, section {tableName}, lacks the rows:\n{string.Join("\n", missing)}");
    }

    [Fact]
    public void Every_schema_column_name_appears_in_the_release_format_doc()
    {
        var missing = IdcSchema.All.SelectMany(t => t.Columns).Select(c => c.Name).Distinct()
            .Where(name => !Doc.Value.Contains(name, StringComparison.Ordinal))
            .ToList();

        Assert.Empty(missing);
    }

    /// <summary>The text from "### table" to the next heading.</summary>
    private static string Section(string table)
    {
        var text = Doc.Value;
        var heading = $"\n### {table}\n";
        var start = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/release-format.md has no section '### {table}'.");
        var end = text.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }
}
