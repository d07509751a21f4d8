using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ImagingCommons.Data.Synthetic;

internal sealed record License(string ShortName, string LongName, string Url)
{
    public bool IsNonCommercial => ShortName.Contains("-NC", StringComparison.Ordinal);
}

internal sealed record Bucket(string Aws, string Gcs)
{
    /// <summary>
    /// The bucket generated rows name instead: the same split by licence and kind as IDC's (so the URLs look and group
    /// like IDC's), under names of our own, so that no generated URL points at a real IDC object.
    /// </summary>
    public Bucket Synthetic => new(SyntheticName(Aws), SyntheticName(Gcs));

    private static string SyntheticName(string real) => real switch
    {
        "idc-open-data" => "imagingcommons-synthetic",
        "idc-open-data-two" or "idc-open-idc1" => "imagingcommons-synthetic-two",
        "idc-open-data-cr" or "idc-open-cr" => "imagingcommons-synthetic-cr",
        _ => "imagingcommons-synthetic-" + real,
    };
}

/// <summary>
/// One original collection as the generator uses it, merged from the v23 API dump and etl_flow's metadata.
/// SourceDoi is the collection's own (for IDC's pathology conversions, the Zenodo record of the slides);
/// RadiologyDoi is the TCIA record its description links for the radiology, or the same DOI when there is none.
/// </summary>
internal sealed record CollectionInfo(
    string Id,
    string Name,
    string CancerTypes,
    string TumorLocations,
    string Species,
    int SubjectCount,
    IReadOnlyList<string> ImageTypes,
    string SupportingData,
    string Description,
    string SourceDoi,
    string RadiologyDoi,
    string ProgramId,
    string Status,
    DateOnly Updated,
    License License,
    Bucket Bucket,
    int FirstVersion)
{
    public bool IsTcga => Id.StartsWith("tcga_", StringComparison.Ordinal);

    /// <summary>The TCGA project code ("LUAD" for tcga_luad).</summary>
    public string TcgaCode => Id["tcga_".Length..].ToUpperInvariant();

    public bool Lists(string modality) => ImageTypes.Contains(modality, StringComparer.Ordinal);
}

internal sealed record AnalysisResultInfo(
    string Id,
    string Title,
    string SourceDoi,
    License License,
    DateOnly Updated,
    IReadOnlyList<string> Collections,
    string Description)
{
    public string SourceUrl => "https://doi.org/" + SourceDoi;
}

/// <summary>
/// The real IDC metadata embedded in this assembly (Synthetic/Resources, logical names <c>idc/...</c>), parsed once.
/// Where the sources are silent (licences of TCIA-sourced collections, the size of the collections new in v24)
/// the fallbacks are stated next to the code that applies them.
/// </summary>
internal sealed partial class ReferenceData
{
    /// <summary>Number of the release the v23 dump describes; the etl_flow file marks the collections new in the next one.</summary>
    public const int DumpVersion = 23;

    private static readonly Lazy<ReferenceData> Shared = new(Load);

    private ReferenceData()
    {
    }

    public static ReferenceData Instance => Shared.Value;

    /// <summary>v23 collections in the dump's order, then the collections new in v24 in etl_flow's order.</summary>
    public IReadOnlyList<CollectionInfo> Collections { get; private set; } = [];

    public IReadOnlyList<AnalysisResultInfo> AnalysisResults { get; private set; } = [];

    public IReadOnlyDictionary<string, License> Licenses { get; private set; } = new Dictionary<string, License>();

    /// <summary>Every IDC version with its date_active (first day of the release month).</summary>
    public IReadOnlyList<(string Version, DateOnly DateActive)> Versions { get; private set; } = [];

    /// <summary>BodyPartExamined values with their v20 series counts.</summary>
    public IReadOnlyList<(string Value, double Count)> BodyParts { get; private set; } = [];

    /// <summary>Share of series per modality (v22, percent; "&lt;1" read as 0.5).</summary>
    public IReadOnlyDictionary<string, double> ModalityShares { get; private set; } = new Dictionary<string, double>();

