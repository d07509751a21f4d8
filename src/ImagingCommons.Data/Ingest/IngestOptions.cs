namespace ImagingCommons.Data.Ingest;

/// <summary>What <c>idc ingest</c> was asked to do.</summary>
/// <param name="Version">The release to write, like "25.0"; it must not be held yet.</param>
/// <param name="DateActive">The release's date, yyyy-MM-dd (also the collection's <c>updated</c>).</param>
/// <param name="Folders">Folders read recursively; every file in them is tried, whatever its name.</param>
/// <param name="CollectionId">The collection every ingested instance belongs to.</param>
public sealed record IngestOptions(string Version, string DateActive, IReadOnlyList<string> Folders, string CollectionId)
{
    /// <summary><c>s3://BUCKET[/PREFIX]</c> and/or <c>gs://BUCKET[/PREFIX]</c>: where the files are (or will be) served from.</summary>
    public IReadOnlyList<string> BaseUrls { get; init; } = [];

    /// <summary>A held release whose instances the new one starts from (adding to and revising them).</summary>
    public string? Extend { get; init; }

    /// <summary>Any skipped file or duplicate fails the ingest (nothing is written).</summary>
    public bool Strict { get; init; }

    public string? License { get; init; }

    public string? Doi { get; init; }

    public string? Description { get; init; }

    /// <summary>Files read at once (each batch is read in parallel, then written in path order): bounds the memory.</summary>
    public int BatchSize { get; init; } = 1024;

    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>Progress of an ingest, for a progress line.</summary>
public sealed record IngestProgress(long FilesDone, long FilesTotal, TimeSpan Elapsed)
{
    public double FilesPerSecond => Elapsed.TotalSeconds > 0 ? FilesDone / Elapsed.TotalSeconds : 0;

    public TimeSpan? Remaining => FilesPerSecond > 0 ? TimeSpan.FromSeconds((FilesTotal - FilesDone) / FilesPerSecond) : null;
}

/// <summary>Receives what an ingest finds as it goes (called from one thread at a time).</summary>
public interface IIngestObserver
{
    /// <summary>A file that is not ingested: not DICOM, damaged, unreadable, or lacking an identifier.</summary>
    void Skipped(string path, string reason);

    /// <summary>A second file with an instance already read from an earlier file (in path order); the first is kept.</summary>
    void Duplicate(string path, string firstPath, string sopInstanceUid);

    void Progress(IngestProgress progress);
}

/// <summary>What an ingest wrote.</summary>
public sealed record IngestReport(
    string Version,
    long FilesIngested,
    long Instances,
    long Series,
    long Studies,
    long Patients,
    long Skipped,
    long Duplicates,
    IReadOnlyDictionary<string, long> RowCounts);

/// <summary>The ingest cannot be done (bad options, nothing to ingest, or --strict and a file failed); nothing was written.</summary>
public sealed class IngestException : Exception
{
    public IngestException()
    {
    }

    public IngestException(string message)
        : base(message)
    {
    }

    public IngestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
