using System.Globalization;

namespace ImagingCommons.Contracts;

/// <summary>
/// Every error text the API answers with, each written once: the original service's words (spec/idc-api.md and its
/// cohort-objects addendum, quirks and typos included, since clients match on them) and ours where it had none.
/// </summary>
public static class ErrorTexts
{
    // ---- Both versions --------------------------------------------------------------------------------------------

    /// <summary>Any unknown path, or a known path with another method (spec §1).</summary>
    public const string MethodDoesNotExist = "Method does not exist.";

    /// <summary>A next_page token that is missing, tampered with, foreign, expired or of another route (spec §8.2); "None" when absent.</summary>
    public static string InvalidNextPage(string? token) => "Invalid next_page token " + (token ?? "None");

    /// <summary>The 202 message: the query keeps running; resume with the token (spec §8.3).</summary>
    public const string QueryTimeout = "[ERROR] API query took longer than the allowed time to execute. Retry the query using the next_page token.";

    /// <summary>A filter value, name or description with a script-like fragment (spec §3), in the manifest, query and saved-cohort routes.</summary>
    public const string InvalidName = "Your cohort's name contains invalid characters; please edit and resubmit.";

    /// <inheritdoc cref="InvalidName"/>
    public const string InvalidDescription = "Your cohort's description contains invalid characters; please edit and resubmit.";

    /// <inheritdoc cref="InvalidName"/>
    public const string InvalidFilterText = "Your cohort's filters contain invalid characters; please edit and resubmit.";

    /// <summary>The generic 500 body: a fixed text and a correlation id that the server's log also carries.</summary>
    public static string Internal(string correlationId) =>
        $"Exception: the server failed to answer this request; the server's log has the details under correlation id {correlationId}.";

    /// <summary>The account store (SQLite or PostgreSQL) cannot be reached (503).</summary>
    public const string AccountStoreUnavailable = "The account store is unavailable; try again later.";

    /// <summary>Too many of the caller's queries are still running (429).</summary>
    public static string TooManyQueries(int limit) => string.Format(
        CultureInfo.InvariantCulture,
        "Too many queries of yours are still running (at most {0} at once); collect them with their next_page tokens or retry later.",
        limit);

    /// <summary>A request line (path and query string) over the server's bound (414).</summary>
    public static string UriTooLong(int limit) => string.Format(CultureInfo.InvariantCulture, "The request URI is longer than {0} bytes.", limit);

    /// <summary>Request headers over the server's bound (431).</summary>
    public static string HeadersTooLarge(int limit) => string.Format(CultureInfo.InvariantCulture, "The request headers are larger than {0} bytes.", limit);

    /// <summary>A request body over the server's bound (413).</summary>
    public static string BodyTooLarge(long limit) => string.Format(CultureInfo.InvariantCulture, "The request body is larger than {0} bytes.", limit);

    /// <summary>A saved cohort pinned to a release the server no longer holds (410; ours).</summary>
    public static string ReleaseGone(long cohortId, string release) => string.Format(
        CultureInfo.InvariantCulture, "Cohort ID {0} was made on IDC data version {1}, which this server no longer holds.", cohortId, release);

    /// <summary>A cohort id that is not an unsigned integer (ours; the original answered 500).</summary>
    public static string InvalidCohortId(string text) => text + " is not a valid cohort ID.";

    /// <summary>The body of DELETE /cohorts without its list (ours).</summary>
    public const string NoCohortIds = "The body must name the cohorts to delete: {\"cohorts\": [<cohort ID>, ...]}.";

    /// <summary>Too many ids in one DELETE /cohorts (ours).</summary>
    public static string TooManyCohortIds(int limit) => string.Format(CultureInfo.InvariantCulture, "At most {0} cohorts can be deleted in one request.", limit);

    // ---- v1 -------------------------------------------------------------------------------------------------------

    /// <summary>v1: a body that is not a JSON object.</summary>
    public const string V1MalformedJson = "The JSON provided in this request appears to be improperly formatted.";

