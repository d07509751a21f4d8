using ImagingCommons.Testing;
using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Client.Tests;

/// <summary>
/// The server over a release of <see cref="Count"/> CT instances (3 collections, one series per 10 instances), whose
/// SOPInstanceUIDs are "3.0000" … "3.2999": a manifest of SOPInstanceUID lists them in that order.
/// </summary>
public sealed class ManyInstancesServer : IAsyncLifetime
{
    public const int Count = 3000;

    private readonly HandMadeRelease _release = new();

    public ImagingCommonsApplication App { get; private set; } = null!;

    public static IReadOnlyList<string?> SopInstanceUids { get; } = [.. Enumerable.Range(0, Count).Select(Sop)];

    private static string Sop(int i) => "3." + i.ToString("0000", System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask InitializeAsync()
    {
        _release.Write("24.0", Enumerable.Range(0, Count).Select(i => Instance(
            "c" + (i % 3), "P" + (i / 100), "1." + (i / 50), "2." + (i / 10), Sop(i), "CT", "CHEST", 1000 + i)));
        App = await ImagingCommonsApplication.StartAsync(_release.Root);
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        _release.Dispose();
    }
}
