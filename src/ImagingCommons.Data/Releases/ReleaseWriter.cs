namespace ImagingCommons.Data.Releases;

/// <summary>
/// Builds one release in a staging folder and publishes it with a single directory rename, so that a failed
/// import or generation leaves the data directory exactly as it was. The staging folder holds a lock file while
/// its writer lives; a folder whose lock nobody holds was left by a killed writer and is removed by the next one.
/// </summary>
public sealed class ReleaseWriter : IDisposable
{
    private const string LockFile = ".writer.lock";

    private readonly DataDirectory _data;
    private readonly FileStream _lock;
    private bool _committed;

    private ReleaseWriter(DataDirectory data, string version, string dateActive, string stagingFolder, FileStream writerLock)
    {
        _data = data;
        Version = version;
        DateActive = dateActive;
        StagingFolder = stagingFolder;
        _lock = writerLock;
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

        RemoveAbandonedStaging(data);
        var staging = Path.Combine(data.StagingPath, version + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        // FileShare.None takes an exclusive flock on Unix: held until this writer ends, released by the kernel if it is killed.
        var writerLock = new FileStream(Path.Combine(staging, LockFile), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        return new ReleaseWriter(data, version, dateActive, staging, writerLock);
    }

    /// <summary>Deletes staging folders whose writer is gone (killed mid-write); folders of running writers stay.</summary>
    private static void RemoveAbandonedStaging(DataDirectory data)
    {
        if (!Directory.Exists(data.StagingPath))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(data.StagingPath))
        {
            var lockPath = Path.Combine(folder, LockFile);
            try
            {
                if (File.Exists(lockPath))
                {
                    using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                    {
                    }
                }
                else if (DateTime.UtcNow - Directory.GetCreationTimeUtc(folder) < TimeSpan.FromMinutes(10))
                {
                    // Just created by a writer that has not taken its lock yet.
                    continue;
                }

                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Locked: a writer is at work there.
            }
        }
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
        // The lock moved with the folder; it is no part of the release.
        File.Delete(Path.Combine(target, LockFile));
        _lock.Dispose();
        _data.WriteVersions([new VersionEntry(Version, DateActive, synthetic)]);
    }

    public void Dispose()
    {
        _lock.Dispose();
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
