using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

/// <summary>A filter set with the release it runs against: <c>{"idc_data_version","filters"}</c>.</summary>
/// <param name="IdcDataVersion">The release, e.g. "24.0".</param>
/// <param name="Filters">The filters (previews: as sent, collection ids normalised where the spec says; saved cohorts: as stored).</param>
public sealed record FilterSetEcho(
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("filters")] Filters Filters);

/// <summary>The <c>cohort</c> of a v1 manifest preview (spec §6.6.1).</summary>
/// <param name="Name">The cohort's name.</param>
/// <param name="Description">Its description ("" when not sent).</param>
/// <param name="FilterSet">The filters, collection ids normalised, on the current release.</param>
/// <param name="Sql">The SQL when <c>sql=True</c>, else "".</param>
public sealed record V1ManifestCohort(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet,
    [property: JsonPropertyName("sql")] string Sql);

/// <summary>The <c>cohort_def</c> of a v1 query preview (spec §6.7.1).</summary>
/// <param name="Name">The cohort's name.</param>
/// <param name="Description">Its description.</param>
/// <param name="Filters">The filters, collection ids normalised.</param>
/// <param name="FilterSet">The same filters with the release.</param>
/// <param name="Sql">The SQL when <c>sql=True</c>, else "".</param>
public sealed record V1QueryCohort(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filters")] Filters Filters,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet,
    [property: JsonPropertyName("sql")] string Sql);

/// <summary>A saved cohort as v1 manifests, queries and cohort-object trees echo it (spec §6.6.2, §6.7.2).</summary>
/// <param name="CohortId">The cohort's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">Its description.</param>
/// <param name="Sql">The SQL when <c>sql=True</c>, else "".</param>
/// <param name="FilterSet">Its stored filters (values as strings) on its pinned release.</param>
public sealed record V1SavedCohortEcho(
    [property: JsonPropertyName("cohort_id")] long CohortId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("sql")] string Sql,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet);

/// <summary>The <c>cohort</c> of a v1 cohort-objects preview (addendum H3): the filterSet as sent, with the release used.</summary>
/// <param name="Name">The cohort's name.</param>
/// <param name="Description">Its description.</param>
/// <param name="Sql">The SQL when <c>sql=True</c>, else "".</param>
/// <param name="FilterSet">The filters as sent, on the release used.</param>
public sealed record V1CohortObjectsEcho(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("sql")] string Sql,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet);

/// <summary>The <c>cohort_def</c> of a v2 manifest preview (spec §7.8.3).</summary>
/// <param name="Name">The name as sent ("" when absent).</param>
/// <param name="Description">The description as sent ("" when absent).</param>
/// <param name="FilterSet">The filters, keys canonical, collection ids normalised, on the current release.</param>
/// <param name="Sql">The SQL, present only when <c>sql</c> is true.</param>
public sealed record V2CohortEcho(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet,
    [property: JsonPropertyName("sql"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sql = null);

/// <summary>The <c>cohort_def</c> of a v2 saved-cohort manifest (spec §7.8.4).</summary>
/// <param name="CohortId">The cohort's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">Its description.</param>
/// <param name="FilterSet">Its stored filters on its pinned release.</param>
/// <param name="UserEmail">The caller's email.</param>
/// <param name="Sql">The SQL, present only when <c>sql</c> is true.</param>
public sealed record V2SavedCohortEcho(
    [property: JsonPropertyName("cohort_id")] long CohortId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet,
    [property: JsonPropertyName("user_email")] string UserEmail,
    [property: JsonPropertyName("sql"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sql = null);

/// <summary>The empty <c>cohort</c> object of later pages (<c>{}</c>).</summary>
public sealed record EmptyObject
{
    /// <summary>The one instance.</summary>
    public static EmptyObject Instance { get; } = new();
}
