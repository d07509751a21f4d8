namespace ImagingCommons.Data.Synthetic;

/// <summary>
/// The ISB-CGC clinical (one row per case) and biospecimen (one row per sample) rows of a TCGA case. Values
/// come from the TCGA vocabularies in value_sets.json; columns IDC never filters on stay mostly NULL.
/// </summary>
internal static class TcgaRows
{
    private static readonly string[] FemaleOnly = ["OV", "UCEC", "UCS", "CESC"];
    private static readonly string[] MaleOnly = ["PRAD", "TGCT"];
    private static readonly string[] Smoking = ["LUAD", "LUSC", "HNSC", "BLCA", "ESCA"];
    private static readonly string[] Countries = ["United States", "Canada", "Germany", "Russia", "Poland", "Vietnam", "Australia", "Brazil"];
    private static readonly double[] CountryWeights = [75, 5, 4, 4, 3, 3, 3, 3];
    private static readonly double[] RaceWeights = [1, 8, 10, 0.5, 80.5];

    public static List<StagingRow> ForCase(ReferenceData reference, CollectionInfo collection, string barcode, string? sex, SeededRandom rng)
    {
        var code = collection.TcgaCode;
        var project = "TCGA-" + code;
        var clinical = WorkDatabase.Clinical.NewRow();
        var dead = rng.Chance(0.35);
        int? age = rng.Chance(0.02) ? null : (int)Math.Clamp(Math.Round(60 + (12 * rng.Normal())), reference.AgeAtDiagnosisRange.Min, reference.AgeAtDiagnosisRange.Max);
        var gender = FemaleOnly.Contains(code) ? "FEMALE"
            : MaleOnly.Contains(code) ? "MALE"
            : code == "BRCA" ? (rng.Chance(0.99) ? "FEMALE" : "MALE")
            : sex switch { "F" => "FEMALE", "M" => "MALE", _ => rng.Pick(reference.Genders) };

        clinical["case_barcode"] = barcode;
        clinical["case_gdc_id"] = rng.UuidV4();
        clinical["program_name"] = "TCGA";
        clinical["program_dbgap_accession_number"] = "phs000178";
        clinical["project_short_name"] = project;
        clinical["project_name"] = collection.CancerTypes;
        clinical["disease_code"] = code;
        clinical["gender"] = gender;
        clinical["vital_status"] = dead ? "Dead" : "Alive";
        clinical["race"] = rng.Chance(0.1) ? null : reference.Races[rng.PickWeighted(RaceWeights)];
        var ethnicityPrefix = rng.Chance(0.15) ? null : rng.Chance(0.92) ? "NOT" : "HISP";
        clinical["ethnicity"] = ethnicityPrefix is null ? null : reference.Ethnicities.First(e => e.StartsWith(ethnicityPrefix, StringComparison.Ordinal));
        clinical["age_at_diagnosis"] = age;
        clinical["days_to_birth"] = age is int years ? -((years * 365) + rng.Next(365)) : null;
        clinical["days_to_death"] = dead ? rng.Between(30, 4000) : null;
        clinical["days_to_last_followup"] = dead ? null : rng.Between(30, 5000);
        clinical["days_to_initial_pathologic_diagnosis"] = 0;
        clinical["year_of_initial_pathologic_diagnosis"] = rng.Between(1988, 2013);
        clinical["pathologic_stage"] = rng.Chance(0.2) ? null : rng.Pick(reference.PathologicStages);
        clinical["pathologic_T"] = rng.Chance(0.15) ? null : rng.Pick(["T1", "T1a", "T1b", "T2", "T2a", "T2b", "T3", "T4", "TX"]);
        clinical["pathologic_N"] = rng.Chance(0.15) ? null : rng.Pick(["N0", "N1", "N2", "N3", "NX"]);
        clinical["pathologic_M"] = rng.Chance(0.15) ? null : rng.Pick(["M0", "M1", "MX"]);
        clinical["clinical_stage"] = rng.Chance(0.85) ? null : rng.Pick(reference.PathologicStages);
        clinical["tumor_tissue_site"] = collection.TumorLocations.Split(',')[0].Trim();
        clinical["histological_type"] = collection.CancerTypes;
        clinical["neoplasm_histologic_grade"] = rng.Chance(0.5) ? null : rng.Pick(["G1", "G2", "G3", "G4", "GX"]);
        clinical["country"] = rng.Chance(0.3) ? null : Countries[rng.PickWeighted(CountryWeights)];
        clinical["person_neoplasm_cancer_status"] = rng.Chance(0.2) ? null : rng.Pick(["TUMOR FREE", "WITH TUMOR"]);
        clinical["history_of_neoadjuvant_treatment"] = rng.Chance(0.95) ? "No" : "Yes";
        clinical["bcr"] = "Nationwide Children's Hospital";
        clinical["tss_code"] = barcode.Split('-')[1];
        clinical["batch_number"] = rng.Between(1, 400);
        if (rng.Chance(0.4))
        {
            var height = rng.Between(150, 195);
            var bmi = Math.Round(Math.Clamp(28 + (6 * rng.Normal()), 15, 60), 1);
            clinical["height"] = height;
            clinical["weight"] = (int)Math.Round(bmi * height * height / 10_000);
            clinical["bmi"] = bmi;
        }

        if (Smoking.Contains(code) && rng.Chance(0.8))
        {
            clinical["tobacco_smoking_history"] = rng.Between(1, 5);
            clinical["number_pack_years_smoked"] = Math.Round(rng.Uniform(0, 80), 1);
        }

        if (code == "PRAD")
        {
            clinical["gleason_score_combined"] = rng.Between(6, 10);
            clinical["psa_value"] = Math.Round(rng.LogNormal(7, 0.8), 2);
        }

        if (gender == "FEMALE" && rng.Chance(0.6))
        {
            clinical["menopause_status"] = rng.Pick(["Pre (<6 months since LMP AND no prior bilateral ovariectomy AND not on estrogen replacement)", "Post (prior bilateral ovariectomy OR >12 mo since LMP with no prior hysterectomy)", "Peri (6-12 months since last menstrual period)"]);
        }

        if (code is "CESC" or "HNSC")
        {
            clinical["hpv_status"] = rng.Chance(0.3) ? null : rng.Pick(["Positive", "Negative"]);
        }

        var rows = new List<StagingRow> { clinical };
        foreach (var (type, name) in Samples(code, rng))
        {
            rows.Add(Sample(barcode, project, type, name, rng));
        }

        return rows;
    }

