using System.Globalization;

namespace ImagingCommons.Data.Synthetic;

internal sealed record CollectionCounts(int Patients, int Studies, int Series, long Instances);

/// <summary>
/// Builds the patients, studies and series of one collection at a time and hands each series row (and each TCGA
/// clinical/biospecimen row) to a sink, so memory holds one study at a time whatever the scale.
/// </summary>
internal sealed class CollectionGenerator(ReferenceData reference, int seed, Action<StagingRow> emit)
{
    /// <summary>Share of the base release's studies that the next release revises.</summary>
    public const double StudyRevisionRate = 0.03;

    /// <summary>Share of a revised study's series that get a new version (at least one does).</summary>
    public const double SeriesRevisionShare = 0.6;

    /// <summary>Chance that the next release drops a series of an unrevised study.</summary>
    public const double RemovalRate = 0.002;

    private const int MaxUidLength = 64;
    private const int MaxUidSuffixDigits = 38;
    private const string Alphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static readonly DateOnly Epoch = new(1970, 1, 1);
    private static readonly double[] CtSliceThickness = [0.625, 1.0, 1.25, 2.0, 2.5, 3.0, 5.0];
    private static readonly double[] PtSliceThickness = [2.0, 3.27, 4.0, 5.0];

    private readonly double[] _bodyPartWeights = [.. reference.BodyParts.Select(b => b.Count)];
    private readonly List<CollectionInfo> _tcgaCollections = [.. reference.Collections.Where(c => c.IsTcga)];
    private long _ordinal;

    public CollectionCounts Generate(CollectionInfo collection, int patients)
    {
        var c = new Context(reference, collection, seed, _tcgaCollections.IndexOf(collection));
        var ids = new PatientIds(c, patients);
        int studies = 0, series = 0;
        long instances = 0;
        for (var p = 0; p < patients; p++)
        {
            var patient = NewPatient(c, ids.Next());
            if (collection.IsTcga)
            {
                foreach (var row in TcgaRows.ForCase(reference, collection, patient.Id, patient.Sex, c.Tcga))
                {
                    emit(row);
                }
            }

            var date = patient.FirstStudy;
            foreach (var pathology in PlanStudies(c))
            {
                var rows = BuildStudy(c, patient, date, pathology);
                ApplyNextReleaseChanges(c, rows);
                foreach (var row in rows)
                {
                    emit(row);
                    instances += (int)row["instance_count"]!;
                }

                studies++;
                series += rows.Count;
                date = date.AddDays(c.IsNlst ? c.Rng.Between(330, 400) : c.Rng.Between(60, 900));
            }
        }

        return new CollectionCounts(patients, studies, series, instances);
    }

    /// <summary>True for a slide (SM) study, false for a radiology study; every patient gets at least one.</summary>
    private static List<bool> PlanStudies(Context c)
    {
        var plan = new List<bool>();
        if (c.HasPathology && c.Rng.Chance(c.PathologyShare))
        {
            plan.Add(true);
        }

        if (c.Radiology.Count > 0 && (plan.Count == 0 || c.Rng.Chance(c.RadiologyShare)))
        {
            // NLST: the T0, T1 and T2 screening rounds, most participants attending all three.
            var count = c.IsNlst
                ? 1 + (c.Rng.Chance(0.9) ? 1 : 0) + (c.Rng.Chance(0.9) ? 1 : 0)
                : 1 + Math.Min(c.Rng.Poisson(c.ExtraStudies), 8);
            plan.AddRange(Enumerable.Repeat(false, count));
        }

        if (plan.Count == 0)
        {
            plan.Add(c.Radiology.Count == 0);
        }

        return plan;
    }

    private Patient NewPatient(Context c, string id)
    {
        var rng = c.Rng;
        string? sex = null;
        if (!c.IsNlst && !c.IsPhantom && rng.Chance(0.8))
        {
            sex = c.Sex ?? (rng.Chance(0.005) ? "O" : rng.Chance(0.5) ? "F" : "M");
        }

        var firstYear = c.IsNlst ? rng.Between(1999, 2002) : rng.Between(1995, 2020);
        var first = new DateOnly(firstYear, 1, 1).AddDays(rng.Next(365));
        var age = c.IsNlst ? rng.Between(55, 74) : (int)Math.Clamp(Math.Round(60 + (13 * rng.Normal())), 18, 89);

        var ageKnown = rng.Chance(c.IsNlst ? 0.05 : 0.35);
        double? weight = rng.Chance(0.8) ? Math.Round(rng.Uniform(45, 120), 1) : null;
        double? height = rng.Chance(0.8) ? Math.Round(rng.Uniform(1.5, 1.95), 2) : null;
        return new Patient(id, sex, first, ageKnown ? age : null, weight, height);
    }

