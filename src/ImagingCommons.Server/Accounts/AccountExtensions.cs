using System.Data.Common;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Releases;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImagingCommons.Server.Accounts;

internal static class AccountExtensions
{
    /// <summary>The account and cohort store: PostgreSQL when a connection string is configured, else SQLite in the data directory.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, ServerOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => AccountStores.Open(
            sp.GetRequiredService<ReleaseCatalog>().Data, options.Accounts.Postgres, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<AccountStore>());
        services.AddSingleton<ICohortStore>(sp => sp.GetRequiredService<AccountStore>());
        return services;
    }

    /// <summary>Creates or upgrades the account schema before the server listens; a store that cannot be reached stops the start.</summary>
    public static WebApplication MigrateAccounts(this WebApplication app)
    {
        AccountStore store;
        IReadOnlyList<int> applied;
        try
        {
            store = app.Services.GetRequiredService<AccountStore>();
            applied = store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or ArgumentException or IOException)
        {
            throw new ServerStartupException($"The account store cannot be used: {exception.Message}");
        }

        app.Logger.LogInformation(
            "Accounts and cohorts are kept in {Store} (schema version {Version}{Applied})",
            store.Description, store.LatestSchemaVersion, applied.Count == 0 ? "" : ", just migrated");
        return app;
    }
}
