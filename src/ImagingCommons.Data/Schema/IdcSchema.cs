namespace ImagingCommons.Data.Schema;

/// <summary>
/// The tables of a release, with IDC's own column names and the types that the import, the query engine and
/// the wire rendering all take from here (never from guessing at data).
/// The dicom_pivot columns are the union of every column that a v1/v2 filter, v1 query field, v2 manifest field
/// or v1 /dicomMetadata column names (spec/idc-api.md §9).
/// </summary>
public static class IdcSchema
{
    public const string DicomPivotName = "dicom_pivot";
    public const string ClinicalName = "tcga_clinical_rel9";
    public const string BiospecimenName = "tcga_biospecimen_rel9";
    public const string CollectionsName = "original_collections_metadata";
    public const string AnalysisResultsName = "analysis_results_metadata";

    public static readonly TableSchema DicomPivot = new(
        DicomPivotName,
        ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"],
        [
            .. Strings(
                "collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
                "Modality", "BodyPartExamined", "StudyDescription", "SeriesDescription", "SeriesNumber",
                "SOPClassUID", "FrameOfReferenceUID", "Program", "CancerType", "tcia_tumorLocation", "tcia_species",
                "source_DOI", "analysis_results_id", "license_short_name",
                "crdc_study_uuid", "crdc_series_uuid", "crdc_instance_uuid",
                "gcs_bucket", "gcs_url", "gcs_generation", "aws_bucket", "aws_url", "instance_hash",
                "Manufacturer", "ManufacturerModelName",
                "AnatomicRegionSequence", "SegmentedPropertyCategoryCodeSequence", "SegmentedPropertyTypeCodeSequence",
                "SegmentAlgorithmType", "SegmentAlgorithmName",
                "Internal_structure", "Sphericity", "Calcification", "Lobular_Pattern", "Spiculation", "Margin",
                "Texture", "Subtlety_score", "Malignancy",
                "illuminationType", "primaryAnatomicStructure",
                "PatientAge", "PatientSex", "EthnicGroup", "Occupation", "AdditionalPatientHistory", "PatientComments",
                "ReasonForStudy", "RequestedProcedureComments", "SmokingStatus"),
            new ColumnDef("StudyDate", ColumnType.Date),
            new ColumnDef("LastMenstrualDate", ColumnType.Date),
            .. Integers(
                "instance_size", "SegmentNumber", "SamplesPerPixel", "ObjectiveLensPower",
                "max_TotalPixelMatrixColumns", "max_TotalPixelMatrixRows", "PregnancyStatus"),
            .. Floats(
                "SliceThickness", "min_PixelSpacing", "PatientSize", "PatientWeight",
                "SUVbw", "Volume", "Diameter", "Surface_area_of_mesh", "Volume_of_Mesh", "Sphericity_quant",
                "Apparent_Diffusion_Coefficient", "Total_Lesion_Glycolysis",
                "Standardized_Added_Metabolic_Activity", "Standardized_Added_Metabolic_Activity_Background",
                "Percent_Within_First_Quarter_of_Intensity_Range", "Percent_Within_Second_Quarter_of_Intensity_Range",
                "Percent_Within_Third_Quarter_of_Intensity_Range", "Percent_Within_Fourth_Quarter_of_Intensity_Range",
                "Glycolysis_Within_First_Quarter_of_Intensity_Range", "Glycolysis_Within_Second_Quarter_of_Intensity_Range",
                "Glycolysis_Within_Third_Quarter_of_Intensity_Range", "Glycolysis_Within_Fourth_Quarter_of_Intensity_Range"),
            new ColumnDef("Allergies", ColumnType.StringList),
            new ColumnDef("ImageType", ColumnType.StringList),
            new ColumnDef("MedicalAlerts", ColumnType.StringList),
        ],
        new Dictionary<string, string>
        {
            // idc_index and dicom_all spell these differently from the API's dicom_pivot.
            ["analysis_result_id"] = "analysis_results_id",
            ["study_uuid"] = "crdc_study_uuid",
            ["series_uuid"] = "crdc_series_uuid",
            ["instance_uuid"] = "crdc_instance_uuid",
            ["collection_tumorLocation"] = "tcia_tumorLocation",
            ["collection_species"] = "tcia_species",
            ["collection_cancerType"] = "CancerType",
        });

    /// <summary>One row per TCGA case (ISB-CGC clinical rel9 columns that the API names).</summary>
    public static readonly TableSchema Clinical = new(
        ClinicalName,
        ["case_barcode"],
        [
            .. Strings(
                "case_barcode", "case_gdc_id", "program_name", "program_dbgap_accession_number", "project_short_name",
                "project_name", "disease_code", "gender", "vital_status", "race", "ethnicity",
                "clinical_stage", "clinical_T", "clinical_N", "clinical_M",
                "pathologic_stage", "pathologic_T", "pathologic_N", "pathologic_M",
                "tumor_tissue_site", "primary_neoplasm_melanoma_dx", "anatomic_neoplasm_subdivision", "country",
                "other_dx", "other_malignancy_anatomic_site", "other_malignancy_type",
                "other_malignancy_histological_type", "history_of_neoadjuvant_treatment",
                "primary_therapy_outcome_success", "histological_type", "neoplasm_histologic_grade",
                "icd_10", "icd_o_3_site", "icd_o_3_histology", "person_neoplasm_cancer_status", "residual_tumor",
                "tumor_type", "new_tumor_event_after_initial_treatment", "lymphnodes_examined",
                "lymphatic_invasion", "venous_invasion", "lymphovascular_invasion_present", "bcr", "tss_code",
                "mononucleotide_and_dinucleotide_marker_panel_analysis_status", "menopause_status", "pregnancies",
                "hpv_status", "hpv_calls", "h_pylori_infection", "colorectal_cancer", "history_of_colon_polyps"),
            .. Integers(
                "age_at_diagnosis", "days_to_birth", "days_to_death", "days_to_initial_pathologic_diagnosis",
                "days_to_last_followup", "days_to_last_known_alive", "days_to_submitted_specimen_dx",
                "year_of_initial_pathologic_diagnosis", "number_of_lymphnodes_examined",
                "number_of_lymphnodes_positive_by_he", "batch_number", "age_began_smoking_in_years",
                "year_of_tobacco_smoking_onset", "stopped_smoking_year", "tobacco_smoking_history",
                "height", "weight", "gleason_score_combined"),
            .. Floats("bmi", "number_pack_years_smoked", "psa_value"),
        ]);

