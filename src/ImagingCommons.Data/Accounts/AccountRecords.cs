namespace ImagingCommons.Data.Accounts;

/// <summary>A registered user. <see cref="Email"/> is normalised (<see cref="Emails.Normalize"/>) and unique.</summary>
public sealed record UserAccount(long Id, string Email, string FirstName, string LastName, DateTimeOffset DateJoined, DateTimeOffset? LastLogin)
{
    /// <summary>How cohort lists show the owner: "first last", as the original did.</summary>
    public string DisplayName => $"{FirstName} {LastName}";
}

/// <summary>
/// A saved cohort: its filters exactly as validated when it was made (canonical keys, values as sent), the API
/// version whose rules they follow ("v1" or "v2"), and the release it is pinned to. Deleting sets
/// <see cref="DeletedAt"/>; the row and its id stay.
/// </summary>
public sealed record SavedCohort(
    long Id,
    long OwnerId,
    string OwnerName,
    string Name,
    string? Description,
    string IdcDataVersion,
    string FilterApi,
    string Filters,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeletedAt)
{
    public bool IsActive => DeletedAt is null;
}

/// <summary>What a new cohort is made of; the store assigns its id and creation time.</summary>
public sealed record NewCohort(long OwnerId, string Name, string? Description, string IdcDataVersion, string FilterApi, string Filters);

public enum CohortDeletionStatus
{
    Deleted,
    NotFound,
    NotOwner,
    AlreadyDeleted,
}

/// <summary>The outcome of one delete; <see cref="Cohort"/> is the deleted cohort when <see cref="Status"/> is Deleted.</summary>
public sealed record CohortDeletion(CohortDeletionStatus Status, SavedCohort? Cohort);

/// <summary>An API key as listed: never the key itself (only its hash is stored).</summary>
public sealed record ApiKeyInfo(string Id, string Email, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A newly issued API key: <see cref="Key"/> is shown once and never stored.</summary>
public sealed record IssuedApiKey(string Id, string Key);
