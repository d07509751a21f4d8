namespace ImagingCommons.Data.Accounts;

/// <summary>Registered users and their API keys.</summary>
public interface IAccountStore
{
    /// <summary>Registers a user; when the email is already registered, returns that user and false.</summary>
    /// <exception cref="ArgumentException">the email is not a plausible address, or a name is empty.</exception>
    Task<(UserAccount User, bool Created)> AddUserAsync(string email, string firstName, string lastName, CancellationToken cancellationToken);

    /// <summary>The user registered under this email (compared after <see cref="Emails.Normalize"/>), or null.</summary>
    Task<UserAccount?> FindUserAsync(string email, CancellationToken cancellationToken);

    Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>Records that the user signed in at <paramref name="at"/> (shown as last_login).</summary>
    Task RecordLoginAsync(long userId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Issues an API key for the user; only its hash is kept.</summary>
    Task<IssuedApiKey> CreateApiKeyAsync(long userId, CancellationToken cancellationToken);

    /// <summary>The owner of a valid, unrevoked API key, or null (never throws for a malformed key).</summary>
    Task<UserAccount?> FindUserByApiKeyAsync(string key, CancellationToken cancellationToken);

    /// <summary>Revokes a key by its id; false when no unrevoked key has that id.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The keys of one user (all of them when <paramref name="userId"/> is null), oldest first.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(long? userId, CancellationToken cancellationToken);
}