    /// <summary>v1: a cohort definition without <c>filters</c>.</summary>
    public const string V1NoFilters = "No filters were provided; ensure that the request body contains a 'filters' property.";

    /// <summary>v1: a cohort definition without a name.</summary>
    public const string V1NoName = "A name was not provided for this cohort. The cohort was not made.";

    /// <summary>v1 manifests: no column selected (the original's text; spec §6.6).</summary>
    public const string V1NoColumns = "[ERROR] get_manifest(): Error trying to preview a cohort";

    /// <summary>v1: a page_size that is not an integer.</summary>
    public const string V1BadPageSize = "Parameter page_size must have an integer value";

    /// <summary>v1 queries: a schema error in the filters or fields.</summary>
    public const string V1FiltersMalformed = "Filters were improperly formatted.";

    /// <summary>v1 POST /cohorts: a schema error.</summary>
    public const string V1CohortMalformed = "Cohort information was improperly formatted - cohort not created.";

    /// <summary>v1 query preview: no <c>cohort_def</c> (the original's typo 'cohort_dev' kept).</summary>
    public const string V1NoCohortDef = "No cohort_def provided; ensure that the request body contains a 'cohort_dev' component.";

    /// <summary>v1 query preview: a <c>cohort_def</c> without filters.</summary>
    public const string V1NoCohortDefFilters = "No filters were provided; ensure that the cohort_def contains a 'filterSet' component.";

    /// <summary>v1 queries: no <c>queryFields</c> / <c>fields</c>.</summary>
    public const string V1NoQueryFields = "No queryFields provided; ensure that the request body contains a 'queryFields' component.";

    /// <summary>v1: an unknown query-string key of a manifest, query or /dicomMetadata route.</summary>
    public static string V1InvalidKey(string key) => "Invalid key " + key;

    /// <summary>v1 metadata routes: an unknown query-string argument.</summary>
    public static string V1InvalidArgument(string key) => "Invalid argument " + key;

    /// <summary>v1 /attributes: an unknown data source (two spaces, as the original).</summary>
    public static string V1UnknownDataSource(string source, string release) => $"The  data source, {source}, is not part of the specified version {release}";

    /// <summary>v1 saved cohorts: an id that names no cohort.</summary>
    public static string V1CohortNotFound(string id) => $"A cohort with the ID {id} was not found.";

    /// <summary>v1 saved cohorts: the caller does not own the cohort, or it was deleted (403).</summary>
    public static string V1NotOwner(string email, string id) => $"{email} isn't the owner of cohort ID {id}, or the cohort has been deleted.";

    /// <summary>v1: a signed-in caller who is not a registered user (403).</summary>
    public const string V1NotRegistered = "Unauthorized. User not registered with the IDC web app";

    /// <summary>v1 name or description that is not a string (ours; the original's back end failed).</summary>
    public const string V1NameOrDescriptionNotText = "A cohort's name and description must be strings.";

    // ---- v1 cohort objects (the 2020 hierarchical routes) ---------------------------------------------------------

    /// <summary>POST /v1/cohorts/preview without a filterSet.</summary>
    public const string V1NoFilterSet = "No filters were provided; ensure that the request body contains a 'filterSet' property.";

    /// <summary>The back end's failure text: filters missing, or the filter set empty.</summary>
    public const string V1ObjectsFailed = "Error while trying to obtain cohort objects.";

    /// <summary>A release the server does not hold, naming the ones it holds.</summary>
    public static string V1InvalidVersion(string version, IEnumerable<string> held) => $"Invalid IDC version {version}; this server holds {string.Join(", ", held)}";

    /// <summary>An unknown return_level.</summary>
    public static string V1InvalidLevel(string level) => "Invalid return_level " + level;

    /// <summary>Script-like text in a name, description or filter value, with the fragment seen.</summary>
    public static string V1ObjectsInvalidCharacters(string seen) => $"Your cohort's name or description contains invalid characters; please edit them and resubmit. [Saw {seen}]";

    /// <summary>A query job that failed (500).</summary>
    public static string V1QueryJobFailed(string jobId, string reason) => $"[ERROR] During query job {jobId}: {reason}";