    private List<StagingRow> BuildStudy(Context c, Patient patient, DateOnly date, bool pathology)
    {
        var rng = c.Rng;
        var root = pathology ? c.PathologyRoot : c.UidRoot;
        var age = patient.AgeAtFirstStudy is int a ? $"{a + ((date.DayNumber - patient.FirstStudy.DayNumber) / 365):000}Y" : null;
        var main = pathology ? "SM" : c.Radiology[rng.PickWeighted(c.RadiologyWeights)];
        var study = new Study(
            root + rng.Digits(UidDigits(root)),
            rng.UuidV4(),
            date,
            age,
            rng.Chance(0.03) ? null : StudyDescription(c, main),
            root + rng.Digits(UidDigits(root)));

        var rows = new List<StagingRow>();
        var sources = new List<StagingRow>();
        foreach (var modality in AcquiredSeries(c, main))
        {
            var row = NewSeries(c, patient, study, modality, source: null, analysis: null);
            sources.Add(row);
            rows.Add(row);
        }

        foreach (var modality in c.Attached)
        {
            var fits = modality == "ANN" ? pathology : pathology == (c.Radiology.Count == 0);
            if (fits && rng.Chance(GenerationProfiles.AttachedModalityRates[modality]))
            {
                rows.Add(NewSeries(c, patient, study, modality, rng.Pick(sources), analysis: null));
            }
        }

        foreach (var (result, profile, coverage) in c.Analyses)
        {
            foreach (var source in sources)
            {
                if (!profile.SourceModalities.Contains((string)source["Modality"]!) || !rng.Chance(coverage))
                {
                    continue;
                }

                foreach (var output in profile.Outputs)
                {
                    if (!c.Info.Lists(output.Modality) || !rng.Chance(output.Probability))
                    {
                        continue;
                    }

                    var count = output.MaxCount > 1 ? rng.Between(1, output.MaxCount) : 1;
                    for (var k = 0; k < count; k++)
                    {
                        rows.Add(NewSeries(c, patient, study, output.Modality, source, (result, profile)));
                    }
                }
            }
        }

        return rows;
    }

    /// <summary>The acquired series of a study built around <paramref name="main"/>, with PET/CT companions.</summary>
    private static List<string> AcquiredSeries(Context c, string main)
    {
        var rng = c.Rng;
        var count = main switch
        {
            "CT" => 1 + rng.Poisson(c.IsNlst ? 1.6 : 2.0),
            "MR" => 2 + rng.Poisson(5.5),
            "SM" => 1 + rng.Poisson(c.SlidesPerStudy - 1),
            "MG" => 1 + rng.Poisson(1.5),
            "PT" => 1 + rng.Poisson(0.5),
            "US" => 1 + rng.Poisson(2),
            _ => 1 + rng.Poisson(0.4),
        };
        var list = Enumerable.Repeat(main, count).ToList();
        if (main == "CT" && c.Info.Lists("PT") && rng.Chance(0.4))
        {
            list.AddRange(Enumerable.Repeat("PT", 1 + rng.Poisson(0.3)));
        }
        else if (main == "PT" && c.Info.Lists("CT"))
        {
            list.AddRange(Enumerable.Repeat("CT", 1 + rng.Poisson(0.3)));
        }

        return list;
    }

