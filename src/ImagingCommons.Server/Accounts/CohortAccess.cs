using System.Text.Encodings.Web;
using System.Text.Json;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;

namespace ImagingCommons.Server.Accounts;

/// <summary>Finding and saving cohorts for the v1 and v2 routes, with their answers when a cohort cannot be read.</summary>
internal static class CohortAccess
{
    private static readonly JsonSerializerOptions StoredJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>GET on a POST-only literal route lands on the {cohort_id} route; it is still "Method does not exist.".</summary>
    public static bool IsReservedSegment(string segment) => segment is "preview" or "nextPage";

    /// <summary>The caller may read (manifest, query) a cohort only if they own it and it is not deleted.</summary>
    public static bool CanRead(SavedCohort? cohort, UserAccount user) => cohort is { IsActive: true } && cohort.OwnerId == user.Id;

    /// <summary>Saves a cohort on the current release with its filters as validated (canonical keys, values as sent).</summary>
    public static Task<SavedCohort> SaveAsync(
        ICohortStore cohorts, UserAccount user, string name, string? description, FilterSet filters, string release, string filterApi, CancellationToken cancellationToken) =>
        cohorts.CreateCohortAsync(new NewCohort(user.Id, name, description, release, filterApi, filters.ToJson(false).ToJsonString(StoredJson)), cancellationToken);

    /// <summary>The caller's own, active cohort on a held release, or the v1 answer saying why not (spec §6.6.2).</summary>
    public static async Task<(SavedCohort? Cohort, WireError? Error)> V1OwnAsync(
        string text, UserAccount user, ICohortStore cohorts, QueryEngine engine, CancellationToken cancellationToken)
    {
        if (!CohortId.TryParsePath(text, out var id))
        {
            return (null, Wire.BadRequest(ErrorTexts.InvalidCohortId(text)));
        }

        var cohort = id.StoreId is { } storeId ? await cohorts.FindCohortAsync(storeId, cancellationToken) : null;
        if (cohort is null)
        {
            return (null, Wire.BadRequest(ErrorTexts.V1CohortNotFound(id.ToString())));
        }

        if (!CanRead(cohort, user))
        {
            return (null, Wire.Forbidden(ErrorTexts.V1NotOwner(user.Email, id.ToString())));
        }

        return engine.HoldsRelease(cohort.IdcDataVersion) ? (cohort, null) : (null, ReleaseGone(cohort));
    }

    /// <summary>A cohort pinned to a release this server no longer holds (removed from the data directory).</summary>
    public static WireError ReleaseGone(SavedCohort cohort) =>
        Wire.Error(StatusCodes.Status410Gone, ErrorTexts.ReleaseGone(cohort.Id, cohort.IdcDataVersion));
}
