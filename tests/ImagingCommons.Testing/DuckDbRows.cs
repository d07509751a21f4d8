using System.Data.Common;
using DuckDB.NET.Data;

namespace ImagingCommons.Testing;

/// <summary>Reading files back with DuckDB, the independent reader the tests check written tables and exports with.</summary>
public static class DuckDbRows
{
    /// <summary>Runs a query in a fresh in-memory DuckDB; rows as arrays (DBNull as null).</summary>
    public static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return Read(connection, sql);
    }

    /// <summary>Runs a query on an open connection; rows as arrays (DBNull as null).</summary>
    public static List<object?[]> Read(DbConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
