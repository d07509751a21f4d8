using ImagingCommons.Data.Releases;

namespace ImagingCommons.Data.Accounts;

/// <summary>The one backend switch: PostgreSQL when a connection string is given, else SQLite in the data directory.</summary>
public static class AccountStores
{
    public static AccountStore Open(DataDirectory data, string? postgresConnectionString, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return string.IsNullOrWhiteSpace(postgresConnectionString)
            ? SqliteAccountStore.Open(Path.Combine(data.Path, SqliteAccountStore.FileName), time)
            : PostgresAccountStore.Open(postgresConnectionString, time);
    }
}
