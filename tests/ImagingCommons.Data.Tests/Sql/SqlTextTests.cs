using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Sql;

/// <summary>The one set of quoting helpers, checked against DuckDB itself.</summary>
public sealed class SqlTextTests : IDisposable
{
    private readonly string _folder = TempFolder.Create("ic-sqltext");
    private readonly DuckDBConnection _connection = new("DataSource=:memory:");

    public SqlTextTests() => _connection.Open();

    public void Dispose()
    {
        _connection.Dispose();
        TempFolder.Delete(_folder);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("''")]
    [InlineData("back\\slash")]
    [InlineData("line\nbreak")]
    public void A_literal_reads_back_as_the_same_text(string text)
    {
        Assert.Equal(text, Scalar($"SELECT {SqlText.Literal(text)}"));
    }

    [Fact]
    public void A_literal_refuses_a_nul_character()
    {
        Assert.Throws<ArgumentException>(() => SqlText.Literal("a\0b"));
    }

    [Theory]
    [InlineData("we\"ird")]
    [InlineData("select")]
    [InlineData("two words")]
    public void An_identifier_names_exactly_that_column(string name)
    {
        Execute($"CREATE TABLE t ({SqlText.Identifier(name)} INTEGER)");
        Execute($"INSERT INTO t VALUES (7)");

        Assert.Equal(name, Scalar("SELECT column_name FROM information_schema.columns WHERE table_name = 't'"));
        Assert.Equal(7, Convert.ToInt32(Scalar($"SELECT {SqlText.Identifier(name)} FROM t"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_list_literal_holds_each_item_quoted()
    {
        Assert.Equal("a|it's|c", Scalar($"SELECT array_to_string({SqlText.List(["a", "it's", "c"])}, '|')"));
    }

    [Theory]
    [InlineData("b[1].csv", "b1.csv")]
    [InlineData("a*.csv", "ab.csv")]
    [InlineData("c?.csv", "cx.csv")]
    [InlineData("it's [x]*?.csv", "it's xyz.csv")]
    public void A_read_path_opens_that_file_and_no_file_its_glob_would_match(string name, string lookalike)
    {
        File.WriteAllText(Path.Combine(_folder, name), "x\nexact\n");
        File.WriteAllText(Path.Combine(_folder, lookalike), "x\nlookalike\n");
        var path = Path.Combine(_folder, name);

        Assert.Equal(["exact"], Rows($"SELECT x FROM read_csv({SqlText.ReadPath(path)}) ORDER BY x"));
        // The plain literal is a glob, and DuckDB reads the wrong file or more than one: why readers take ReadPath.
        Assert.Contains("lookalike", Rows($"SELECT x FROM read_csv({SqlText.Literal(path)}) ORDER BY x"));
    }

    [Fact]
    public void The_release_catalog_reads_its_own_release_under_a_data_directory_whose_name_is_a_glob()
    {
        var own = new DataDirectory(Path.Combine(_folder, "data[1]"));
        var lookalike = new DataDirectory(Path.Combine(_folder, "data1"));
        TestReleases.Write(own, "1.0", "2020-10-06", [new() { ["collection_id"] = "own" }], null);
        TestReleases.Write(lookalike, "1.0", "2020-10-06", [new() { ["collection_id"] = "lookalike" }], null);
        var catalog = new ReleaseCatalog(own);
        catalog.Refresh();

        Assert.Equal(["own"], catalog.GetMetadata("1.0").Collections.Select(c => c.CollectionId));
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<string> Rows(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
