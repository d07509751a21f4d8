namespace ImagingCommons.Data.Accounts;

/// <summary>
/// Saved cohorts. Ids are assigned by the store, increase, and are never reused; deletion is soft. Every method
/// is safe to call concurrently from many requests and replicas.
/// </summary>
public interface ICohortStore
{
    /// <summary>Saves a cohort; once this returns, the cohort survives a crash of the process.</summary>
    Task<SavedCohort> CreateCohortAsync(NewCohort cohort, CancellationToken cancellationToken);

    /// <summary>The cohort with this id, whoever owns it and whether or not it is deleted; null when none.</summary>
    Task<SavedCohort?> FindCohortAsync(long id, CancellationToken cancellationToken);

    /// <summary>The owner's cohorts that are not deleted, by id.</summary>
    Task<IReadOnlyList<SavedCohort>> ListActiveCohortsAsync(long ownerId, CancellationToken cancellationToken);

    /// <summary>Soft-deletes the cohort if <paramref name="ownerId"/> owns it and it is active.</summary>
    Task<CohortDeletion> DeleteCohortAsync(long id, long ownerId, CancellationToken cancellationToken);
}
