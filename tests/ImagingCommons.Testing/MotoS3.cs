using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ImagingCommons.Testing.S3;

namespace ImagingCommons.Testing;

/// <summary>
/// The S3 test store (<see cref="S3TestStore"/>: moto_server on loopback) for download tests: a client with moto's test
/// keys, and public-read buckets of the test's own names, as IDC's buckets are public, so that downloads run
/// anonymously. Tests call <see cref="SkipUnlessAvailable"/> first.
/// </summary>
public sealed class MotoS3 : IAsyncLifetime
{
    public Uri? Endpoint { get; private set; }

    public IAmazonS3 Client { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Endpoint = S3TestStore.Available;
        if (Endpoint is not null)
        {
            Client = new AmazonS3Client(new BasicAWSCredentials("testing", "testing"), new AmazonS3Config
            {
                ServiceURL = Endpoint.AbsoluteUri,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Call first in every test that needs the store.</summary>
    public void SkipUnlessAvailable()
    {
        if (Endpoint is null)
        {
            _ = S3TestStore.Endpoint;
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

    public ValueTask DisposeAsync()
    {
        Client?.Dispose();
        return ValueTask.CompletedTask;
    }
}
