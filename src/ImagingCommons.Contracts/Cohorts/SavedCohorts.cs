using System.Numerics;
using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

/// <summary>GET /v1/cohorts, /v2/cohorts: the caller's active cohorts.</summary>
/// <param name="Code">200.</param>
/// <param name="Cohorts">The cohorts.</param>
public sealed record CohortListResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohorts")] IReadOnlyList<CohortListEntry> Cohorts);

/// <summary>A saved cohort as GET /cohorts lists it (v1: every filter value a string; v2: suffixed numeric values as numbers).</summary>
/// <param name="CohortId">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">Its description (null when saved without one).</param>
/// <param name="Owner">The owner's first and last name.</param>
/// <param name="Permission">"OWNER".</param>
/// <param name="FilterSet">Its filters on its pinned release.</param>
public sealed record CohortListEntry(
    [property: JsonPropertyName("cohort_id")] long CohortId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("permission")] string Permission,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet);

/// <summary>POST /v1/cohorts, /v2/cohorts: the cohort saved.</summary>
/// <param name="Code">200.</param>
/// <param name="CohortProperties">The cohort.</param>
public sealed record CohortCreatedResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort_properties")] CohortProperties CohortProperties);

/// <summary>A cohort just saved.</summary>
/// <param name="CohortId">Its id (never reused).</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">Its description.</param>
/// <param name="FilterSet">Its filters on the release it is pinned to (the current one).</param>
public sealed record CohortProperties(
    [property: JsonPropertyName("cohort_id")] long CohortId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filterSet")] FilterSetEcho FilterSet);

/// <summary>DELETE /cohorts and /cohorts/{id}: one outcome per id, in request order (spec §6.8).</summary>
/// <param name="Code">200.</param>
/// <param name="Cohorts">The outcomes.</param>
public sealed record CohortDeletionsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohorts")] IReadOnlyList<CohortDeletion> Cohorts);

/// <summary>The outcome of one id.</summary>
/// <param name="CohortId">The id as sent (any integer, 2^64 and beyond included).</param>
/// <param name="Result">What happened.</param>
public sealed record CohortDeletion(
    [property: JsonPropertyName("cohort_id"), JsonConverter(typeof(BigIntegerConverter))] BigInteger CohortId,
    [property: JsonPropertyName("result")] CohortDeletionResult Result);

/// <summary>
/// One id's outcome: <c>{"notes","data"}</c> when deleted, <c>{"message"}</c> when not found or already deleted,
/// <c>{"message","delete_permission":false}</c> when the caller is not the owner.
/// </summary>
/// <param name="Notes">Deleted: "Cohort N ('name') has been deleted.".</param>
/// <param name="Data">Deleted: the cohort's filters.</param>
/// <param name="Message">Not deleted: why.</param>
/// <param name="DeletePermission">Not the owner: false.</param>
public sealed record CohortDeletionResult(
    [property: JsonPropertyName("notes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notes = null,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeletedCohortData? Data = null,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonPropertyName("delete_permission"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? DeletePermission = null);

/// <summary>The filters of a deleted cohort, as the original listed them.</summary>
/// <param name="Filters">One filter group.</param>
public sealed record DeletedCohortData([property: JsonPropertyName("filters")] IReadOnlyList<DeletedFilterGroup> Filters);

/// <summary>A deleted cohort's filter group.</summary>
/// <param name="Id">The cohort's id.</param>
/// <param name="DataVersion">Its release.</param>
/// <param name="Filters">Its filters, values as strings.</param>
public sealed record DeletedFilterGroup(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("data_version")] string DataVersion,
    [property: JsonPropertyName("filters")] IReadOnlyList<DeletedFilter> Filters);

/// <summary>One filter of a deleted cohort.</summary>
/// <param name="Name">The key.</param>
/// <param name="Values">The values as strings.</param>
public sealed record DeletedFilter(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("values")] IReadOnlyList<string?> Values);

/// <summary>GET /v1/users/account_details, /v2/users/account_details.</summary>
/// <param name="Code">200.</param>
/// <param name="UserDetails">The caller's account.</param>
public sealed record AccountDetailsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("user_details")] UserDetails UserDetails);

/// <summary>A local account (RFC 1123 dates, the way Flask rendered datetimes).</summary>
/// <param name="DateJoined">When the user was registered.</param>
/// <param name="Email">The email (the identity).</param>
/// <param name="FirstName">First name.</param>
/// <param name="Id">The account's id.</param>
/// <param name="LastLogin">The last authenticated call (at 15-minute granularity), or null.</param>
/// <param name="LastName">Last name.</param>
public sealed record UserDetails(
    [property: JsonPropertyName("date_joined")] string DateJoined,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("first_name")] string FirstName,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("last_login")] string? LastLogin,
    [property: JsonPropertyName("last_name")] string LastName);
