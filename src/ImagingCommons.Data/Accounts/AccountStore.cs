using System.Data.Common;
using Dapper;

namespace ImagingCommons.Data.Accounts;

/// <summary>One versioned step of the account schema, in the store's SQL dialect.</summary>
public sealed record AccountMigration(int Version, string Description, string Sql);

/// <summary>
/// Users, API keys and saved cohorts over a <see cref="DbDataSource"/>, with the same SQL on SQLite and PostgreSQL
/// (only the schema and the connection setup differ, in the subclasses). Times are stored as Unix milliseconds.
/// Every write is one statement, so it is atomic and durable once acknowledged; ids come from the database
/// (SQLite AUTOINCREMENT, PostgreSQL identity), which never hands out the same id twice.
/// </summary>
public abstract class AccountStore : IAccountStore, ICohortStore, IAsyncDisposable, IDisposable
{
    private const string UserColumns =
        "u.id AS Id, u.email AS Email, u.first_name AS FirstName, u.last_name AS LastName, u.date_joined AS DateJoined, u.last_login AS LastLogin";

    private const string CohortSelect =
        """
        SELECT c.id AS Id, c.owner_id AS OwnerId, u.first_name AS OwnerFirstName, u.last_name AS OwnerLastName,
               c.name AS Name, c.description AS Description, c.idc_data_version AS IdcDataVersion,
               c.filter_api AS FilterApi, c.filters AS Filters, c.created_at AS CreatedAt, c.deleted_at AS DeletedAt
        FROM cohorts c JOIN users u ON u.id = c.owner_id
        """;

    private readonly DbDataSource _dataSource;
    private readonly TimeProvider _time;
    private int _disposed;

