using System.Text.Json.Nodes;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Api;

/// <summary>
/// The expected cohort-objects trees of the whole sample release (see <see cref="Query.SampleRelease"/>), written by
/// hand from its table, and helpers that merge per-page trees the way a client must (by id path).
/// </summary>
public static class CohortTrees
{
    public const string Collections = """
        [{"collection_id":"nlst"},{"collection_id":"tcga_kirc"},{"collection_id":"tcga_luad"}]
        """;

    public const string Patients = """
        [{"collection_id":"nlst","patients":[{"patient_id":"100001"},{"patient_id":"100002"}]},
         {"collection_id":"tcga_kirc","patients":[{"patient_id":"TCGA-B0-0001"}]},
         {"collection_id":"tcga_luad","patients":[{"patient_id":"TCGA-05-0001"},{"patient_id":"TCGA-05-0002"},{"patient_id":"TCGA-05-0003"}]}]
        """;

    public const string Studies = """
        [{"collection_id":"nlst","patients":[
           {"patient_id":"100001","studies":[{"StudyInstanceUID":"1.5"},{"StudyInstanceUID":"1.6"}]},
           {"patient_id":"100002","studies":[{"StudyInstanceUID":"1.7"}]}]},
         {"collection_id":"tcga_kirc","patients":[
           {"patient_id":"TCGA-B0-0001","studies":[{"StudyInstanceUID":"1.4"}]}]},
         {"collection_id":"tcga_luad","patients":[
           {"patient_id":"TCGA-05-0001","studies":[{"StudyInstanceUID":"1.1"}]},
           {"patient_id":"TCGA-05-0002","studies":[{"StudyInstanceUID":"1.2"}]},
           {"patient_id":"TCGA-05-0003","studies":[{"StudyInstanceUID":"1.3"}]}]}]
        """;

    public const string Series = """
        [{"collection_id":"nlst","patients":[
           {"patient_id":"100001","studies":[
             {"StudyInstanceUID":"1.5","series":[{"SeriesInstanceUID":"2.51"}]},
             {"StudyInstanceUID":"1.6","series":[{"SeriesInstanceUID":"2.61"},{"SeriesInstanceUID":"2.62"}]}]},
           {"patient_id":"100002","studies":[
             {"StudyInstanceUID":"1.7","series":[{"SeriesInstanceUID":"2.71"}]}]}]},
         {"collection_id":"tcga_kirc","patients":[
           {"patient_id":"TCGA-B0-0001","studies":[
             {"StudyInstanceUID":"1.4","series":[{"SeriesInstanceUID":"2.41"}]}]}]},
         {"collection_id":"tcga_luad","patients":[
           {"patient_id":"TCGA-05-0001","studies":[
             {"StudyInstanceUID":"1.1","series":[{"SeriesInstanceUID":"2.11"},{"SeriesInstanceUID":"2.12"}]}]},
           {"patient_id":"TCGA-05-0002","studies":[
             {"StudyInstanceUID":"1.2","series":[{"SeriesInstanceUID":"2.21"}]}]},
           {"patient_id":"TCGA-05-0003","studies":[
             {"StudyInstanceUID":"1.3","series":[{"SeriesInstanceUID":"2.31"}]}]}]}]
        """;

    public const string Instances = """
        [{"collection_id":"nlst","patients":[
           {"patient_id":"100001","studies":[
             {"StudyInstanceUID":"1.5","series":[
               {"SeriesInstanceUID":"2.51","instances":[{"SOPInstanceUID":"3.08"}]}]},
             {"StudyInstanceUID":"1.6","series":[
               {"SeriesInstanceUID":"2.61","instances":[{"SOPInstanceUID":"3.09"}]},
               {"SeriesInstanceUID":"2.62","instances":[{"SOPInstanceUID":"3.10"}]}]}]},
           {"patient_id":"100002","studies":[
             {"StudyInstanceUID":"1.7","series":[
               {"SeriesInstanceUID":"2.71","instances":[{"SOPInstanceUID":"3.11"}]}]}]}]},
         {"collection_id":"tcga_kirc","patients":[
           {"patient_id":"TCGA-B0-0001","studies":[
             {"StudyInstanceUID":"1.4","series":[
               {"SeriesInstanceUID":"2.41","instances":[{"SOPInstanceUID":"3.06"},{"SOPInstanceUID":"3.07"}]}]}]}]},
         {"collection_id":"tcga_luad","patients":[
           {"patient_id":"TCGA-05-0001","studies":[
             {"StudyInstanceUID":"1.1","series":[
               {"SeriesInstanceUID":"2.11","instances":[{"SOPInstanceUID":"3.01"},{"SOPInstanceUID":"3.02"}]},
               {"SeriesInstanceUID":"2.12","instances":[{"SOPInstanceUID":"3.03"}]}]}]},
           {"patient_id":"TCGA-05-0002","studies":[
             {"StudyInstanceUID":"1.2","series":[
               {"SeriesInstanceUID":"2.21","instances":[{"SOPInstanceUID":"3.04"}]}]}]},
           {"patient_id":"TCGA-05-0003","studies":[
             {"StudyInstanceUID":"1.3","series":[
               {"SeriesInstanceUID":"2.31","instances":[{"SOPInstanceUID":"3.05"}]}]}]}]}]
        """;

    /// <summary>The hand-written tree of the whole sample release at a level, and its number of leaves.</summary>
    public static (string Tree, int Leaves) WholeRelease(string level) => level switch
    {
        "Collection" => (Collections, 3),
        "Patient" => (Patients, 6),
        "Study" => (Studies, 7),
        "Series" => (Series, 9),
        "Instance" => (Instances, 11),
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>A JSON text in the compact form the server writes, for readable comparisons.</summary>
    public static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();

    /// <summary>Merges a page's tree into <paramref name="into"/> by id path, as a client must (nodes recur across pages).</summary>
    public static void Merge(JsonArray into, JsonArray page)
    {
        foreach (var node in page)
        {
            var item = node!.AsObject();
            var (idKey, id) = item.Single(p => p.Value is not JsonArray);
            var existing = into.FirstOrDefault(n => JsonNode.DeepEquals(n![idKey], id));
            if (existing is null)
            {
                into.Add(item.DeepClone());
                continue;
            }

            if (item.SingleOrDefault(p => p.Value is JsonArray) is { Key: { } childKey, Value: JsonArray children })
            {
                Merge(existing[childKey]!.AsArray(), children);
            }
        }
    }

    /// <summary>The number of leaves of a tree: nodes without a child array.</summary>
    public static int Leaves(JsonArray tree) =>
        tree.Sum(node => node!.AsObject().SingleOrDefault(p => p.Value is JsonArray).Value is JsonArray children ? Leaves(children) : 1);
}
