using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;

namespace ImagingCommons.LoadBenchmarks;

/// <summary>The route a listing is asked on, and how its next pages are asked for.</summary>
internal enum Route
{
    V2Preview,
    V1Manifest,
    V1Query,
    V1CohortPreview,
    V1DicomMetadata,
}

/// <summary>One listing of the mix: the request a client sends and the same query as the engine's spec (for the naive baseline).</summary>
internal sealed record Listing(string Kind, Route Route, JsonObject? Body, string QueryString, QuerySpec Spec)
{
    public string Describe() => Route switch
    {
        Route.V2Preview => Body!.ToJsonString(),
        Route.V1DicomMetadata => "/v1/dicomMetadata",
        _ => QueryString + " " + Body!.ToJsonString(),
    };
}

/// <summary>
/// The query mix of issue 10 at full IDC size: the docs' queries (preview counts and series manifests by modality),
/// instance manifests of large collections, v1 manifests and queries, cohort previews at Series and Instance level,
/// /dicomMetadata, and the whole-release series manifest. A round's cold listings differ from every other round's,
/// so each round meets a server that has not seen them.
/// </summary>
internal static class Mix
{
    public static readonly string[] Modalities = ["CT", "MR", "PT", "SEG", "SR", "SM", "MG", "CR", "DX", "US"];

    public static readonly string[] BodyParts = ["CHEST", "BREAST", "PROSTATE", "LUNG", "ABDOMEN", "PELVIS", "KIDNEY", "LIVER", "BRAIN", "HEAD"];

    /// <summary>Collections of 0.2 to 1.6 M instances at scale 1 (nlst, with 26 M, is asked on its own).</summary>
    public static readonly string[] Collections =
    [
        "covid_19_ny_sbu", "prostate_mri_us_biopsy", "duke_breast_cancer_mri", "acrin_contralateral_breast_mr", "ispy2",
        "lidc_idri", "upenn_gbm", "advanced_mri_breast_lesions", "ct_colonography", "acrin_6698", "prostatex", "ea1141",
        "mediastinal_lymph_node_seg", "lung_pet_ct_dx", "nsclc_radiomics", "vestibular_schwannoma_seg", "ispy1",
        "rider_lung_pet_ct", "acrin_nsclc_fdg_pet", "pediatric_ct_seg", "tcga_brca", "gtex", "nsclc_radiogenomics",
        "pdmr_texture_analysis",
    ];

