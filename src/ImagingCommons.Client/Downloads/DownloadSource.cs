namespace ImagingCommons.Client.Downloads;

/// <summary>
/// Something to download: one object (<see cref="Key"/> set) or every object under a series folder
/// (<see cref="Prefix"/> set, listed at download time, as an s5cmd <c>cp s3://bucket/&lt;uuid&gt;/* .</c> line asks).
/// </summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Key">The object's key, for one object.</param>
/// <param name="Prefix">The folder to list (ending in '/'), for a series.</param>
/// <param name="Series">The series' attributes (folders of the directory template); null when only the store knows it.</param>
/// <param name="Size">The object's size in bytes when the manifest says (instance_size).</param>
/// <param name="Md5">The object's MD5 as 32 hex digits when the manifest says (instance_hash).</param>
/// <param name="Origin">Where it came from, for messages (a manifest line, a row number).</param>
/// <param name="Expected">For a series folder: what the server says its files are (by file name), checked against the listing.</param>
public sealed record DownloadSource(
    string Bucket,
    string? Key,
    string? Prefix,
    SeriesInfo? Series,
    long? Size = null,
    string? Md5 = null,
    string? Origin = null,
    IReadOnlyDictionary<string, ExpectedObject>? Expected = null)
{
    /// <summary>One object.</summary>
    public static DownloadSource Object(string bucket, string key, SeriesInfo? series, long? size = null, string? md5 = null, string? origin = null) =>
        new(bucket, key, null, series, size, md5, origin);

    /// <summary>Every object of a series folder.</summary>
    public static DownloadSource Folder(string bucket, string prefix, SeriesInfo? series, string? origin = null) =>
        new(bucket, null, prefix.EndsWith('/') ? prefix : prefix + "/", series, Origin: origin);

    /// <summary>The series' crdc_series_uuid: the attribute, else the first folder of the key or prefix (IDC's layout).</summary>
    public string? CrdcSeriesUuid => Series?.CrdcSeriesUuid ?? FirstSegment(Key ?? Prefix);

    /// <summary>The s3:// URL of the object or folder.</summary>
    public string Url => "s3://" + Bucket + "/" + (Key ?? Prefix);

    private static string? FirstSegment(string? path) => path?.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var first, ..] ? first : null;

    /// <summary>Reads <c>s3://bucket/key</c> (or <c>gs://</c>, whose buckets IDC mirrors under the same names).</summary>
    public static bool TryParseUrl(string url, out string bucket, out string path)
    {
        bucket = "";
        path = "";
        ArgumentNullException.ThrowIfNull(url);
        var rest = url.StartsWith("s3://", StringComparison.Ordinal) ? url[5..] : url.StartsWith("gs://", StringComparison.Ordinal) ? url[5..] : null;
        if (rest is null)
        {
            return false;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1)
        {
            return false;
        }

        bucket = rest[..slash];
        path = rest[(slash + 1)..];
        return true;
    }
}

/// <summary>What an object must be, as the server describes it.</summary>
/// <param name="Size">instance_size, when known.</param>
/// <param name="Md5">instance_hash (32 lower-case hex digits), when known.</param>
public sealed record ExpectedObject(long? Size, string? Md5);
