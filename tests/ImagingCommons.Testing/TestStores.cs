using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Releases;
using Npgsql;

namespace ImagingCommons.Testing;

/// <summary>The two account-store backends every store and cohort test runs against.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// PostgreSQL for tests: the server named by IMAGINGCOMMONS_TEST_POSTGRES (a connection string; .ci/install.sh
/// starts one). Each test store gets a schema of its own, dropped afterwards, so runs never see each other's rows.
/// Without the variable, PostgreSQL tests skip with a reason.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "IMAGINGCOMMONS_TEST_POSTGRES";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } text ? text : null;

    public static void SkipIfUnavailable()
    {
        if (ConnectionString is null)
        {
            Assert.Skip($"{Variable} is not set; set it to a PostgreSQL connection string to run the PostgreSQL tests (see README).");
        }
    }

    /// <summary>Creates an empty schema and returns a connection string whose search path is that schema.</summary>
    public static async Task<(string ConnectionString, string Schema)> CreateSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema };
        return (builder.ToString(), schema);
    }

    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}

/// <summary>A fresh, migrated account store of one kind, in a temp data directory or a private PostgreSQL schema.</summary>
public sealed class TestAccountStore : IAsyncDisposable
{
    private readonly string? _schema;

    private TestAccountStore(StoreKind kind, string root, string? postgres, string? schema)
    {
        Kind = kind;
        Root = root;
        PostgresConnectionString = postgres;
        _schema = schema;
        Store = Open();
    }

    public StoreKind Kind { get; }

    /// <summary>The data directory (the SQLite file lives in it).</summary>
    public string Root { get; }

    /// <summary>The connection string of the private schema (PostgreSQL), else null.</summary>
    public string? PostgresConnectionString { get; }

    public AccountStore Store { get; }

    /// <summary>A store of <paramref name="kind"/>; skips the test when PostgreSQL is asked for and not available.</summary>
    public static async Task<TestAccountStore> CreateAsync(StoreKind kind, bool migrate = true)
    {
        var root = Path.Combine(Path.GetTempPath(), "ic-accounts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        string? postgres = null;
        string? schema = null;
        if (kind == StoreKind.Postgres)
        {
            TestPostgres.SkipIfUnavailable();
            (postgres, schema) = await TestPostgres.CreateSchemaAsync();
        }

        var store = new TestAccountStore(kind, root, postgres, schema);
        if (migrate)
        {
            await store.Store.MigrateAsync(TestContext.Current.CancellationToken);
        }

        return store;
    }

    /// <summary>Another store object over the same database (as a second process or replica would have).</summary>
    public AccountStore Open(TimeProvider? time = null) => AccountStores.Open(new DataDirectory(Root), PostgresConnectionString, time);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (_schema is not null)
        {
            await TestPostgres.DropSchemaAsync(_schema);
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
