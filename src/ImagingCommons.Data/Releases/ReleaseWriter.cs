namespace ImagingCommons.Data.Releases;

/// <summary>
/// Builds one release in a staging folder and publishes it with a single directory rename, so that a failed
/// import or generation leaves the data directory exactly as it was.
/// </summary>
public sealed class ReleaseWriter : IDisposable
{
    private readonly DataDirectory _data;
    private bool _committed;

    private ReleaseWriter(DataDirectory data, string version, string dateActive, string stagingFolder)
    {
        _data = data;
        Version = version;
        DateActive = dateActive;
        StagingFolder = stagingFolder;
    }

    public string Version { get; }

    public string DateActive { get; }

    public string StagingFolder { get; }

    /// <exception cref="ReleaseExistsException">the release is already held.</exception>
    public static ReleaseWriter Begin(DataDirectory data, string version, string dateActive)
    {
        if (!ReleaseVersion.TryParse(version, out _))
        {
            throw new ArgumentException($"'{version}' is not a release version like \"24.0\".", nameof(version));
        }

        if (!DateOnly.TryParseExact(dateActive, "yyyy-MM-dd", out _))
        {
            throw new ArgumentException($"'{dateActive}' is not a date like 2026-05-15.", nameof(dateActive));
        }

        if (Directory.Exists(data.ReleasePath(version)))
        {
            throw new ReleaseExistsException(version, data.Path);
        }

        var staging = Path.Combine(data.StagingPath, version + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        return new ReleaseWriter(data, version, dateActive, staging);
    }

    public string TablePath(string table) => Path.Combine(StagingFolder, table + ".parquet");

    /// <summary>Publishes the staged release and records it in the version list (marked when it is synthetic).</summary>
    public void Commit(string source, IReadOnlyDictionary<string, long> rowCounts, bool synthetic = false)
    {
        DataDirectory.WriteReleaseInfo(StagingFolder, new ReleaseInfo(Version, DateActive, source, rowCounts, synthetic));
        Directory.CreateDirectory(_data.ReleasesPath);
        var target = _data.ReleasePath(Version);
        if (Directory.Exists(target))
        {
            throw new ReleaseExistsException(Version, _data.Path);
        }

        Directory.Move(StagingFolder, target);
        _committed = true;
        _data.WriteVersions([new VersionEntry(Version, DateActive, synthetic)]);
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(StagingFolder))
        {
            Directory.Delete(StagingFolder, recursive: true);
        }

        if (Directory.Exists(_data.StagingPath) && !Directory.EnumerateFileSystemEntries(_data.StagingPath).Any())
        {
            Directory.Delete(_data.StagingPath);
        }
    }
}

public sealed class ReleaseExistsException(string version, string dataPath)
    : InvalidOperationException($"Release {version} already exists in {dataPath}; releases are immutable once written.");
