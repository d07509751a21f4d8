using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using DuckDB.NET.Data;
using ImagingCommons.Data.Ingest;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Data.Upload;

/// <summary>What <c>idc upload</c> was asked to do.</summary>
/// <param name="Version">A release made by <c>idc ingest</c> (it has a sources.parquet).</param>
/// <param name="Endpoint">The S3-compatible service URL (path-style addressing is used).</param>
public sealed record UploadOptions(string Version, Uri Endpoint)
{
    /// <summary>Upload into this bucket instead of the one in the release's aws_url (same keys).</summary>
    public string? Bucket { get; init; }

    /// <summary>Create the bucket when it does not exist.</summary>
    public bool CreateBucket { get; init; }

    public int Parallelism { get; init; } = 8;

    /// <summary>Access key and secret to sign with; by default AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else anonymous.</summary>
    public (string AccessKey, string SecretKey, string? SessionToken)? Credentials { get; init; } = FromEnvironment();

    /// <summary>The signing region; S3-compatible stores mostly ignore it.</summary>
    public string Region { get; init; } = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";

    private static (string, string, string?)? FromEnvironment()
    {
        var key = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        var session = Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN");
        return string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret) ? null : (key, secret, string.IsNullOrEmpty(session) ? null : session);
    }
}

/// <summary>Progress of an upload (objects and bytes), for a progress line.</summary>
public sealed record UploadProgress(long ObjectsDone, long ObjectsTotal, long BytesSent, TimeSpan Elapsed);

/// <summary>Receives what an upload does, from one thread at a time.</summary>
public interface IUploadObserver
{
    /// <summary>An object that could not be stored or verified (a rerun tries it again).</summary>
    void Failed(string url, string reason);

    void Progress(UploadProgress progress);
}

/// <summary>What an upload did: every object of the release is in one of the last four counts.</summary>
public sealed record UploadReport(long Objects, long Uploaded, long AlreadyPresent, long Copied, long Failed, long BytesUploaded);

/// <summary>The upload cannot start (no such release, no sources, no aws_url, the store unreachable); nothing was changed.</summary>
public sealed class UploadException : Exception
{
    public UploadException()
    {
    }

    public UploadException(string message)
        : base(message)
    {
    }

    public UploadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Copies an ingested release's files into an S3-compatible store under the keys of its <c>aws_url</c>s, in parallel.
/// An object already there with the same size and MD5 is left alone, so a rerun after a crash or a failure only sends
/// what is missing (a PUT is atomic: a killed upload leaves no partial object). Every PUT carries Content-MD5, which
/// the store checks, and its ETag is compared with the MD5; a copied object is checked with a HEAD.
/// </summary>
public static class ReleaseUploader
{
    private const string Md5Metadata = "x-amz-meta-md5";

    public static async Task<UploadReport> UploadAsync(DataDirectory data, UploadOptions options, IUploadObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observer);
        var objects = ReadSources(data, options);
        using var client = CreateClient(options);
        foreach (var bucket in objects.Select(o => o.Bucket).Distinct(StringComparer.Ordinal))
        {
            await EnsureBucketAsync(client, bucket, options.CreateBucket, cancellationToken).ConfigureAwait(false);
        }

        long uploaded = 0, present = 0, copied = 0, failed = 0, bytes = 0, done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gate = new Lock();
        TimeSpan? lastProgress = null;
        await Parallel.ForEachAsync(
            objects,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken },
            async (item, token) =>
            {
                var (outcome, reason) = await UploadOneAsync(client, item, token).ConfigureAwait(false);
                lock (gate)
                {
                    switch (outcome)
                    {
                        case Outcome.Uploaded:
                            uploaded++;
                            bytes += item.Size;
                            break;
                        case Outcome.Present:
                            present++;
                            break;
                        case Outcome.Copied:
                            copied++;
                            break;
                        default:
                            failed++;
                            observer.Failed(item.Url, reason!);
                            break;
                    }

                    done++;
                    if (lastProgress is null || clock.Elapsed - lastProgress >= TimeSpan.FromMilliseconds(500) || done == objects.Count)
                    {
                        lastProgress = clock.Elapsed;
                        observer.Progress(new UploadProgress(done, objects.Count, bytes, clock.Elapsed));
                    }
                }
            }).ConfigureAwait(false);

