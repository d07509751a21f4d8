using System.Globalization;
using ImagingCommons.Data.Schema;
using ImagingCommons.Dicom;

namespace ImagingCommons.Data.Ingest;

/// <summary>
/// Maps one DICOM object to its dicom_pivot rows, with IDC's value formats: one row per instance, one per segment of a
/// SEG (SegmentNumber, algorithm and the code values of the segment's property category, type and anatomic region),
/// and for a TID 1500 measurement report one per measured segment (its quantitative and qualitative measurements).
/// Values are text in the import format (dates yyyy-MM-dd, lists joined by '\'), so that the release is typed and
/// checked by the same code as an imported table. A value that is not what its column holds (a date that does not
/// exist, a non-numeric DS) is left NULL rather than guessed.
/// </summary>
internal static class InstanceMapper
{
    /// <summary>The dicom_pivot columns, in schema order; a row is an array of this length.</summary>
    public static readonly IReadOnlyList<ColumnDef> Columns = IdcSchema.DicomPivot.Columns;

    private static readonly Dictionary<string, int> Index = Columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);

    // Identifying and descriptive attributes (PS3.6 tags).
    private static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    private static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);
    private static readonly DicomTag StudyDate = new(0x0008, 0x0020);
    private static readonly DicomTag Modality = new(0x0008, 0x0060);
    private static readonly DicomTag Manufacturer = new(0x0008, 0x0070);
    private static readonly DicomTag StudyDescription = new(0x0008, 0x1030);
    private static readonly DicomTag SeriesDescription = new(0x0008, 0x103E);
    private static readonly DicomTag ManufacturerModelName = new(0x0008, 0x1090);
    private static readonly DicomTag ImageType = new(0x0008, 0x0008);
    private static readonly DicomTag PatientId = new(0x0010, 0x0020);
    private static readonly DicomTag PatientSex = new(0x0010, 0x0040);
    private static readonly DicomTag PatientAge = new(0x0010, 0x1010);
    private static readonly DicomTag PatientSize = new(0x0010, 0x1020);
    private static readonly DicomTag PatientWeight = new(0x0010, 0x1030);
    private static readonly DicomTag MedicalAlerts = new(0x0010, 0x2000);
    private static readonly DicomTag Allergies = new(0x0010, 0x2110);
    private static readonly DicomTag EthnicGroup = new(0x0010, 0x2160);
    private static readonly DicomTag Occupation = new(0x0010, 0x2180);
    private static readonly DicomTag SmokingStatus = new(0x0010, 0x21A0);
    private static readonly DicomTag AdditionalPatientHistory = new(0x0010, 0x21B0);
    private static readonly DicomTag PregnancyStatus = new(0x0010, 0x21C0);
    private static readonly DicomTag LastMenstrualDate = new(0x0010, 0x21D0);
    private static readonly DicomTag PatientComments = new(0x0010, 0x4000);
    private static readonly DicomTag BodyPartExamined = new(0x0018, 0x0015);
    private static readonly DicomTag SliceThickness = new(0x0018, 0x0050);
    private static readonly DicomTag StudyInstanceUid = new(0x0020, 0x000D);
    private static readonly DicomTag SeriesInstanceUid = new(0x0020, 0x000E);
    private static readonly DicomTag SeriesNumber = new(0x0020, 0x0011);
    private static readonly DicomTag FrameOfReferenceUid = new(0x0020, 0x0052);
    private static readonly DicomTag SamplesPerPixel = new(0x0028, 0x0002);
    private static readonly DicomTag PixelSpacing = new(0x0028, 0x0030);
    private static readonly DicomTag ReasonForStudy = new(0x0032, 0x1030);
    private static readonly DicomTag RequestedProcedureComments = new(0x0040, 0x1400);

    // Slide microscopy.
    private static readonly DicomTag TotalPixelMatrixColumns = new(0x0048, 0x0006);
    private static readonly DicomTag TotalPixelMatrixRows = new(0x0048, 0x0007);
    private static readonly DicomTag OpticalPathSequence = new(0x0048, 0x0105);
    private static readonly DicomTag ObjectiveLensPower = new(0x0048, 0x0112);
    private static readonly DicomTag IlluminationTypeCodeSequence = new(0x0022, 0x0016);
    private static readonly DicomTag SpecimenDescriptionSequence = new(0x0040, 0x0560);
    private static readonly DicomTag PrimaryAnatomicStructureSequence = new(0x0008, 0x2228);
    private static readonly DicomTag SharedFunctionalGroupsSequence = new(0x5200, 0x9229);
    private static readonly DicomTag PixelMeasuresSequence = new(0x0028, 0x9110);

    // Codes.
    private static readonly DicomTag CodeValue = new(0x0008, 0x0100);
    private static readonly DicomTag CodeMeaning = new(0x0008, 0x0104);
    private static readonly DicomTag LongCodeValue = new(0x0008, 0x0119);
    private static readonly DicomTag UrnCodeValue = new(0x0008, 0x0120);

    // Segmentation.
    private static readonly DicomTag SegmentSequence = new(0x0062, 0x0002);
    private static readonly DicomTag SegmentedPropertyCategoryCodeSequence = new(0x0062, 0x0003);
    private static readonly DicomTag SegmentNumber = new(0x0062, 0x0004);
    private static readonly DicomTag SegmentAlgorithmType = new(0x0062, 0x0008);
    private static readonly DicomTag SegmentAlgorithmName = new(0x0062, 0x0009);
    private static readonly DicomTag SegmentedPropertyTypeCodeSequence = new(0x0062, 0x000F);
    private static readonly DicomTag AnatomicRegionSequence = new(0x0008, 0x2218);

    // Structured reports (TID 1500).
    private static readonly DicomTag ContentTemplateSequence = new(0x0040, 0xA504);
    private static readonly DicomTag TemplateIdentifier = new(0x0040, 0xDB00);
    private static readonly DicomTag ContentSequence = new(0x0040, 0xA730);
    private static readonly DicomTag ValueType = new(0x0040, 0xA040);
    private static readonly DicomTag ConceptNameCodeSequence = new(0x0040, 0xA043);
    private static readonly DicomTag ConceptCodeSequence = new(0x0040, 0xA168);
    private static readonly DicomTag MeasuredValueSequence = new(0x0040, 0xA300);
    private static readonly DicomTag NumericValue = new(0x0040, 0xA30A);
    private static readonly DicomTag ReferencedSopSequence = new(0x0008, 0x1199);
    private static readonly DicomTag ReferencedSegmentNumber = new(0x0062, 0x000B);

    private const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";
    private const string ImagingMeasurements = "126010";
    private const string MeasurementGroup = "125007";
    private const string ReferencedSegment = "121191";

    /// <summary>TID 1500 qualitative evaluations (CODE items) by concept name → column (the LIDC reader characteristics).</summary>
    private static readonly Dictionary<string, string> Qualitative = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Internal structure"] = "Internal_structure",
        ["Sphericity"] = "Sphericity",
        ["Calcification"] = "Calcification",
        ["Lobular Pattern"] = "Lobular_Pattern",
        ["Spiculation"] = "Spiculation",
        ["Margin"] = "Margin",
        ["Texture"] = "Texture",
        ["Subtlety score"] = "Subtlety_score",
        ["Malignancy"] = "Malignancy",
    };

    public static int Ordinal(string column) => Index[column];

    /// <summary>The identifiers an instance must have, with the tag to name when one is missing.</summary>
    public static string? MissingIdentifier(DicomDataset dataset)
    {
        foreach (var (tag, name) in new[] { (PatientId, "PatientID"), (StudyInstanceUid, "StudyInstanceUID"), (SeriesInstanceUid, "SeriesInstanceUID"), (SopInstanceUid, "SOPInstanceUID") })
        {
            if (string.IsNullOrWhiteSpace(dataset.String(tag)))
            {
                return $"no {name} {tag}; every instance needs a patient, study, series and instance identifier";
            }
        }

        return null;
    }

    public static string SopInstanceUidOf(DicomDataset dataset) => dataset.String(SopInstanceUid)!;

    /// <summary>The file's rows (at least one). <paramref name="common"/> supplies the columns that come from the ingest, not the file.</summary>
    public static List<string?[]> Map(DicomFile file, Action<string?[]> common)
    {
        var d = file.Dataset;
        var row = new string?[Columns.Count];
        Set(row, "PatientID", d.String(PatientId));
        Set(row, "StudyInstanceUID", d.String(StudyInstanceUid));
        Set(row, "SeriesInstanceUID", d.String(SeriesInstanceUid));
        Set(row, "SOPInstanceUID", d.String(SopInstanceUid));
        Set(row, "SOPClassUID", d.String(SopClassUid));
        Set(row, "Modality", d.String(Modality));
        Set(row, "StudyDate", Date(d.String(StudyDate)));
        Set(row, "StudyDescription", d.String(StudyDescription));
        Set(row, "SeriesDescription", d.String(SeriesDescription));
        Set(row, "SeriesNumber", d.String(SeriesNumber));
        Set(row, "BodyPartExamined", d.String(BodyPartExamined));
        Set(row, "Manufacturer", d.String(Manufacturer));
        Set(row, "ManufacturerModelName", d.String(ManufacturerModelName));
        Set(row, "SliceThickness", Float(d.Find(SliceThickness)));
        Set(row, "FrameOfReferenceUID", d.String(FrameOfReferenceUid));
        Set(row, "ImageType", List(d.Strings(ImageType)));
        Set(row, "PatientAge", d.String(PatientAge));
        Set(row, "PatientSex", d.String(PatientSex));
        Set(row, "PatientSize", Float(d.Find(PatientSize)));
        Set(row, "PatientWeight", Float(d.Find(PatientWeight)));
        Set(row, "EthnicGroup", d.String(EthnicGroup));
        Set(row, "Occupation", d.String(Occupation));
        Set(row, "AdditionalPatientHistory", d.String(AdditionalPatientHistory));
        Set(row, "PatientComments", d.String(PatientComments));
        Set(row, "SmokingStatus", d.String(SmokingStatus));
        Set(row, "PregnancyStatus", Integer(d.Find(PregnancyStatus)));
        Set(row, "LastMenstrualDate", Date(d.String(LastMenstrualDate)));
        Set(row, "Allergies", List(d.Strings(Allergies)));
        Set(row, "MedicalAlerts", List(d.Strings(MedicalAlerts)));
        Set(row, "ReasonForStudy", d.String(ReasonForStudy));
        Set(row, "RequestedProcedureComments", d.String(RequestedProcedureComments));
        Set(row, "SamplesPerPixel", Integer(d.Find(SamplesPerPixel)));
        MapSlide(d, row);
        common(row);

        if (d.String(SopClassUid) == SegmentationStorage && d.Items(SegmentSequence) is { Count: > 0 } segments)
        {
            return [.. segments.Select(segment => Segment(row, segment))];
        }

        if (IsMeasurementReport(d))
        {
            var measured = Measurements(row, d);
            if (measured.Count > 0)
            {
                return measured;
            }
        }

        return [row];
    }

    private static void MapSlide(DicomDataset d, string?[] row)
    {
        Set(row, "max_TotalPixelMatrixColumns", Integer(d.Find(TotalPixelMatrixColumns)));
        Set(row, "max_TotalPixelMatrixRows", Integer(d.Find(TotalPixelMatrixRows)));
        var opticalPath = d.Items(OpticalPathSequence).FirstOrDefault();
        if (opticalPath is not null)
        {
            Set(row, "ObjectiveLensPower", WholeNumber(opticalPath.Find(ObjectiveLensPower)));
            Set(row, "illuminationType", Code(opticalPath.Items(IlluminationTypeCodeSequence).FirstOrDefault()));
        }

        var specimen = d.Items(SpecimenDescriptionSequence).FirstOrDefault();
        if (specimen is not null)
        {
            Set(row, "primaryAnatomicStructure", Code(specimen.Items(PrimaryAnatomicStructureSequence).FirstOrDefault()));
        }

        var spacing = d.Items(SharedFunctionalGroupsSequence).FirstOrDefault()?.Items(PixelMeasuresSequence).FirstOrDefault()?.Find(PixelSpacing)
            ?? d.Find(PixelSpacing);
        if (spacing is not null)
        {
            var values = spacing.Strings()
                .Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : (double?)null)
                .OfType<double>()
                .ToList();
            if (values.Count > 0 && d.String(Modality) == "SM")
            {
                Set(row, "min_PixelSpacing", values.Min().ToString("R", CultureInfo.InvariantCulture));
            }
        }
    }

    private static string?[] Segment(string?[] instance, DicomDataset segment)
    {
        var row = (string?[])instance.Clone();
        Set(row, "SegmentNumber", Integer(segment.Find(SegmentNumber)));
        Set(row, "SegmentAlgorithmType", segment.String(SegmentAlgorithmType));
        Set(row, "SegmentAlgorithmName", segment.String(SegmentAlgorithmName));
        Set(row, "SegmentedPropertyCategoryCodeSequence", Code(segment.Items(SegmentedPropertyCategoryCodeSequence).FirstOrDefault()));
        Set(row, "SegmentedPropertyTypeCodeSequence", Code(segment.Items(SegmentedPropertyTypeCodeSequence).FirstOrDefault()));
        Set(row, "AnatomicRegionSequence", Code(segment.Items(AnatomicRegionSequence).FirstOrDefault()));
        return row;
    }

    private static bool IsMeasurementReport(DicomDataset d) =>
        d.String(SopClassUid)?.StartsWith("1.2.840.10008.5.1.4.1.1.88.", StringComparison.Ordinal) == true
        && d.Items(ContentTemplateSequence).Any(t => t.String(TemplateIdentifier) == "1500");

    /// <summary>
    /// TID 1500: Imaging Measurements (126010) → Measurement Group (125007) containers. Each group's NUM items fill the
    /// float column named after the concept (spaces as '_'; the numeric "Sphericity" is Sphericity_quant), its CODE
    /// items the LIDC characteristics (the value's code meaning), and its Referenced Segment (121191) the SegmentNumber.
    /// One row per referenced segment; groups with the same segment (or none) fill one row, the first value winning.
    /// </summary>
    private static List<string?[]> Measurements(string?[] instance, DicomDataset d)
    {
        var rows = new List<(string? Segment, string?[] Row)>();
        var containers = d.Items(ContentSequence).Where(i => ConceptCode(i) == ImagingMeasurements);
        foreach (var group in containers.SelectMany(c => c.Items(ContentSequence)).Where(i => ConceptCode(i) == MeasurementGroup))
        {
            var items = group.Items(ContentSequence);
            var segment = items.Where(i => ConceptCode(i) == ReferencedSegment)
                .Select(i => Integer(i.Items(ReferencedSopSequence).FirstOrDefault()?.Find(ReferencedSegmentNumber)))
                .FirstOrDefault();
            var entry = rows.FirstOrDefault(r => r.Segment == segment);
            if (entry.Row is null)
            {
                entry = (segment, (string?[])instance.Clone());
                Set(entry.Row, "SegmentNumber", segment);
                rows.Add(entry);
            }

            foreach (var item in items)
            {
                var concept = item.Items(ConceptNameCodeSequence).FirstOrDefault()?.String(CodeMeaning);
                if (concept is null)
                {
                    continue;
                }

                var type = item.String(ValueType);
                if (type == "NUM")
                {
                    var column = concept.Equals("Sphericity", StringComparison.OrdinalIgnoreCase) ? "Sphericity_quant" : concept.Replace(' ', '_');
                    var def = Columns.FirstOrDefault(c => c.Type == ColumnType.Float && c.Name.Equals(column, StringComparison.OrdinalIgnoreCase));
                    var value = Float(item.Items(MeasuredValueSequence).FirstOrDefault()?.Find(NumericValue));
                    if (def is not null && value is not null && entry.Row[Index[def.Name]] is null)
                    {
                        entry.Row[Index[def.Name]] = value;
                    }
                }
                else if (type == "CODE" && Qualitative.TryGetValue(concept, out var column) && entry.Row[Index[column]] is null)
                {
                    entry.Row[Index[column]] = item.Items(ConceptCodeSequence).FirstOrDefault()?.String(CodeMeaning);
                }
            }
        }

        return [.. rows.Select(r => r.Row)];
    }

    private static string? ConceptCode(DicomDataset item) => Code(item.Items(ConceptNameCodeSequence).FirstOrDefault());

    /// <summary>A code item's value as IDC's pivot shows coded attributes: its CodeValue (or long/URN code value).</summary>
    private static string? Code(DicomDataset? item) =>
        item is null ? null : item.String(CodeValue) ?? item.String(LongCodeValue) ?? item.String(UrnCodeValue);

    private static void Set(string?[] row, string column, string? value) => row[Index[column]] = value;

    /// <summary>DA (yyyyMMdd, or the ACR-NEMA yyyy.MM.dd) as yyyy-MM-dd; NULL when it is not a real date.</summary>
    internal static string? Date(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var digits = value.Length == 10 && value[4] == '.' && value[7] == '.' ? value.Replace(".", "", StringComparison.Ordinal) : value;
        return DateOnly.TryParseExact(digits, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
    }

    private static string? Float(DicomElement? element) =>
        element?.Double() is { } value ? value.ToString("R", CultureInfo.InvariantCulture) : null;

    private static string? Integer(DicomElement? element) =>
        element?.Integer() is { } value ? value.ToString(CultureInfo.InvariantCulture) : null;

    private static string? WholeNumber(DicomElement? element) =>
        element?.Double() is { } value && value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : null;

    private static string? List(IReadOnlyList<string> values) =>
        values.Count == 0 || values.All(v => v.Length == 0) ? null : string.Join('\\', values);
}