    /// <summary>SOP class name → UID.</summary>
    public IReadOnlyDictionary<string, string> SopClassUids { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Races { get; private set; } = [];

    public IReadOnlyList<string> Genders { get; private set; } = [];

    public IReadOnlyList<string> VitalStatuses { get; private set; } = [];

    public IReadOnlyList<string> Ethnicities { get; private set; } = [];

    public IReadOnlyList<string> PathologicStages { get; private set; } = [];

    public (int Min, int Max) AgeAtDiagnosisRange { get; private set; }

    public Bucket DefaultBucket { get; private set; } = new("idc-open-data", "idc-open-data");

    /// <summary>Where CC BY-NC data lives (idc-open-data-cr / idc-open-cr).</summary>
    public Bucket RestrictedBucket { get; private set; } = new("idc-open-data-cr", "idc-open-cr");

    public CollectionInfo Collection(string id) => Collections.First(c => c.Id == id);

    public string SopClassUid(string name) =>
        SopClassUids.TryGetValue(name, out var uid) ? uid : throw new InvalidDataException($"SOP class '{name}' is not in value_sets.json.");

    internal static Stream OpenResource(string logicalName) =>
        typeof(ReferenceData).Assembly.GetManifestResourceStream(logicalName)
        ?? throw new InvalidDataException($"Embedded resource '{logicalName}' is missing from {typeof(ReferenceData).Assembly.GetName().Name}.");

    internal static string ReadText(string logicalName)
    {
        using var reader = new StreamReader(OpenResource(logicalName), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static ReferenceData Load()
    {
        var data = new ReferenceData();
        data.Licenses = ReadCsv("idc/compiled/licenses.csv")
            .Select(r => new License(r["license_short_name"], r["license_long_name"], r["license_url"]))
            .ToDictionary(l => l.ShortName, StringComparer.Ordinal);
        var buckets = ReadCsv("idc/compiled/buckets.csv").Select(r => new Bucket(r["aws_bucket"], r["gcs_bucket"])).ToList();
        data.DefaultBucket = buckets.First(b => b.Aws == "idc-open-data");
        var headScanBucket = buckets.First(b => b.Aws == "idc-open-data-two");
        var restrictedBucket = data.RestrictedBucket = buckets.First(b => b.Aws == "idc-open-data-cr");

        data.Versions = ReadCsv("idc/compiled/idc_versions.csv")
            .Select(r => (
                r["idc_version"] + ".0",
                DateOnly.ParseExact(r["release_month"] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture)))
            .OrderBy(v => int.Parse(v.Item1.Split('.')[0], CultureInfo.InvariantCulture))
            .ToList();
        data.BodyParts = ReadCsv("idc/compiled/bodypart_series_counts_v20.csv")
            .Select(r => (r["BodyPartExamined"], double.Parse(r["series_count"], CultureInfo.InvariantCulture)))
            .ToList();
        data.ModalityShares = ReadCsv("idc/compiled/modality_distribution.csv").ToDictionary(
            r => r["Modality"],
            r => r["series_share_pct_v22"].StartsWith('<') ? 0.5 : double.Parse(r["series_share_pct_v22"], CultureInfo.InvariantCulture),
            StringComparer.Ordinal);

        using (var valueSets = JsonDocument.Parse(ReadText("idc/compiled/value_sets.json")))
        {
            var root = valueSets.RootElement;
            data.SopClassUids = root.GetProperty("SOPClassUID_to_name").EnumerateObject()
                .ToDictionary(p => p.Value.GetString()!, p => p.Name, StringComparer.Ordinal);
            var tcga = root.GetProperty("tcga_clinical_rel9");
            data.Races = Strings(tcga.GetProperty("race"));
            data.Genders = Strings(tcga.GetProperty("gender"));
            data.VitalStatuses = Strings(tcga.GetProperty("vital_status"));
            data.Ethnicities = Strings(tcga.GetProperty("ethnicity"));
            data.PathologicStages = Strings(tcga.GetProperty("pathologic_stage"));
            var ages = tcga.GetProperty("age_at_diagnosis_range");
            data.AgeAtDiagnosisRange = (ages[0].GetInt32(), ages[1].GetInt32());
        }

        // doi_to_access.json types some TCIA collections "Cr" (commercially restricted: CC BY-NC, stored in the
        // -cr buckets) and some "Defaced" (head scans with faces removed: the buckets for collections that may
        // contain head scans). Its collection ids are TCIA names; normalise them the way IDC does.
        var accessTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in JsonArray("idc/etl_flow/doi_to_access.json"))
        {
            accessTypes.TryAdd(NormaliseId(entry.GetProperty("collection_id").GetString()!), entry.GetProperty("type").GetString()!);
        }

        var etl = JsonArray("idc/etl_flow/idc_original_collections_metadata.json")
            .ToDictionary(e => e.GetProperty("collection_id").GetString()!, e => e, StringComparer.Ordinal);
        var etlDescriptions = JsonArray("idc/etl_flow/idc_original_collections_descriptions.json")
            .ToDictionary(e => e.GetProperty("collection_id").GetString()!, e => e.GetProperty("description").GetString() ?? "", StringComparer.Ordinal);

        var collections = new List<CollectionInfo>();
        using (var dump = JsonDocument.Parse(ReadText("idc/api_v2_dump/collections_v23.json")))
        {
            foreach (var c in dump.RootElement.GetProperty("collections").EnumerateArray())
            {
                var id = c.GetProperty("collection_id").GetString()!;
                var description = c.GetProperty("description").GetString() ?? "";
                etl.TryGetValue(id, out var curated);
                var doi = curated.ValueKind == JsonValueKind.Object
                    ? curated.GetProperty("source_doi").GetString()!
                    : FirstDoi(description) ?? "10.7937/tcia." + id.Replace('_', '-');
                accessTypes.TryGetValue(id, out var access);
                var license = curated.ValueKind == JsonValueKind.Object
                    ? data.Licenses[curated.GetProperty("license_short_name").GetString()!]
                    : data.TciaLicense(doi, restricted: access == "Cr");
                var bucket = license.IsNonCommercial ? restrictedBucket : access == "Defaced" ? headScanBucket : data.DefaultBucket;
                collections.Add(new CollectionInfo(
                    id,
                    curated.ValueKind == JsonValueKind.Object ? curated.GetProperty("collection_name").GetString()! : NameFromId(id),
                    c.GetProperty("cancer_type").GetString() ?? "",
                    c.GetProperty("location").GetString() ?? "",
                    c.GetProperty("species").GetString() ?? "",
                    c.GetProperty("subject_count").GetInt32(),
                    SplitList(c.GetProperty("image_types").GetString()),
                    c.GetProperty("supporting_data").GetString() ?? "",
                    description,
                    doi.ToLowerInvariant(),
                    (FirstDoi(description, tciaOnly: true) ?? doi).ToLowerInvariant(),
                    curated.ValueKind == JsonValueKind.Object && !string.IsNullOrEmpty(curated.GetProperty("program").GetString())
                        ? curated.GetProperty("program").GetString()!
                        : ProgramFromId(id),
                    curated.ValueKind == JsonValueKind.Object ? curated.GetProperty("Status").GetString()! : "Complete",
                    DateOnly.ParseExact(c.GetProperty("date_updated").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    license,
                    bucket,
                    DumpVersion));
            }
        }

        var nextVersion = DumpVersion + 1;
        var nextDate = data.Versions.First(v => v.Version == nextVersion + ".0").DateActive;
        foreach (var (id, curated) in etl)
        {
            if (curated.GetProperty("original_version").GetString() != nextVersion.ToString(CultureInfo.InvariantCulture))
            {
                continue;
            }

            // The sources give these collections no subject count or modality list; NewCollectionEstimates holds
            // engineering estimates (pathology conversions are SM; the one PET/CT mouse study is CT+PT).
            var (subjects, imageTypes) = GenerationProfiles.NewCollectionEstimates.TryGetValue(id, out var estimate) ? estimate : (100, ["SM"]);
            var title = curated.GetProperty("title").GetString()!.Trim();
            collections.Add(new CollectionInfo(
                id,
                curated.GetProperty("collection_name").GetString()!,
                curated.GetProperty("CancerTypes").GetString() ?? "",
                curated.GetProperty("TumorLocations").GetString() ?? "",
                curated.GetProperty("Species").GetString() ?? "",
                subjects,
                imageTypes,
                curated.GetProperty("SupportingData").GetString() ?? "",
                etlDescriptions.TryGetValue(id, out var d) && d.Length > 0 ? d : title,
                curated.GetProperty("source_doi").GetString()!.ToLowerInvariant(),
                curated.GetProperty("source_doi").GetString()!.ToLowerInvariant(),
                curated.GetProperty("program").GetString()!,
                curated.GetProperty("Status").GetString()!,
                nextDate,
                data.Licenses[curated.GetProperty("license_short_name").GetString()!],
                data.DefaultBucket,
                nextVersion));
        }

        data.Collections = collections;
        data.AnalysisResults = LoadAnalysisResults(data);
        return data;
    }

    private static List<AnalysisResultInfo> LoadAnalysisResults(ReferenceData data)
    {
        var curated = JsonArray("idc/etl_flow/idc_analysis_results_metadata.json")
            .ToDictionary(e => e.GetProperty("analysis_result_name").GetString()!, e => e, StringComparer.Ordinal);
        var descriptions = JsonArray("idc/etl_flow/idc_analysis_results_descriptions.json")
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("description").GetString() ?? "", StringComparer.Ordinal);
        var known = data.Collections.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var results = new List<AnalysisResultInfo>();
        foreach (var row in ReadCsv("idc/compiled/analysis_results_v23.csv"))
        {
            var id = row["analysis_result_id"];
            curated.TryGetValue(id, out var meta);
            var title = row["title"].Length > 0 ? row["title"]
                : meta.ValueKind == JsonValueKind.Object ? meta.GetProperty("analysis_result_title").GetString()! : id;
            var doi = row["source_doi"].ToLowerInvariant();
            var license = row["license_short_name"].Length > 0 ? data.Licenses[row["license_short_name"]] : data.TciaLicense(doi, restricted: false);
            var updated = row["updated"].Length > 0
                ? DateOnly.ParseExact(row["updated"], "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : data.Collections[0].Updated;

            // "qin_lung_ct (unverified)" → qin_lung_ct; a result whose source names no collection gets the
            // collections that GenerationProfiles infers from their image types.
            var collections = row["collections_analyzed"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(c => c.Split(' ')[0])
                .Where(known.Contains)
                .ToList();
            if (collections.Count == 0 && GenerationProfiles.InferredAnalysisCollections.TryGetValue(id, out var inferred))
            {
                collections = [.. inferred];
            }

            results.Add(new AnalysisResultInfo(id, title, doi, license, updated, collections, descriptions.GetValueOrDefault(id, "")));
        }

        return results;
    }

    /// <summary>
    /// TCIA-sourced collections carry no licence in the sources. TCIA published under CC BY 3.0 until about 2019
    /// and CC BY 4.0 since, which the DOI shows (10.7937/K9/… and TCIA.2015–2019 are the old scheme).
    /// </summary>
    private License TciaLicense(string doi, bool restricted)
    {
        var old = OldTciaDoi().IsMatch(doi);
        var name = (restricted, old) switch
        {
            (true, true) => "CC BY-NC 3.0",
            (true, false) => "CC BY-NC 4.0",
            (false, true) => "CC BY 3.0",
            (false, false) => "CC BY 4.0",
        };
        return Licenses[name];
    }

    private static string? FirstDoi(string text, bool tciaOnly = false)
    {
        var match = DoiLink().Matches(text).FirstOrDefault(m => !tciaOnly || m.Groups[1].Value.StartsWith("10.7937/", StringComparison.Ordinal));
        return match is null ? null : match.Groups[1].Value.TrimEnd('.', ',', ')');
    }

    private static string NormaliseId(string tciaName) =>
        Regex.Replace(tciaName.ToLowerInvariant(), "[^a-z0-9]+", "_").Trim('_');

    /// <summary>TCIA names are the ids upper-cased with hyphens (tcga_luad → TCGA-LUAD).</summary>
    private static string NameFromId(string id) => id.ToUpperInvariant().Replace('_', '-');

    private static string ProgramFromId(string id)
    {
        var prefix = id.Split('_')[0];
        return prefix switch
        {
            "tcga" => "TCGA",
            "cptac" => "CPTAC",
            "cmb" => "CMB",
            "htan" => "HTAN",
            "qin" => "QIN",
            "rider" => "RIDER",
            "ispy1" or "ispy2" => "ISPY",
            "acrin" or "ea1141" => "NCI Trials",
            "pdmr" => "PDMR",
            "midrc" => "MIDRC",
            _ => "Community",
        };
    }

    private static List<string> SplitList(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    private static List<string> Strings(JsonElement array) =>
        array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();

    private static List<JsonElement> JsonArray(string logicalName)
    {
        using var doc = JsonDocument.Parse(ReadText(logicalName));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>RFC 4180 CSV with a header row (quoted fields, doubled quotes); enough for the compiled files.</summary>
    internal static List<Dictionary<string, string>> ReadCsv(string logicalName)
    {
        var records = ParseCsv(ReadText(logicalName));
        var header = records[0];
        return records.Skip(1)
            .Where(r => r.Count > 1 || (r.Count == 1 && r[0].Length > 0))
            .Select(r => header.Select((h, i) => (h, v: i < r.Count ? r[i] : "")).ToDictionary(x => x.h, x => x.v, StringComparer.Ordinal))
            .ToList();
    }

    private static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (ch == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else if (ch != '\r')
            {
                field.Append(ch);
            }
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        return records;
    }

    [GeneratedRegex(@"doi\.org/(10\.[0-9]+/[^\s\)\]""<>]+)", RegexOptions.IgnoreCase)]
    private static partial Regex DoiLink();

    [GeneratedRegex(@"^10\.7937/(k9/|tcia\.201[5-9]\.)", RegexOptions.IgnoreCase)]
    private static partial Regex OldTciaDoi();
}
