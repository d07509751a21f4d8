namespace ImagingCommons.Client.Downloads;

/// <summary>How downloads reach the store and how hard they try.</summary>
public sealed class S3DownloadOptions
{
    /// <summary>The public AWS S3 endpoint, where IDC's buckets are.</summary>
    public static readonly Uri AwsEndpoint = new("https://s3.amazonaws.com");

    /// <summary>The S3-compatible endpoint (e.g. <c>http://127.0.0.1:9000</c>, <c>https://storage.googleapis.com</c>); null: AWS. Custom endpoints use path-style addressing.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Files fetched at once. Default 8.</summary>
    public int Parallel { get; set; } = 8;

    /// <summary>Attempts per file for a failure that may pass (a dropped connection, a 5xx); then the file is reported. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The first wait before another attempt; it doubles each time. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sign requests with the AWS credentials of the environment (AWS_ACCESS_KEY_ID, …); false: anonymous, as public buckets need. Default: sign when the environment has credentials.</summary>
    public bool? Sign { get; set; }
}

/// <summary>One object of a plan: where it is, where it goes, and what it must be.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Key">The object's key.</param>
/// <param name="Path">The file it is written to (absolute).</param>
/// <param name="Size">Its size in bytes (the manifest's instance_size, or the store's listing), when known.</param>
/// <param name="Md5">The MD5 it must have (the manifest's instance_hash), as 32 lower-case hex digits, when known.</param>
/// <param name="ETag">The store's ETag from the listing, when listed.</param>
/// <param name="Complete">Whether the file is already there (a finished earlier run): not fetched again.</param>
public sealed record PlannedFile(string Bucket, string Key, string Path, long? Size, string? Md5, string? ETag, bool Complete)
{
    /// <summary>The object's s3:// URL.</summary>
    public string Url => "s3://" + Bucket + "/" + Key;
}

/// <summary>What a download fetches: every object with its destination, and the sources that could not be listed.</summary>
/// <param name="Files">The objects, in source order.</param>
/// <param name="Failures">Sources that name nothing fetchable (an unknown bucket, an empty series folder).</param>
public sealed record DownloadPlan(IReadOnlyList<PlannedFile> Files, IReadOnlyList<DownloadFailure> Failures)
{
    /// <summary>The bytes of every object whose size is known.</summary>
    public long TotalBytes => Files.Sum(f => f.Size ?? 0);

    /// <summary>The objects still to fetch.</summary>
    public IEnumerable<PlannedFile> ToFetch => Files.Where(f => !f.Complete);

    /// <summary>The bytes still to fetch (sizes known).</summary>
    public long BytesToFetch => ToFetch.Sum(f => f.Size ?? 0);
}

/// <summary>Why a file or source was not downloaded.</summary>
public enum DownloadFailureKind
{
    /// <summary>It could not be fetched (unreachable store, no such bucket or key, refused, cut off after every attempt).</summary>
    Transfer,

    /// <summary>It was fetched but is not what it must be (size or MD5): nothing is left under its name.</summary>
    Verification,
}

/// <summary>A file or source that was not downloaded.</summary>
/// <param name="Url">The object or folder.</param>
/// <param name="Path">The file it was for, when it had one.</param>
/// <param name="Kind">Transfer or verification.</param>
/// <param name="Message">What went wrong.</param>
public sealed record DownloadFailure(string Url, string? Path, DownloadFailureKind Kind, string Message);

/// <summary>The outcome of a download.</summary>
/// <param name="Files">Files in the plan.</param>
/// <param name="Downloaded">Files fetched and verified in this run.</param>
/// <param name="Skipped">Files already complete, not fetched.</param>
/// <param name="BytesReceived">Bytes received from the store in this run.</param>
/// <param name="Md5Verified">Files of this run whose MD5 was checked (against instance_hash, else a plain-MD5 ETag); the others were checked by size.</param>
/// <param name="Failures">Every failure, listing included, reported together.</param>
public sealed record DownloadReport(int Files, int Downloaded, int Skipped, long BytesReceived, int Md5Verified, IReadOnlyList<DownloadFailure> Failures)
{
    /// <summary>Whether any file failed its verification.</summary>
    public bool VerificationFailed => Failures.Any(f => f.Kind == DownloadFailureKind.Verification);
}

/// <summary>What a download reports while it runs (called from several threads at once).</summary>
public interface IDownloadProgress
{
    /// <summary>The download starts with this plan.</summary>
    void Started(DownloadPlan plan);

    /// <summary>Bytes arrived for a file.</summary>
    void Received(PlannedFile file, long bytes);

    /// <summary>A file is complete and verified (<paramref name="md5Checked"/>: by MD5 as well as size).</summary>
    void Completed(PlannedFile file, bool md5Checked);

    /// <summary>An attempt failed and another follows.</summary>
    void Retrying(PlannedFile file, int attempt, string reason);

    /// <summary>A file failed for good.</summary>
    void Failed(DownloadFailure failure);
}
