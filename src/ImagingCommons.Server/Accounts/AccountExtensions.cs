using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Hosting;

namespace ImagingCommons.Server.Accounts;

internal static class AccountExtensions
{
    /// <summary>
    /// The account and cohort store: PostgreSQL when a connection string is configured, else SQLite in the data
    /// directory; its schema is created or migrated before the server listens.
    /// </summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(sp => AccountStores.Open(
            sp.GetRequiredService<ReleaseCatalog>().Data, options.Accounts.Postgres, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<AccountStore>());
        services.AddSingleton<ICohortStore>(sp => sp.GetRequiredService<AccountStore>());
        if (!ImagingCommonsHosting.IsWritingDocuments)
        {
            services.AddHostedService<Hosting.AccountMigration>();
        }

        return services;
    }
}