    /// <summary>1–4 samples: always the primary tumour, often a normal, sometimes a metastasis or recurrence.</summary>
    private static List<(string Code, string Name)> Samples(string disease, SeededRandom rng)
    {
        var types = GenerationProfiles.SampleTypes.ToDictionary(t => t.Code, t => t.Name, StringComparer.Ordinal);
        var codes = new List<string> { "01" };
        if (rng.Chance(0.5))
        {
            codes.Add("10");
        }

        if (rng.Chance(0.25))
        {
            codes.Add("11");
        }

        if (rng.Chance(disease == "SKCM" ? 0.6 : 0.03))
        {
            codes.Add("06");
        }

        if (codes.Count < 4 && rng.Chance(0.03))
        {
            codes.Add("02");
        }

        return [.. codes.Select(c => (c, types[c]))];
    }

    private static StagingRow Sample(string barcode, string project, string type, string name, SeededRandom rng)
    {
        var tumour = type is "01" or "02" or "06";
        var row = WorkDatabase.Biospecimen.NewRow();
        row["case_barcode"] = barcode;
        row["program_name"] = "TCGA";
        row["project_short_name"] = project;
        row["sample_barcode"] = $"{barcode}-{type}A";
        row["sample_gdc_id"] = rng.UuidV4();
        row["sample_type"] = type;
        row["sample_type_name"] = name;
        row["is_ffpe"] = rng.Chance(0.97) ? "NO" : "YES";
        row["days_to_collection"] = rng.Chance(0.2) ? null : rng.Between(0, 5000);
        row["days_to_sample_procurement"] = rng.Chance(0.6) ? null : rng.Between(0, 300);
        row["num_portions"] = rng.Between(1, 4);
        row["num_slides"] = tumour ? rng.Between(1, 3) : 0;
        if (tumour && rng.Chance(0.85))
        {
            foreach (var measure in new[] { "lymphocyte_infiltration", "monocyte_infiltration", "necrosis", "neutrophil_infiltration", "normal_cells", "stromal_cells", "tumor_cells", "tumor_nuclei" })
            {
                var average = measure.StartsWith("tumor", StringComparison.Ordinal) ? rng.Uniform(40, 95) : rng.Uniform(0, 30);
                var spread = rng.Uniform(0, 15);
                row[$"avg_percent_{measure}"] = Math.Round(average, 1);
                row[$"max_percent_{measure}"] = Math.Round(Math.Min(100, average + spread), 1);
                row[$"min_percent_{measure}"] = Math.Round(Math.Max(0, average - spread), 1);
            }
        }

        return row;
    }
}
