namespace ImagingCommons.Data.Synthetic;

/// <summary>How one modality's series look: object class, size, counts and descriptive values.</summary>
internal sealed record ModalityProfile(
    string Modality,
    string SopClass,
    Func<SeededRandom, int> Instances,
    Func<SeededRandom, double> InstanceBytes,
    double BodyPartNullRate,
    string[] Equipment,
    string[] SeriesDescriptions,
    string[]? ImageType);

/// <summary>One kind of derived series an analysis result adds for a covered source series.</summary>
internal sealed record AnalysisOutput(string Modality, double Probability, int MaxCount = 1);

/// <summary>What an analysis result produces and from which source series.</summary>
internal sealed record AnalysisProfile(
    string[] SourceModalities,
    AnalysisOutput[] Outputs,
    double Coverage,
    string AlgorithmType,
    string? AlgorithmName,
    string SeriesDescription);

/// <summary>
/// The numbers behind the generator. Anchored on data-model.md §5–6 and the compiled tables (modality shares,
/// hierarchy ratios, v20 body parts); where the sources give only a range, the value chosen is an engineering
/// estimate, tuned so that scale 1 lands near IDC v24's totals (docs/generator.md shows the measured result).
/// </summary>
internal static class GenerationProfiles
{
    /// <summary>Modalities that are acquired from the patient; a study is built around one of them.</summary>
    public static readonly string[] AcquisitionModalities = ["CT", "MR", "PT", "SM", "MG", "CR", "DX", "US", "NM", "XA", "RF", "XC"];

