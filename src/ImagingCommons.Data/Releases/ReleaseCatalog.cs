using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Data.Common;
using DuckDB.NET.Data;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Releases;

/// <summary>One row of a release's <c>original_collections_metadata</c>, with IDC's v24 column names.</summary>
public sealed record CollectionMetadata(
    string CollectionId,
    string? CollectionName,
    string? CancerTypes,
    string? TumorLocations,
    string? Species,
    string? SourceDoi,
    string? SourceUrl,
    string? ImageTypes,
    string? SupportingData,
    string? ProgramId,
    string? Status,
    string? Description,
    string? LicenseShortName,
    long? Subjects,
    DateOnly? Updated);

/// <summary>One row of a release's <c>analysis_results_metadata</c>, with IDC's v24 column names.</summary>
public sealed record AnalysisResultMetadata(
    string AnalysisResultId,
    string? AnalysisResultTitle,
    string? SourceDoi,
    string? SourceUrl,
    string? CancerTypes,
    string? TumorLocations,
    string? Collections,
    string? Modalities,
    string? LicenseUrl,
    string? LicenseLongName,
    string? LicenseShortName,
    string? Description,
    string? Citation,
    long? Subjects,
    DateOnly? Updated);

/// <summary>The small metadata tables of one held release, in storage order (the row order of the Parquet files).</summary>
public sealed record ReleaseMetadata(
    string Version,
    ImmutableArray<CollectionMetadata> Collections,
    ImmutableArray<AnalysisResultMetadata> AnalysisResults);

/// <summary>
/// What the catalog knows at one moment: the version list, the held releases and the current one.
/// Immutable; <see cref="ReleaseCatalog.Refresh"/> publishes a new instance only when something changed,
/// so callers can cache anything derived from it by reference.
/// </summary>
public sealed class ReleaseCatalogState
{
    internal ReleaseCatalogState(ImmutableArray<VersionEntry> versions, ImmutableArray<string> heldReleases)
    {
        Versions = versions;
        HeldReleases = heldReleases;
        CurrentRelease = heldReleases.IsEmpty ? null : heldReleases[^1];
    }

    /// <summary>Every version the server reports, oldest first (held or not).</summary>
    public ImmutableArray<VersionEntry> Versions { get; }

    /// <summary>Releases on disk, oldest first.</summary>
    public ImmutableArray<string> HeldReleases { get; }

    /// <summary>The newest held release, or null when none is held.</summary>
    public string? CurrentRelease { get; }

    internal bool SameAs(ReleaseCatalogState other) =>
        Versions.SequenceEqual(other.Versions) && HeldReleases.SequenceEqual(other.HeldReleases, StringComparer.Ordinal);
}

/// <summary>
/// The releases of a data directory as the server sees them: the version list, the held releases, the current one,
/// and each held release's collections and analysis-results metadata, loaded from Parquet once and kept in memory
/// (releases are immutable). Thread-safe; meant to be a singleton. Call <see cref="Refresh"/> (or the cheap
/// <see cref="RefreshIfChanged"/>) to pick up a release published while the process runs.
/// </summary>
public sealed class ReleaseCatalog
{
    private readonly ConcurrentDictionary<string, Lazy<ReleaseMetadata>> _metadata = new(StringComparer.Ordinal);
    private readonly Lock _refreshLock = new();
    private volatile ReleaseCatalogState _state = new([], []);
    private (long ListTicks, long ReleasesTicks)? _signature;

    public ReleaseCatalog(DataDirectory data)
    {
        Data = data;
    }

    public DataDirectory Data { get; }

    /// <summary>The latest published state; empty until the first <see cref="Refresh"/>.</summary>
    public ReleaseCatalogState State => _state;

    public string? CurrentRelease => _state.CurrentRelease;

    public ImmutableArray<string> HeldReleases => _state.HeldReleases;

    public ImmutableArray<VersionEntry> Versions => _state.Versions;

    /// <summary>
    /// Re-reads the data directory. The current release's metadata is loaded before the new state is published,
    /// so a release whose tables cannot be read never becomes current (the exception propagates and the previous
    /// state stays). Returns true when the state changed.
    /// </summary>
    public bool Refresh()
    {
        lock (_refreshLock)
        {
            var signature = ReadSignature();
            var held = Data.HeldReleases().ToImmutableArray();
            var versions = Data.ReadVersions().ToImmutableArray();
            var next = new ReleaseCatalogState(versions, held);
            if (next.CurrentRelease is { } current)
            {
                GetMetadata(current);
            }

            foreach (var cached in _metadata.Keys.Where(v => !held.Contains(v, StringComparer.Ordinal)))
            {
                _metadata.TryRemove(cached, out _);
            }

            _signature = signature;
            if (next.SameAs(_state))
            {
                return false;
            }

            _state = next;
            Changed?.Invoke(next);
            return true;
        }
    }

    /// <summary>Raised (on the refreshing thread) after a new state is published.</summary>
    public event Action<ReleaseCatalogState>? Changed;

    /// <summary>
    /// Refreshes only when <c>releases.json</c> or the <c>releases/</c> folder changed since the last refresh
    /// (two file-system stats), which is what publishing a release touches.
    /// </summary>
    public bool RefreshIfChanged()
    {
        var signature = ReadSignature();
        return signature != _signature && Refresh();
    }

