using System.Text.Json;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Query;
using ImagingCommons.Server.Requests;

namespace ImagingCommons.Server.Accounts;

/// <summary>How v1 and v2 show a saved cohort: its stored filters, its list entry, its creation and deletion answers.</summary>
internal static class SavedCohortViews
{
    /// <summary>The stored filters, parsed with the rules of the version they were saved through.</summary>
    public static FilterSet ParseFilters(SavedCohort cohort)
    {
        using var document = JsonDocument.Parse(cohort.Filters);
        var version = cohort.FilterApi == "v1" ? ApiVersion.V1 : ApiVersion.V2;
        return FilterParser.TryParse(version, document.RootElement, out var set, out var error)
            ? set
            : throw new InvalidOperationException($"The stored filters of cohort {cohort.Id} no longer validate: {error}");
    }

    /// <summary>
    /// The stored filters as a version shows them (spec §10 #27): v1 lists every value as a string; v2 lists the
    /// values of suffixed numeric filters as numbers and every other value as a string.
    /// </summary>
    public static Filters Filters(SavedCohort cohort, ApiVersion view)
    {
        var result = new Filters();
        foreach (var entry in ParseFilters(cohort).Entries)
        {
            var numeric = view == ApiVersion.V2 && entry is RangeFilter && entry.Suffix.Length > 0;
            result[entry.Key] = [.. entry.TextValues.Select(v => numeric ? FilterValue.Number(v) : FilterValue.String(v))];
        }

        return result;
    }

    public static FilterSetEcho FilterSet(SavedCohort cohort, ApiVersion view) => new(cohort.IdcDataVersion, Filters(cohort, view));

    public static CohortListEntry ListEntry(SavedCohort cohort, ApiVersion view) =>
        new(cohort.Id, cohort.Name, cohort.Description, cohort.OwnerName, "OWNER", FilterSet(cohort, view));

    public static CohortCreatedResponse Created(SavedCohort cohort, ApiVersion view) =>
        new(StatusCodes.Status200OK, new CohortProperties(cohort.Id, cohort.Name, cohort.Description, FilterSet(cohort, view)));

    /// <summary>The cohort echo of a v1 manifest, query or cohort-objects tree of a saved cohort (its sql filled in later).</summary>
    public static V1SavedCohortEcho V1Echo(SavedCohort cohort, string sql = "") =>
        new(cohort.Id, cohort.Name, cohort.Description, sql, FilterSet(cohort, ApiVersion.V1));

    /// <summary>DELETE /cohorts and /cohorts/{id}: one result object per id, in request order (spec §6.8).</summary>
    public static async Task<CohortDeletionsResponse> DeleteAsync(IReadOnlyList<CohortId> ids, UserAccount user, ICohortStore cohorts, CancellationToken cancellationToken)
    {
        var results = new List<Contracts.CohortDeletion>();
        foreach (var id in ids)
        {
            var deletion = id.StoreId is { } storeId
                ? await cohorts.DeleteCohortAsync(storeId, user.Id, cancellationToken)
                : new Data.Accounts.CohortDeletion(CohortDeletionStatus.NotFound, null);
            var result = deletion.Status switch
            {
                CohortDeletionStatus.Deleted => new CohortDeletionResult(
                    Notes: $"Cohort {id} ('{deletion.Cohort!.Name}') has been deleted.",
                    Data: new DeletedCohortData([FilterGroup(deletion.Cohort)])),
                CohortDeletionStatus.NotFound => new CohortDeletionResult(Message: $"A cohort with the ID {id} was not found!"),
                CohortDeletionStatus.AlreadyDeleted => new CohortDeletionResult(Message: $"Cohort ID {id} was not found - it may already be deleted."),
                _ => new CohortDeletionResult(Message: $"{user.Email} isn't the owner of cohort ID {id} and so cannot delete it.", DeletePermission: false),
            };
            results.Add(new Contracts.CohortDeletion(id.Value, result));
        }

        return new CohortDeletionsResponse(StatusCodes.Status200OK, results);
    }

    /// <summary>
    /// The query definition of a saved cohort for one kind of result. The filters keep the rules they were saved
    /// under (a v1 cohort read through v2 still means what it meant).
    /// </summary>
    public static QuerySpec Spec(SavedCohort cohort, QueryKind kind, IReadOnlyList<string> fields, bool counts = false, bool groupSize = false) => new()
    {
        Kind = kind,
        Filters = ParseFilters(cohort),
        Fields = fields,
        Counts = counts,
        GroupSize = groupSize,
    };

    /// <summary>The deleted cohort's filters as the original listed them: one filter group, its values as strings.</summary>
    private static DeletedFilterGroup FilterGroup(SavedCohort cohort) => new(
        cohort.Id,
        cohort.IdcDataVersion,
        [.. Filters(cohort, ApiVersion.V1).Select(f => new DeletedFilter(f.Key, [.. f.Value.Select(v => (string?)v.Text)]))]);
}
