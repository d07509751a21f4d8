using System.Data.Common;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Synthetic;
using ImagingCommons.Server.Apis;

namespace ImagingCommons.Server.Hosting;

/// <summary>
/// Reads the data directory before the server listens (hosted services start before Kestrel), so that a missing or
/// unreadable release stops the start with a clear message instead of failing requests; generates the small
/// synthetic default release into an empty default data directory first.
/// </summary>
internal sealed class ReleaseBootstrap(ReleaseCatalog catalog, ServerOptions options, MetadataResponses responses, ILogger<ReleaseBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        catalog.Refresh();
        if (catalog.CurrentRelease is null)
        {
            if (!options.ShouldGenerateDefaultRelease)
            {
                throw new ServerStartupException(
                    $"The data directory {catalog.Data.Path} holds no release. Import, ingest or generate a release into it "
                    + "(idc import, idc ingest, idc generate), point the server at a data directory that holds one, "
                    + "or start it with --generate to generate the small synthetic default release there.");
            }

            logger.LogInformation(
                "The data directory {DataDirectory} holds no release: generating the synthetic default release (scale {Scale}, seed 1)",
                catalog.Data.Path, ReleaseGenerator.DefaultScale);
            var report = await Task.Run(() => ReleaseGenerator.Generate(catalog.Data, new GeneratorOptions(ReleaseGenerator.DefaultScale, 1), cancellationToken: cancellationToken), cancellationToken);
            logger.LogInformation(
                "Generated releases {Releases} in {Seconds:F1} s ({Megabytes:F0} MB)",
                string.Join(", ", report.ReleasesWritten), report.Elapsed.TotalSeconds, report.Bytes / 1e6);
            catalog.Refresh();
            if (catalog.CurrentRelease is null)
            {
                throw new ServerStartupException($"The data directory {catalog.Data.Path} still holds no release after generating the default one.");
            }
        }

        // Render the bodies now: the first request should not pay for it.
        var current = responses.Current;
        logger.LogInformation(
            "Serving release {Release} of {DataDirectory} ({Held} held)", catalog.CurrentRelease, catalog.Data.Path, catalog.HeldReleases.Length);
        if (current.Synthetic)
        {
            logger.LogWarning(
                "Release {Release} is synthetic (made by idc generate): its rows describe no real images and its URLs name no real objects",
                catalog.CurrentRelease);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Creates or upgrades the account schema before the server listens; a store that cannot be reached stops the start.</summary>
internal sealed class AccountMigration(AccountStore store, ILogger<AccountMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<int> applied;
        try
        {
            applied = await store.MigrateAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or ArgumentException or IOException)
        {
            throw new ServerStartupException($"The account store cannot be used: {exception.Message}");
        }

        logger.LogInformation(
            "Accounts and cohorts are kept in {Store} (schema version {Version}{Applied})",
            store.Description, store.LatestSchemaVersion, applied.Count == 0 ? "" : ", just migrated");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Starts building the current release's series table in the background, so that series-level queries read it
/// (about fifty times fewer rows) as soon as it is ready; until then they read the instance table. Then it waits for
/// the release's SOPInstanceUID order, which the engine builds after the series table, to log when it is ready.
/// </summary>
internal sealed class QueryWarmUp(ReleaseCatalog catalog, QueryEngine engine, TimeProvider time, ILogger<QueryWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (catalog.CurrentRelease is not { } release)
        {
            return;
        }

        var started = time.GetTimestamp();
        try
        {
            await engine.WarmUpAsync(release, stoppingToken);
            logger.LogInformation("Series table of release {Release} ready after {Seconds:F1} s", release, time.GetElapsedTime(started).TotalSeconds);
            try
            {
                if (await engine.WarmUpUidOrderAsync(release, stoppingToken))
                {
                    logger.LogInformation("SOPInstanceUID order of release {Release} ready after {Seconds:F1} s", release, time.GetElapsedTime(started).TotalSeconds);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "The SOPInstanceUID order of release {Release} could not be built; listings in that order are numbered whole", release);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping (or a start that failed): the build goes on or ends with the engine.
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "The series table of release {Release} could not be built; queries read the instance table", release);
        }
    }
}
