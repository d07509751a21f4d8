using Amazon.S3;
using Amazon.S3.Model;
using ImagingCommons.Data.Upload;

namespace ImagingCommons.Testing.S3;

/// <summary>Reads back what a test store holds, with the same client settings as <c>idc upload</c> and moto's test keys.</summary>
public static class StoreReads
{
    /// <summary>moto accepts any key; these are the ones its documentation uses.</summary>
    public static readonly (string, string, string?) Credentials = ("testing", "testing", null);

    public static UploadOptions Options(string version, string? bucket = null) =>
        new(version, S3TestStore.Endpoint) { Bucket = bucket, CreateBucket = true, Credentials = Credentials, Parallelism = 4 };

    public static AmazonS3Client Client() => ReleaseUploader.CreateClient(Options("0.0"));

    /// <summary>The object at an s3:// URL (optionally in another bucket), or null when there is none.</summary>
    public static async Task<byte[]?> GetAsync(string url, string? bucket = null)
    {
        var rest = url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        using var client = Client();
        try
        {
            using var response = await client.GetObjectAsync(bucket ?? rest[..slash], rest[(slash + 1)..], TestContext.Current.CancellationToken);
            using var memory = new MemoryStream();
            await response.ResponseStream.CopyToAsync(memory, TestContext.Current.CancellationToken);
            return memory.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static async Task PutAsync(string bucket, string key, byte[] content)
    {
        using var client = Client();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false }, TestContext.Current.CancellationToken);
    }

    public static async Task DeleteAsync(string bucket, string key)
    {
        using var client = Client();
        await client.DeleteObjectAsync(bucket, key, TestContext.Current.CancellationToken);
    }
}
