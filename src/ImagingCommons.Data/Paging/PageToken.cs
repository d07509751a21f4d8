namespace ImagingCommons.Data.Paging;

/// <summary>
/// What a <c>next_page</c> token carries. <paramref name="Query"/> is an opaque canonical string
/// (the JSON of the query definition) so any replica holding the same release can recompute the result.
/// </summary>
/// <param name="Identity">The caller: an email, <c>"Anonymous"</c> for previews, or <c>""</c> for anonymous dicomMetadata.</param>
/// <param name="Family">The endpoint family the token pages through, e.g. <c>"v1-manifest"</c>, <c>"v2-manifest"</c>, <c>"v1-dicom"</c>.</param>
/// <param name="Release">The IDC data version the listing runs over, e.g. <c>"24.0"</c>.</param>
/// <param name="Query">The canonical query definition.</param>
/// <param name="Offset">The position of the next row to return (0 for "first page", e.g. a 202 token).</param>
/// <param name="IssuedAt">When the listing's token was issued; the token expires a lifetime after it.</param>
public sealed record PageToken(string Identity, string Family, string Release, string Query, long Offset, DateTimeOffset IssuedAt);
