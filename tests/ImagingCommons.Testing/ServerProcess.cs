using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImagingCommons.Testing;

/// <summary>
/// <c>dotnet idc.dll serve</c> as a separate process (idc.dll is copied next to the test assembly), so that a test
/// can kill it with SIGKILL the way a crash or an OOM killer would.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServerProcess> StartAsync(string dataDirectory, string? postgres, params string[] extraArguments)
    {
        var idc = Path.Combine(AppContext.BaseDirectory, "idc.dll");
        Assert.True(File.Exists(idc), $"idc.dll is not next to the tests ({idc})");
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { idc, "serve", "--data", dataDirectory, "--urls", url }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ImagingCommons__ReleaseCheckInterval"] = "00:00:00";
        if (postgres is not null)
        {
            start.Environment["ImagingCommons__Accounts__Postgres"] = postgres;
        }

        var process = Process.Start(start)!;
        var server = new ServerProcess(process, new Uri(url));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "idc serve stopped early:\n" + server.Output);
            try
            {
                using var response = await server.Client.GetAsync("/health", TestContext.Current.CancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "idc serve did not answer /health:\n" + server.Output);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed that was not already on its way to disk.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