        return new UploadReport(objects.Count, uploaded, present, copied, failed, bytes);
    }

    /// <summary>The client for a service URL: path-style, signed with the usual AWS variables when they are set, else anonymous.</summary>
    public static AmazonS3Client CreateClient(UploadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ServiceURL = options.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            // Plain Content-MD5 uploads: aws-chunked trailing checksums are not understood by every S3-compatible store.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        AWSCredentials credentials = options.Credentials is not { } c
            ? new AnonymousAWSCredentials()
            : c.SessionToken is null ? new BasicAWSCredentials(c.AccessKey, c.SecretKey) : new SessionAWSCredentials(c.AccessKey, c.SecretKey, c.SessionToken);
        return new AmazonS3Client(credentials, config);
    }

    private enum Outcome
    {
        Uploaded,
        Present,
        Copied,
        Failed,
    }

    private sealed record Item(string Url, string Bucket, string Key, long Size, string Md5, string? SourcePath, (string Bucket, string Key)? CopyFrom);

    private static List<Item> ReadSources(DataDirectory data, UploadOptions options)
    {
        if (!data.IsHeld(options.Version))
        {
            throw new UploadException($"release {options.Version} is not held in {data.Path}.");
        }

        var path = Path.Combine(data.ReleasePath(options.Version), DicomIngest.SourcesFile);
        if (!File.Exists(path))
        {
            throw new UploadException($"release {options.Version} was not made by idc ingest (it has no {DicomIngest.SourcesFile}): there are no files to upload.");
        }

        var items = new List<Item>();
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT aws_url, instance_size, instance_hash, source_path, copy_from FROM read_parquet({SqlText.ReadPath(path)}) ORDER BY aws_url";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.IsDBNull(0))
            {
                throw new UploadException($"release {options.Version} has instances without an aws_url: ingest it with --base-url s3://BUCKET[/PREFIX] to give them keys.");
            }

            var url = reader.GetString(0);
            var (bucket, key) = Split(url);
            (string, string)? copyFrom = reader.IsDBNull(4) ? null : Split(reader.GetString(4));
            if (options.Bucket is { } target)
            {
                bucket = target;
                copyFrom = copyFrom is { } c ? (target, c.Item2) : null;
            }

            items.Add(new Item(url, bucket, key, reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), copyFrom));
        }

        return items;
    }

    private static (string Bucket, string Key) Split(string url)
    {
        if (!url.StartsWith("s3://", StringComparison.Ordinal) || url.IndexOf('/', 5) is var slash && slash < 0)
        {
            throw new UploadException($"'{url}' is not an s3:// URL with a key.");
        }

        return (url[5..slash], url[(slash + 1)..]);
    }

    private static async Task EnsureBucketAsync(AmazonS3Client client, string bucket, bool create, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && create)
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new UploadException($"bucket {bucket} does not exist at {client.Config.ServiceURL} (create it, or pass --create-bucket).", e);
        }
        catch (AmazonS3Exception e)
        {
            throw new UploadException($"bucket {bucket} at {client.Config.ServiceURL}: {e.StatusCode} {e.ErrorCode} {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or AmazonServiceException or AmazonClientException)
        {
            throw new UploadException($"the store at {client.Config.ServiceURL} cannot be reached: {e.Message}", e);
        }
    }

    private static async Task<(Outcome, string?)> UploadOneAsync(AmazonS3Client client, Item item, CancellationToken cancellationToken)
    {
        try
        {
            if (await IsPresentAsync(client, item.Bucket, item.Key, item, cancellationToken).ConfigureAwait(false))
            {
                return (Outcome.Present, null);
            }

            if (item.SourcePath is { } source && File.Exists(source))
            {
                var length = new FileInfo(source).Length;
                if (length != item.Size)
                {
                    return (Outcome.Failed, $"{source} has {length} bytes, not the {item.Size} it had when it was ingested");
                }

                var md5 = Convert.FromHexString(item.Md5);
                var response = await client.PutObjectAsync(
                    new PutObjectRequest
                    {
                        BucketName = item.Bucket,
                        Key = item.Key,
                        FilePath = source,
                        ContentType = "application/dicom",
                        MD5Digest = Convert.ToBase64String(md5),
                        UseChunkEncoding = false,
                        Metadata = { [Md5Metadata] = item.Md5 },
                    },
                    cancellationToken).ConfigureAwait(false);
                // A single PUT's ETag is the MD5 of what the store received (and Content-MD5 made it refuse anything else).
                return response.ETag.Trim('"').Equals(item.Md5, StringComparison.OrdinalIgnoreCase)
                    || await IsPresentAsync(client, item.Bucket, item.Key, item, cancellationToken).ConfigureAwait(false)
                    ? (Outcome.Uploaded, null)
                    : (Outcome.Failed, $"stored, but the store reports ETag {response.ETag} for MD5 {item.Md5}");
            }

            if (item.CopyFrom is { } from && await IsPresentAsync(client, from.Bucket, from.Key, item, cancellationToken).ConfigureAwait(false))
            {
                await client.CopyObjectAsync(
                    new CopyObjectRequest { SourceBucket = from.Bucket, SourceKey = from.Key, DestinationBucket = item.Bucket, DestinationKey = item.Key },
                    cancellationToken).ConfigureAwait(false);
                return await IsPresentAsync(client, item.Bucket, item.Key, item, cancellationToken).ConfigureAwait(false)
                    ? (Outcome.Copied, null)
                    : (Outcome.Failed, $"copied from s3://{from.Bucket}/{from.Key}, but the copy does not have the instance's size and MD5");
            }

            return (Outcome.Failed, item.SourcePath is null
                ? "no source file is known for it, and it is not in the store under an earlier key"
                : $"its source file {item.SourcePath} is gone, and it is not in the store under an earlier key");
        }
        catch (AmazonServiceException e)
        {
            return (Outcome.Failed, $"{(int)e.StatusCode} {e.ErrorCode}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException or AmazonClientException)
        {
            return (Outcome.Failed, e.Message);
        }
    }

    /// <summary>The object exists with the instance's size and MD5 (its single-part ETag, or the MD5 we stored with it).</summary>
    private static async Task<bool> IsPresentAsync(AmazonS3Client client, string bucket, string key, Item item, CancellationToken cancellationToken)
    {
        try
        {
            var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            var md5 = head.ETag?.Trim('"');
            return head.ContentLength == item.Size
                && (string.Equals(md5, item.Md5, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(head.Metadata[Md5Metadata], item.Md5, StringComparison.OrdinalIgnoreCase));
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            // S3 answers 403 for a missing object to a caller that may not list the bucket.
            return false;
        }
    }

    /// <summary>Bytes as decimal megabytes, for reports.</summary>
    public static string Format(long bytes) => (bytes / 1e6).ToString("N1", CultureInfo.InvariantCulture) + " MB";
}
