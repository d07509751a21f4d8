using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ImagingCommons.Testing;

/// <summary>
/// A real S3-compatible store on loopback: moto_server. When IMAGINGCOMMONS_TEST_S3 names one (.ci/run starts it) that
/// one is used; else, when moto_server is installed, the fixture starts its own on a free port and stops it at the end;
/// else the tests that need it are skipped with the reason. Buckets are made public-read, as IDC's are, so that
/// downloads run anonymously; each test makes buckets of its own names.
/// </summary>
public sealed class MotoS3 : IAsyncLifetime
{
    public const string Variable = "IMAGINGCOMMONS_TEST_S3";

    private Process? _process;

    public Uri? Endpoint { get; private set; }

    public IAmazonS3 Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            Endpoint = new Uri(given);
        }
        else if (Which("moto_server") is { } moto)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(moto) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
        }
        else
        {
            return;
        }

        Client = new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config
        {
            ServiceURL = Endpoint.AbsoluteUri,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(Endpoint, TestContext.Current.CancellationToken);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && _process is { HasExited: false })
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>Call first in every test that needs the store.</summary>
    public void SkipUnlessAvailable()
    {
        if (Endpoint is null)
        {
            Assert.Skip($"No S3-compatible store: install moto (pip install 'moto[server]') or set {Variable} to one.");
        }
    }

    /// <summary>A new public-read bucket with a name of its own.</summary>
    public async Task<string> CreateBucketAsync(string stem = "test")
    {
        var name = stem + "-" + Guid.NewGuid().ToString("N")[..12];
        await Client.PutBucketAsync(new PutBucketRequest { BucketName = name, CannedACL = S3CannedACL.PublicRead }, TestContext.Current.CancellationToken);
        return name;
    }

    public Task PutAsync(string bucket, string key, byte[] bytes) =>
        Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(bytes), AutoCloseStream = true }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process?.Dispose();
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
