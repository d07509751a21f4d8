using System.ComponentModel.DataAnnotations;

namespace ImagingCommons.Server;

/// <summary>Bound to the configuration section "ImagingCommons" (command-line switches: <see cref="Hosting.ServerArguments"/>).</summary>
public sealed class ServerOptions
{
    public const string Section = "ImagingCommons";

    /// <summary>The default data directory, relative to the working directory.</summary>
    public const string DefaultDataDirectory = "data";

    /// <summary>The data directory; relative paths resolve against the working directory.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "ImagingCommons:DataDirectory is empty; name the data directory to serve.")]
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>
    /// When the data directory holds no release, generate the small synthetic default one first. Unset: only when the
    /// data directory is the default one (the <c>dotnet run</c> demo); a data directory named explicitly must hold a
    /// release, so that a mistyped path is an error rather than a synthetic server.
    /// </summary>
    public bool? GenerateDefaultRelease { get; set; }

    /// <summary>How often the server looks for a release published while it runs (two file stats per look).</summary>
    public TimeSpan ReleaseCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The earlier spelling of <c>ImagingCommons:Query:Deadline</c>, in milliseconds (also <c>idc serve
    /// --query-deadline-ms</c>); when given it wins. 0 makes every first call answer 202.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int? QueryDeadlineMs { get; set; }

    /// <summary>The earlier spelling of <c>ImagingCommons:Query:MaxPageSize</c>; when given it wins.</summary>
    [Range(1, 1_000_000)]
    public int? MaxPageSize { get; set; }

    /// <summary>
    /// The next_page token key as base64 (32 bytes), shared by every replica behind one load balancer. When empty,
    /// the key lives in the data directory (keys/page-token.key) and is created on first start.
    /// </summary>
    public string? PageTokenKey { get; set; }

    /// <summary>
    /// The server's public address (e.g. https://idc.example.org) for the links it writes (/about); when empty, the
    /// request's own scheme and host are used.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Bounds on what a request may send (answered with the spec's error body when exceeded).</summary>
    public RequestLimitOptions Limits { get; set; } = new();

    /// <summary>Browser origins allowed to call the API from another site (CORS); none by default.</summary>
    public CorsOptions Cors { get; set; } = new();

    /// <summary>Who may call the authenticated routes: OIDC issuer, development issuer, administrators.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Where users, API keys and saved cohorts are kept.</summary>
    public AccountStoreOptions Accounts { get; set; } = new();

    /// <summary>The portal page at <c>/</c>.</summary>
    public PortalOptions Portal { get; set; } = new();

    /// <summary>Whether to generate the default release into an empty data directory.</summary>
    public bool ShouldGenerateDefaultRelease => GenerateDefaultRelease
        ?? string.Equals(DataDirectory, DefaultDataDirectory, StringComparison.Ordinal);
}

/// <summary>Bound to "ImagingCommons:Limits".</summary>
public sealed class RequestLimitOptions
{
    /// <summary>The longest request target (path and query string) answered; longer ones get 414 with the spec's body.</summary>
    [Range(1024, 1 << 20)]
    public int MaxRequestTargetBytes { get; set; } = 64 * 1024;

    /// <summary>The most header bytes answered; more get 431 with the spec's body.</summary>
    [Range(4096, 1 << 20)]
    public int MaxRequestHeaderBytes { get; set; } = 64 * 1024;

    /// <summary>The largest request body read (cohort definitions are small); larger ones get 413 with the spec's body.</summary>
    [Range(1024, 1 << 30)]
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;
}

/// <summary>Bound to "ImagingCommons:Cors".</summary>
public sealed class CorsOptions
{
    /// <summary>Origins (scheme://host[:port]) whose pages may call the API; preflight requests from them are answered.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>Bound to "ImagingCommons:Portal".</summary>
public sealed class PortalOptions
{
    /// <summary>
    /// A viewer's URL for one series, with placeholders the portal fills in per row: <c>{collection_id}</c>,
    /// <c>{PatientID}</c>, <c>{StudyInstanceUID}</c>, <c>{SeriesInstanceUID}</c>, <c>{crdc_series_uuid}</c> (URL-encoded).
    /// For an OHIF viewer: <c>https://viewer.example.org/viewer?StudyInstanceUIDs={StudyInstanceUID}&amp;SeriesInstanceUIDs={SeriesInstanceUID}</c>.
    /// Empty: the series table has no viewer links.
    /// </summary>
    public string? ViewerUrl { get; set; }
}

/// <summary>Bound to "ImagingCommons:Accounts".</summary>
public sealed class AccountStoreOptions
{
    /// <summary>
    /// A PostgreSQL connection string (for several replicas). When empty, the store is the SQLite file
    /// <c>accounts.db</c> in the data directory.
    /// </summary>
    public string? Postgres { get; set; }
}

/// <summary>Bound to "ImagingCommons:Auth".</summary>
public sealed class AuthOptions
{
    /// <summary>The OpenID Connect issuer whose ID tokens are accepted (Google, or any other).</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// Accept tokens from the development issuer, whose key is kept in the data directory (<c>idc auth dev-token</c>
    /// prints one). Never for a shared deployment: anyone who can read the data directory can sign in as anyone.
    /// </summary>
    public bool DevIssuer { get; set; }

    /// <summary>Emails allowed to register users through <c>POST /admin/users</c>.</summary>
    public string[] AdminEmails { get; set; } = [];
}

/// <summary>Bound to "ImagingCommons:Auth:Oidc". Google: Issuer https://accounts.google.com, JwksUrl https://www.googleapis.com/oauth2/v3/certs, Audience = the OAuth client id.</summary>
public sealed class OidcOptions
{
    /// <summary>The issuer (the <c>iss</c> of its tokens). Empty: no OIDC issuer is trusted.</summary>
    public string? Issuer { get; set; }

    /// <summary>Other spellings of the issuer that its tokens may carry (Google also uses "accounts.google.com").</summary>
    public string[] AdditionalIssuers { get; set; } = [];

    /// <summary>The audience (client id) the tokens must be issued for.</summary>
    public string? Audience { get; set; }

    /// <summary>More accepted audiences, for deployments with several client ids.</summary>
    public string[] Audiences { get; set; } = [];

    /// <summary>
    /// Where the signing keys are (a JWKS document). When empty they are found through the issuer's discovery
    /// document, <c>&lt;Issuer&gt;/.well-known/openid-configuration</c>.
    /// </summary>
    public string? JwksUrl { get; set; }

    /// <summary>Refuse discovery and key URLs that are not HTTPS (turn off only for a local test issuer).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Issuer);

    public IReadOnlyList<string> AllAudiences =>
        [.. new[] { Audience }.Concat(Audiences).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!.Trim()).Distinct(StringComparer.Ordinal)];

    public IReadOnlyList<string> AllIssuers =>
        [.. new[] { Issuer }.Concat(AdditionalIssuers).Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i!.Trim()).Distinct(StringComparer.Ordinal)];
}
