using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ImagingCommons.Testing.S3;

/// <summary>
/// A real S3-compatible store on loopback for tests: the one named by <c>IMAGINGCOMMONS_TEST_S3</c> (an endpoint URL;
/// .ci/run starts moto_server and sets it), or else a <c>moto_server</c> this process starts on a free port when it is
/// installed (stopped when the tests end). Tests skip with the reason when neither is there.
/// </summary>
public static class S3TestStore
{
    public const string Variable = "IMAGINGCOMMONS_TEST_S3";

    private static readonly Lazy<(Uri? Endpoint, string? Reason)> Store = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The store's endpoint; skips the calling test when there is none.</summary>
    public static Uri Endpoint
    {
        get
        {
            var (endpoint, reason) = Store.Value;
            if (endpoint is null)
            {
                Assert.Skip(reason!);
            }

            return endpoint;
        }
    }

    /// <summary>The store's endpoint, or null when there is none (<see cref="Endpoint"/> then skips with the reason).</summary>
    public static Uri? Available => Store.Value.Endpoint;

    /// <summary>A bucket name no other test uses (S3 names: lower case, digits, '-').</summary>
    public static string NewBucketName(string prefix = "test") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];

    private static (Uri?, string?) Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return (new Uri(configured), null);
        }

        var moto = FindMoto();
        if (moto is null)
        {
            return (null, $"no S3-compatible store: set {Variable} to an endpoint, or install moto_server (pip install 'moto[server]'; .ci/run starts it)");
        }

        var port = FreePort();
        var start = new ProcessStartInfo(moto) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        };

        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return (null, $"moto_server ({moto}) stopped at start with exit code {process.ExitCode}");
            }

            try
            {
                using var response = http.GetAsync(endpoint).GetAwaiter().GetResult();
                return (endpoint, null);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Thread.Sleep(100);
            }
        }

        return (null, $"moto_server ({moto}) did not answer on {endpoint} within 60 s");
    }

    private static string? FindMoto()
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(home is null ? [] : [Path.Combine(home, ".pyenv", "shims"), Path.Combine(home, ".local", "bin")]);
        return folders.Where(f => f.Length > 0).Select(f => Path.Combine(f, "moto_server")).FirstOrDefault(File.Exists);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
