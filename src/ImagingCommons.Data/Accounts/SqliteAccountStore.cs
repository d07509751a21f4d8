using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace ImagingCommons.Data.Accounts;

/// <summary>
/// The default store: one SQLite file (normally <c>accounts.db</c> in the data directory). The database runs in WAL
/// mode with <c>synchronous=FULL</c>, so a commit is on disk before the write is acknowledged; writers of this
/// process take turns on a semaphore, and other processes (the <c>idc</c> command) wait on SQLite's busy timeout.
/// </summary>
public sealed class SqliteAccountStore : AccountStore
{
    public const string FileName = "accounts.db";

    private static readonly AccountMigration[] Steps =
    [
        new(1, "users, api keys and saved cohorts", """
            CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                email TEXT NOT NULL UNIQUE,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                date_joined INTEGER NOT NULL,
                last_login INTEGER NULL
            );
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users (id),
                key_hash TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER NULL
            );
            CREATE INDEX api_keys_user ON api_keys (user_id);
            CREATE TABLE cohorts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                owner_id INTEGER NOT NULL REFERENCES users (id),
                name TEXT NOT NULL,
                description TEXT NULL,
                idc_data_version TEXT NOT NULL,
                filter_api TEXT NOT NULL CHECK (filter_api IN ('v1', 'v2')),
                filters TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                deleted_at INTEGER NULL
            );
            CREATE INDEX cohorts_owner ON cohorts (owner_id, id);
            """),
    ];

    private readonly SemaphoreSlim _writer = new(1, 1);

    private SqliteAccountStore(string path, TimeProvider? time)
        : base(SqliteFactory.Instance.CreateDataSource(ConnectionString(path)), time)
    {
        Path = path;
    }

    public string Path { get; }

    public override string Description => "SQLite " + Path;

    protected override IReadOnlyList<AccountMigration> Migrations => Steps;

    /// <summary>A store over the SQLite file at <paramref name="path"/> (created, with its folder, when missing).</summary>
    public static SqliteAccountStore Open(string path, TimeProvider? time = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        if (!File.Exists(full) && !OperatingSystem.IsWindows())
        {
            // Emails and key hashes: readable by the server's user only. SQLite gives its -wal and -shm files the same mode.
            try
            {
                using var _ = new FileStream(full, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (File.Exists(full))
            {
                // Another process created it first.
            }
        }

        return new SqliteAccountStore(full, time);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await base.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Per-connection settings: FULL makes every commit wait for the WAL to reach the disk.
            await connection.ExecuteAsync(new CommandDefinition(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(_writer);
    }

    protected override async Task BeforeMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // WAL is a property of the file: set once, it stays for every later connection and process.
        var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{Description} cannot use write-ahead logging (journal mode is {mode}).");
        }
    }

    // BeginTransaction is BEGIN IMMEDIATE in Microsoft.Data.Sqlite: it already holds the write lock.
    protected override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override ValueTask DisposeCoreAsync()
    {
        _writer.Dispose();
        // Pooled connections keep the file open; release them so the data directory can be removed.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