    private StagingRow NewSeries(Context c, Patient patient, Study study, string modality, StagingRow? source, (AnalysisResultInfo Info, AnalysisProfile Profile)? analysis)
    {
        var rng = c.Rng;
        var profile = GenerationProfiles.Modalities[modality];
        var root = analysis is { } a ? c.AnalysisRoot(a.Info) : modality == "SM" ? c.PathologyRoot : c.UidRoot;
        var license = analysis?.Info.License ?? c.Info.License;
        // The bucket follows the series' own licence: a CC BY analysis of a CC BY-NC collection is open data.
        var bucket = license.IsNonCommercial ? reference.RestrictedBucket
            : c.Info.Bucket == reference.RestrictedBucket ? reference.DefaultBucket
            : c.Info.Bucket;
        var equipment = rng.Pick(profile.Equipment).Split('|');

        var r = WorkDatabase.Series.NewRow();
        r["ordinal"] = _ordinal++;
        r["collection_id"] = c.Info.Id;
        r["PatientID"] = patient.Id;
        r["StudyInstanceUID"] = study.Uid;
        r["SeriesInstanceUID"] = root + rng.Digits(UidDigits(root));
        r["uid_root"] = root;
        r["Modality"] = modality;
        r["SOPClassUID"] = reference.SopClassUid(profile.SopClass);
        r["StudyDate"] = study.Date;
        r["StudyDescription"] = study.Description;
        r["SeriesDescription"] = rng.Chance(0.05) ? null : analysis is { } d ? d.Profile.SeriesDescription : rng.Pick(profile.SeriesDescriptions);
        r["SeriesNumber"] = rng.Chance(0.012) ? null : (analysis is null ? ++study.SeriesCount : 1000 + ++study.DerivedCount).ToString(CultureInfo.InvariantCulture);
        r["BodyPartExamined"] = BodyPart(c, profile, source);
        r["PatientAge"] = study.PatientAge;
        r["PatientSex"] = patient.Sex;
        r["Program"] = c.Info.ProgramId;
        r["CancerType"] = c.Info.CancerTypes;
        r["tcia_tumorLocation"] = c.Info.TumorLocations;
        r["tcia_species"] = c.Info.Species;
        r["source_DOI"] = analysis?.Info.SourceDoi ?? (modality is "SM" or "ANN" ? c.Info.SourceDoi : c.Info.RadiologyDoi);
        r["analysis_results_id"] = analysis?.Info.Id;
        r["license_short_name"] = license.ShortName;
        r["gcs_bucket"] = bucket.Synthetic.Gcs;
        r["aws_bucket"] = bucket.Synthetic.Aws;
        r["crdc_study_uuid"] = study.CrdcUuid;
        r["crdc_series_uuid"] = rng.UuidV4();
        r["Manufacturer"] = rng.Chance(0.013) ? null : equipment[0];
        r["ManufacturerModelName"] = rng.Chance(0.025) ? null : equipment[1];
        r["ImageType"] = profile.ImageType;
        r["instance_count"] = profile.Instances(rng);
        r["size_bytes"] = (long)profile.InstanceBytes(rng);
        r["pyramid"] = modality == "SM" ? 1 : 0;
        r["gen_base"] = GenerationMicros(rng, c.Info.FirstVersion == ReferenceData.DumpVersion);
        r["first_version"] = c.Info.FirstVersion;
        r["removed_in_next"] = 0;

        switch (modality)
        {
            case "CT" or "FUSION":
                r["FrameOfReferenceUID"] = study.FrameOfReference;
                r["SliceThickness"] = rng.Pick(CtSliceThickness);
                r["min_PixelSpacing"] = Math.Round(rng.Uniform(0.5, 0.98), 4);
                r["SamplesPerPixel"] = 1;
                break;
            case "MR":
                r["FrameOfReferenceUID"] = study.FrameOfReference;
                r["SliceThickness"] = Math.Round(rng.Uniform(1, 6) * 2) / 2;
                r["min_PixelSpacing"] = Math.Round(rng.Uniform(0.3, 1.5), 4);
                r["SamplesPerPixel"] = 1;
                break;
            case "PT":
                r["FrameOfReferenceUID"] = study.FrameOfReference;
                r["SliceThickness"] = rng.Pick(PtSliceThickness);
                r["SamplesPerPixel"] = 1;
                r["PatientWeight"] = patient.Weight;
                r["PatientSize"] = patient.Height;
                break;
            case "SM":
                FillSlide(c, r);
                break;
            case "SEG":
                r["FrameOfReferenceUID"] = source?["FrameOfReferenceUID"];
                r["SamplesPerPixel"] = 1;
                FillSegmentation(c, r, source, analysis?.Profile);
                break;
            case "SR":
                FillMeasurements(c, r, source, study);
                break;
            case "RTSTRUCT" or "RTDOSE" or "REG":
                r["FrameOfReferenceUID"] = source?["FrameOfReferenceUID"];
                break;
            case "US" or "XC" or "OT" or "SC":
                r["SamplesPerPixel"] = 3;
                break;
            case "MG" or "CR" or "DX" or "NM" or "XA" or "RF":
                r["SamplesPerPixel"] = 1;
                break;
            default:
                break;
        }

        if (modality == "PT")
        {
            study.HasPet = true;
        }

        return r;
    }

