using System.Diagnostics;
using System.Globalization;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Data.Synthetic;

/// <summary>How big a release to generate (1 = IDC v24's size) and from which seed.</summary>
public sealed record GeneratorOptions(double Scale, int Seed);

/// <summary>
/// What a generation run did: the releases it published (already held ones are skipped), the row count of every
/// table per release, the wall time, and the bytes on disk of the published releases.
/// </summary>
public sealed record GenerationReport(
    IReadOnlyList<string> ReleasesWritten,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> RowCounts,
    TimeSpan Elapsed,
    long Bytes);

/// <summary>
/// Generates two successive IDC-shaped releases from the real IDC metadata: "23.0" (the v23 collections) and
/// "24.0" (plus the collections new in v24, with a few percent of series revised and a few removed). The same
/// seed and scale always give the same content; see docs/generator.md for the model and measured sizes.
/// </summary>
public static class ReleaseGenerator
{
    /// <summary>The small development release: a few thousand series, generated in seconds.</summary>
    public const double DefaultScale = 0.003;

    /// <summary>Writes releases "23.0" then "24.0" (each skipped if already held) and the version list 1.0..24.0 with their dates.</summary>
    public static GenerationReport Generate(DataDirectory data, GeneratorOptions options, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.Scale) || options.Scale <= 0 || options.Scale > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Scale, "Scale must be greater than 0 and at most 10 (1 = IDC v24 size).");
        }

        var stopwatch = Stopwatch.StartNew();
        var reference = ReferenceData.Instance;
        var source = string.Create(CultureInfo.InvariantCulture, $"generator seed={options.Seed} scale={options.Scale:R}");
        var baseVersion = ReferenceData.DumpVersion;
        var targets = new[] { baseVersion, baseVersion + 1 }
            .Select(v => (Number: v, Name: v.ToString(CultureInfo.InvariantCulture) + ".0"))
            .ToList();
        foreach (var held in targets.Where(t => data.IsHeld(t.Name)))
        {
            var heldSource = data.ReadReleaseInfo(held.Name).Source;
            log?.Invoke($"release {held.Name} is already held ({heldSource}); skipped");
            if (heldSource != source)
            {
                log?.Invoke($"note: the releases written now ({source}) will not continue {held.Name} row for row");
            }
        }

        targets.RemoveAll(t => data.IsHeld(t.Name));
        var written = new List<string>();
        var rowCounts = new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal);
        if (targets.Count > 0)
        {
            // The scratch database lives beside the release staging folders, on the same disk as the output.
            var work = Path.Combine(data.StagingPath, "generator-" + Path.GetRandomFileName());
            try
            {
                using var database = new WorkDatabase(work);
                Stage(database, reference, options, log, cancellationToken);
                foreach (var (number, name) in targets)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var date = reference.Versions.First(v => v.Version == name).DateActive.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    using var writer = ReleaseWriter.Begin(data, name, date);
                    var counts = database.WriteRelease(writer.TablePath, number, baseVersion, cancellationToken);
                    writer.Commit(source, counts, synthetic: true);
                    written.Add(name);
                    rowCounts[name] = counts;
                    log?.Invoke($"release {name} ({date}): " + string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:N0}"))));
                }
            }
            finally
            {
                if (Directory.Exists(work))
                {
                    Directory.Delete(work, recursive: true);
                }

                if (Directory.Exists(data.StagingPath) && !Directory.EnumerateFileSystemEntries(data.StagingPath).Any())
                {
                    Directory.Delete(data.StagingPath);
                }
            }
        }

        data.WriteVersions(reference.Versions.Select(v => new VersionEntry(v.Version, v.DateActive.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        var bytes = written.Sum(v => Directory.EnumerateFiles(data.ReleasePath(v), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length));
        return new GenerationReport(written, rowCounts, stopwatch.Elapsed, bytes);
    }

    /// <summary>
    /// Patients per collection follow the real subject counts. Rounding the running total (rather than each
    /// collection) keeps the overall number exact at any scale; a collection whose share rounds to nothing is
    /// left out, as the small scales must. The collections new in v24 come last, so they never change how the
    /// v23 collections are sized.
    /// </summary>
    internal static IReadOnlyList<(CollectionInfo Collection, int Patients)> PlanPatients(ReferenceData reference, double scale)
    {
        var plan = new List<(CollectionInfo, int)>();
        long running = 0;
        long assigned = 0;
        foreach (var collection in reference.Collections)
        {
            running += collection.SubjectCount;
            var target = (long)Math.Round(running * scale, MidpointRounding.AwayFromZero);
            plan.Add((collection, (int)(target - assigned)));
            assigned = target;
        }

        return plan;
    }

    private static void Stage(WorkDatabase database, ReferenceData reference, GeneratorOptions options, Action<string>? log, CancellationToken cancellationToken)
    {
        var generator = new CollectionGenerator(reference, options.Seed, database.Append);
        var plan = PlanPatients(reference, options.Scale).Where(p => p.Patients > 0).ToList();
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"generating {plan.Count} collections, {plan.Sum(p => p.Patients):N0} patients (seed {options.Seed}, scale {options.Scale:R})"));
        long series = 0, instances = 0;
        var done = 0;
        foreach (var (collection, patients) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var counts = generator.Generate(collection, patients);
            database.Append(CollectionMetaRow(collection));
            series += counts.Series;
            instances += counts.Instances;
            if (++done % 25 == 0 || done == plan.Count)
            {
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {done}/{plan.Count} collections: {series:N0} series, {instances:N0} instances"));
            }
        }

        foreach (var result in reference.AnalysisResults)
        {
            database.Append(AnalysisMetaRow(result));
        }

        database.CompleteStaging();
    }

    private static StagingRow CollectionMetaRow(CollectionInfo c)
    {
        var row = WorkDatabase.CollectionMeta.NewRow();
        row["collection_id"] = c.Id;
        row["collection_name"] = c.Name;
        row["cancer_types"] = c.CancerTypes;
        row["tumor_locations"] = c.TumorLocations;
        row["species"] = c.Species;
        row["supporting_data"] = c.SupportingData;
        row["program_id"] = c.ProgramId;
        row["status"] = c.Status;
        row["description"] = c.Description;
        row["license_short_name"] = c.License.ShortName;
        row["updated"] = c.Updated;
        row["first_version"] = c.FirstVersion;
        return row;
    }

    private static StagingRow AnalysisMetaRow(AnalysisResultInfo a)
    {
        var row = WorkDatabase.AnalysisMeta.NewRow();
        row["analysis_result_id"] = a.Id;
        row["analysis_result_title"] = a.Title;
        row["source_doi"] = a.SourceDoi;
        row["source_url"] = a.SourceUrl;
        row["license_url"] = a.License.Url;
        row["license_long_name"] = a.License.LongName;
        row["license_short_name"] = a.License.ShortName;
        row["description"] = a.Description;
        row["citation"] = $"{a.Title} [Data set]. {a.SourceUrl}";
        row["updated"] = a.Updated;
        return row;
    }
}