    /// <summary>The metadata of a held release, loaded on first use and cached.</summary>
    /// <exception cref="KeyNotFoundException">the release is not held.</exception>
    public ReleaseMetadata GetMetadata(string version)
    {
        if (!Data.IsHeld(version) && !_metadata.ContainsKey(version))
        {
            throw new KeyNotFoundException($"Release {version} is not held in {Data.Path}.");
        }

        var lazy = _metadata.GetOrAdd(version, v => new Lazy<ReleaseMetadata>(() => Load(v)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Do not cache a failure: the next call tries again.
            _metadata.TryRemove(new KeyValuePair<string, Lazy<ReleaseMetadata>>(version, lazy));
            throw;
        }
    }

    /// <summary>The current release's metadata, or null when no release is held.</summary>
    public ReleaseMetadata? GetCurrentMetadata() => _state.CurrentRelease is { } current ? GetMetadata(current) : null;

    private (long, long) ReadSignature()
    {
        var list = new FileInfo(Path.Combine(Data.Path, DataDirectory.ReleaseListFile));
        var releases = new DirectoryInfo(Data.ReleasesPath);
        return (list.Exists ? list.LastWriteTimeUtc.Ticks : 0, releases.Exists ? releases.LastWriteTimeUtc.Ticks : 0);
    }

    private ReleaseMetadata Load(string version)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();

        var collections = ImmutableArray<CollectionMetadata>.Empty;
        if (Data.HasTable(version, IdcSchema.CollectionsName))
        {
            collections = ReadRows(connection, Data.TablePath(version, IdcSchema.CollectionsName), IdcSchema.Collections, r => new CollectionMetadata(
                CollectionId: r.String("collection_id") ?? string.Empty,
                CollectionName: r.String("collection_name"),
                CancerTypes: r.String("cancer_types"),
                TumorLocations: r.String("tumor_locations"),
                Species: r.String("species"),
                SourceDoi: r.String("source_doi"),
                SourceUrl: r.String("source_url"),
                ImageTypes: r.String("image_types"),
                SupportingData: r.String("supporting_data"),
                ProgramId: r.String("program_id"),
                Status: r.String("status"),
                Description: r.String("description"),
                LicenseShortName: r.String("license_short_name"),
                Subjects: r.Integer("subjects"),
                Updated: r.Date("updated")));
        }

        var analysisResults = ImmutableArray<AnalysisResultMetadata>.Empty;
        if (Data.HasTable(version, IdcSchema.AnalysisResultsName))
        {
            analysisResults = ReadRows(connection, Data.TablePath(version, IdcSchema.AnalysisResultsName), IdcSchema.AnalysisResults, r => new AnalysisResultMetadata(
                AnalysisResultId: r.String("analysis_result_id") ?? string.Empty,
                AnalysisResultTitle: r.String("analysis_result_title"),
                SourceDoi: r.String("source_doi"),
                SourceUrl: r.String("source_url"),
                CancerTypes: r.String("cancer_types"),
                TumorLocations: r.String("tumor_locations"),
                Collections: r.String("collections"),
                Modalities: r.String("modalities"),
                LicenseUrl: r.String("license_url"),
                LicenseLongName: r.String("license_long_name"),
                LicenseShortName: r.String("license_short_name"),
                Description: r.String("description"),
                Citation: r.String("citation"),
                Subjects: r.Integer("subjects"),
                Updated: r.Date("updated")));
        }

        return new ReleaseMetadata(version, collections, analysisResults);
    }

    /// <summary>Reads the schema's columns of one Parquet file in file order (storage order is part of the v1 contract).</summary>
    private static ImmutableArray<T> ReadRows<T>(DuckDBConnection connection, string path, TableSchema schema, Func<Row, T> map)
    {
        var columns = string.Join(", ", schema.Columns.Select(c => SqlText.Identifier(c.Name)));
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM read_parquet({SqlText.ReadPath(path)}, file_row_number = true) ORDER BY file_row_number";
        using var reader = command.ExecuteReader();
        var row = new Row(reader);
        var rows = ImmutableArray.CreateBuilder<T>();
        while (reader.Read())
        {
            rows.Add(map(row));
        }

        return rows.ToImmutable();
    }

    private sealed class Row(DbDataReader reader)
    {
        private readonly Dictionary<string, int> _ordinals = Enumerable.Range(0, reader.FieldCount)
            .ToDictionary(reader.GetName, i => i, StringComparer.Ordinal);

        public string? String(string column)
        {
            var i = _ordinals[column];
            return reader.IsDBNull(i) ? null : reader.GetString(i);
        }

        public long? Integer(string column)
        {
            var i = _ordinals[column];
            return reader.IsDBNull(i) ? null : Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        }

        public DateOnly? Date(string column)
        {
            var i = _ordinals[column];
            return reader.IsDBNull(i) ? null : reader.GetValue(i) switch
            {
                DateOnly d => d,
                DateTime dt => DateOnly.FromDateTime(dt),
                var other => DateOnly.FromDateTime(Convert.ToDateTime(other, System.Globalization.CultureInfo.InvariantCulture)),
            };
        }
    }
}