    private static void FillSlide(Context c, StagingRow r)
    {
        var rng = c.Rng;
        var lens = rng.Chance(0.6) ? 20 : 40;
        var columns = (long)Math.Clamp(rng.LogNormal(80_000, 0.4), 5_000, 250_000);
        r["FrameOfReferenceUID"] = c.PathologyRoot + rng.Digits(UidDigits(c.PathologyRoot));
        r["illuminationType"] = "111744";
        r["primaryAnatomicStructure"] = c.Snomed;
        r["ObjectiveLensPower"] = lens;
        r["max_TotalPixelMatrixColumns"] = columns;
        r["max_TotalPixelMatrixRows"] = (long)(columns * rng.Uniform(0.5, 1.0));
        r["min_PixelSpacing"] = Math.Round((lens == 40 ? 0.00025 : 0.0005) * rng.Uniform(0.95, 1.05), 6);
        r["SamplesPerPixel"] = 3;
    }

    private static void FillSegmentation(Context c, StagingRow r, StagingRow? source, AnalysisProfile? profile)
    {
        var rng = c.Rng;
        var organs = profile?.AlgorithmName is "TotalSegmentator" or "BPR landmarks";
        var anatomical = organs || (c.Snomed is not null && rng.Chance(0.4) && (string?)source?["Modality"] != "SM");
        var type = organs ? rng.Pick(GenerationProfiles.OrganCodes)
            : anatomical ? c.Snomed!
            : rng.Pick(GenerationProfiles.LesionCodes);
        var algorithmType = profile?.AlgorithmType ?? rng.Pick(["MANUAL", "SEMIAUTOMATIC", "AUTOMATIC"]);
        r["SegmentNumber"] = organs ? rng.Between(1, 117) : rng.Between(1, 3);
        r["SegmentAlgorithmType"] = algorithmType;
        r["SegmentAlgorithmName"] = profile?.AlgorithmName ?? (algorithmType == "MANUAL" ? null : rng.Pick(["3D Slicer", "ITK-SNAP", "MONAI Label"]));
        r["SegmentedPropertyCategoryCodeSequence"] = anatomical ? GenerationProfiles.AnatomicalStructureCategory : GenerationProfiles.AbnormalStructureCategory;
        r["SegmentedPropertyTypeCodeSequence"] = type;
        r["AnatomicRegionSequence"] = c.Snomed ?? (anatomical ? type : null);
    }

    /// <summary>TID 1500 measurement reports: shape features always; PET and diffusion values when the study has them; LIDC reader characteristics for LIDC-IDRI.</summary>
    private static void FillMeasurements(Context c, StagingRow r, StagingRow? source, Study study)
    {
        var rng = c.Rng;
        var volume = rng.LogNormal(4_000, 1.6);
        var sphericity = rng.Uniform(0.4, 0.95);
        r["Volume"] = Math.Round(volume, 3);
        r["Diameter"] = Math.Round(2 * Math.Cbrt(3 * volume / (4 * Math.PI)) * rng.Uniform(0.9, 1.3), 2);
        r["Surface_area_of_mesh"] = Math.Round(4.836 * Math.Pow(volume, 2.0 / 3.0) / sphericity, 3);
        r["Volume_of_Mesh"] = Math.Round(volume * rng.Uniform(0.97, 1.03), 3);
        r["Sphericity_quant"] = Math.Round(sphericity, 4);
        if ((string?)source?["Modality"] == "MR")
        {
            r["Apparent_Diffusion_Coefficient"] = Math.Round(rng.Uniform(600, 2000), 1);
        }

        if (study.HasPet)
        {
            var suv = rng.Uniform(1.5, 20);
            r["SUVbw"] = Math.Round(suv, 3);
            r["Total_Lesion_Glycolysis"] = Math.Round(suv * 0.6 * volume / 1000, 3);
            r["Standardized_Added_Metabolic_Activity"] = Math.Round(suv * 0.4 * volume / 1000, 3);
            r["Standardized_Added_Metabolic_Activity_Background"] = Math.Round(rng.Uniform(0.5, 2.5), 3);
            var shares = Quarters(rng);
            string[] names = ["First", "Second", "Third", "Fourth"];
            for (var q = 0; q < 4; q++)
            {
                r[$"Percent_Within_{names[q]}_Quarter_of_Intensity_Range"] = Math.Round(shares[q] * 100, 2);
                r[$"Glycolysis_Within_{names[q]}_Quarter_of_Intensity_Range"] = Math.Round(shares[q] * suv * 0.6 * volume / 1000, 3);
            }
        }

        if (c.Info.Id == "lidc_idri")
        {
            foreach (var (column, values) in GenerationProfiles.LidcQualitative)
            {
                r[column] = rng.Pick(values);
            }
        }
    }

