using System.Net;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ImagingCommons.Client.Downloads;

/// <summary>
/// Downloads objects of an S3-compatible store, verified and resumable. Data goes to <c>&lt;file&gt;.part</c>; an
/// interrupted file is finished with a ranged GET; a file gets its final name only after its size (always) and MD5
/// (the manifest's instance_hash, else the store's ETag when it is a plain MD5) are checked, so a bad file is never
/// left under its name. Files already complete are not fetched again. Failures are retried, then reported together.
/// </summary>
public sealed class S3Downloader : IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly bool _ownsClient;
    private readonly S3DownloadOptions _options;

    /// <summary>A downloader with its own S3 client for <see cref="S3DownloadOptions.Endpoint"/>.</summary>
    public S3Downloader(S3DownloadOptions? options = null)
        : this(CreateClient(options ?? new S3DownloadOptions()), options)
    {
        _ownsClient = true;
    }

    /// <summary>A downloader over an S3 client of the caller's (not disposed by it).</summary>
    public S3Downloader(IAmazonS3 client, S3DownloadOptions? options = null)
    {
        _s3 = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new S3DownloadOptions();
    }

    /// <summary>
    /// An S3 client for an endpoint: anonymous unless <see cref="S3DownloadOptions.Sign"/> (or, by default, AWS
    /// credentials in the environment); path-style for custom endpoints; checksums only where the protocol needs them
    /// (other stores do not all speak the newer checksum headers; MD5 is checked here).
    /// </summary>
    public static IAmazonS3 CreateClient(S3DownloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 2,
        };
        if (options.Endpoint is null || options.Endpoint == S3DownloadOptions.AwsEndpoint)
        {
            config.RegionEndpoint = RegionEndpoint.USEast1;
        }
        else
        {
            config.ServiceURL = options.Endpoint.AbsoluteUri;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = "us-east-1";
        }

        var sign = options.Sign ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
        AWSCredentials credentials = sign ? new EnvironmentVariablesAWSCredentials() : new AnonymousAWSCredentials();
        return new AmazonS3Client(credentials, config);
    }

    /// <summary>
    /// The plan: series folders listed, each object's destination under <paramref name="root"/> by
    /// <paramref name="template"/> (a source without series attributes goes to a folder named by its crdc_series_uuid),
    /// and files already complete marked so. Sources that cannot be listed are failures of the plan.
    /// </summary>
    public async Task<DownloadPlan> PlanAsync(IEnumerable<DownloadSource> sources, string root, DirectoryTemplate template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(template);
        root = Path.GetFullPath(root);
        var files = new List<PlannedFile>();
        var failures = new List<DownloadFailure>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var listed = new Dictionary<DownloadSource, IReadOnlyList<S3Object>>();
        var folders = sources.Where(s => s.Prefix is not null).Distinct().ToList();
        await Parallel.ForEachAsync(folders, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Parallel), CancellationToken = cancellationToken }, async (folder, token) =>
        {
            try
            {
                var objects = await ListAsync(folder.Bucket, folder.Prefix!, token).ConfigureAwait(false);
                lock (listed)
                {
                    listed[folder] = objects;
                }
            }
            catch (AmazonS3Exception e)
            {
                lock (failures)
                {
                    failures.Add(new DownloadFailure(folder.Url, null, DownloadFailureKind.Transfer, "cannot list it: " + Describe(e)));
                }
            }
        }).ConfigureAwait(false);

        foreach (var source in sources)
        {
            var folder = Folder(root, template, source);
            if (source.Key is { } key)
            {
                Add(source.Bucket, key, Name(key), source.Size, source.Md5, null);
            }
            else if (listed.TryGetValue(source, out var objects))
            {
                if (objects.Count == 0)
                {
                    failures.Add(new DownloadFailure(source.Url, null, DownloadFailureKind.Transfer, "the store has no objects there"));
                }

                foreach (var item in objects)
                {
                    var relative = item.Key[source.Prefix!.Length..];
                    var expected = source.Expected?.GetValueOrDefault(relative);
                    Add(source.Bucket, item.Key, relative, expected?.Size ?? item.Size, expected?.Md5, item.ETag);
                }

                // The server knows files the store does not have: the series is incomplete there.
                foreach (var missing in (source.Expected?.Keys ?? []).Except(objects.Select(o => o.Key[source.Prefix!.Length..]), StringComparer.Ordinal))
                {
                    failures.Add(new DownloadFailure(source.Url + missing, null, DownloadFailureKind.Transfer, "the server lists this file of the series, the store does not have it"));
                }
            }

            void Add(string bucket, string objectKey, string relative, long? size, string? md5, string? etag)
            {
                if (!seen.Add(bucket + "/" + objectKey))
                {
                    return;
                }

                var path = Path.GetFullPath(Path.Combine(folder, relative));
                if (!path.StartsWith(root, StringComparison.Ordinal) || relative.Length == 0 || relative.EndsWith('/'))
                {
                    failures.Add(new DownloadFailure("s3://" + bucket + "/" + objectKey, null, DownloadFailureKind.Transfer, "its key does not name a file inside the download folder"));
                    return;
                }

                if (!paths.Add(path))
                {
                    failures.Add(new DownloadFailure("s3://" + bucket + "/" + objectKey, path, DownloadFailureKind.Transfer, "another object of this download has the same file name"));
                    return;
                }

                var existing = new FileInfo(path);
                var complete = existing.Exists && (size is null || existing.Length == size);
                files.Add(new PlannedFile(bucket, objectKey, path, size, md5, etag, complete));
            }
        }

        return new DownloadPlan(files, failures);
    }

    /// <summary>Fetches every file of the plan that is not complete, <see cref="S3DownloadOptions.Parallel"/> at a time.</summary>
    public async Task<DownloadReport> DownloadAsync(DownloadPlan plan, IDownloadProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        progress?.Started(plan);
        var failures = new List<DownloadFailure>(plan.Failures);
        long received = 0;
        var downloaded = 0;
        var md5Checked = 0;
        var todo = plan.ToFetch.ToList();
        await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Parallel), CancellationToken = cancellationToken }, async (file, token) =>
        {
            var outcome = await FetchAsync(file, progress, bytes => Interlocked.Add(ref received, bytes), token).ConfigureAwait(false);
            if (outcome.Failure is { } failure)
            {
                lock (failures)
                {
                    failures.Add(failure);
                }

                progress?.Failed(failure);
                return;
            }

            Interlocked.Increment(ref downloaded);
            if (outcome.Md5Checked)
            {
                Interlocked.Increment(ref md5Checked);
            }

            progress?.Completed(file, outcome.Md5Checked);
        }).ConfigureAwait(false);

        return new DownloadReport(plan.Files.Count, downloaded, plan.Files.Count - todo.Count, received, md5Checked, failures);
    }

    private readonly record struct Outcome(DownloadFailure? Failure, bool Md5Checked);

    private async Task<Outcome> FetchAsync(PlannedFile file, IDownloadProgress? progress, Action<long> count, CancellationToken cancellationToken)
    {
        var part = file.Path + ".part";
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
                var offset = File.Exists(part) ? new FileInfo(part).Length : 0;
                if (file.Size is { } size && offset > size)
                {
                    File.Delete(part);
                    offset = 0;
                }

                var resumed = offset > 0;
                var etag = file.ETag;
                var total = file.Size;
                if (!(file.Size is { } known && offset == known))
                {
                    (etag, total) = await ReceiveAsync(file, part, offset, progress, count, cancellationToken).ConfigureAwait(false);
                    if (file.Size is { } e && total is { } t && e != t)
                    {
                        File.Delete(part);
                        return Failed(file, DownloadFailureKind.Verification, $"the store has {t} bytes, the manifest says {e}");
                    }
                }

                var length = File.Exists(part) ? new FileInfo(part).Length : 0;
                if (file.Size is { } expected && length != expected || total is { } stored && length != stored)
                {
                    // Cut off mid-way: the part stays, and the next attempt goes on from where it ends.
                    throw new IOException($"received {length} bytes of {file.Size ?? total}");
                }

                var md5 = file.Md5 ?? PlainMd5(etag);
                if (md5 is not null)
                {
                    var actual = await HashAsync(part, cancellationToken).ConfigureAwait(false);
                    if (!string.Equals(actual, md5, StringComparison.Ordinal))
                    {
                        File.Delete(part);

                        // A file joined from two runs may join two versions of the object: fetch it whole once more.
                        if (resumed && attempt < _options.MaxAttempts)
                        {
                            progress?.Retrying(file, attempt, "the resumed file did not verify; fetching it whole");
                            continue;
                        }

                        return Failed(file, DownloadFailureKind.Verification,
                            $"MD5 {actual} is not the {(file.Md5 is null ? "store's ETag" : "manifest's instance_hash")} {md5}");
                    }
                }

                File.Move(part, file.Path, overwrite: true);
                return new Outcome(null, md5 is not null);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && attempt < _options.MaxAttempts)
            {
                // The part is longer than the object is now: start again.
                File.Delete(part);
            }
            catch (AmazonS3Exception e) when (IsFinal(e))
            {
                return Failed(file, DownloadFailureKind.Transfer, Describe(e));
            }
            catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or TimeoutException
                                      || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.MaxAttempts)
                {
                    return Failed(file, DownloadFailureKind.Transfer, $"{e.Message} (after {attempt} attempts)");
                }

                progress?.Retrying(file, attempt, e.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }
    }

    /// <summary>GETs the object (from <paramref name="offset"/> on when a part is there) into the part file; the ETag and total size the store reports.</summary>
    private async Task<(string? ETag, long? Total)> ReceiveAsync(PlannedFile file, string part, long offset, IDownloadProgress? progress, Action<long> count, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = file.Bucket, Key = file.Key };
        if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }

        using var response = await _s3.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        var partial = response.HttpStatusCode == HttpStatusCode.PartialContent;
        var total = partial ? TotalOf(response.ContentRange) : response.ContentLength;
        if (file.Size is { } expected && total is { } stored && expected != stored)
        {
            return (response.ETag, total);
        }

        await using (var output = new FileStream(part, partial ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await response.ResponseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                count(read);
                progress?.Received(file, read);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
        }

        return (response.ETag, total);
    }

    private async Task<IReadOnlyList<S3Object>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var objects = new List<S3Object>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await _s3.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            objects.AddRange((response.S3Objects ?? []).Where(o => !o.Key.EndsWith('/')));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        return objects;
    }

    private static Outcome Failed(PlannedFile file, DownloadFailureKind kind, string message) => new(new DownloadFailure(file.Url, file.Path, kind, message), false);

    private static string Folder(string root, DirectoryTemplate template, DownloadSource source)
    {
        var relative = template.IsFlat ? "" : source.Series is { } series ? template.Render(series) : Clean(source.CrdcSeriesUuid ?? "unknown");
        return relative.Length == 0 ? root : Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
    }

    private static string Clean(string name) => DirectoryTemplate.Parse("%crdc_series_uuid").Render(new SeriesInfo(CrdcSeriesUuid: name));

    private static string Name(string key) => key[(key.LastIndexOf('/') + 1)..];

    /// <summary>The total of <c>bytes a-b/total</c>.</summary>
    private static long? TotalOf(string? contentRange) =>
        contentRange?.LastIndexOf('/') is int slash and >= 0 && long.TryParse(contentRange[(slash + 1)..], out var total) ? total : null;

    /// <summary>The MD5 an ETag carries: a plain one is the object's MD5 (32 hex digits); a multipart one ("…-N") is not.</summary>
    public static string? PlainMd5(string? etag) => ManifestFile.Md5(etag?.Trim('"'));

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    private static bool IsFinal(AmazonS3Exception e) =>
        e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest
        || e.ErrorCode is "NoSuchKey" or "NoSuchBucket" or "AccessDenied" or "InvalidBucketName";

    private static string Describe(AmazonS3Exception e) => e.ErrorCode is { Length: > 0 } code ? $"{code}: {e.Message}" : e.Message;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _s3.Dispose();
        }
    }
}
