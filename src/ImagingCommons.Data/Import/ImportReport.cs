namespace ImagingCommons.Data.Import;

/// <summary>What an import produced: the release version, the rows written per table and every warning given.</summary>
/// <param name="Version">The IDC data version that was created, like "24.0".</param>
/// <param name="RowCounts">Rows written per table (all five tables, derived or empty ones included).</param>
/// <param name="Warnings">Everything that was ignored (unknown columns, unrecognised files), in the order found.</param>
public sealed record ImportReport(string Version, IReadOnlyDictionary<string, long> RowCounts, IReadOnlyList<string> Warnings);