    protected AccountStore(DbDataSource dataSource, TimeProvider? time)
    {
        _dataSource = dataSource;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>What the store is, for logs and messages (never a connection string).</summary>
    public abstract string Description { get; }

    /// <summary>The schema steps, oldest first; versions start at 1 and never change once released.</summary>
    protected abstract IReadOnlyList<AccountMigration> Migrations { get; }

    /// <summary>The schema version this build knows.</summary>
    public int LatestSchemaVersion => Migrations[^1].Version;

    /// <summary>
    /// Creates or upgrades the schema to <see cref="LatestSchemaVersion"/>. Idempotent, and safe when several
    /// processes start at once (they serialise on a database lock; the later ones find nothing to do).
    /// </summary>
    /// <returns>The versions applied by this call.</returns>
    /// <exception cref="InvalidOperationException">the database was made by a newer build.</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await BeforeMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var current = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(version) FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
        if (current > LatestSchemaVersion)
        {
            throw new InvalidOperationException(
                $"The account database ({Description}) is at schema version {current}, newer than this build knows ({LatestSchemaVersion}). Run a newer server.");
        }

        var applied = new List<int>();
        foreach (var migration in Migrations.Where(m => m.Version > current))
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@Version, @Description, @At)",
                new { migration.Version, migration.Description, At = Now() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            applied.Add(migration.Version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>The schema versions recorded as applied, oldest first.</summary>
    public async Task<IReadOnlyList<int>> AppliedSchemaVersionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var versions = await connection.QueryAsync<int>(new CommandDefinition(
            "SELECT version FROM schema_migrations ORDER BY version", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return versions.ToList();
    }

    public async Task<(UserAccount User, bool Created)> AddUserAsync(string email, string firstName, string lastName, CancellationToken cancellationToken)
    {
        if (!Emails.IsPlausible(email))
        {
            throw new ArgumentException("The email is not a valid address.", nameof(email));
        }

        if (string.IsNullOrWhiteSpace(firstName) || string.IsNullOrWhiteSpace(lastName))
        {
            throw new ArgumentException("A user needs a first and a last name.", string.IsNullOrWhiteSpace(firstName) ? nameof(firstName) : nameof(lastName));
        }

        var normalized = Emails.Normalize(email);
        using (await EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var created = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
                $"""
                INSERT INTO users (email, first_name, last_name, date_joined) VALUES (@Email, @FirstName, @LastName, @Now)
                ON CONFLICT (email) DO NOTHING
                RETURNING {UserColumns.Replace("u.", "", StringComparison.Ordinal)}
                """,
                new { Email = normalized, FirstName = firstName.Trim(), LastName = lastName.Trim(), Now = Now() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (created is not null)
            {
                return (created.ToRecord(), true);
            }
        }

        var existing = await FindUserAsync(normalized, cancellationToken).ConfigureAwait(false);
        return (existing ?? throw new InvalidOperationException("The user was neither created nor found."), false);
    }

    public async Task<UserAccount?> FindUserAsync(string email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users u WHERE u.email = @Email",
            new { Email = Emails.Normalize(email) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users u ORDER BY u.id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task RecordLoginAsync(long userId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using (await EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE users SET last_login = @At WHERE id = @Id",
                new { Id = userId, At = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    public async Task<IssuedApiKey> CreateApiKeyAsync(long userId, CancellationToken cancellationToken)
    {
        var issued = ApiKeys.Generate();
        using (await EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var inserted = await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO api_keys (id, user_id, key_hash, created_at) SELECT @Id, id, @Hash, @Now FROM users WHERE id = @UserId",
                new { issued.Id, UserId = userId, Hash = ApiKeys.Hash(issued.Key), Now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (inserted != 1)
            {
                throw new ArgumentException($"There is no user with id {userId}.", nameof(userId));
            }
        }

        return issued;
    }

    public async Task<UserAccount?> FindUserByApiKeyAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeys.TryParse(key, out var id))
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<KeyedUserRow>(new CommandDefinition(
            $"SELECT k.key_hash AS KeyHash, k.revoked_at AS RevokedAt, {UserColumns} FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = @Id",
            new { Id = id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is { RevokedAt: null } && ApiKeys.SameHash(row.KeyHash, ApiKeys.Hash(key)) ? row.ToRecord() : null;
    }

    public async Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        using (await EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var revoked = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL",
                new { Id = keyId.Trim().ToLowerInvariant(), Now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return revoked == 1;
        }
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(long? userId, CancellationToken cancellationToken)
    {
        const string Select = "SELECT k.id AS Id, u.email AS Email, k.created_at AS CreatedAt, k.revoked_at AS RevokedAt FROM api_keys k JOIN users u ON u.id = k.user_id";
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = userId is { } id
            ? await connection.QueryAsync<KeyRow>(new CommandDefinition(
                Select + " WHERE k.user_id = @UserId ORDER BY k.created_at, k.id", new { UserId = id }, cancellationToken: cancellationToken)).ConfigureAwait(false)
            : await connection.QueryAsync<KeyRow>(new CommandDefinition(
                Select + " ORDER BY k.created_at, k.id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new ApiKeyInfo(r.Id, r.Email, FromMs(r.CreatedAt), FromMs(r.RevokedAt))).ToList();
    }

    public async Task<SavedCohort> CreateCohortAsync(NewCohort cohort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        if (cohort.FilterApi is not ("v1" or "v2"))
        {
            throw new ArgumentException("FilterApi must be v1 or v2.", nameof(cohort));
        }

        long id;
        using (await EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO cohorts (owner_id, name, description, idc_data_version, filter_api, filters, created_at)
                VALUES (@OwnerId, @Name, @Description, @IdcDataVersion, @FilterApi, @Filters, @Now)
                RETURNING id
                """,
                new { cohort.OwnerId, cohort.Name, cohort.Description, cohort.IdcDataVersion, cohort.FilterApi, cohort.Filters, Now = Now() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        return await FindCohortAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Cohort {id} was saved but cannot be read back.");
    }

    public async Task<SavedCohort?> FindCohortAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<CohortRow>(new CommandDefinition(
            CohortSelect + " WHERE c.id = @Id", new { Id = id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<SavedCohort>> ListActiveCohortsAsync(long ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CohortRow>(new CommandDefinition(
            CohortSelect + " WHERE c.owner_id = @OwnerId AND c.deleted_at IS NULL ORDER BY c.id",
            new { OwnerId = ownerId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<CohortDeletion> DeleteCohortAsync(long id, long ownerId, CancellationToken cancellationToken)
    {
        int deleted;
        using (await EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            deleted = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE cohorts SET deleted_at = @Now WHERE id = @Id AND owner_id = @OwnerId AND deleted_at IS NULL",
                new { Id = id, OwnerId = ownerId, Now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        // After a failed update the cohort can only have moved towards deleted, so this read decides the answer.
        var cohort = await FindCohortAsync(id, cancellationToken).ConfigureAwait(false);
        if (deleted == 1)
        {
            return new CohortDeletion(CohortDeletionStatus.Deleted, cohort);
        }

        if (cohort is null)
        {
            return new CohortDeletion(CohortDeletionStatus.NotFound, null);
        }

        return cohort.OwnerId != ownerId
            ? new CohortDeletion(CohortDeletionStatus.NotOwner, null)
            : new CohortDeletion(CohortDeletionStatus.AlreadyDeleted, null);
    }

    public async ValueTask DisposeAsync()
    {
        // The container may hand this object out under three service types and dispose it for each.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _dataSource.Dispose();
        DisposeCoreAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens a connection set up for this store (SQLite: durability pragmas).</summary>
    protected virtual async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Serialises writers where the database would otherwise make them wait on a lock (SQLite).</summary>
    protected virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>Runs before the migration transaction (SQLite: the journal mode, which cannot change inside one).</summary>
    protected virtual Task BeforeMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Makes concurrent migrations wait for each other, inside the migration transaction.</summary>
    protected abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static DateTimeOffset? FromMs(long? milliseconds) => milliseconds is { } ms ? FromMs(ms) : null;

    // Dapper fills these by column alias; the types are what both providers return (BIGINT → long, TEXT → string).
    private class UserRow
    {
        public long Id { get; set; }

        public string Email { get; set; } = "";

        public string FirstName { get; set; } = "";

        public string LastName { get; set; } = "";

        public long DateJoined { get; set; }

        public long? LastLogin { get; set; }

        public UserAccount ToRecord() => new(Id, Email, FirstName, LastName, FromMs(DateJoined), FromMs(LastLogin));
    }

    private sealed class KeyedUserRow : UserRow
    {
        public string KeyHash { get; set; } = "";

        public long? RevokedAt { get; set; }
    }

    private sealed class KeyRow
    {
        public string Id { get; set; } = "";

        public string Email { get; set; } = "";

        public long CreatedAt { get; set; }

        public long? RevokedAt { get; set; }
    }

    private sealed class CohortRow
    {
        public long Id { get; set; }

        public long OwnerId { get; set; }

        public string OwnerFirstName { get; set; } = "";

        public string OwnerLastName { get; set; } = "";

        public string Name { get; set; } = "";

        public string? Description { get; set; }

        public string IdcDataVersion { get; set; } = "";

        public string FilterApi { get; set; } = "";

        public string Filters { get; set; } = "";

        public long CreatedAt { get; set; }

        public long? DeletedAt { get; set; }

        public SavedCohort ToRecord() => new(
            Id, OwnerId, $"{OwnerFirstName} {OwnerLastName}", Name, Description, IdcDataVersion, FilterApi, Filters, FromMs(CreatedAt), FromMs(DeletedAt));
    }
}