    /// <summary>Several rows per TCGA case (one per sample).</summary>
    public static readonly TableSchema Biospecimen = new(
        BiospecimenName,
        ["case_barcode"],
        [
            .. Strings(
                "case_barcode", "program_name", "project_short_name", "sample_barcode", "sample_gdc_id",
                "sample_type", "sample_type_name", "is_ffpe"),
            .. Integers("days_to_collection", "days_to_sample_procurement", "num_portions", "num_slides"),
            .. Floats(
                "avg_percent_lymphocyte_infiltration", "avg_percent_monocyte_infiltration", "avg_percent_necrosis",
                "avg_percent_neutrophil_infiltration", "avg_percent_normal_cells", "avg_percent_stromal_cells",
                "avg_percent_tumor_cells", "avg_percent_tumor_nuclei",
                "max_percent_lymphocyte_infiltration", "max_percent_monocyte_infiltration", "max_percent_necrosis",
                "max_percent_neutrophil_infiltration", "max_percent_normal_cells", "max_percent_stromal_cells",
                "max_percent_tumor_cells", "max_percent_tumor_nuclei",
                "min_percent_lymphocyte_infiltration", "min_percent_monocyte_infiltration", "min_percent_necrosis",
                "min_percent_neutrophil_infiltration", "min_percent_normal_cells", "min_percent_stromal_cells",
                "min_percent_tumor_cells", "min_percent_tumor_nuclei"),
        ]);

    /// <summary>
    /// One row per original collection: IDC v24's snake_case names, with the nested `sources` record flattened
    /// into `source_doi`/`source_url` (space-separated when a collection has several sources) and `image_types`.
    /// </summary>
    public static readonly TableSchema Collections = new(
        CollectionsName,
        ["collection_id"],
        [
            .. Strings(
                "collection_id", "collection_name", "cancer_types", "tumor_locations", "species", "source_doi",
                "source_url", "image_types", "supporting_data", "program_id", "status", "description",
                "license_short_name"),
            new ColumnDef("subjects", ColumnType.Integer),
            new ColumnDef("updated", ColumnType.Date),
        ],
        new Dictionary<string, string>
        {
            // IDC's names up to v23, and the keys of the v2 API's /collections (so a dump of it imports as it is).
            ["CancerTypes"] = "cancer_types",
            ["TumorLocations"] = "tumor_locations",
            ["Location"] = "tumor_locations",
            ["Subjects"] = "subjects",
            ["Species"] = "species",
            ["SupportingData"] = "supporting_data",
            ["Program"] = "program_id",
            ["Status"] = "status",
            ["Updated"] = "updated",
            ["Description"] = "description",
            ["DOI"] = "source_doi",
            ["URL"] = "source_url",
            ["ImageTypes"] = "image_types",
            ["cancer_type"] = "cancer_types",
            ["location"] = "tumor_locations",
            ["subject_count"] = "subjects",
            ["date_updated"] = "updated",
            ["doi"] = "source_doi",
        });

    /// <summary>One row per analysis result (IDC v24's analysis_results_metadata).</summary>
    public static readonly TableSchema AnalysisResults = new(
        AnalysisResultsName,
        ["analysis_result_id"],
        [
            .. Strings(
                "analysis_result_id", "analysis_result_title", "source_doi", "source_url", "cancer_types",
                "tumor_locations", "collections", "modalities", "license_url", "license_long_name",
                "license_short_name", "description", "citation"),
            new ColumnDef("subjects", ColumnType.Integer),
            new ColumnDef("updated", ColumnType.Date),
        ],
        new Dictionary<string, string>
        {
            // Older IDC names, idc-index's, and the keys of the v2 API's /analysis_results.
            ["ID"] = "analysis_result_id",
            ["Title"] = "analysis_result_title",
            ["title"] = "analysis_result_title",
            ["DOI"] = "source_doi",
            ["doi"] = "source_doi",
            ["source_DOI"] = "source_doi",
            ["CancerType"] = "cancer_types",
            ["cancer_type"] = "cancer_types",
            ["Location"] = "tumor_locations",
            ["location"] = "tumor_locations",
            ["Subjects"] = "subjects",
            ["subject_count"] = "subjects",
            ["Collections"] = "collections",
            ["Updated"] = "updated",
            ["date_updated"] = "updated",
            ["analysisArtifacts"] = "modalities",
        });

    public static readonly IReadOnlyList<TableSchema> All = [DicomPivot, Clinical, Biospecimen, Collections, AnalysisResults];

    public static TableSchema? FindTable(string name) => All.FirstOrDefault(t => t.Name == name);

    private static IEnumerable<ColumnDef> Strings(params string[] names) => names.Select(n => new ColumnDef(n, ColumnType.String));

    private static IEnumerable<ColumnDef> Integers(params string[] names) => names.Select(n => new ColumnDef(n, ColumnType.Integer));

    private static IEnumerable<ColumnDef> Floats(params string[] names) => names.Select(n => new ColumnDef(n, ColumnType.Float));
}
