using System.Globalization;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Import;

/// <summary>
/// Builds a release from a folder of tables named after IDC's own (dicom_pivot, tcga_clinical_rel9, ...), each as
/// <c>.csv</c> or <c>.parquet</c>. Values are typed by <see cref="IdcSchema"/>, never guessed; bad input raises an
/// <see cref="ImportException"/> and leaves the data directory as it was. The format is described in
/// docs/release-format.md.
/// </summary>
public static class ReleaseImporter
{
    /// <summary>Builds release <paramref name="version"/> (active from <paramref name="dateActive"/>, yyyy-MM-dd).</summary>
    /// <param name="data">The data directory to publish into.</param>
    /// <param name="version">The IDC data version, like "24.0"; it must not be held yet.</param>
    /// <param name="dateActive">The date the release became active, yyyy-MM-dd.</param>
    /// <param name="fromFolder">The folder holding the tables.</param>
    /// <param name="warn">Receives each warning as it is found (they are also in the report).</param>
    /// <param name="cancellationToken">Stops the import (nothing is published).</param>
    /// <exception cref="ImportException">the input is bad, or the release cannot be created.</exception>
    public static ImportReport Import(
        DataDirectory data,
        string version,
        string dateActive,
        string fromFolder,
        Action<string>? warn = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!ReleaseVersion.TryParse(version, out _))
        {
            throw new ImportException($"'{version}' is not a release version like \"24.0\" (major.minor).");
        }

        if (!DateOnly.TryParseExact(dateActive, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new ImportException($"'{dateActive}' is not a date like 2026-05-15 (yyyy-MM-dd).");
        }

        if (string.IsNullOrWhiteSpace(fromFolder) || !Directory.Exists(fromFolder))
        {
            throw new ImportException("the import folder does not exist.", string.IsNullOrWhiteSpace(fromFolder) ? fromFolder : Path.GetFullPath(fromFolder));
        }

        var folder = Path.GetFullPath(fromFolder);
        var warnings = new List<string>();
        void Warn(string message)
        {
            warnings.Add(message);
            warn?.Invoke(message);
        }

        var sources = FindSources(folder, Warn);
        if (!sources.ContainsKey(IdcSchema.DicomPivotName))
        {
            throw new ImportException(
                $"there is no {IdcSchema.DicomPivotName}.csv or {IdcSchema.DicomPivotName}.parquet in the folder; dicom_pivot is required.",
                folder);
        }

        if (Directory.Exists(data.ReleasePath(version)))
        {
            throw Exists(new ReleaseExistsException(version, data.Path));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var dataExisted = Directory.Exists(data.Path);
        var published = false;
        try
        {
            ReleaseWriter writer;
            try
            {
                writer = ReleaseWriter.Begin(data, version, dateActive);
            }
            catch (ReleaseExistsException e)
            {
                throw Exists(e);
            }

            var rowCounts = new Dictionary<string, long>(StringComparer.Ordinal);
            using (writer)
            {
                using (var session = ImportSession.Open(Path.Combine(writer.StagingFolder, ".import-work"), Warn, cancellationToken))
                {
                    foreach (var table in IdcSchema.All)
                    {
                        var output = writer.TablePath(table.Name);
                        if (sources.TryGetValue(table.Name, out var source))
                        {
                            rowCounts[table.Name] = session.ImportTable(source, output);
                            if (table.Name == IdcSchema.CollectionsName)
                            {
                                session.CompleteCollections(output, writer.TablePath(IdcSchema.DicomPivotName));
                            }
                        }
                        else if (table.Name == IdcSchema.CollectionsName)
                        {
                            rowCounts[table.Name] = session.WriteDerivedCollections(writer.TablePath(IdcSchema.DicomPivotName), output);
                        }
                        else
                        {
                            rowCounts[table.Name] = session.WriteEmpty(table, output);
                        }
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    writer.Commit("import " + folder, rowCounts);
                }
                catch (ReleaseExistsException e)
                {
                    throw Exists(e);
                }

                published = true;
            }

            return new ImportReport(version, rowCounts, warnings);
        }
        finally
        {
            if (!published && !dataExisted)
            {
                RemoveIfEmpty(data.Path);
            }
        }
    }

    /// <summary>The table files of the folder; anything else that looks like a table is reported and ignored.</summary>
    private static Dictionary<string, TableSource> FindSources(string folder, Action<string> warn)
    {
        var sources = new Dictionary<string, TableSource>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var format = name.EndsWith(".csv", StringComparison.Ordinal) ? SourceFormat.Csv
                : name.EndsWith(".parquet", StringComparison.Ordinal) ? SourceFormat.Parquet
                : (SourceFormat?)null;
            var table = format is null ? null : IdcSchema.FindTable(Path.GetFileNameWithoutExtension(name));
            if (format is null || table is null)
            {
                if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
                {
                    warn($"{path}: not one of the release tables ({string.Join(", ", IdcSchema.All.Select(t => t.Name))}; "
                        + "names are case-sensitive, extensions .csv or .parquet); it is ignored.");
                }

                continue;
            }

            if (sources.TryGetValue(table.Name, out var other))
            {
                throw new ImportException(
                    $"both {Path.GetFileName(other.Path)} and {name} are present; give each table as CSV or as Parquet, not both.",
                    path);
            }

            sources[table.Name] = new TableSource(table, path, format.Value);
        }

        return sources;
    }

    private static ImportException Exists(ReleaseExistsException e) => new(e.Message, e);

    private static void RemoveIfEmpty(string path)
    {
        try
        {
            if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (IOException)
        {
            // Someone else is using the new directory: leave it.
        }
    }
}