    private static double[] Quarters(SeededRandom rng)
    {
        double[] parts = [rng.Uniform(0.2, 1), rng.Uniform(0.1, 1), rng.Uniform(0.05, 1), rng.Uniform(0.01, 1)];
        var sum = parts.Sum();
        return [.. parts.Select(p => p / sum)];
    }

    private string? BodyPart(Context c, ModalityProfile profile, StagingRow? source)
    {
        var rng = c.Rng;
        if (profile.BodyPartNullRate >= 1 || rng.Chance(profile.BodyPartNullRate))
        {
            return null;
        }

        // A derived object records its source image's body part (data-model.md §3).
        if (source is not null)
        {
            return (string?)source["BodyPartExamined"];
        }

        return c.BodyPart is not null && rng.Chance(0.9)
            ? c.BodyPart
            : reference.BodyParts[rng.PickWeighted(_bodyPartWeights)].Value;
    }

    /// <summary>
    /// Decides, from a stream of its own, what the next release changes in this study. A revised study (IDC
    /// re-ingests study by study) gets new versions of most of its series; separately a rare series is dropped,
    /// but never the study's last acquired series, so every analysis result still sits beside its source data.
    /// Either change gives the study a new crdc_study_uuid, as IDC versions a study whose content changed.
    /// </summary>
    private static void ApplyNextReleaseChanges(Context c, List<StagingRow> rows)
    {
        if (c.Info.FirstVersion != ReferenceData.DumpVersion)
        {
            return;
        }

        var rng = c.Next;
        var changed = false;
        if (rng.Chance(StudyRevisionRate))
        {
            var first = rng.Next(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                if (i == first || rng.Chance(SeriesRevisionShare))
                {
                    rows[i]["next_crdc_series_uuid"] = rng.UuidV4();
                    rows[i]["next_gen_base"] = GenerationMicros(rng, baseRelease: false);
                }
            }

            changed = true;
        }
        else
        {
            var acquiredLeft = rows.Count(r => r["analysis_results_id"] is null);
            foreach (var row in rows)
            {
                var acquired = row["analysis_results_id"] is null;
                if (rng.Chance(RemovalRate) && (!acquired || acquiredLeft > 1))
                {
                    row["removed_in_next"] = 1;
                    acquiredLeft -= acquired ? 1 : 0;
                    changed = true;
                }
            }
        }

        if (changed)
        {
            var studyUuid = rng.UuidV4();
            foreach (var row in rows)
            {
                row["next_crdc_study_uuid"] = studyUuid;
            }
        }
    }

    private static string? StudyDescription(Context c, string main)
    {
        var rng = c.Rng;
        var part = c.BodyPart ?? "";
        return main switch
        {
            "SM" => "Histopathology",
            "CT" when c.IsNlst => "NLST screening CT",
            "CT" => $"CT {(part.Length > 0 ? part : "CHEST")} {rng.Pick(["W CONTRAST", "WO CONTRAST", "W/WO CONTRAST"])}",
            "MR" => $"MRI {(part.Length > 0 ? part : "BRAIN")} {rng.Pick(["W/WO CONTRAST", "WO CONTRAST", "MULTIPARAMETRIC"])}",
            "PT" => "PET/CT WHOLE BODY",
            "MG" => rng.Pick(["MAMMO SCREENING BILATERAL", "MAMMO DIAGNOSTIC"]),
            "CR" or "DX" => "XR CHEST",
            "US" => $"US {(part.Length > 0 ? part : "ABDOMEN")}",
            _ => main + " STUDY",
        };
    }