    /// <summary>
    /// Derived or auxiliary objects that a collection's own curators supplied (not an analysis result): chance
    /// that a study of a collection listing the modality carries one.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, double> AttachedModalityRates = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["SEG"] = 0.6,
        ["RTSTRUCT"] = 0.6,
        ["SR"] = 0.4,
        ["ANN"] = 0.5,
        ["PR"] = 0.3,
        ["KO"] = 0.3,
        ["REG"] = 0.3,
        ["RWV"] = 0.5,
        ["RTDOSE"] = 0.5,
        ["RTPLAN"] = 0.5,
        ["M3D"] = 0.5,
        ["OT"] = 0.2,
        ["SC"] = 0.2,
        ["FUSION"] = 0.3,
    };

    /// <summary>
    /// The ten collections new in v24 that etl_flow describes come without a subject count or modality list.
    /// Estimates: v24 added ~6,000 patients over 16 collections (data-model.md §5); the pathology conversions
    /// hold SM (plus annotations where SupportingData says Image Analyses), the mouse PET/CT study CT and PT.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (int Subjects, IReadOnlyList<string> ImageTypes)> NewCollectionEstimates =
        new Dictionary<string, (int, IReadOnlyList<string>)>(StringComparer.Ordinal)
        {
            ["cgci_htmcp_dlbcl"] = (120, ["SM"]),
            ["pdxnet"] = (1800, ["SM", "ANN"]),
            ["cgci_blgsp"] = (110, ["SM"]),
            ["uw_cirp_mouse_pet_ct_nsclc"] = (40, ["CT", "PT", "SEG"]),
            ["cgci_htmcp_cc"] = (250, ["SM"]),
            ["catch"] = (350, ["SM", "ANN"]),
            ["htan_tnp_sardana"] = (20, ["SM"]),
            ["hcmi_cmdc"] = (900, ["SM"]),
            ["cgci_htmcp_lc"] = (90, ["SM"]),
            ["cddp_eagle_1"] = (1050, ["SM"]),
        };

    /// <summary>
    /// analysis_results_v23.csv names no collection for DICOM-SR-Breast-Clinical (clinical data of breast
    /// collections as SR); these are the v23 breast collections that list SR and Clinical supporting data.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> InferredAnalysisCollections = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["DICOM-SR-Breast-Clinical"] = ["breast_diagnosis", "breast_mri_nact_pilot", "ispy1"],
    };

    /// <summary>
    /// What each analysis result adds. Output modalities follow the analysed collections' image_types (an output a
    /// collection does not list is never emitted); coverage is the chance that a source series is analysed,
    /// sized so that NLST's TotalSegmentator and BPR results make ~43 % of all series analysis results, as in v22.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, AnalysisProfile> AnalysisProfiles = new Dictionary<string, AnalysisProfile>(StringComparer.Ordinal)
    {
        ["TotalSegmentator-CT-Segmentations"] = new(["CT"], [new("SEG", 1.0), new("SR", 1.0)], 0.6, "AUTOMATIC", "TotalSegmentator", "TotalSegmentator segmentations"),
        ["nnU-Net-BPR-annotations"] = new(["CT"], [new("SR", 1.0), new("SEG", 0.15)], 0.65, "AUTOMATIC", "BPR landmarks", "Body part regression"),
        ["NLSTSeg"] = new(["CT"], [new("SEG", 1.0), new("SR", 1.0)], 0.01, "MANUAL", null, "Tumor segmentation"),
        ["NLST-Sybil"] = new(["CT"], [new("SR", 1.0)], 0.02, "MANUAL", null, "Tumor bounding boxes"),
        ["BAMF-AIMI-Annotations"] = new(["CT", "MR", "PT"], [new("SEG", 1.0)], 0.2, "AUTOMATIC", "BAMF nnU-Net", "AIMI annotations"),
        ["DICOM-LIDC-IDRI-Nodules"] = new(["CT"], [new("SEG", 1.0, 3), new("SR", 1.0, 3)], 0.6, "MANUAL", null, "Nodule annotation"),
        ["Lung-PET-CT-Dx-Annotations"] = new(["CT"], [new("SEG", 1.0), new("SR", 0.5)], 0.6, "MANUAL", null, "Tumor annotation"),
        ["Pan-Cancer-Nuclei-Seg-DICOM"] = new(["SM"], [new("ANN", 1.0)], 0.35, "AUTOMATIC", "Pan-Cancer nuclei segmentation", "Nuclei segmentation"),
        ["TCGA-SBU-TIL-Maps"] = new(["SM"], [new("SEG", 1.0)], 0.3, "AUTOMATIC", "SBU TIL classifier", "TIL map"),
        ["TCGA-GBM360"] = new(["SM"], [new("SEG", 1.0)], 0.2, "AUTOMATIC", "GBM360", "Aggressiveness map"),
        ["Pancreas-CT-SEG"] = new(["CT"], [new("SEG", 1.0)], 0.9, "MANUAL", null, "Pancreas segmentation"),
        ["Prostate-MRI-US-Biopsy-DICOM-Annotations"] = new(["MR"], [new("SEG", 1.0)], 0.3, "SEMIAUTOMATIC", "UroNav", "Prostate and target segmentation"),
        ["PROSTATEx-Seg-HiRes"] = new(["MR"], [new("SEG", 1.0)], 0.06, "AUTOMATIC", "CNN", "Prostate segmentation"),
        ["PROSTATEx-Seg-Zones"] = new(["MR"], [new("SEG", 1.0)], 0.08, "MANUAL", null, "Zonal segmentation"),
        ["PROSTATEx-Targets"] = new(["MR"], [new("SR", 1.0)], 0.15, "MANUAL", null, "Lesion targets"),
        ["QIBA-VolCT-1B"] = new(["CT"], [new("SEG", 1.0), new("SR", 1.0)], 0.3, "SEMIAUTOMATIC", "QIBA volumetry", "Nodule volume"),
        ["QIN-LungCT-Seg"] = new(["CT"], [new("SEG", 1.0)], 0.8, "SEMIAUTOMATIC", "3D Slicer", "Lung tumor segmentation"),
        ["RIDER-LungCT-Seg"] = new(["CT"], [new("SEG", 1.0), new("SR", 1.0)], 0.5, "SEMIAUTOMATIC", "3D Slicer", "Lung tumor segmentation"),
        ["RMS-Mutation-Prediction-Expert-Annotations"] = new(["SM"], [new("SEG", 1.0), new("ANN", 1.0)], 0.6, "MANUAL", null, "Tissue type annotation"),
        ["CPTAC-CCRCC-Tumor-Annotations"] = new(["CT", "MR"], [new("RTSTRUCT", 1.0), new("SEG", 0.5)], 0.4, "MANUAL", null, "Tumor annotation"),
        ["CPTAC-PDA-Tumor-Annotations"] = new(["CT", "MR"], [new("RTSTRUCT", 1.0), new("SEG", 0.5)], 0.4, "MANUAL", null, "Tumor annotation"),
        ["CPTAC-UCEC-Tumor-Annotations"] = new(["CT", "MR"], [new("RTSTRUCT", 1.0), new("SEG", 0.5)], 0.4, "MANUAL", null, "Tumor annotation"),
        ["DICOM-SR-Breast-Clinical"] = new(["MR", "MG", "CT"], [new("SR", 1.0)], 0.3, "MANUAL", null, "Clinical data"),
    };

    /// <summary>Used for an analysis result that a later metadata file adds and the table above does not know.</summary>
    public static readonly AnalysisProfile DefaultAnalysisProfile =
        new(["CT", "MR", "PT", "SM"], [new("SEG", 1.0)], 0.3, "AUTOMATIC", null, "Segmentation");

    /// <summary>Override of an analysis result's coverage in one collection (BAMF analysed only a sliver of NLST).</summary>
    public static double Coverage(string analysisResultId, string collectionId, AnalysisProfile profile) =>
        (analysisResultId, collectionId) switch
        {
            ("BAMF-AIMI-Annotations", "nlst") => 0.004,
            _ => profile.Coverage,
        };

    private static readonly string[] CtDescriptions =
        ["CHEST W/O CONTRAST", "1.25mm STD", "LUNG 1.25mm", "Recon 2: CHEST", "AXIAL 5mm", "ABD/PELVIS W CONTRAST", "0.625mm BONE", "SOFT TISSUE 2.5mm"];

    public static readonly IReadOnlyDictionary<string, ModalityProfile> Modalities = new ModalityProfile[]
    {
        new("CT", "CT Image Storage",
            r => r.Chance(0.08) ? r.Between(1, 3) : Clamp(r.LogNormal(130, 0.45), 20, 1200), r => 527_000 * r.Uniform(0.97, 1.03), 0.2,
            ["SIEMENS|Sensation 16", "SIEMENS|SOMATOM Definition AS", "GE MEDICAL SYSTEMS|LightSpeed16", "GE MEDICAL SYSTEMS|LightSpeed VCT", "Philips|Brilliance 64", "TOSHIBA|Aquilion"],
            CtDescriptions, ["ORIGINAL", "PRIMARY", "AXIAL"]),
        new("MR", "MR Image Storage",
            r => Clamp(r.LogNormal(60, 0.8), 1, 1500), r => Clamp(r.LogNormal(300_000, 0.6), 40_000, 2_000_000), 0.3,
            ["SIEMENS|Avanto", "SIEMENS|Skyra", "GE MEDICAL SYSTEMS|SIGNA HDxt", "GE MEDICAL SYSTEMS|DISCOVERY MR750", "Philips Medical Systems|Achieva", "Philips Medical Systems|Ingenia"],
            ["T1 AX POST", "T2 SAG FSE", "AX DWI b800", "ADC", "DCE dynamic", "t2_tse_tra", "ep2d_diff_tra", "T1 MPRAGE", "FLAIR AX"],
            ["ORIGINAL", "PRIMARY", "M", "ND"]),
        new("PT", "Positron Emission Tomography Image Storage",
            r => Clamp(r.LogNormal(250, 0.35), 47, 900), r => Clamp(r.LogNormal(65_000, 0.3), 30_000, 100_000), 0.3,
            ["CPS|1023", "CTI|HR+", "GE MEDICAL SYSTEMS|Discovery STE", "SIEMENS|Biograph 40"],
            ["PET WB AC", "PET AC 3D", "WB NAC"], ["ORIGINAL", "PRIMARY"]),
        new("SM", "VL Whole Slide Microscopy Image Storage",
            r => 1 + r.Poisson(9), r => Clamp(r.LogNormal(500e6, 1.0), 20e6, 2e9), 1.0,
            ["Aperio|ScanScope", "Leica Biosystems|Aperio GT 450", "Hamamatsu|NanoZoomer 2.0-HT", "3DHISTECH|Pannoramic 250"],
            ["Slide image", "H&E", "whole slide image"], ["ORIGINAL", "PRIMARY", "VOLUME", "NONE"]),
        new("MG", "Digital Mammography X-Ray Image Storage - For Presentation",
            r => 1 + r.Poisson(0.2), r => Clamp(r.LogNormal(25e6, 0.5), 8e6, 120e6), 0.1,
            ["HOLOGIC, Inc.|Selenia Dimensions", "GE MEDICAL SYSTEMS|Senographe Essential", "FUJIFILM Corporation|AMULET"],
            ["L CC", "R CC", "L MLO", "R MLO"], ["ORIGINAL", "PRIMARY"]),
        new("CR", "Computed Radiography Image Storage",
            r => 1 + r.Poisson(0.15), r => Clamp(r.LogNormal(9e6, 0.4), 3e6, 20e6), 0.3,
            ["FUJIFILM Corporation|FCR", "KODAK|CR 850", "Agfa|CR 35"], ["CHEST PA", "CHEST AP", "Chest Lateral", "PORTABLE CHEST"], ["ORIGINAL", "PRIMARY"]),
        new("DX", "Digital X-Ray Image Storage - For Presentation",
            r => 1 + r.Poisson(0.15), r => Clamp(r.LogNormal(12e6, 0.4), 4e6, 25e6), 0.3,
            ["GE MEDICAL SYSTEMS|Definium 8000", "Philips|DigitalDiagnost", "Carestream Health|DRX-1"], ["CHEST PA", "CHEST AP", "PORTABLE CHEST"], ["ORIGINAL", "PRIMARY"]),
        new("US", "Ultrasound Multi-frame Image Storage",
            r => 1 + r.Poisson(6), r => Clamp(r.LogNormal(1.2e6, 1.0), 100e3, 50e6), 0.5,
            ["Philips|iU22", "GE Healthcare|LOGIQ E9", "SIEMENS|ACUSON S2000"], ["Liver", "Abdomen", "TRUS", "Breast"], ["ORIGINAL", "PRIMARY"]),
        new("NM", "Nuclear Medicine Image Storage",
            r => 1 + r.Poisson(0.5), r => Clamp(r.LogNormal(4e6, 0.8), 1e6, 20e6), 0.4,
            ["GE MEDICAL SYSTEMS|Infinia", "SIEMENS|Symbia"], ["Bone scan WB", "SPECT"], ["ORIGINAL", "PRIMARY"]),
        new("XA", "X-Ray Angiographic Image Storage",
            r => 1 + r.Poisson(25), r => Clamp(r.LogNormal(1e6, 0.5), 200e3, 5e6), 0.4,
            ["SIEMENS|AXIOM-Artis", "Philips|Allura Xper"], ["Angiography"], ["ORIGINAL", "PRIMARY", "SINGLE PLANE"]),
        new("RF", "X-Ray Radiofluoroscopic Image Storage",
            r => 1 + r.Poisson(25), r => Clamp(r.LogNormal(1e6, 0.5), 200e3, 5e6), 0.4,
            ["SIEMENS|AXIOM-Artis", "Philips|Allura Xper"], ["Fluoroscopy"], ["ORIGINAL", "PRIMARY"]),
        new("XC", "Secondary Capture Image Storage",
            r => 1 + r.Poisson(3), r => Clamp(r.LogNormal(2e6, 0.5), 300e3, 10e6), 1.0, ["Canon|EOS"], ["Photograph"], ["ORIGINAL", "PRIMARY"]),
        new("SEG", "Segmentation Storage",
            _ => 1, r => Clamp(r.LogNormal(3e6, 1.6), 50e3, 250e6), 0.25,
            ["QIICR|dcmqi", "highdicom|highdicom"], ["Segmentation", "Tumor segmentation", "Organ segmentation"], ["DERIVED", "PRIMARY"]),
        new("SR", "Comprehensive 3D SR Storage",
            _ => 1, r => Clamp(r.LogNormal(15e3, 0.6), 5e3, 50e3), 0.6,
            ["QIICR|dcmqi", "highdicom|highdicom"], ["Measurements", "Radiomics features", "Findings"], null),
        new("ANN", "Microscopy Bulk Simple Annotations Storage",
            _ => 1, r => Clamp(r.LogNormal(20e6, 1.4), 100e3, 500e6), 1.0, ["highdicom|highdicom"], ["Annotations", "Nuclei annotations"], null),
        new("RTSTRUCT", "RT Structure Set Storage",
            _ => 1, r => Clamp(r.LogNormal(1e6, 1.0), 100e3, 5e6), 0.5,
            ["Varian Medical Systems|ARIA RadOnc", "Philips|Pinnacle3", "Elekta|Monaco"], ["RTSTRUCT", "ROI", "Contours"], null),
        new("RTDOSE", "RT Dose Storage", _ => 1, r => Clamp(r.LogNormal(8e6, 0.8), 1e6, 50e6), 0.6, ["Varian Medical Systems|Eclipse"], ["RT Dose"], null),
        new("RTPLAN", "RT Plan Storage", _ => 1, r => Clamp(r.LogNormal(150e3, 0.5), 20e3, 1e6), 0.6, ["Varian Medical Systems|Eclipse"], ["RT Plan"], null),
        new("REG", "Spatial Registration Storage", _ => 1, r => Clamp(r.LogNormal(40e3, 0.5), 5e3, 1e6), 0.6, ["MIM Software Inc.|MIM"], ["Registration"], null),
        new("RWV", "Real World Value Mapping Storage", _ => 1, r => Clamp(r.LogNormal(20e3, 0.4), 5e3, 100e3), 0.6, ["GE MEDICAL SYSTEMS|Discovery STE"], ["RWV"], null),
        new("PR", "Grayscale Softcopy Presentation State Storage", _ => 1, r => Clamp(r.LogNormal(30e3, 0.5), 5e3, 100e3), 0.6, ["QIICR|dcmqi"], ["Presentation State"], null),
        new("KO", "Key Object Selection Document Storage", _ => 1, r => Clamp(r.LogNormal(8e3, 0.4), 2e3, 100e3), 0.6, ["KO|KO"], ["Key Objects"], null),
        new("M3D", "Encapsulated STL Storage", _ => 1, r => Clamp(r.LogNormal(2e6, 0.6), 200e3, 10e6), 0.6, ["UroNav|UroNav"], ["Prostate 3D model"], null),
        new("OT", "Secondary Capture Image Storage", r => 1 + r.Poisson(2), r => Clamp(r.LogNormal(600e3, 1.0), 50e3, 5e6), 0.6, ["OT|OT"], ["Secondary capture"], ["DERIVED", "SECONDARY"]),
        new("SC", "Secondary Capture Image Storage", r => 1 + r.Poisson(2), r => Clamp(r.LogNormal(600e3, 1.0), 50e3, 5e6), 0.6, ["SC|SC"], ["Screen capture"], ["DERIVED", "SECONDARY"]),
        new("FUSION", "Secondary Capture Image Storage", r => Clamp(r.LogNormal(80, 0.5), 10, 400), r => 527_000 * r.Uniform(0.97, 1.03), 0.6, ["FUSION|FUSION"], ["Fused image"], ["DERIVED", "SECONDARY"]),
    }.ToDictionary(p => p.Modality, StringComparer.Ordinal);

    /// <summary>
    /// The body part most series of a collection carry, from its tumour location (first match wins), plus the
    /// SNOMED CT concept that SM specimens and SEG regions use for it. Locations not listed fall back to the
    /// v20 body-part distribution.
    /// </summary>
    public static readonly (string Location, string BodyPart, string Snomed)[] Anatomy =
    [
        ("lung phantom", "PHANTOM", "39607008"), ("liver phantom", "PHANTOM", "10200004"), ("brain phantom", "PHANTOM", "12738006"),
        ("phantom", "PHANTOM", "39607008"), ("head-neck", "HEADNECK", "774007"), ("chest-abdomen-pelvis", "CHESTABDPELVIS", "416775004"),
        ("lung", "CHEST", "39607008"), ("chest", "CHEST", "51185008"), ("breast", "BREAST", "76752008"), ("prostate", "PROSTATE", "41216001"),
        ("colon", "COLON", "71854001"), ("rectum", "RECTUM", "34402009"), ("kidney", "KIDNEY", "64033007"), ("liver", "LIVER", "10200004"),
        ("brain", "BRAIN", "12738006"), ("head", "HEAD", "69536005"), ("pancreas", "PANCREAS", "15776009"), ("bladder", "BLADDER", "89837001"),
        ("ovary", "OVARY", "15497006"), ("uterus", "UTERUS", "35039007"), ("cervix", "CERVIX", "71252005"), ("stomach", "STOMACH", "69695003"),
        ("esophagus", "ESOPHAGUS", "32849002"), ("adrenal", "ADRENAL", "23451007"), ("abdomen", "ABDOMEN", "113345001"),
        ("pelvis", "PELVIS", "12921003"), ("whole body", "WHOLEBODY", "38266002"), ("thyroid", "THYROID", "69748006"),
        ("extremit", "EXTREMITY", "66019005"), ("mediastinum", "MEDIASTINUM", "72410000"), ("lymph node", "MEDIASTINUM", "59441001"),
        ("bone marrow", "", "14016003"), ("blood", "", "87612001"), ("marrow", "", "14016003"), ("skin", "", "39937001"),
        ("intraocular", "", "81745001"), ("thymus", "", "9875009"), ("testicles", "", "40689003"), ("bile duct", "", "28273000"),
        ("mesothelium", "", "3120008"), ("bone", "SPINE", "272673000"),
    ];

    /// <summary>TotalSegmentator-like organ targets (SNOMED CT): category Anatomical Structure.</summary>
    public static readonly string[] OrganCodes =
        ["39607008", "10200004", "80891009", "78961009", "64033007", "15825003", "51282000", "113197003", "32849002", "44567001", "69695003", "15776009", "23451007", "28231008"];

    public const string AnatomicalStructureCategory = "123037004";
    public const string AbnormalStructureCategory = "49755003";
    public static readonly string[] LesionCodes = ["108369006", "27925004", "86049000", "4147007"];

    /// <summary>LIDC-IDRI reader characteristics as IDC's pivot spells them (qualitative SR evaluations).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> LidcQualitative = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Internal_structure"] = ["Soft tissue", "Fluid", "Fat", "Air"],
        ["Sphericity"] = ["Linear", "Ovoid/Linear", "Ovoid", "Ovoid/Round", "Round"],
        ["Calcification"] = ["Popcorn", "Laminated", "Solid", "Non-central", "Central", "Absent"],
        ["Lobular_Pattern"] = ["No lobulation", "Nearly no lobulation", "Medium lobulation", "Near marked lobulation", "Marked lobulation"],
        ["Spiculation"] = ["No spiculation", "Nearly no spiculation", "Medium spiculation", "Near marked spiculation", "Marked spiculation"],
        ["Margin"] = ["Poorly Defined", "Near Poorly Defined", "Medium Margin", "Near Sharp", "Sharp"],
        ["Texture"] = ["Nonsolid/GGO", "Non-Solid/Mixed", "Part Solid/Mixed", "Solid/Mixed", "Solid"],
        ["Subtlety_score"] = ["Extremely Subtle", "Moderately Subtle", "Fairly Subtle", "Moderately Obvious", "Obvious"],
        ["Malignancy"] = ["Highly Unlikely", "Moderately Unlikely", "Indeterminate", "Moderately Suspicious", "Highly Suspicious"],
    };

    public static readonly (string Code, string Name)[] SampleTypes =
    [
        ("01", "Primary Tumor"), ("02", "Recurrent Tumor"), ("06", "Metastatic"), ("10", "Blood Derived Normal"), ("11", "Solid Tissue Normal"),
    ];

    private static int Clamp(double value, int min, int max) => (int)Math.Clamp(Math.Round(value), min, max);

    private static double Clamp(double value, double min, double max) => Math.Clamp(value, min, max);
}
