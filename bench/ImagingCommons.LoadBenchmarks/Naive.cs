using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.LoadBenchmarks;

/// <summary>
/// The naive baseline: a query's own SQL (compiled without series tables) run by DuckDB straight on the release's
/// instance Parquet, with no series table, result store or cache: a first page is a top-N plus a count, a later page a
/// LIMIT/OFFSET, a whole listing one ordered read. The same DuckDB, threads and memory limit as the server's engine.
/// </summary>
internal sealed class Naive : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly DataDirectory _data;
    private readonly string _release;

    public Naive(DataDirectory data, string release, string memoryLimit, string temp)
    {
        _data = data;
        _release = release;
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        Directory.CreateDirectory(temp);
        Execute($"SET memory_limit = '{memoryLimit}'");
        Execute($"SET temp_directory = '{temp}'");
    }

    /// <summary>The first <paramref name="count"/> rows and the total; the count is skipped when fewer rows came back.</summary>
    public (double Milliseconds, long Total) FirstPage(QuerySpec spec, int count)
    {
        var (sql, order, parameters) = Compile(spec);
        var watch = Stopwatch.StartNew();
        var rows = Read($"SELECT * FROM ({sql}) AS q{order} LIMIT {count.ToString(CultureInfo.InvariantCulture)}", parameters);
        var total = rows < count ? rows : Convert.ToInt64(Scalar($"SELECT count(*) FROM ({sql}) AS q", parameters), CultureInfo.InvariantCulture);
        return (watch.Elapsed.TotalMilliseconds, total);
    }

    public double LaterPage(QuerySpec spec, long offset, int count)
    {
        var (sql, order, parameters) = Compile(spec);
        var watch = Stopwatch.StartNew();
        Read($"SELECT * FROM ({sql}) AS q{order} LIMIT {count.ToString(CultureInfo.InvariantCulture)} OFFSET {offset.ToString(CultureInfo.InvariantCulture)}", parameters);
        return watch.Elapsed.TotalMilliseconds;
    }

    public (double Milliseconds, long Rows) Whole(QuerySpec spec)
    {
        var (sql, order, parameters) = Compile(spec);
        var watch = Stopwatch.StartNew();
        var rows = Read($"SELECT * FROM ({sql}) AS q{order}", parameters);
        return (watch.Elapsed.TotalMilliseconds, rows);
    }

    public void Dispose() => _connection.Dispose();

    private (string Sql, string Order, IReadOnlyList<object> Parameters) Compile(QuerySpec spec)
    {
        var compiled = SqlBuilder.Compile(spec);
        var sql = compiled.Sql;
        foreach (var schema in new[] { IdcSchema.DicomPivot, IdcSchema.Clinical, IdcSchema.Biospecimen })
        {
            sql = sql.Replace("{" + schema.Name + "}", ReleaseTables.Source(_data, _release, schema), StringComparison.Ordinal);
        }

        var order = compiled.OrderBy.Count == 0 ? "" : " ORDER BY " + string.Join(", ", compiled.OrderBy.Select(o => "\"" + o.Replace("\"", "\"\"", StringComparison.Ordinal) + "\" ASC NULLS FIRST"));
        return (sql, order, compiled.Parameters);
    }

    private long Read(string sql, IReadOnlyList<object> parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        long rows = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                _ = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows++;
        }

        return rows;
    }

    private object? Scalar(string sql, IReadOnlyList<object> parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var command = Command(sql, []);
        command.ExecuteNonQuery();
    }

    private DuckDBCommand Command(string sql, IReadOnlyList<object> parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(parameter));
        }

        return command;
    }
}