    /// <summary>GCS generation numbers are upload times in microseconds: before the base release, or in the months before the next.</summary>
    private static long GenerationMicros(SeededRandom rng, bool baseRelease)
    {
        var (from, to) = baseRelease ? (new DateOnly(2020, 10, 1), new DateOnly(2025, 10, 15)) : (new DateOnly(2026, 1, 5), new DateOnly(2026, 4, 15));
        var day = from.DayNumber + rng.Next(to.DayNumber - from.DayNumber);
        return ((day - Epoch.DayNumber) * 86_400_000_000L) + (long)(rng.NextDouble() * 86_400_000_000L);
    }

    private static int UidDigits(string root) => Math.Min(MaxUidSuffixDigits, MaxUidLength - root.Length);

    private sealed record Patient(string Id, string? Sex, DateOnly FirstStudy, int? AgeAtFirstStudy, double? Weight, double? Height);

    private sealed class Study(string uid, string crdcUuid, DateOnly date, string? patientAge, string? description, string frameOfReference)
    {
        public string Uid { get; } = uid;

        public string CrdcUuid { get; } = crdcUuid;

        public DateOnly Date { get; } = date;

        public string? PatientAge { get; } = patientAge;

        public string? Description { get; } = description;

        public string FrameOfReference { get; } = frameOfReference;

        public int SeriesCount { get; set; }

        public int DerivedCount { get; set; }

        public bool HasPet { get; set; }
    }

    /// <summary>Everything derived once per collection: its random streams, UID roots, modality plan and anatomy.</summary>
    private sealed class Context
    {
        public Context(ReferenceData reference, CollectionInfo info, int seed, int tcgaIndex)
        {
            Info = info;
            Rng = SeededRandom.ForStream(seed, "collection/" + info.Id);
            Next = SeededRandom.ForStream(seed, "next-release/" + info.Id);
            Tcga = SeededRandom.ForStream(seed, "tcga/" + info.Id);
            TcgaIndex = tcgaIndex;
            IsNlst = info.Id == "nlst";
            IsPhantom = info.Species == "Phantom" || info.CancerTypes.Contains("Phantom", StringComparison.OrdinalIgnoreCase);

            // UID roots seen in IDC (data-model.md §6): NLST's own, TCIA's per-site root, IDC's pathology
            // conversions, and IDC-produced (2.25 / 1.2.826…511.3) or dcmqi roots for analysis results.
            UidRoot = IsNlst ? "1.2.840.113654.2.55."
                : info.FirstVersion > ReferenceData.DumpVersion ? "2.25."
                : $"1.3.6.1.4.1.14519.5.2.1.{Rng.Between(1000, 9999)}.{Rng.Between(1000, 9999)}.";
            PathologyRoot = "1.3.6.1.4.1.5962.99.1.";

            var acquired = GenerationProfiles.AcquisitionModalities.Where(info.Lists).ToList();
            HasPathology = acquired.Contains("SM");
            Radiology = acquired.Where(m => m != "SM").ToList();
            RadiologyWeights = Radiology.Select(m => reference.ModalityShares.GetValueOrDefault(m, 0.5)).ToList();
            if (!HasPathology && Radiology.Count == 0)
            {
                // A collection listing only derived objects still needs images for them to derive from.
                Radiology = ["CT"];
                RadiologyWeights = [1.0];
            }

            Analyses = reference.AnalysisResults
                .Where(a => a.Collections.Contains(info.Id, StringComparer.Ordinal))
                .Select(a =>
                {
                    var profile = GenerationProfiles.AnalysisProfiles.GetValueOrDefault(a.Id, GenerationProfiles.DefaultAnalysisProfile);
                    return (a, profile, GenerationProfiles.Coverage(a.Id, info.Id, profile));
                })
                .ToList();
            var produced = Analyses.SelectMany(a => a.Profile.Outputs.Select(o => o.Modality)).ToHashSet(StringComparer.Ordinal);
            Attached = info.ImageTypes.Where(m => GenerationProfiles.AttachedModalityRates.ContainsKey(m) && !produced.Contains(m)).ToList();

            // TCGA and CPTAC are slide collections first: every case has slides, a minority has radiology.
            PathologyShare = IsNlst ? 0.05 : 1.0;
            RadiologyShare = info.ProgramId is "TCGA" or "CPTAC" ? 0.25 : 1.0;
            ExtraStudies = Radiology.SequenceEqual(["MG"]) ? 0.2 : 1.1;
            SlidesPerStudy = info.Id == "gtex" ? 26 : 2.0;

            var location = info.TumorLocations.ToLowerInvariant();
            var anatomy = GenerationProfiles.Anatomy.FirstOrDefault(x => location.Contains(x.Location, StringComparison.Ordinal));
            BodyPart = string.IsNullOrEmpty(anatomy.BodyPart) ? null : anatomy.BodyPart;
            Snomed = anatomy.Snomed;
            Sex = location switch
            {
                _ when location.Contains("prostate", StringComparison.Ordinal) || location.Contains("testic", StringComparison.Ordinal) => "M",
                _ when location.Contains("breast", StringComparison.Ordinal) || location.Contains("ovary", StringComparison.Ordinal)
                    || location.Contains("uter", StringComparison.Ordinal) || location.Contains("cervix", StringComparison.Ordinal) => "F",
                _ => null,
            };
        }

