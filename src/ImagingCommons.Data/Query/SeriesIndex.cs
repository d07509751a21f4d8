using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>
/// The dicom_pivot columns that hold one value per series in a release, available in its series table: a query whose
/// filters and outputs use only these (and needs no instance-level column) reads one row per series instead of one
/// per instance, about fifty times fewer.
/// </summary>
public sealed record SeriesColumns(IReadOnlySet<string> Columns)
{
    /// <summary>The identifiers every series row carries.</summary>
    public static readonly IReadOnlyList<string> Keys = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID"];

    public bool Covers(IEnumerable<string> columns) => columns.All(Columns.Contains);
}

/// <summary>
/// Builds and finds each release's series table: a cache of dicom_pivot grouped by series (never a second truth),
/// written once per release under <c>cache/series/</c> in the data directory and rebuilt if the release's file changes.
/// A column enters it only when the release really has one value per series for it; what varies inside a series
/// (instance UIDs, URLs, sizes, SR measurements, often SliceThickness) stays on the instance table.
/// </summary>
public sealed class SeriesIndexes
{
    /// <summary>Columns that are instance-level by definition: never candidates, whatever a release holds.</summary>
    private static readonly HashSet<string> InstanceLevel = ["SOPInstanceUID", "crdc_instance_uuid", "gcs_url", "aws_url", "instance_size", "gcs_generation", "instance_hash"];

    private readonly DataDirectory _data;
    private readonly ConcurrentDictionary<string, Lazy<Task<SeriesColumns?>>> _builds = new(StringComparer.Ordinal);

    public SeriesIndexes(DataDirectory data)
    {
        _data = data;
    }

    public string TablePath(string release) => Path.Combine(CacheFolder, Fingerprint(_data, release) + ".parquet");

    private string CacheFolder => Path.Combine(_data.Path, "cache", "series");

    /// <summary>The release's series columns when its table is ready; null (and a build started) when it is not.</summary>
    public SeriesColumns? TryGet(string release, CancellationToken cancellationToken = default)
    {
        var build = Start(release, cancellationToken);
        return build.IsCompletedSuccessfully ? build.Result : null;
    }

    /// <summary>Starts (or joins) the build of a release's series table; the task ends with its columns.</summary>
    /// <param name="cancellationToken">Interrupts the build (the token of the call that starts it counts).</param>
    public Task<SeriesColumns?> Start(string release, CancellationToken cancellationToken = default) =>
        _builds.GetOrAdd(release, r => new Lazy<Task<SeriesColumns?>>(() => Task.Run(() => LoadOrBuild(r, cancellationToken), cancellationToken))).Value;

    /// <summary>Waits (a bounded time) for builds under way, so that nothing writes into the data directory after its owner stops.</summary>
    public void WaitForBuilds(TimeSpan timeout)
    {
        var running = _builds.Values.Where(b => b.IsValueCreated).Select(b => b.Value).Where(t => !t.IsCompleted).ToArray();
        try
        {
            Task.WaitAll(running, timeout);
        }
        catch (AggregateException)
        {
            // A failed build only means queries read the instance table.
        }
    }