    public static readonly string[] SeriesFields = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "crdc_series_uuid", "aws_bucket"];

    public static readonly string[] InstanceFields = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "gcs_url"];

    /// <summary>The cold listings of one round, by kind, <paramref name="perKind"/> of each.</summary>
    public static IReadOnlyList<Listing> Round(int round, int perKind)
    {
        var listings = new List<Listing>();
        for (var i = 0; i < perKind; i++)
        {
            var modality = Modalities[i % Modalities.Length];
            var bodyPart = BodyParts[(i + round) % BodyParts.Length];

            // Round 0 asks the docs' queries exactly (bench/load/queries.py); later rounds vary them.
            var countsFilter = new JsonObject { ["Modality"] = Array(modality), ["BodyPartExamined"] = Array(bodyPart, "None") };
            listings.Add(V2("counts", countsFilter, [], counts: true, groupSize: true));
            var seriesFilter = round == 0
                ? new JsonObject { ["Modality"] = Array(modality) }
                : new JsonObject { ["Modality"] = Array(modality, Modalities[(i + round) % Modalities.Length]) };
            listings.Add(V2("v2 series manifest", seriesFilter, SeriesFields, counts: true, groupSize: true));

            var collection = Collections[(i + round * perKind) % Collections.Length];
            listings.Add(V2("v2 instance manifest", new JsonObject { ["collection_id"] = Array(collection) }, InstanceFields, counts: true, groupSize: true));
            listings.Add(V1Manifest("v1 manifest (SOPInstanceUID, GCS_URL)", collection, ["SOPInstanceUID", "GCS_URL"]));
            listings.Add(V1Manifest("v1 manifest (GCS_URL)", Collections[(i + round * perKind + 7) % Collections.Length], ["GCS_URL"]));
            listings.Add(V1Query("v1 query, series level", collection, ["Modality", "BodyPartExamined", "SeriesDescription"]));
            listings.Add(V1Query("v1 query, instance level", collection, ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"]));
            listings.Add(CohortPreview("cohort preview, Series", Collections[(i + round * perKind + 3) % Collections.Length], "Series"));
            listings.Add(CohortPreview("cohort preview, Instance", Collections[(i + round * perKind + 5) % Collections.Length], "Instance"));
        }

        return listings;
    }

    /// <summary>The largest first pages, asked once per server (round 0 only): nlst and all CT.</summary>
    public static IReadOnlyList<Listing> Largest() =>
    [
        CohortPreview("cohort preview, Instance, nlst (25.9 M)", "nlst", "Instance"),
        V1Manifest("v1 manifest, nlst CT, GCS_URL (21 M)", "nlst", ["GCS_URL"], modality: "CT"),
        V2("v2 instance manifest, all CT, SOPInstanceUID first (33.9 M)", new JsonObject { ["Modality"] = Array("CT") }, ["SOPInstanceUID", "gcs_url"], counts: false, groupSize: false),
        new("dicomMetadata (47.6 M)", Route.V1DicomMetadata, null, "", new QuerySpec { Kind = QueryKind.V1DicomMetadata, Filters = FilterSet.Empty(ApiVersion.V1) }),
    ];

    /// <summary>The whole-release series manifest (970,834 rows at scale 1), streamed 10,000 rows a page.</summary>
    public static Listing WholeSeries() =>
        V2("whole series manifest", [], ["SeriesInstanceUID", "crdc_series_uuid", "aws_bucket"], counts: false, groupSize: false);

    /// <summary>An instance manifest of about a million rows (duke_breast_cancer_mri, 1.22 M at scale 1), streamed.</summary>
    public static Listing WholeInstances() =>
        V2("whole instance manifest", new JsonObject { ["collection_id"] = Array("duke_breast_cancer_mri") }, InstanceFields, counts: false, groupSize: false);

    private static JsonArray Array(params string[] values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];

    private static Listing V2(string kind, JsonObject filters, string[] fields, bool counts, bool groupSize)
    {
        var body = new JsonObject
        {
            ["cohort_def"] = new JsonObject { ["name"] = "bench", ["description"] = "load benchmark", ["filters"] = filters.DeepClone() },
            ["fields"] = Array(fields),
            ["counts"] = counts,
            ["group_size"] = groupSize,
            ["page_size"] = 1000,
        };
        return new Listing(kind, Route.V2Preview, body, "", new QuerySpec
        {
            Kind = QueryKind.V2Manifest,
            Filters = Parse(ApiVersion.V2, filters),
            Fields = fields,
            Counts = counts,
            GroupSize = groupSize,
        });
    }

    private static Listing V1Manifest(string kind, string collection, string[] columns, string? modality = null)
    {
        var filters = new JsonObject { ["collection_id"] = Array(collection) };
        if (modality is not null)
        {
            filters["Modality"] = Array(modality);
        }

        var query = string.Join("&", columns.Select(c => c + "=True")) + "&page_size=1000";
        var body = new JsonObject { ["name"] = "bench", ["description"] = "load benchmark", ["filters"] = filters.DeepClone() };
        return new Listing(kind, Route.V1Manifest, body, query, new QuerySpec { Kind = QueryKind.V1Manifest, Filters = Parse(ApiVersion.V1, filters), Fields = columns });
    }

    private static Listing V1Query(string kind, string collection, string[] fields)
    {
        var filters = new JsonObject { ["collection_id"] = Array(collection) };
        var body = new JsonObject
        {
            ["cohort_def"] = new JsonObject { ["name"] = "bench", ["description"] = "load benchmark", ["filters"] = filters.DeepClone() },
            ["queryFields"] = new JsonObject { ["fields"] = Array(fields) },
        };
        return new Listing(kind, Route.V1Query, body, "page_size=1000", new QuerySpec { Kind = QueryKind.V1Query, Filters = Parse(ApiVersion.V1, filters), Fields = fields });
    }

    private static Listing CohortPreview(string kind, string collection, string level)
    {
        var filters = new JsonObject { ["collection_id"] = Array(collection) };
        var body = new JsonObject
        {
            ["name"] = "bench",
            ["description"] = "load benchmark",
            ["filterSet"] = new JsonObject { ["filters"] = filters.DeepClone() },
        };
        return new Listing(kind, Route.V1CohortPreview, body, "return_level=" + level + "&page_size=1000",
            new QuerySpec { Kind = QueryKind.V1CohortObjects, Filters = Parse(ApiVersion.V1, filters), Level = level });
    }

    private static FilterSet Parse(ApiVersion version, JsonObject filters)
    {
        using var document = JsonDocument.Parse(filters.ToJsonString());
        return FilterParser.TryParse(version, document.RootElement, out var set, out var error)
            ? set
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{filters.ToJsonString()}: {error}"));
    }
}