        public CollectionInfo Info { get; }

        public SeededRandom Rng { get; }

        public SeededRandom Next { get; }

        public SeededRandom Tcga { get; }

        public int TcgaIndex { get; }

        public bool IsNlst { get; }

        public bool IsPhantom { get; }

        public string UidRoot { get; }

        public string PathologyRoot { get; }

        public bool HasPathology { get; }

        public IReadOnlyList<string> Radiology { get; }

        public IReadOnlyList<double> RadiologyWeights { get; }

        public IReadOnlyList<string> Attached { get; }

        public IReadOnlyList<(AnalysisResultInfo Info, AnalysisProfile Profile, double Coverage)> Analyses { get; }

        public double PathologyShare { get; }

        public double RadiologyShare { get; }

        public double ExtraStudies { get; }

        public double SlidesPerStudy { get; }

        public string? BodyPart { get; }

        public string? Snomed { get; }

        public string? Sex { get; }

        /// <summary>IDC's own results use its 2.25/1.2.826 roots; TCIA-hosted results were made with dcmqi.</summary>
        public string AnalysisRoot(AnalysisResultInfo result) =>
            !result.SourceDoi.StartsWith("10.5281/", StringComparison.Ordinal) ? "1.2.276.0.7230010.3.1.4."
            : GenerationProfiles.AnalysisProfiles.GetValueOrDefault(result.Id)?.SourceModalities.SequenceEqual(["SM"]) == true ? "2.25."
            : "1.2.826.0.1.3680043.10.511.3.";
    }

    /// <summary>PatientIDs in each program's style, unique within the collection by construction.</summary>
    private sealed class PatientIds(Context c, int patients)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);
        private readonly int _width = Math.Max(4, ((patients * 2) + 1).ToString(CultureInfo.InvariantCulture).Length);
        private int _counter;

        public string Next()
        {
            var rng = c.Rng;
            var k = _counter++;
            if (c.IsNlst)
            {
                return (100_000 + (k * 4) + rng.Next(4)).ToString(CultureInfo.InvariantCulture);
            }

            if (c.Info.IsTcga)
            {
                // Each TCGA collection draws from its own tissue-source-site codes, so barcodes never collide
                // across collections (the clinical join is on the barcode alone).
                return Unique(() => $"TCGA-{TissueSourceSite(c.TcgaIndex, rng.Next(8))}-{Alphanumeric(rng, 4)}");
            }

            if (c.Info.ProgramId == "CPTAC")
            {
                return $"C3{(rng.Chance(0.5) ? 'L' : 'N')}-{(k * 3) + rng.Next(3) + 1:00000}";
            }

            if (c.Info.Id == "gtex")
            {
                return Unique(() => "GTEX-" + Alphanumeric(rng, rng.Between(4, 5)));
            }

            var prefix = c.Info.Name.ToUpperInvariant().Replace(' ', '-');
            return prefix + "-" + ((k * 2) + rng.Next(2) + 1).ToString("D" + _width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        /// <summary>The TSS codes 02, 03, … handed out eight per TCGA collection.</summary>
        public static string TissueSourceSite(int collectionIndex, int j)
        {
            var n = 2 + (collectionIndex * 8) + j;
            return $"{Alphanumerics[n / 36]}{Alphanumerics[n % 36]}";
        }

        private string Unique(Func<string> make)
        {
            while (true)
            {
                var id = make();
                if (_used.Add(id))
                {
                    return id;
                }
            }
        }

        private static string Alphanumeric(SeededRandom rng, int length) =>
            string.Create(length, rng, static (span, r) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = Alphanumerics[r.Next(Alphanumerics.Length)];
                }
            });
    }
}
