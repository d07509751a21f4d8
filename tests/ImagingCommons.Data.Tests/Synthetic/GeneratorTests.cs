using System.Globalization;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using ImagingCommons.Data.Synthetic;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Synthetic;

/// <summary>Generates scale 0.01 (seed 1) once for the whole class and reads it back through DuckDB.</summary>
public sealed class GeneratedReleaseFixture : IDisposable
{
    public const double Scale = 0.01;

    public GeneratedReleaseFixture()
    {
        Folder = TempFolder.Create("idc-gen-fixture");
        Data = new DataDirectory(Folder);
        Report = ReleaseGenerator.Generate(Data, new GeneratorOptions(Scale, Seed: 1));
        Db = Query.Open(Data);
    }

    public string Folder { get; }

    public DataDirectory Data { get; }

    public GenerationReport Report { get; }

    public Query Db { get; }

    public void Dispose()
    {
        Db.Dispose();
        TempFolder.Delete(Folder);
    }
}

public sealed class GeneratorTests(GeneratedReleaseFixture fixture) : IClassFixture<GeneratedReleaseFixture>
{
    private const string Uuid4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    private Query Db => fixture.Db;

    [Fact]
    public void The_real_IDC_metadata_is_embedded_and_parses()
    {
        var names = typeof(ReleaseGenerator).Assembly.GetManifestResourceNames();
        Assert.Contains("idc/compiled/licenses.csv", names);
        Assert.Contains("idc/api_v2_dump/collections_v23.json", names);
        Assert.Contains("idc/etl_flow/idc_original_collections_metadata.json", names);

        var reference = ReferenceData.Instance;
        Assert.Equal(161, reference.Collections.Count(c => c.FirstVersion == 23));
        Assert.Equal(10, reference.Collections.Count(c => c.FirstVersion == 24));
        Assert.Equal(23, reference.AnalysisResults.Count);
        Assert.Equal(24, reference.Versions.Count);
        Assert.Equal(26_410, reference.Collection("nlst").SubjectCount);
        Assert.Equal("CC BY-NC 4.0", reference.Collection("duke_breast_cancer_mri").License.ShortName);
        Assert.Equal("idc-open-cr", reference.Collection("duke_breast_cancer_mri").Bucket.Gcs);
        Assert.Equal("idc-open-data-two", reference.Collection("cptac_cm").Bucket.Aws);
    }

    [Fact]
    public void Both_releases_and_the_version_list_are_written()
    {
        Assert.Equal(new[] { "23.0", "24.0" }, fixture.Report.ReleasesWritten);
        Assert.Equal(new[] { "23.0", "24.0" }, fixture.Data.HeldReleases());
        Assert.True(fixture.Report.Bytes > 0);
        foreach (var table in IdcSchema.All)
        {
            Assert.True(fixture.Data.HasTable("24.0", table.Name), table.Name);
            Assert.True(fixture.Report.RowCounts["24.0"][table.Name] > 0, table.Name);
        }

        var versions = fixture.Data.ReadVersions();
        Assert.Equal(Enumerable.Range(1, 24).Select(v => $"{v}.0"), versions.Select(v => v.IdcDataVersion));
        Assert.All(versions, v => Assert.Matches("^20[0-9]{2}-[01][0-9]-01$", v.DateActive));
        Assert.Equal("2025-11-01", fixture.Data.ReadReleaseInfo("23.0").DateActive);
        Assert.Equal("2026-05-01", fixture.Data.ReadReleaseInfo("24.0").DateActive);
        Assert.Equal(fixture.Report.RowCounts["24.0"][IdcSchema.DicomPivotName], Db.Long("SELECT count(*) FROM p24"));
    }

    [Fact]
    public void Release_files_have_exactly_the_schema_columns_and_types()
    {
        foreach (var table in IdcSchema.All)
        {
            var columns = Db.Rows($"DESCRIBE SELECT * FROM read_parquet({SqlText.ReadPath(fixture.Data.TablePath("24.0", table.Name))})")
                .Select(r => ((string)r[0]!, (string)r[1]!))
                .ToList();
            Assert.Equal(table.Columns.Select(c => (c.Name, c.DuckDbType)), columns);
        }
    }

