namespace ImagingCommons.Client;

/// <summary>
/// What the client sends as <c>Authorization: Bearer &lt;token&gt;</c>: an API key of the server (<c>ick_…</c>, from
/// <c>idc keys create</c>), an ID token of the server's OpenID Connect issuer, or a development token
/// (<c>idc auth dev-token</c>). The server tells them apart; the client sends them the same way.
/// </summary>
public abstract class ImagingCommonsCredential
{
    /// <summary>The token to send with the next request.</summary>
    public abstract ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>An API key, e.g. <c>ick_0123456789ab_…</c>.</summary>
    public static ImagingCommonsCredential ApiKey(string key) => new Fixed(key, nameof(key));

    /// <summary>An ID token (JWT) of the issuer the server trusts. ID tokens expire (Google's after an hour); see <see cref="FromProvider"/>.</summary>
    public static ImagingCommonsCredential IdToken(string token) => new Fixed(token, nameof(token));

    /// <summary>A token of the server's development issuer (<c>idc auth dev-token</c>; only a server started with <c>--dev-auth</c> accepts it).</summary>
    public static ImagingCommonsCredential DevelopmentToken(string token) => new Fixed(token, nameof(token));

    /// <summary>A token asked for before every request (a refreshing ID token source).</summary>
    public static ImagingCommonsCredential FromProvider(Func<CancellationToken, ValueTask<string>> provider) =>
        new Provided(provider ?? throw new ArgumentNullException(nameof(provider)));

    private sealed class Fixed : ImagingCommonsCredential
    {
        private readonly string _token;

        public Fixed(string token, string parameter)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(token, parameter);
            _token = token.Trim();
        }

        public override ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);

        // Never print the secret (the object may end up in a log line).
        public override string ToString() => "bearer credential";
    }

    private sealed class Provided(Func<CancellationToken, ValueTask<string>> provider) : ImagingCommonsCredential
    {
        public override ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => provider(cancellationToken);

        public override string ToString() => "bearer credential (provided)";
    }
}
