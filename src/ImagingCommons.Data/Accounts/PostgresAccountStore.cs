using System.Data.Common;
using Dapper;
using Npgsql;

namespace ImagingCommons.Data.Accounts;

/// <summary>
/// The store for several replicas: PostgreSQL, reached with a configured connection string (its tables live in the
/// connection's search path). Commits are durable with PostgreSQL's defaults; migrations serialise on an advisory lock.
/// </summary>
public sealed class PostgresAccountStore : AccountStore
{
    /// <summary>Arbitrary, fixed: the advisory lock every replica takes while migrating the account schema.</summary>
    private const long MigrationLock = 0x49_43_41_63_63_74;

    private static readonly AccountMigration[] Steps =
    [
        new(1, "users, api keys and saved cohorts", """
            CREATE TABLE users (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                date_joined BIGINT NOT NULL,
                last_login BIGINT NULL
            );
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id),
                key_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT NULL
            );
            CREATE INDEX api_keys_user ON api_keys (user_id);
            CREATE TABLE cohorts (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_id BIGINT NOT NULL REFERENCES users (id),
                name TEXT NOT NULL,
                description TEXT NULL,
                idc_data_version TEXT NOT NULL,
                filter_api TEXT NOT NULL CHECK (filter_api IN ('v1', 'v2')),
                filters TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                deleted_at BIGINT NULL
            );
            CREATE INDEX cohorts_owner ON cohorts (owner_id, id);
            """),
    ];

    private readonly string _database;

    private PostgresAccountStore(NpgsqlDataSource dataSource, string database, TimeProvider? time)
        : base(dataSource, time)
    {
        _database = database;
    }

    public override string Description => $"PostgreSQL database {_database}";

    protected override IReadOnlyList<AccountMigration> Migrations => Steps;

    /// <exception cref="ArgumentException">the connection string cannot be parsed.</exception>
    public static PostgresAccountStore Open(string connectionString, TimeProvider? time = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var database = $"{builder.Database ?? builder.Username} on {builder.Host}:{builder.Port}";
        return new PostgresAccountStore(NpgsqlDataSource.Create(builder), database, time);
    }

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@Lock)", new { Lock = MigrationLock }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
}
