using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

// POST /api/v1/resolve: our extension behind `idc download <id>…`. idc-index resolves an identifier against its local
// index (collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID or crdc_series_uuid); a client of ours asks the
// server, because v2 filters cannot select by crdc_series_uuid. Errors are problem details, as on every /api route.

/// <summary>Identifiers to resolve.</summary>
/// <param name="Ids">collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID or crdc_series_uuid values (at most 10,000; no '%').</param>
/// <param name="Release">A release the server holds; null: the current one.</param>
public sealed record ResolveRequest(
    [property: JsonPropertyName("ids")] IReadOnlyList<string> Ids,
    [property: JsonPropertyName("release"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Release = null);

/// <summary>What each identifier is.</summary>
/// <param name="Release">The release resolved against.</param>
/// <param name="Ids">One entry per distinct identifier, in request order.</param>
public sealed record ResolveResponse(
    [property: JsonPropertyName("release")] string Release,
    [property: JsonPropertyName("ids")] IReadOnlyList<ResolvedId> Ids);

/// <summary>One identifier and what it matched.</summary>
/// <param name="Id">The identifier as sent.</param>
/// <param name="Matches">
/// The attributes it is a value of, in the order collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID,
/// crdc_series_uuid (empty: unknown in this release). Matching is exact but case-insensitive, and collection ids are
/// normalised as the API normalises them (<c>TCGA-LUAD</c> is <c>tcga_luad</c>).
/// </param>
public sealed record ResolvedId(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("matches")] IReadOnlyList<ResolvedMatch> Matches);

/// <summary>One attribute an identifier is a value of.</summary>
/// <param name="Attribute">collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID or crdc_series_uuid.</param>
/// <param name="Value">The value as the release spells it (a v2 filter on <see cref="Attribute"/> with it selects the same series).</param>
/// <param name="Series">The series it selects.</param>
/// <param name="SeriesInstanceUid">For a crdc_series_uuid: the SeriesInstanceUID of that series version (what a v2 filter can select by).</param>
public sealed record ResolvedMatch(
    [property: JsonPropertyName("attribute")] string Attribute,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("SeriesInstanceUID"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SeriesInstanceUid = null);
