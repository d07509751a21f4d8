using ImagingCommons.Data.Query;

namespace ImagingCommons.Server.Requests;

/// <summary>A validated cohort definition: its name and description as sent, and its filters.</summary>
/// <param name="Name">v1: a non-empty string; v2: as sent (null allowed, "" when absent).</param>
/// <param name="Description">As sent ("" when absent, null when sent as null).</param>
/// <param name="Filters">The validated filters.</param>
internal sealed record CohortDraft(string? Name, string? Description, FilterSet Filters);

/// <summary>The columns of a v1 manifest and its options (query string of spec §6.6).</summary>
internal sealed record V1ManifestOptions(IReadOnlyList<string> Columns, bool Sql, int PageSize);

/// <summary>The options of a v1 query (query string of spec §6.7).</summary>
internal sealed record V1QueryOptions(bool Sql, int PageSize);

/// <summary>The fields of a v1 query.</summary>
internal sealed record V1QueryFieldList(IReadOnlyList<string> Fields);

/// <summary>A validated v1 query preview body.</summary>
internal sealed record V1QueryPreview(CohortDraft Cohort, IReadOnlyList<string> Fields);

/// <summary>A validated v2 manifest body: the options every v2 manifest route shares (spec §7.8.1).</summary>
internal sealed record V2ManifestOptions(IReadOnlyList<string> Fields, bool Counts, bool GroupSize, bool Sql, int PageSize);

/// <summary>A validated v2 manifest preview body.</summary>
internal sealed record V2ManifestPreview(CohortDraft Cohort, V2ManifestOptions Options);

/// <summary>A nextPage request: the token and the page size.</summary>
internal sealed record NextPageRequest(string? Token, int PageSize);

/// <summary>The ids of a DELETE /cohorts body.</summary>
internal sealed record CohortIdList(IReadOnlyList<CohortId> Ids);

/// <summary>
/// A valid POST /v1/cohorts/preview body: name, description and filters (null when its filterSet has no filters key,
/// refused later, in H7's order), and the release asked for (null or "": the current one).
/// </summary>
internal sealed record V1CohortObjectsPreview(string Name, string? Description, FilterSet? Filters, string? Version);
