using ImagingCommons.Data.Releases;

namespace ImagingCommons.Server.Releases;

/// <summary>
/// Picks up a release published into the data directory while the server runs: every
/// <see cref="ServerOptions.ReleaseCheckInterval"/> (on the injected clock) it asks the catalog to refresh if
/// releases.json or the releases folder changed. A release that fails to load is logged and the previous one keeps
/// being served (so the watcher never stops the host: a background service that throws would).
/// </summary>
internal sealed class ReleaseWatcher(ReleaseCatalog catalog, ServerOptions options, TimeProvider time, ILogger<ReleaseWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReleaseCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (catalog.RefreshIfChanged())
                    {
                        logger.LogInformation("Now serving release {Release} ({Held} held)", catalog.CurrentRelease, catalog.HeldReleases.Length);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogError(exception, "Could not refresh the releases of {DataDirectory}; still serving {Release}", catalog.Data.Path, catalog.CurrentRelease);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
