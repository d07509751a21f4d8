using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using DuckDB.NET.Data;
using ImagingCommons.Data.Import;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using ImagingCommons.Dicom;

namespace ImagingCommons.Data.Ingest;

/// <summary>
/// Builds a release from folders of DICOM files (docs/release-format.md, "Ingesting DICOM files"). Files are read in
/// path order, a batch at a time in parallel, and their rows streamed into a DuckDB work database in the release's
/// staging folder, so memory is bounded by the batch, not the folder. The crdc UUIDs are derived from content (the
/// same files give the same UUIDs and byte-identical tables); the table is then typed, checked and written by the
/// importer's own code, and the release published with the one rename of <see cref="ReleaseWriter"/>, so a crash
/// leaves no partial release.
/// </summary>
public static class DicomIngest
{
    /// <summary>Beside the tables of an ingested release: each instance's object key, size, MD5 and source file (for <c>idc upload</c>).</summary>
    public const string SourcesFile = "sources.parquet";

    /// <exception cref="IngestException">bad options, nothing to ingest, or (with --strict) a file that failed.</exception>
    public static IngestReport Ingest(DataDirectory data, IngestOptions options, IIngestObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observer);
        var (s3, gs) = Validate(data, options);
        var files = Enumerate(options.Folders);
        cancellationToken.ThrowIfCancellationRequested();