    private SeriesColumns? LoadOrBuild(string release, CancellationToken token)
    {
        var pivot = _data.TablePath(release, IdcSchema.DicomPivotName);
        if (!File.Exists(pivot))
        {
            return null;
        }

        var table = TablePath(release);
        var columnsFile = Path.ChangeExtension(table, ".columns.json");
        if (File.Exists(table) && File.Exists(columnsFile))
        {
            var stored = JsonSerializer.Deserialize<HashSet<string>>(File.ReadAllText(columnsFile))!;
            stored.UnionWith(SeriesColumns.Keys);
            return new SeriesColumns(stored);
        }

        Directory.CreateDirectory(CacheFolder);
        var source = ReleaseTables.Source(_data, release, IdcSchema.DicomPivot);
        var candidates = IdcSchema.DicomPivot.Columns
            .Where(c => c.Type != ColumnType.StringList && !InstanceLevel.Contains(c.Name) && !SeriesColumns.Keys.Contains(c.Name))
            .ToList();
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var work = Path.Combine(CacheFolder, ".work-" + Guid.NewGuid().ToString("N"));
        var temp = table + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            // It reads the release and writes the cache, both inside the data directory; nothing else.
            DuckDb.Harden(connection, [_data.Path], [("temp_directory", SqlText.Literal(work)), ("preserve_insertion_order", "false")]);
            var keys = string.Join(", ", SeriesColumns.Keys.Select(SqlText.Identifier));
            var aggregates = candidates.Select((c, i) =>
            {
                var q = SqlText.Identifier(c.Name);
                return $"any_value({q}) AS {q}, (min({q}) IS NOT DISTINCT FROM max({q}) AND (count({q}) = 0 OR count({q}) = count(*))) AS k{i.ToString(CultureInfo.InvariantCulture)}";
            });
            Execute(connection, token,
                $"CREATE TABLE g AS SELECT {keys}, count(*) AS __rows, count(DISTINCT \"SOPInstanceUID\") AS __instances, "
                + $"CAST(sum(instance_size) AS BIGINT) AS __size, {string.Join(", ", aggregates)} "
                + $"FROM {source} GROUP BY {keys}");

            // A SEG has a row per segment (and a TID 1500 SR one per measured segment): count each instance's bytes once.
            var join = string.Join(" AND ", SeriesColumns.Keys.Select(k => $"g.{SqlText.Identifier(k)} = d.{SqlText.Identifier(k)}"));
            Execute(connection, token,
                $"UPDATE g SET __size = d.size FROM (SELECT {keys}, CAST(sum(instance_size) AS BIGINT) AS size FROM "
                + $"(SELECT DISTINCT {keys}, \"SOPInstanceUID\", instance_size FROM read_parquet({SqlText.ReadPath(pivot)}) "
                + $"SEMI JOIN (SELECT {keys} FROM g WHERE __rows <> __instances) USING ({keys})) GROUP BY {keys}) AS d WHERE {join}");

            var constant = new HashSet<string>(StringComparer.Ordinal);
            using (var command = DuckDb.Command(connection, "SELECT " + string.Join(", ", candidates.Select((_, i) => $"coalesce(bool_and(k{i.ToString(CultureInfo.InvariantCulture)}), true)")) + " FROM g"))
            {
                DuckDb.Run(
                    command,
                    c =>
                    {
                        using var reader = c.ExecuteReader();
                        reader.Read();
                        for (var i = 0; i < candidates.Count; i++)
                        {
                            if (reader.GetBoolean(i))
                            {
                                constant.Add(candidates[i].Name);
                            }
                        }

                        return 0;
                    },
                    token);
            }

            var select = string.Join(", ", SeriesColumns.Keys.Concat(["__instances", "__size"]).Concat(candidates.Select(c => c.Name).Where(constant.Contains)).Select(SqlText.Identifier));
            Execute(connection, token, $"COPY (SELECT {select} FROM g ORDER BY {keys}) TO {SqlText.Literal(temp)} (FORMAT parquet, COMPRESSION zstd)");
            File.Move(temp, table, overwrite: true);
            File.WriteAllText(columnsFile + ".tmp", JsonSerializer.Serialize(constant.Order(StringComparer.Ordinal)));
            File.Move(columnsFile + ".tmp", columnsFile, overwrite: true);
            constant.UnionWith(SeriesColumns.Keys);
            return new SeriesColumns(constant);
        }
        finally
        {
            File.Delete(temp);
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>Release version plus the instance file's size and time: a re-created release never meets an old cache.</summary>
    internal static string Fingerprint(DataDirectory data, string release)
    {
        var file = new FileInfo(data.TablePath(release, IdcSchema.DicomPivotName));
        var stamp = file.Exists ? $"{file.Length}-{file.LastWriteTimeUtc.Ticks}" : "missing";
        return $"{release}-{stamp}";
    }

    private static void Execute(DuckDBConnection connection, CancellationToken token, string sql) => DuckDb.Execute(connection, sql, token);
}
