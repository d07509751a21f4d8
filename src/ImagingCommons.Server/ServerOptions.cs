namespace ImagingCommons.Server;

/// <summary>Bound to the configuration section "ImagingCommons" (and the command line of <c>idc serve</c>).</summary>
public sealed class ServerOptions
{
    public const string Section = "ImagingCommons";

    /// <summary>The data directory; relative paths resolve against the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>When the data directory holds no release, generate the small default one first.</summary>
    public bool GenerateDefaultRelease { get; set; } = true;

    /// <summary>How often the server looks for a release published while it runs (two file stats per look).</summary>
    public TimeSpan ReleaseCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a request waits for its query (milliseconds). Past it the query keeps running as a job and the caller
    /// gets 202 with a next_page token; 0 makes every first call answer 202.
    /// </summary>
    public int QueryDeadlineMs { get; set; } = 25_000;

    /// <summary>The largest page served; larger page_size values get short pages (clients loop on next_page).</summary>
    public int MaxPageSize { get; set; } = 10_000;

    /// <summary>
    /// The next_page token key as base64 (32 bytes), shared by every replica behind one load balancer. When empty,
    /// the key lives in the data directory (keys/page-token.key) and is created on first start.
    /// </summary>
    public string? PageTokenKey { get; set; }

    /// <summary>Who may call the authenticated routes: OIDC issuer, development issuer, administrators.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Where users, API keys and saved cohorts are kept.</summary>
    public AccountStoreOptions Accounts { get; set; } = new();

    /// <summary>The portal page at <c>/</c>.</summary>
    public PortalOptions Portal { get; set; } = new();
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