        var dataExisted = Directory.Exists(data.Path);
        var published = false;
        try
        {
            ReleaseWriter writer;
            try
            {
                writer = ReleaseWriter.Begin(data, options.Version, options.DateActive);
            }
            catch (ReleaseExistsException e)
            {
                throw new IngestException(e.Message, e);
            }

            using (writer)
            {
                var work = Path.Combine(writer.StagingFolder, ".ingest-work");
                Directory.CreateDirectory(work);
                IngestReport report;
                using (var db = new DuckDBConnection("DataSource=" + Path.Combine(work, "ingest.duckdb")))
                {
                    db.Open();
                    Execute(db, $"SET temp_directory = {SqlText.Literal(Path.Combine(work, "spill"))}");
                    Execute(db, "SET memory_limit = '1GB'");
                    Execute(db, "SET preserve_insertion_order = true");
                    var scan = ReadFiles(db, files, options, observer, cancellationToken);
                    if (options.Strict && scan.Skipped + scan.Duplicates > 0)
                    {
                        throw new IngestException(
                            $"{scan.Skipped} file(s) skipped and {scan.Duplicates} duplicate(s) (see above); with --strict nothing was written.");
                    }

                    if (scan.Ingested == 0)
                    {
                        throw new IngestException($"no DICOM instance could be read from {string.Join(", ", options.Folders)} ({files.Count} file(s) tried); nothing was written.");
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    Combine(db, data, options, s3, gs, work);
                    report = WriteTables(db, data, options, writer, work, scan, cancellationToken);
                }

                Directory.Delete(work, recursive: true);
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    writer.Commit("ingest " + string.Join(" ", options.Folders.Select(Path.GetFullPath)), report.RowCounts);
                }
                catch (ReleaseExistsException e)
                {
                    throw new IngestException(e.Message, e);
                }

                published = true;
                return report;
            }
        }
        catch (DuckDBException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IngestException("writing the release failed: " + e.Message.Split('\n')[0], e);
        }
        finally
        {
            if (!published && !dataExisted && Directory.Exists(data.Path) && !Directory.EnumerateFileSystemEntries(data.Path).Any())
            {
                Directory.Delete(data.Path);
            }
        }
    }

    private static (BaseUrl? S3, BaseUrl? Gs) Validate(DataDirectory data, IngestOptions options)
    {
        if (!ReleaseVersion.TryParse(options.Version, out _))
        {
            throw new IngestException($"'{options.Version}' is not a release version like \"24.0\" (major.minor).");
        }

        if (!DateOnly.TryParseExact(options.DateActive, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new IngestException($"'{options.DateActive}' is not a date like 2026-05-15 (yyyy-MM-dd).");
        }

        if (string.IsNullOrWhiteSpace(options.CollectionId))
        {
            throw new IngestException("--collection is empty; every instance belongs to a collection (like my_archive).");
        }

        if (options.Folders.Count == 0)
        {
            throw new IngestException("no folder to read (--from).");
        }

        foreach (var folder in options.Folders.Where(f => !Directory.Exists(f)))
        {
            throw new IngestException($"{Path.GetFullPath(folder)}: the folder does not exist.");
        }

        if (data.IsHeld(options.Version))
        {
            throw new IngestException(new ReleaseExistsException(options.Version, data.Path).Message);
        }

        if (options.Extend is { } previous && !data.IsHeld(previous))
        {
            throw new IngestException($"--extend {previous}: release {previous} is not held in {data.Path}.");
        }

        BaseUrl? s3 = null;
        BaseUrl? gs = null;
        foreach (var url in options.BaseUrls)
        {
            var parsed = BaseUrl.Parse(url) ?? throw new IngestException($"--base-url '{url}' is not s3://BUCKET[/PREFIX] or gs://BUCKET[/PREFIX].");
            if (parsed.Scheme == "s3")
            {
                s3 = s3 is null ? parsed : throw new IngestException("--base-url gives two s3:// locations; give one (and at most one gs://).");
            }
            else
            {
                gs = gs is null ? parsed : throw new IngestException("--base-url gives two gs:// locations; give one (and at most one s3://).");
            }
        }

        return (s3, gs);
    }

    /// <summary>Every file under the folders, recursively, in ordinal path order (which decides which duplicate is kept).</summary>
    private static List<string> Enumerate(IReadOnlyList<string> folders)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        return folders.SelectMany(f => Directory.EnumerateFiles(Path.GetFullPath(f), "*", options))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private sealed record Scan(long Ingested, long Skipped, long Duplicates);

    private sealed record FileResult(string? Sop, long Size, List<string?[]>? Rows, string? Error);

    private static Scan ReadFiles(DuckDBConnection db, List<string> files, IngestOptions options, IIngestObserver observer, CancellationToken cancellationToken)
    {
        var columns = InstanceMapper.Columns;
        Execute(db, "CREATE TABLE n (__order BIGINT, __row INTEGER, __path VARCHAR, "
            + string.Join(", ", columns.Select(c => SqlText.Identifier(c.Name) + " VARCHAR")) + ")");
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        long ingested = 0, skipped = 0, duplicates = 0, done = 0;
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        using (var appender = db.CreateAppender("n"))
        {
            var results = new FileResult[Math.Max(1, options.BatchSize)];
            for (var start = 0; start < files.Count; start += results.Length)
            {
                var count = Math.Min(results.Length, files.Count - start);
                Parallel.For(
                    0,
                    count,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken },
                    i => results[i] = ReadOne(files[start + i], options));
                for (var i = 0; i < count; i++)
                {
                    var path = files[start + i];
                    var result = results[i];
                    results[i] = null!;
                    if (result.Error is not null)
                    {
                        skipped++;
                        observer.Skipped(path, result.Error);
                        continue;
                    }

                    if (seen.TryGetValue(result.Sop!, out var first))
                    {
                        duplicates++;
                        observer.Duplicate(path, first, result.Sop!);
                        continue;
                    }

                    seen[result.Sop!] = path;
                    ingested++;
                    for (var r = 0; r < result.Rows!.Count; r++)
                    {
                        var row = appender.CreateRow();
                        row.AppendValue(start + i).AppendValue(r).AppendValue(path);
                        foreach (var value in result.Rows[r])
                        {
                            row.AppendValue(value);
                        }

                        row.EndRow();
                    }
                }

                done += count;
                if (clock.Elapsed - lastProgress >= TimeSpan.FromMilliseconds(500) || done == files.Count)
                {
                    lastProgress = clock.Elapsed;
                    observer.Progress(new IngestProgress(done, files.Count, clock.Elapsed));
                }
            }
        }

        if (files.Count == 0)
        {
            observer.Progress(new IngestProgress(0, 0, clock.Elapsed));
        }

        return new Scan(ingested, skipped, duplicates);
    }

    /// <summary>Reads and hashes one file: its rows, or why it is skipped. Never throws for a bad file.</summary>
    private static FileResult ReadOne(string path, IngestOptions options)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            var size = file.Length;
            using var hashing = new HashingStream(file);
            DicomFile dicom;
            try
            {
                dicom = DicomReader.Read(hashing);
            }
            catch (DicomFormatException e)
            {
                return new FileResult(null, size, null, e.Message);
            }

            hashing.ReadToEnd();
            var md5 = hashing.HashHex();
            if (InstanceMapper.MissingIdentifier(dicom.Dataset) is { } missing)
            {
                return new FileResult(null, size, null, missing);
            }

            var rows = InstanceMapper.Map(dicom, row =>
            {
                row[InstanceMapper.Ordinal("collection_id")] = options.CollectionId;
                row[InstanceMapper.Ordinal("instance_size")] = size.ToString(CultureInfo.InvariantCulture);
                row[InstanceMapper.Ordinal("instance_hash")] = md5;
                row[InstanceMapper.Ordinal("license_short_name")] = options.License;
                row[InstanceMapper.Ordinal("source_DOI")] = options.Doi;
            });
            return new FileResult(InstanceMapper.SopInstanceUidOf(dicom.Dataset), size, rows, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FileResult(null, 0, null, "unreadable: " + e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The reader is fuzzed never to fail otherwise; should it, the file is skipped, never the ingest.
            return new FileResult(null, 0, null, $"could not be read ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>
    /// The new rows with the previous release's (--extend), crdc UUIDs and URLs: table <c>f</c>. An instance whose
    /// SOPInstanceUID and MD5 are both in the previous release is unchanged (its old row stays); a SOPInstanceUID with
    /// other bytes is a revision. A series keeps its UUID when all its instances are unchanged, else it gets a new one
    /// from the UUIDs of its instances; a study likewise from its series.
    /// </summary>
    private static void Combine(DuckDBConnection db, DataDirectory data, IngestOptions options, BaseUrl? s3, BaseUrl? gs, string work)
    {
        // RFC 4122 version 3 (name-based, MD5) UUIDs.
        Execute(db, "CREATE MACRO uuid_of(h) AS substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-3' || substr(h, 14, 3) || '-' || "
            + "substr('89ab', ((position(substr(h, 17, 1) IN '0123456789abcdef') - 1) % 4) + 1, 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)");
        Execute(db, "UPDATE n SET crdc_instance_uuid = uuid_of(md5('imagingcommons/instance/' || \"SOPInstanceUID\" || '/' || instance_hash))");

        var columns = InstanceMapper.Columns;
        var schemaColumns = string.Join(", ", columns.Select(c => SqlText.Identifier(c.Name)));
        if (options.Extend is { } previous)
        {
            var asText = columns.Select(c => c.Type switch
            {
                ColumnType.StringList => $"array_to_string({SqlText.Identifier(c.Name)}, '\\') AS {SqlText.Identifier(c.Name)}",
                _ => $"CAST({SqlText.Identifier(c.Name)} AS VARCHAR) AS {SqlText.Identifier(c.Name)}",
            });
            Execute(db, $"CREATE TABLE p AS SELECT {string.Join(", ", asText)}, row_number() OVER () AS __p "
                + $"FROM {ReleaseTables.Source(data, previous, IdcSchema.DicomPivot)}");
            Execute(db, "DELETE FROM n WHERE \"SOPInstanceUID\" IN (SELECT n.\"SOPInstanceUID\" FROM n JOIN (SELECT DISTINCT \"SOPInstanceUID\", instance_hash FROM p) AS q "
                + "ON n.\"SOPInstanceUID\" = q.\"SOPInstanceUID\" AND n.instance_hash = q.instance_hash)");
            var previousSources = Path.Combine(data.ReleasePath(previous), SourcesFile);
            var sourceJoin = File.Exists(previousSources)
                ? $"LEFT JOIN (SELECT crdc_instance_uuid, any_value(source_path) AS source_path FROM read_parquet({SqlText.ReadPath(previousSources)}) GROUP BY 1) AS ps USING (crdc_instance_uuid)"
                : "";
            var sourcePath = File.Exists(previousSources) ? "ps.source_path" : "CAST(NULL AS VARCHAR)";
            Execute(db, $"CREATE TABLE m AS SELECT {schemaColumns}, true AS __old, CAST(NULL AS BIGINT) AS __order, __p, CAST(NULL AS INTEGER) AS __row, "
                + $"{sourcePath} AS __path FROM p {sourceJoin} WHERE \"SOPInstanceUID\" NOT IN (SELECT \"SOPInstanceUID\" FROM n) "
                + $"UNION ALL SELECT {schemaColumns}, false, __order, CAST(NULL AS BIGINT), __row, __path FROM n");
        }
        else
        {
            Execute(db, $"CREATE TABLE m AS SELECT {schemaColumns}, false AS __old, __order, CAST(NULL AS BIGINT) AS __p, __row, __path FROM n");
        }

        Execute(db, """
            CREATE TABLE s AS SELECT "SeriesInstanceUID", bool_and(__old) AS unchanged,
                any_value(crdc_series_uuid) FILTER (WHERE __old) AS old_uuid,
                uuid_of(md5('imagingcommons/series/' || "SeriesInstanceUID" || '/' || array_to_string(list_sort(list_distinct(list(crdc_instance_uuid))), ','))) AS new_uuid
            FROM m GROUP BY "SeriesInstanceUID"
            """);
        Execute(db, "ALTER TABLE s ADD COLUMN uuid VARCHAR");
        Execute(db, "UPDATE s SET uuid = CASE WHEN unchanged AND old_uuid IS NOT NULL THEN old_uuid ELSE new_uuid END");
        Execute(db, """
            CREATE TABLE st AS SELECT m."StudyInstanceUID", bool_and(s.unchanged) AS unchanged,
                any_value(m.crdc_study_uuid) FILTER (WHERE m.__old) AS old_uuid,
                uuid_of(md5('imagingcommons/study/' || m."StudyInstanceUID" || '/' || array_to_string(list_sort(list_distinct(list(s.uuid))), ','))) AS new_uuid
            FROM m JOIN s USING ("SeriesInstanceUID") GROUP BY m."StudyInstanceUID"
            """);

        string Url(BaseUrl? url, string scheme, string oldColumn) => url is null
            ? $"CASE WHEN m.__old THEN replace(m.{oldColumn}, m.crdc_series_uuid, s.uuid) END"
            : $"'{scheme}://{url.Bucket}{url.Prefix}/' || s.uuid || '/' || m.crdc_instance_uuid || '.dcm'";
        string Bucket(BaseUrl? url, string oldColumn) => url is null ? $"m.{oldColumn}" : SqlText.Literal(url.Bucket);
        var replaced = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["crdc_series_uuid"] = "s.uuid",
            ["crdc_study_uuid"] = "CASE WHEN st.unchanged AND st.old_uuid IS NOT NULL THEN st.old_uuid ELSE st.new_uuid END",
            ["aws_url"] = $"CASE WHEN s.unchanged THEN m.aws_url ELSE {Url(s3, "s3", "aws_url")} END",
            ["aws_bucket"] = $"CASE WHEN s.unchanged THEN m.aws_bucket ELSE {Bucket(s3, "aws_bucket")} END",
            ["gcs_url"] = $"CASE WHEN s.unchanged THEN m.gcs_url ELSE {Url(gs, "gs", "gcs_url")} END",
            ["gcs_bucket"] = $"CASE WHEN s.unchanged THEN m.gcs_bucket ELSE {Bucket(gs, "gcs_bucket")} END",
        };
        var select = columns.Select(c => replaced.TryGetValue(c.Name, out var e) ? $"{e} AS {SqlText.Identifier(c.Name)}" : "m." + SqlText.Identifier(c.Name));
        Execute(db, $"CREATE TABLE f AS SELECT {string.Join(", ", select)}, m.__old, m.__path, m.aws_url AS __old_aws_url, s.unchanged AS __series_unchanged "
            + "FROM m JOIN s USING (\"SeriesInstanceUID\") JOIN st USING (\"StudyInstanceUID\") "
            + "ORDER BY m.__order NULLS FIRST, m.__p, m.__row");
        Execute(db, $"COPY (SELECT {schemaColumns} FROM f) TO {SqlText.Literal(Path.Combine(work, "pivot.parquet"))} (FORMAT parquet, COMPRESSION zstd)");
    }

    private static IngestReport WriteTables(DuckDBConnection db, DataDirectory data, IngestOptions options, ReleaseWriter writer, string work, Scan scan, CancellationToken cancellationToken)
    {
        var rowCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var collections = Path.Combine(work, "collections.parquet");
        WriteCollections(db, data, options, collections);
        using (var session = ImportSession.Open(Path.Combine(work, "import"), warnings.Add, cancellationToken))
        {
            foreach (var table in IdcSchema.All)
            {
                var output = writer.TablePath(table.Name);
                if (table.Name == IdcSchema.DicomPivotName)
                {
                    rowCounts[table.Name] = session.ImportTable(new TableSource(table, Path.Combine(work, "pivot.parquet"), SourceFormat.Parquet), output);
                }
                else if (table.Name == IdcSchema.CollectionsName)
                {
                    rowCounts[table.Name] = session.ImportTable(new TableSource(table, collections, SourceFormat.Parquet), output);
                    session.CompleteCollections(output, writer.TablePath(IdcSchema.DicomPivotName));
                }
                else if (options.Extend is { } previous && data.HasTable(previous, table.Name))
                {
                    rowCounts[table.Name] = session.ImportTable(new TableSource(table, data.TablePath(previous, table.Name), SourceFormat.Parquet), output);
                }
                else
                {
                    rowCounts[table.Name] = session.WriteEmpty(table, output);
                }
            }
        }

        // One row per instance: where its object goes, what it must hold, and where its bytes come from (the source
        // file, or for an unchanged instance of a revised series the object it was stored as before).
        Execute(db, $"""
            COPY (SELECT crdc_instance_uuid, any_value(crdc_series_uuid) AS crdc_series_uuid, any_value("SOPInstanceUID") AS "SOPInstanceUID",
                    any_value(aws_url) AS aws_url, any_value(gcs_url) AS gcs_url, CAST(any_value(instance_size) AS BIGINT) AS instance_size,
                    any_value(instance_hash) AS instance_hash, any_value(__path) AS source_path,
                    any_value(CASE WHEN __old AND NOT __series_unchanged THEN __old_aws_url END) AS copy_from
                  FROM f GROUP BY crdc_instance_uuid ORDER BY crdc_instance_uuid)
            TO {SqlText.Literal(Path.Combine(writer.StagingFolder, SourcesFile))} (FORMAT parquet, COMPRESSION zstd)
            """);

        using var command = db.CreateCommand();
        command.CommandText = $"SELECT count(DISTINCT \"SOPInstanceUID\"), count(DISTINCT \"SeriesInstanceUID\"), count(DISTINCT \"StudyInstanceUID\"), "
            + $"count(DISTINCT (collection_id, \"PatientID\")) FROM read_parquet({SqlText.ReadPath(writer.TablePath(IdcSchema.DicomPivotName))})";
        using var reader = command.ExecuteReader();
        reader.Read();
        return new IngestReport(
            options.Version,
            scan.Ingested,
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetInt64(2),
            reader.GetInt64(3),
            scan.Skipped,
            scan.Duplicates,
            rowCounts);
    }

    /// <summary>The previous release's collections (with --extend) and the ingested collection's row; subjects and image types are derived.</summary>
    private static void WriteCollections(DuckDBConnection db, DataDirectory data, IngestOptions options, string path)
    {
        var columns = IdcSchema.Collections.Columns;
        var previous = options.Extend is { } p && data.HasTable(p, IdcSchema.CollectionsName)
            ? ReleaseTables.Source(data, p, IdcSchema.Collections)
            : $"(SELECT {string.Join(", ", columns.Select(c => $"CAST(NULL AS VARCHAR) AS {SqlText.Identifier(c.Name)}"))} LIMIT 0)";
        Execute(db, $"CREATE TABLE pc AS SELECT {string.Join(", ", columns.Select(c => $"CAST({SqlText.Identifier(c.Name)} AS VARCHAR) AS {SqlText.Identifier(c.Name)}"))} FROM {previous}");
        var id = SqlText.Literal(options.CollectionId);
        string Given(string? value) => value is null ? "NULL" : SqlText.Literal(value);
        var row = columns.Select(c => c.Name switch
        {
            "collection_id" => $"{id} AS collection_id",
            "collection_name" => $"coalesce(old.collection_name, {id}) AS collection_name",
            "source_doi" => $"coalesce({Given(options.Doi)}, old.source_doi) AS source_doi",
            "description" => $"coalesce({Given(options.Description)}, old.description) AS description",
            "license_short_name" => $"coalesce({Given(options.License)}, old.license_short_name) AS license_short_name",
            "updated" => $"{SqlText.Literal(options.DateActive)} AS updated",
            "subjects" or "image_types" => $"CAST(NULL AS VARCHAR) AS {c.Name}",
            _ => $"old.{SqlText.Identifier(c.Name)}",
        });
        var names = string.Join(", ", columns.Select(c => SqlText.Identifier(c.Name)));
        Execute(db, $"""
            COPY (SELECT {names} FROM pc WHERE collection_id <> {id}
                  UNION ALL SELECT {string.Join(", ", row)} FROM (SELECT 1) AS one LEFT JOIN (SELECT * FROM pc WHERE collection_id = {id} LIMIT 1) AS old ON true)
            TO {SqlText.Literal(path)} (FORMAT parquet)
            """);
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A parsed --base-url: scheme, bucket, and a prefix that is empty or starts with '/' (no trailing '/').</summary>
    internal sealed record BaseUrl(string Scheme, string Bucket, string Prefix)
    {
        public static BaseUrl? Parse(string text)
        {
            foreach (var scheme in new[] { "s3", "gs" })
            {
                var start = scheme + "://";
                if (!text.StartsWith(start, StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = text[start.Length..].Trim('/');
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                var bucket = slash < 0 ? rest : rest[..slash];
                var prefix = slash < 0 ? "" : "/" + rest[(slash + 1)..].Trim('/');
                if (bucket.Length == 0 || bucket.Any(ch => !(char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch is '-' or '.' or '_'))
                    || prefix.Contains('\'', StringComparison.Ordinal) || prefix.Contains("//", StringComparison.Ordinal))
                {
                    return null;
                }

                return new BaseUrl(scheme, bucket, prefix);
            }

            return null;
        }
    }

    /// <summary>Hashes everything read through it (MD5, as IDC's instance_hash); not seekable, so every byte passes.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _md5.AppendData(buffer[..read]);
            return read;
        }

        public void ReadToEnd()
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
            try
            {
                while (Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public string HashHex() => Convert.ToHexStringLower(_md5.GetHashAndReset());

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _md5.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