    [Fact]
    public void Generating_again_keeps_the_releases_already_held()
    {
        var before = File.GetLastWriteTimeUtc(fixture.Data.TablePath("24.0", IdcSchema.DicomPivotName));
        var report = ReleaseGenerator.Generate(fixture.Data, new GeneratorOptions(GeneratedReleaseFixture.Scale, Seed: 1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(report.ReleasesWritten);
        Assert.Equal(before, File.GetLastWriteTimeUtc(fixture.Data.TablePath("24.0", IdcSchema.DicomPivotName)));
        Assert.False(Directory.Exists(fixture.Data.StagingPath));
    }

    [Fact]
    public void The_shape_follows_the_real_IDC_ratios()
    {
        var shape = Db.Row("""
            SELECT count(DISTINCT StudyInstanceUID) / count(DISTINCT collection_id || '/' || PatientID),
                   count(*) / count(DISTINCT StudyInstanceUID),
                   sum(n) / count(*),
                   avg(CAST(collection_id = 'nlst' AS INT)),
                   avg(CAST(ar IS NOT NULL AS INT)),
                   avg(CAST(bp IS NULL AS INT))
            FROM s24
            """);
        Assert.InRange((double)shape[0]!, 1.6, 2.4);   // IDC v24: 1.95 studies per patient
        Assert.InRange((double)shape[1]!, 5.0, 7.5);   // 6.2 series per study
        Assert.InRange((double)shape[2]!, 35, 60);     // 47 instances per series
        Assert.InRange((double)shape[3]!, 0.50, 0.70); // NLST: ~60 % of series
        Assert.InRange((double)shape[4]!, 0.36, 0.52); // 43 % of series belong to an analysis result
        Assert.InRange((double)shape[5]!, 0.35, 0.55); // 44 % without BodyPartExamined

        var shares = Db.Rows("SELECT Modality, count(*) / sum(count(*)) OVER () FROM s24 GROUP BY 1")
            .ToDictionary(r => (string)r[0]!, r => (double)r[1]!);
        Assert.InRange(shares["SR"], 0.20, 0.35);  // 27.7 %
        Assert.InRange(shares["CT"], 0.20, 0.33);  // 26.0 %
        Assert.InRange(shares["SEG"], 0.12, 0.24); // 17.2 %
        Assert.InRange(shares["MR"], 0.08, 0.18);  // 12.8 %
        Assert.InRange(shares["SM"], 0.04, 0.11);  // 7.3 %
        Assert.InRange(shares["MG"], 0.025, 0.08); // 5.0 %

        var patients = Db.Long("SELECT count(DISTINCT collection_id || '/' || PatientID) FROM s24");
        Assert.InRange(patients, 800, 900); // 85 k at scale 1
        Assert.Equal(0, Db.Long("SELECT count(*) FROM s24 WHERE Modality = 'SM' AND bp IS NOT NULL"));
    }

    [Fact]
    public void Series_only_carry_modalities_their_collection_lists()
    {
        foreach (var row in Db.Rows("SELECT collection_id, list_sort(list_distinct(list(Modality))) FROM s24 GROUP BY 1"))
        {
            var listed = ReferenceData.Instance.Collection((string)row[0]!).ImageTypes;
            Assert.All((List<string>)row[1]!, m => Assert.Contains(m, listed));
        }
    }

    [Fact]
    public void Tcga_clinical_rows_exist_exactly_once_for_each_tcga_patient()
    {
        foreach (var release in new[] { "23", "24" })
        {
            var tcgaPatients = Db.Long($"SELECT count(DISTINCT PatientID) FROM s{release} WHERE collection_id LIKE 'tcga%'");
            Assert.True(tcgaPatients > 20);
            Assert.Equal(tcgaPatients, Db.Long($"SELECT count(*) FROM clinical{release}"));
            Assert.Equal(tcgaPatients, Db.Long($"SELECT count(DISTINCT case_barcode) FROM clinical{release}"));
            Assert.Equal(tcgaPatients, Db.Long($"""
                SELECT count(*) FROM clinical{release} c
                WHERE EXISTS (SELECT 1 FROM s{release} s WHERE s.PatientID = c.case_barcode
                              AND s.collection_id = 'tcga_' || lower(c.disease_code) AND c.project_short_name = 'TCGA-' || c.disease_code)
                """));
        }

        Assert.Equal(0, Db.Long("SELECT count(*) FROM s24 WHERE collection_id LIKE 'tcga%' AND NOT regexp_full_match(PatientID, 'TCGA-[0-9A-Z]{2}-[0-9A-Z]{4}')"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM (SELECT case_barcode, count(*) n FROM bio24 GROUP BY 1) WHERE n NOT BETWEEN 1 AND 4"));
        Assert.Equal(Db.Long("SELECT count(*) FROM clinical24"), Db.Long("SELECT count(DISTINCT case_barcode) FROM bio24"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM bio24 WHERE NOT starts_with(sample_barcode, case_barcode || '-') OR sample_type_name IS NULL"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM clinical24 WHERE age_at_diagnosis NOT BETWEEN 10 AND 90"));
    }

    [Fact]
    public void Analysis_result_series_sit_in_source_studies_of_the_same_patient()
    {
        Assert.True(Db.Long("SELECT count(*) FROM s24 WHERE ar IS NOT NULL AND Modality IN ('SEG', 'SR')") > 1000);
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM s24 a
            WHERE a.ar IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM s24 o WHERE o.ar IS NULL AND o.StudyInstanceUID = a.StudyInstanceUID
                              AND o.PatientID = a.PatientID AND o.collection_id = a.collection_id)
            """));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM s24 WHERE ar IS NOT NULL AND Modality IN ('SEG', 'SR') AND n <> 1"));

        // The analysis result's DOI, and only for collections the result analysed.
        Assert.Equal(0, Db.Long("SELECT count(*) FROM s24 s JOIN ar24 m ON m.analysis_result_id = s.ar WHERE s.doi <> m.source_doi"));
        foreach (var row in Db.Rows("SELECT DISTINCT ar, collection_id FROM s24 WHERE ar IS NOT NULL"))
        {
            Assert.Contains((string)row[1]!, ReferenceData.Instance.AnalysisResults.Single(a => a.Id == (string)row[0]!).Collections);
        }
    }

    [Fact]
    public void Urls_uuids_and_uids_have_the_IDC_formats()
    {
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM p24
            WHERE gcs_url <> 'gs://' || gcs_bucket || '/' || crdc_series_uuid || '/' || crdc_instance_uuid || '.dcm'
               OR aws_url <> 's3://' || aws_bucket || '/' || crdc_series_uuid || '/' || crdc_instance_uuid || '.dcm'
            """));
        Assert.Equal(0, Db.Long($"""
            SELECT count(*) FROM p24
            WHERE NOT regexp_full_match(crdc_instance_uuid, '{Uuid4}') OR NOT regexp_full_match(crdc_series_uuid, '{Uuid4}')
               OR NOT regexp_full_match(crdc_study_uuid, '{Uuid4}')
            """));
        const string uid = @"[1-9][0-9]*(\.(0|[1-9][0-9]*))+";
        Assert.Equal(0, Db.Long($"""
            SELECT count(*) FROM p24
            WHERE NOT regexp_full_match(SOPInstanceUID, '{uid}') OR NOT regexp_full_match(SeriesInstanceUID, '{uid}')
               OR NOT regexp_full_match(StudyInstanceUID, '{uid}') OR length(SOPInstanceUID) > 64 OR length(SeriesInstanceUID) > 64
            """));
        Assert.Equal(Db.Long("SELECT count(*) FROM p24"), Db.Long("SELECT count(DISTINCT SOPInstanceUID) FROM p24"));
        Assert.Equal(Db.Long("SELECT count(*) FROM p24"), Db.Long("SELECT count(DISTINCT crdc_instance_uuid) FROM p24"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM (SELECT StudyInstanceUID FROM s24 GROUP BY 1 HAVING count(DISTINCT PatientID) > 1)"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM (SELECT SeriesInstanceUID FROM p24 GROUP BY 1 HAVING count(DISTINCT crdc_series_uuid) > 1)"));

        var buckets = Db.Rows("SELECT DISTINCT aws_bucket, gcs_bucket FROM p24").Select(r => $"{r[0]}>{r[1]}").ToHashSet();
        Assert.Subset(new HashSet<string> { "imagingcommons-synthetic>imagingcommons-synthetic", "imagingcommons-synthetic-two>imagingcommons-synthetic-two", "imagingcommons-synthetic-cr>imagingcommons-synthetic-cr" }, buckets);
        Assert.Equal(0, Db.Long("SELECT count(*) FROM p24 WHERE (license_short_name LIKE '%-NC%') <> (aws_bucket = 'imagingcommons-synthetic-cr')"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM p24 WHERE PatientAge IS NOT NULL AND NOT regexp_full_match(PatientAge, '[0-9]{3}Y')"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM p24 WHERE Modality IN ('CT', 'MR') AND ImageType IS NULL"));
    }

    [Fact]
    public void Seg_sr_and_slide_rows_carry_their_specific_columns()
    {
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM p24 WHERE Modality = 'SEG' AND (SegmentNumber IS NULL OR SegmentAlgorithmType IS NULL
                OR SegmentedPropertyCategoryCodeSequence IS NULL OR SegmentedPropertyTypeCodeSequence IS NULL)
            """));
        Assert.True(Db.Long("SELECT count(*) FROM p24 WHERE Modality = 'SEG' AND SegmentAlgorithmName IS NOT NULL AND AnatomicRegionSequence IS NOT NULL") > 0);
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM p24 WHERE Modality = 'SR'
              AND (Volume IS NULL OR Diameter IS NULL OR Surface_area_of_mesh IS NULL OR Volume_of_Mesh IS NULL OR Sphericity_quant IS NULL)
            """));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM p24 WHERE Modality = 'SR' AND collection_id = 'lidc_idri' AND (Malignancy IS NULL OR Texture IS NULL)"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM p24 WHERE Modality <> 'SR' AND (Volume IS NOT NULL OR Malignancy IS NOT NULL)"));
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM p24 WHERE Modality = 'SM' AND (illuminationType IS NULL OR ObjectiveLensPower IS NULL
                OR max_TotalPixelMatrixColumns IS NULL OR max_TotalPixelMatrixRows IS NULL OR min_PixelSpacing IS NULL
                OR SamplesPerPixel <> 3 OR BodyPartExamined IS NOT NULL)
            """));
        Assert.True(Db.Long("SELECT count(*) FROM p24 WHERE Modality = 'SM' AND list_contains(ImageType, 'LABEL')") > 0);
        Assert.Equal(0, Db.Long("SELECT count(*) FROM p24 WHERE instance_size IS NULL OR instance_size <= 0 OR StudyDate IS NULL"));
    }

    [Fact]
    public void Metadata_tables_describe_the_generated_series()
    {
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM coll24 c
            JOIN (SELECT collection_id, count(DISTINCT PatientID) n, array_to_string(list_sort(list_distinct(list(Modality))), ', ') m
                  FROM s24 GROUP BY 1) s USING (collection_id)
            WHERE c.subjects <> s.n OR c.image_types <> s.m
            """));
        Assert.Equal(Db.Long("SELECT count(DISTINCT collection_id) FROM s24"), Db.Long("SELECT count(*) FROM coll24"));
        Assert.Equal(Db.Long("SELECT count(DISTINCT ar) FROM s24"), Db.Long("SELECT count(*) FROM ar24"));
        Assert.Equal(0, Db.Long("SELECT count(*) FROM coll24 WHERE source_doi IS NULL OR description IS NULL OR license_short_name IS NULL OR program_id IS NULL"));
        Assert.Equal("10.7937/tcia.hmq8-j677", Db.Text("SELECT min(doi) FROM s24 WHERE collection_id = 'nlst' AND Modality = 'CT'"));
    }

    [Fact]
    public void Release_24_adds_collections_revises_some_series_and_removes_a_few()
    {
        var newIds = ReferenceData.Instance.Collections.Where(c => c.FirstVersion == 24).Select(c => c.Id).ToHashSet();
        var collections23 = Db.Rows("SELECT DISTINCT collection_id FROM s23").Select(r => (string)r[0]!).ToHashSet();
        var collections24 = Db.Rows("SELECT DISTINCT collection_id FROM s24").Select(r => (string)r[0]!).ToHashSet();
        Assert.True(collections24.Count > collections23.Count);
        Assert.Subset(collections24, collections23);
        Assert.All(collections24.Except(collections23), id => Assert.Contains(id, newIds));
        Assert.DoesNotContain(collections23, newIds.Contains);

        var series23 = Db.Long("SELECT count(*) FROM s23");
        var removed = Db.Long("SELECT count(*) FROM s23 a WHERE NOT EXISTS (SELECT 1 FROM s24 b WHERE b.SeriesInstanceUID = a.SeriesInstanceUID)");
        var revised = Db.Long("SELECT count(*) FROM s23 a JOIN s24 b USING (SeriesInstanceUID) WHERE a.crdc_series_uuid <> b.crdc_series_uuid");
        Assert.InRange(removed, 1, series23 / 50);
        Assert.InRange(revised, series23 / 100, series23 / 10);

        // A revised series keeps its DICOM UIDs and gets new instance UUIDs and URLs, and its study a new version.
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM p23 a JOIN p24 b USING (SOPInstanceUID)
            WHERE a.crdc_series_uuid <> b.crdc_series_uuid
              AND (a.crdc_instance_uuid = b.crdc_instance_uuid OR a.gcs_url = b.gcs_url OR a.crdc_study_uuid = b.crdc_study_uuid
                   OR a.SeriesInstanceUID <> b.SeriesInstanceUID OR a.StudyInstanceUID <> b.StudyInstanceUID)
            """));

        // Everything else is the same row, apart from the new version UUID of a study that changed.
        var unchanged = Db.Long("SELECT count(*) FROM p23 a JOIN p24 b USING (SOPInstanceUID) WHERE a.crdc_series_uuid = b.crdc_series_uuid");
        Assert.True(unchanged > 0);
        Assert.Equal(0, Db.Long("""
            SELECT count(*) FROM (
                SELECT * EXCLUDE (crdc_study_uuid) FROM p23 WHERE crdc_series_uuid IN (SELECT crdc_series_uuid FROM p24)
                EXCEPT
                SELECT * EXCLUDE (crdc_study_uuid) FROM p24)
            """));
        var untouchedStudies = Db.Long("""
            SELECT count(*) FROM (SELECT DISTINCT StudyInstanceUID, crdc_study_uuid FROM p23) a
            JOIN (SELECT DISTINCT StudyInstanceUID, crdc_study_uuid FROM p24) b USING (StudyInstanceUID)
            WHERE a.crdc_study_uuid = b.crdc_study_uuid
            """);
        Assert.True(untouchedStudies > 0.9 * Db.Long("SELECT count(DISTINCT StudyInstanceUID) FROM p23"));
    }

    [Fact]
    public void A_scale_outside_the_supported_range_is_refused()
    {
        var folder = TempFolder.Create("idc-gen-bad");
        try
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => ReleaseGenerator.Generate(new DataDirectory(folder), new GeneratorOptions(0, 1), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Throws<ArgumentOutOfRangeException>(() => ReleaseGenerator.Generate(new DataDirectory(folder), new GeneratorOptions(double.NaN, 1), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }
}

/// <summary>Determinism needs several generations; a smaller scale keeps them quick.</summary>
public sealed class GeneratorDeterminismTests
{
    private const double Scale = 0.003;

    [Fact]
    public void The_same_seed_and_scale_give_identical_tables()
    {
        var first = Fingerprints(seed: 7);
        var second = Fingerprints(seed: 7);
        Assert.Equal(first, second);
        Assert.Equal(IdcSchema.All.Count * 2, first.Count);
    }

    [Fact]
    public void A_different_seed_gives_different_tables()
    {
        var first = Fingerprints(seed: 7);
        var other = Fingerprints(seed: 8);
        Assert.NotEqual(first[$"24.0/{IdcSchema.DicomPivotName}"], other[$"24.0/{IdcSchema.DicomPivotName}"]);
        Assert.NotEqual(first[$"24.0/{IdcSchema.ClinicalName}"], other[$"24.0/{IdcSchema.ClinicalName}"]);
    }

    [Fact]
    public void The_default_scale_is_a_small_release()
    {
        var plan = ReleaseGenerator.PlanPatients(ReferenceData.Instance, ReleaseGenerator.DefaultScale);
        Assert.InRange(plan.Sum(p => p.Patients), 200, 300);
        Assert.Equal(
            Math.Round(ReferenceData.Instance.Collections.Sum(c => c.SubjectCount) * 0.5, MidpointRounding.AwayFromZero),
            ReleaseGenerator.PlanPatients(ReferenceData.Instance, 0.5).Sum(p => p.Patients));
    }

    /// <summary>Row count and an md5 over the sorted md5s of every row, per release table.</summary>
    private static Dictionary<string, string> Fingerprints(int seed)
    {
        var folder = TempFolder.Create("idc-gen-seed");
        try
        {
            var data = new DataDirectory(folder);
            ReleaseGenerator.Generate(data, new GeneratorOptions(Scale, seed), cancellationToken: TestContext.Current.CancellationToken);
            using var db = Query.Open(data);
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var release in new[] { "23.0", "24.0" })
            {
                foreach (var table in IdcSchema.All)
                {
                    var path = data.TablePath(release, table.Name);
                    result[$"{release}/{table.Name}"] = db.Text($"""
                        SELECT count(*) || ':' || md5(string_agg(h, ',' ORDER BY h))
                        FROM (SELECT md5(CAST(t AS VARCHAR)) AS h FROM read_parquet({SqlText.ReadPath(path)}) t)
                        """);
                }
            }

            return result;
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }
}


/// <summary>
/// An in-memory DuckDB session with views over a generated data directory: p23/p24 (instances), s23/s24
/// (one row per series), clinical, bio, coll and ar per release.
/// </summary>
public sealed class Query : IDisposable
{
    private readonly DuckDBConnection _connection;

    private Query(DuckDBConnection connection)
    {
        _connection = connection;
    }

    public static Query Open(DataDirectory data)
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var query = new Query(connection);
        foreach (var release in data.HeldReleases())
        {
            var n = release.Split('.')[0];
            string Path(string table) => SqlText.ReadPath(data.TablePath(release, table));
            query.Execute($"CREATE VIEW p{n} AS SELECT * FROM read_parquet({Path(IdcSchema.DicomPivotName)})");
            query.Execute($"""
                CREATE VIEW s{n} AS SELECT collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID,
                    any_value(Modality) AS Modality, any_value(analysis_results_id) AS ar, any_value(BodyPartExamined) AS bp,
                    any_value(source_DOI) AS doi, any_value(crdc_series_uuid) AS crdc_series_uuid, count(*) AS n
                FROM p{n} GROUP BY ALL
                """);
            query.Execute($"CREATE VIEW clinical{n} AS SELECT * FROM read_parquet({Path(IdcSchema.ClinicalName)})");
            query.Execute($"CREATE VIEW bio{n} AS SELECT * FROM read_parquet({Path(IdcSchema.BiospecimenName)})");
            query.Execute($"CREATE VIEW coll{n} AS SELECT * FROM read_parquet({Path(IdcSchema.CollectionsName)})");
            query.Execute($"CREATE VIEW ar{n} AS SELECT * FROM read_parquet({Path(IdcSchema.AnalysisResultsName)})");
        }

        return query;
    }

    public long Long(string sql) => Convert.ToInt64(Row(sql)[0], CultureInfo.InvariantCulture);

    public string Text(string sql) => (string)Row(sql)[0]!;

    public object?[] Row(string sql) => Rows(sql).Single();

    public List<object?[]> Rows(string sql) => DuckDbRows.Read(_connection, sql);

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
