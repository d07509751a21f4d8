namespace ImagingCommons.Data.Query;

/// <summary>
/// One level of the v1 cohort-objects tree: its <c>return_level</c> name, the id key of its nodes, the dicom_pivot
/// column the id comes from, and the key of the child array that holds the next level.
/// </summary>
public sealed record CohortLevel(string Name, string Key, string Column, string? ChildrenKey);

/// <summary>The levels of the v1 cohort-objects tree (collections → patients → studies → series → instances).</summary>
public static class CohortLevels
{
    public const string Default = "Series";

    public static IReadOnlyList<CohortLevel> All { get; } =
    [
        new("Collection", "collection_id", "collection_id", "patients"),
        new("Patient", "patient_id", "PatientID", "studies"),
        new("Study", "StudyInstanceUID", "StudyInstanceUID", "series"),
        new("Series", "SeriesInstanceUID", "SeriesInstanceUID", "instances"),
        new("Instance", "SOPInstanceUID", "SOPInstanceUID", null),
    ];

    /// <summary>The number of levels down to <paramref name="name"/> (1 for Collection … 5 for Instance); 0 when unknown. Case-sensitive.</summary>
    public static int Depth(string? name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i].Name, name, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return 0;
    }
}
