using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

/// <summary>
/// The v1 cohort-objects answer (addendum H3): the tree collections → patients → studies → series → instances down
/// to return_level, of this page's leaves. A child array is present only when return_level is deeper than the node.
/// </summary>
/// <typeparam name="TCohort"><see cref="V1CohortObjectsEcho"/> (preview), <see cref="V1SavedCohortEcho"/>, or <see cref="EmptyObject"/> on later pages.</typeparam>
/// <param name="Code">200.</param>
/// <param name="Cohort">The cohort (later pages: {}).</param>
/// <param name="CohortObjects">The tree.</param>
/// <param name="NextPage">The token of the next page (same route), or "".</param>
public sealed record V1CohortObjectsResponse<TCohort>(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort")] TCohort Cohort,
    [property: JsonPropertyName("cohortObjects")] CohortObjectsTree CohortObjects,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>The tree of one page.</summary>
/// <param name="TotalFound">Leaves at return_level in the whole result.</param>
/// <param name="RowsReturned">Leaves in this page.</param>
/// <param name="Collections">The collections of this page's leaves.</param>
public sealed record CohortObjectsTree(
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned,
    [property: JsonPropertyName("collections")] IReadOnlyList<CollectionNode> Collections)
{
    /// <summary>The empty stub that 202 answers carry.</summary>
    public static CohortObjectsTree Empty { get; } = new(0, 0, []);
}

/// <summary>A collection node (its id with '_' spelled '-', as the 2020 API did).</summary>
/// <param name="CollectionId">The collection id.</param>
/// <param name="Patients">Its patients, when return_level is deeper.</param>
public sealed record CollectionNode(
    [property: JsonPropertyName("collection_id")] string? CollectionId,
    [property: JsonPropertyName("patients"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PatientNode>? Patients = null);

/// <summary>A patient node.</summary>
/// <param name="PatientId">The PatientID.</param>
/// <param name="Studies">Its studies, when return_level is deeper.</param>
public sealed record PatientNode(
    [property: JsonPropertyName("patient_id")] string? PatientId,
    [property: JsonPropertyName("studies"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StudyNode>? Studies = null);

/// <summary>A study node.</summary>
/// <param name="StudyInstanceUid">The StudyInstanceUID.</param>
/// <param name="Series">Its series, when return_level is deeper.</param>
public sealed record StudyNode(
    [property: JsonPropertyName("StudyInstanceUID")] string? StudyInstanceUid,
    [property: JsonPropertyName("series"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SeriesNode>? Series = null);

/// <summary>A series node.</summary>
/// <param name="SeriesInstanceUid">The SeriesInstanceUID.</param>
/// <param name="Instances">Its instances, when return_level is Instance.</param>
public sealed record SeriesNode(
    [property: JsonPropertyName("SeriesInstanceUID")] string? SeriesInstanceUid,
    [property: JsonPropertyName("instances"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<InstanceNode>? Instances = null);

/// <summary>An instance node.</summary>
/// <param name="SopInstanceUid">The SOPInstanceUID.</param>
public sealed record InstanceNode([property: JsonPropertyName("SOPInstanceUID")] string? SopInstanceUid);