    // ---- v2 -------------------------------------------------------------------------------------------------------

    /// <summary>v2: a body that is not JSON (Werkzeug's text).</summary>
    public const string V2UnreadableBody = "The browser (or proxy) sent a request that this server could not understand.";

    /// <summary>v2 preview: no <c>cohort_def</c>.</summary>
    public const string V2NoCohortDef = "'cohort_def' is required in the body";

    /// <summary>v2 preview: <c>cohort_def</c> is not an object.</summary>
    public static string V2InvalidCohortDef(string value) => $"{value} is not a valid cohort_def";

    /// <summary>v2: a key of <c>cohort_def</c> that is not name, description or filters.</summary>
    public static string V2InvalidCohortDefKey(string key) => $"'{key}' is an invalid cohort_def key";

    /// <summary>v2: an unknown filter.</summary>
    public static string V2InvalidFilter(string key) => $"{key} is not a valid filter.";

    /// <summary>v2: an unknown body key.</summary>
    public static string V2InvalidBodyKey(string key) => $"{key} is an invalid body key";

    /// <summary>v2: no <c>fields</c>.</summary>
    public const string V2NoFields = "fields is required in the body";

    /// <summary>v2: a boolean option that is not one.</summary>
    public static string V2InvalidValue(string value, string key) => $"{value} is an invalid value for {key}";

    /// <summary>v2: a page_size in the body that is not an integer.</summary>
    public const string V2BodyPageSize = "page_size value must be an integer";

    /// <summary>v2: an unknown field.</summary>
    public static string V2InvalidField(string field) => $"{field} is not a valid field.";

    /// <summary>v2: nothing to return.</summary>
    public const string V2NothingRequested = "If 'fields' is empty, then one or both of 'counts' and 'group_size' must be True";

    /// <summary>v2 nextPage: an unknown query parameter.</summary>
    public static string V2InvalidQueryParameter(string name) => "Invalid query parameter " + name;

    /// <summary>v2 nextPage: a page_size that is not an integer.</summary>
    public const string V2InvalidPageSize = "Invalid page_size";

    /// <summary>v2 /filters/values: an unknown filter.</summary>
    public const string V2InvalidFilterId = "Invalid filter ID";

    /// <summary>v2 /filters/values: a filter that is not categorical.</summary>
    public static string V2NotCategorical(string dataType) => $"Filter data type is {dataType} not Categorical String or Categorical Number";

    /// <summary>v2 /fields without a version.</summary>
    public const string V2NoVersion = "No version was provided";

    /// <summary>v2 /fields with an unknown version.</summary>
    public static string V2InvalidVersion(string version) => $"Supplied idc_data_version '{version}' is invalid. Query the /versions endpoint for defined versions.";

    /// <summary>v2 saved cohorts: an id that names no cohort (404).</summary>
    public static string V2CohortNotFound(string id) => $"A cohort with the ID {id} was not found.";

    /// <summary>v2 saved cohorts: not the owner or deleted (403; the original's text lacks the email).</summary>
    public static string V2NotOwner(string id) => $" isn't the owner of cohort ID {id}, or the cohort has been deleted.";

    /// <summary>v2: a signed-in caller who is not a registered user (401).</summary>
    public static string V2NotKnown(string? email) => $"{email} is not a known user";

    /// <summary>v2: a cohort name that is not a string.</summary>
    public static string V2InvalidName(string value) => $"{value} is not a valid cohort name";

    /// <summary>v2: a cohort description that is not a string.</summary>
    public static string V2InvalidDescription(string value) => $"{value} is not a valid cohort description";

    // ---- Authentication (ours: the original's proxy answered these) -----------------------------------------------

    /// <summary>No Authorization header on a route that needs one (401).</summary>
    public const string AuthenticationRequired = "Authentication required: send the header 'Authorization: Bearer <ID token or API key>'.";

    /// <summary>Our administration routes for a caller who is not an administrator (403).</summary>
    public const string AdministratorsOnly = "This route is for administrators (ImagingCommons:Auth:AdminEmails).";
}
