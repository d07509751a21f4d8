namespace ImagingCommons.Data.Releases;

/// <summary>
/// How every writer of a release (the generator, the importer, DICOM ingest) lays out its instance table: rows sorted
/// by <see cref="InstanceOrder"/>, in row groups of <see cref="RowGroupSize"/> rows with min/max statistics. The API's
/// order of instance listings is this order, so a page of one is a contiguous range of rows, and a series is one run
/// of rows that the series table points at (docs/paging.md, "First pages").
/// </summary>
/// <remarks>
/// A release records it in <c>release.json</c> (<see cref="ReleaseInfo.InstanceOrder"/>). Releases written before
/// it have no such record and are read as before (every result computed whole and numbered).
/// </remarks>
public static class ReleaseLayout
{
    /// <summary>The instance table's sort key (ties, such as the rows of one SEG's segments, keep the writer's order).</summary>
    public static readonly IReadOnlyList<string> InstanceOrder = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"];

    /// <summary>
    /// Rows per row group of the instance table: small enough that reading a page decompresses little more than the
    /// page, large enough that the file's footer stays a few megabytes at full IDC size (about 1,500 groups).
    /// </summary>
    public const int RowGroupSize = 32_768;

    /// <summary>The Parquet options of a COPY that writes an instance table.</summary>
    public static string InstanceCopyOptions { get; } = $"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {RowGroupSize}";

    /// <summary>Whether a release's instance table is laid out this way (its release.json says so).</summary>
    public static bool IsSorted(ReleaseInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.InstanceOrder is { } order && order.SequenceEqual(InstanceOrder, StringComparer.Ordinal);
    }
}
